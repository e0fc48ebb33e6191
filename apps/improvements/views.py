"""Improvement action pages: the list (mine / my department / all in scope), the detail with its history, and the
forms that raise, edit, start, complete, verify and cancel an action. Thin: selectors in, services out."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.scoping import can, get_visible_or_404
from apps.core.views import ScopedListView, add_service_errors
from apps.improvements import selectors, services
from apps.improvements.forms import (
    CancelForm,
    CompleteForm,
    ImprovementActionForm,
    ImprovementEditForm,
    ImprovementFilterForm,
    VerifyForm,
)
from apps.improvements.models import ImprovementAction


class ImprovementActionListView(ScopedListView):
    """Actions the user may see (all in scope by default; tabs narrow to mine or my department); overdue rows
    are highlighted."""

    model = ImprovementAction
    template_name = "improvements/improvementaction_list.html"
    search_fields = ("title", "description", "owner__name")
    sort_fields = ("due_date", "title", "status", "owner__name", "created_at")
    default_sort = "due_date"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filter_form = ImprovementFilterForm(request.GET or None)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        form = self.filter_form
        qs = selectors.improvement_list(
            user=self.request.user, view=form.value("view", selectors.VIEW_ALL), status=form.value("status"),
            source_kind=form.value("source_kind"), overdue=bool(form.value("overdue", False)),
        )
        term = self.request.GET.get("q", "").strip()
        if term:
            qs = qs.filter(models.Q(title__icontains=term) | models.Q(description__icontains=term)
                           | models.Q(owner__name__icontains=term))
        return qs.order_by(self.current_sort(), "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["current_view"] = self.filter_form.value("view", selectors.VIEW_ALL)
        context["counts"] = selectors.status_counts(user=self.request.user)
        return context


@login_required
def improvementaction_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One action: what, who, by when, where it came from, its PDCA progress and history, and the next steps."""
    action = get_visible_or_404(ImprovementAction, request.user, pk)
    source = action.source if action.source_type_id else None
    user = request.user
    is_worker = action.owner_id == user.pk or can(user, "change", action)
    return render(request, "improvements/improvementaction_detail.html", {
        "action": action, "source": source, "is_overdue": selectors.improvement_list(user=user, overdue=True)
        .filter(pk=action.pk).exists(),
        "moves": action.available_statuses(), "is_worker": is_worker,
        "may_verify": user.has_perm("improvements.verify_improvementaction") and action.owner_id != user.pk,
        "complete_form": CompleteForm(), "verify_form": VerifyForm(), "cancel_form": CancelForm(),
    })


def _source_from(request: HttpRequest) -> models.Model | None:
    """The record an action is raised from (``source_type`` + ``source_id``); one the user cannot see is 404."""
    type_id, source_id = request.GET.get("source_type"), request.GET.get("source_id")
    if not (type_id and source_id):
        return None
    try:
        model = ContentType.objects.get_for_id(int(type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    if model is None or not hasattr(model._default_manager, "visible_to"):
        raise Http404
    return get_visible_or_404(model, request.user, source_id)


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_required
def improvementaction_create_view(request: HttpRequest) -> HttpResponse:
    """Raise an action, optionally from a source record (``?source_type=&source_id=&source_kind=``)."""
    if not request.user.has_perm("improvements.add_improvementaction"):
        raise PermissionDenied
    source = _source_from(request)
    form = ImprovementActionForm(request.POST or None, owners=selectors.assignable_owners(user=request.user),
                                 fixed_source=source is not None,
                                 initial={"source_kind": request.GET.get("source_kind"), "owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if source is not None:
            data["source_kind"] = request.GET.get("source_kind") or "other"
        try:
            action = services.improvement_raise(actor=request.user, source=source, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Improvement action “%(title)s” raised.") % {"title": action.title})
            return redirect(_next_url(request, reverse("improvements:improvementaction_detail", args=[action.pk])))
    return render(request, "improvements/improvementaction_form.html", {
        "form": form, "action": None, "source": source, "next": _next_url(request, ""),
    })


@login_required
def improvementaction_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an action still in work (title, description, due date, person responsible)."""
    action = get_visible_or_404(ImprovementAction, request.user, pk, action="change")
    initial = {name: getattr(action, name) for name in ("title", "description", "due_date", "owner")}
    form = ImprovementEditForm(request.POST or None, initial=initial,
                               owners=selectors.assignable_owners(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.improvement_update(actor=request.user, action=action, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            action.refresh_from_db()
        else:
            messages.success(request, _("Improvement action saved."))
            return redirect("improvements:improvementaction_detail", pk=action.pk)
    return render(request, "improvements/improvementaction_form.html", {"form": form, "action": action})


def _transition(request: HttpRequest, pk: int, form_class: type | None, call: Any, done: str) -> HttpResponse:
    """Run one pipeline move from a POSTed form; the service's refusal comes back as a message, nothing changed."""
    action = get_visible_or_404(ImprovementAction, request.user, pk)
    form = form_class(request.POST) if form_class else None
    if form is not None and not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("improvements:improvementaction_detail", pk=pk)
    try:
        call(action, form.cleaned_data if form else {})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not do this."))
    else:
        messages.success(request, done)
    return redirect("improvements:improvementaction_detail", pk=pk)


@login_required
@require_POST
def improvementaction_start_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, None, lambda a, d: services.improvement_start(actor=request.user, action=a),
                       _("Work on the action has started."))


@login_required
@require_POST
def improvementaction_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, CompleteForm,
                       lambda a, d: services.improvement_complete(actor=request.user, action=a, **d),
                       _("Marked done; it now waits for verification."))


@login_required
@require_POST
def improvementaction_verify_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, VerifyForm,
                       lambda a, d: services.improvement_verify(actor=request.user, action=a, **d),
                       _("Verification recorded."))


@login_required
@require_POST
def improvementaction_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, CancelForm,
                       lambda a, d: services.improvement_cancel(actor=request.user, action=a, **d),
                       _("The action was cancelled."))
