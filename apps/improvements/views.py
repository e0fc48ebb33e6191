"""Improvement action pages: the list (mine / my department / all in scope), the detail with its history, and the
forms that raise, edit, start, complete, verify and cancel an action. Thin: selectors in, services out."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy

from apps.core.scoping import can, get_visible_or_404
from apps.core.views import (
    ScopedActionView,
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
)
from apps.improvements import selectors, services
from apps.improvements.forms import (
    CancelForm,
    CompleteForm,
    EffectCheckForm,
    ImprovementActionForm,
    ImprovementEditForm,
    ImprovementFilterForm,
    VerifyForm,
)
from apps.improvements.models import ImprovementAction
from apps.improvements.permissions import ImprovementPerm


class ImprovementActionListView(ScopedListView):
    """Actions the user may see (all in scope by default; tabs narrow to mine or my department); overdue rows
    are highlighted."""

    model = ImprovementAction
    permission = ImprovementPerm.VIEW
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
            user=self.request.user,
            view=form.value("view", selectors.VIEW_ALL),
            status=form.value("status"),
            source_kind=form.value("source_kind"),
            overdue=bool(form.value("overdue", False)),
        )
        term = self.request.GET.get("q", "").strip()
        if term:
            qs = qs.filter(
                models.Q(title__icontains=term)
                | models.Q(description__icontains=term)
                | models.Q(owner__name__icontains=term)
            )
        return qs.order_by(self.current_sort(), "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["current_view"] = self.filter_form.value("view", selectors.VIEW_ALL)
        context["counts"] = selectors.status_counts(user=self.request.user)
        return context


class ImprovementActionDetailView(ScopedDetailView):
    """One action: what, who, by when, where it came from, its PDCA progress and history, and the next steps."""

    model = ImprovementAction
    permission = ImprovementPerm.VIEW
    template_name = "improvements/improvementaction_detail.html"
    context_object_name = "action"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        action, user = self.object, self.request.user
        return super().get_context_data(
            source=action.source if action.source_type_id else None,
            is_overdue=selectors.improvement_list(user=user, overdue=True).filter(pk=action.pk).exists(),
            moves=action.available_statuses(),
            is_worker=action.owner_id == user.pk or can(user, "change", action),
            may_verify=user.has_perm(ImprovementPerm.VERIFY) and action.owner_id != user.pk,
            complete_form=CompleteForm(),
            verify_form=VerifyForm(),
            check_form=EffectCheckForm(),
            check_due=action.awaits_effect_check
            and (action.effect_check_on is None or action.effect_check_on <= timezone.localdate()),
            cancel_form=CancelForm(),
            **kwargs,
        )


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


class ImprovementActionCreateView(ScopedCreateView):
    """Raise an action, optionally from a source record (``?source_type=&source_id=&source_kind=``)."""

    model = ImprovementAction
    permission = ImprovementPerm.ADD
    form_class = ImprovementActionForm
    service = services.improvement_raise
    template_name = "improvements/improvementaction_form.html"
    context_object_name = "action"
    success_message = gettext_lazy("Improvement action “%(title)s” raised.")
    success_url = "improvements:improvementaction_detail"

    def get_object(self) -> None:
        # Nothing to edit; but the source record is read here, before the form: a source out of scope is 404.
        self.source = _source_from(self.request)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "owners": selectors.assignable_owners(user=self.request.user),
            "fixed_source": self.source is not None,
        }

    def get_initial(self) -> dict[str, Any]:
        return {"source_kind": self.request.GET.get("source_kind"), "owner": self.request.user.pk}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        data = dict(form.cleaned_data)
        if self.source is not None:
            data["source_kind"] = self.request.GET.get("source_kind") or "other"
        return {**data, "source": self.source}

    def get_success_url(self, obj: Any) -> str:
        return _next_url(self.request, super().get_success_url(obj))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(source=self.source, next=_next_url(self.request, ""), **kwargs)


class ImprovementActionUpdateView(ScopedUpdateView):
    """Edit an action still in work (title, description, due date, person responsible)."""

    model = ImprovementAction
    permission = ImprovementPerm.VIEW  # without the change permission the change scope is empty: 404, as ever
    form_class = ImprovementEditForm
    service = services.improvement_update
    template_name = "improvements/improvementaction_form.html"
    context_object_name = "action"
    success_message = gettext_lazy("Improvement action saved.")
    success_url = "improvements:improvementaction_detail"

    def get_initial(self) -> dict[str, Any]:
        names = ("title", "description", "due_date", "owner", *services.EFFECT_FIELDS)
        return {name: getattr(self.object, name) for name in names}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "owners": selectors.assignable_owners(user=self.request.user)}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"action": self.object, "data": form.cleaned_data}


#
# PDCA moves: one POST, one service; the service's refusal comes back as a message, nothing changed.
#


class _ImprovementMove(ScopedActionView):
    model = ImprovementAction
    permission = ImprovementPerm.VIEW  # moving needs only sight of the action: the service decides who may
    success_url = "improvements:improvementaction_detail"

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"action": self.object, **data}


class ImprovementActionStartView(_ImprovementMove):
    service = services.improvement_start
    success_message = gettext_lazy("Work on the action has started.")


class ImprovementActionCompleteView(_ImprovementMove):
    service = services.improvement_complete
    form_class = CompleteForm
    success_message = gettext_lazy("Marked done; it now waits for verification.")


class ImprovementActionVerifyView(_ImprovementMove):
    service = services.improvement_verify
    form_class = VerifyForm
    success_message = gettext_lazy("Verification recorded.")


class ImprovementActionCheckEffectView(_ImprovementMove):
    """The effectiveness check at the next evaluation (did the figure move?)."""

    service = services.improvement_check_effect
    form_class = EffectCheckForm
    success_message = gettext_lazy("Effectiveness check recorded.")


class ImprovementActionCancelView(_ImprovementMove):
    service = services.improvement_cancel
    form_class = CancelForm
    success_message = gettext_lazy("The action was cancelled.")
