"""Feedback pages (art. 6): the scoped list, the form (started from a ticket, visit, follow-up, survey answer or
customer), the detail with each department's acknowledgement and reply, and the "feedback to my department" inbox."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from apps.core.scoping import can, get_visible_or_404
from apps.core.views import ScopedListView, add_service_errors
from apps.core.workdays import provisional_between
from apps.customers.models import Customer, FollowUp
from apps.marketing.models import Visit
from apps.service.choices import FeedbackCategory, FeedbackSource, RoutingStatus
from apps.service.forms_feedback import FeedbackForm, RoutingReplyForm
from apps.service.models import Feedback, FeedbackRouting, Ticket
from apps.service.selectors import feedback as selectors
from apps.service.services import feedback as services
from apps.surveys.models import SurveyResponse

FEEDBACK_STATUSES = (
    (selectors.FEEDBACK_PENDING, RoutingStatus.PENDING.label),
    (selectors.FEEDBACK_IN_PROGRESS, RoutingStatus.ACKNOWLEDGED.label),
    (selectors.FEEDBACK_REPLIED, RoutingStatus.REPLIED.label),
)


class FeedbackListView(ScopedListView):
    """Feedback in scope, newest first; filtered by category, source and routing status; searched."""

    model = Feedback
    template_name = "service/feedback_list.html"
    sort_fields = ("created_at", "category")
    default_sort = "-created_at"

    def get_queryset(self) -> QuerySet:
        get = self.request.GET
        qs = selectors.feedback_list(user=self.request.user, category=get.get("category", ""),
                                     source=get.get("source", ""), status=get.get("status", ""),
                                     q=get.get("q", ""))
        return qs.order_by(self.current_sort(), "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(categories=FeedbackCategory.choices, sources=FeedbackSource.choices,
                                        statuses=FEEDBACK_STATUSES, **kwargs)


def _source_or_404(model: Any, user: Any, pk: Any) -> Any:
    """The visit, follow-up or answer named, when the user may see it or the customer it belongs to (a service
    owner sees the customer's follow-ups through the customer); otherwise 404."""
    obj = model._default_manager.filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise Http404
    if can(user, "view", obj):
        return obj
    customer = getattr(obj, "customer", None)
    if customer is not None and can(user, "view", customer):
        return obj
    raise Http404


def _prefill(request: HttpRequest) -> tuple[dict[str, Any], Any, Any]:
    """Initial values and the source (ticket or other) named in the query string; out of scope is 404."""
    user = request.user
    get = request.GET if request.method == "GET" else request.POST
    initial: dict[str, Any] = {"source_kind": FeedbackSource.MANUAL}
    ticket = source = None
    if get.get("ticket"):
        ticket = get_visible_or_404(Ticket, user, get["ticket"])
        initial.update(source_kind=FeedbackSource.TICKET, customer=ticket.customer_id)
        initial["content"] = ticket.description
    elif get.get("visit"):
        source = _source_or_404(Visit, user, get["visit"])
        initial.update(source_kind=FeedbackSource.VISIT, customer=source.customer_id, content=source.outcome)
    elif get.get("follow_up"):
        source = _source_or_404(FollowUp, user, get["follow_up"])
        initial.update(source_kind=FeedbackSource.FOLLOW_UP, customer=source.customer_id, content=source.content)
    elif get.get("response"):
        source = get_visible_or_404(SurveyResponse, user, get["response"])
        initial.update(source_kind=FeedbackSource.SURVEY, customer=source.invitation.customer_id)
    elif get.get("customer"):
        initial["customer"] = get["customer"]
    return initial, ticket, source


def _source_params(request: HttpRequest) -> dict[str, str]:
    get = request.GET if request.method == "GET" else request.POST
    return {key: get[key] for key in ("ticket", "visit", "follow_up", "response") if get.get(key)}


@login_required
def feedback_create_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("service.add_feedback"):
        raise PermissionDenied
    initial, ticket, source = _prefill(request)
    form = FeedbackForm(request.POST or None, initial=initial,
                        customers=Customer.objects.visible_to(request.user).order_by("name"),
                        departments=selectors.routable_departments())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.feedback_record(
                actor=request.user, customer=data["customer"], category=data["category"], content=data["content"],
                departments=list(data["departments"]), source_kind=data["source_kind"], ticket=ticket,
                source=source)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Feedback recorded and passed to %(count)s departments.")
                             % {"count": feedback.routings.count()})
            return redirect("service:feedback_detail", pk=feedback.pk)
    return render(request, "service/feedback_form.html", {
        "form": form, "ticket": ticket, "source": source, "source_params": _source_params(request),
        "suggestions": json.dumps(selectors.category_suggestions()),
    })


def _routing_rows(routings: list[FeedbackRouting], user: Any) -> list[dict[str, Any]]:
    may = user.has_perm("service.acknowledge_feedbackrouting")
    visible = set(FeedbackRouting.objects.visible_to(user).filter(pk__in=[r.pk for r in routings])
                  .values_list("pk", flat=True)) if may else set()
    now = timezone.now()
    return [{"routing": r, "may_answer": r.pk in visible and r.status != RoutingStatus.REPLIED,
             "overdue": r.status == RoutingStatus.PENDING and r.acknowledge_due < now} for r in routings]


@login_required
def feedback_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_visible_or_404(Feedback, request.user, pk)
    routings = list(feedback.routings.select_related("department", "acknowledged_by", "replied_by"))
    return render(request, "service/feedback_detail.html", {
        "feedback": feedback, "rows": _routing_rows(routings, request.user), "reply_form": RoutingReplyForm(),
    })


class RoutingListView(ScopedListView):
    """Feedback passed to the departments the user sees: awaiting acknowledgement first, overdue highlighted."""

    model = FeedbackRouting
    template_name = "service/routing_list.html"

    def get_queryset(self) -> QuerySet:
        get = self.request.GET
        return selectors.routing_list(user=self.request.user, status=get.get("status", ""),
                                      overdue=get.get("overdue") == "1", q=get.get("q", ""))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(statuses=RoutingStatus.choices, reply_form=RoutingReplyForm(), **kwargs)
        context["rows"] = _routing_rows(list(context["object_list"]), self.request.user)
        return context


@login_required
def routing_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    routing = get_visible_or_404(FeedbackRouting, request.user, pk)
    feedback = routing.feedback
    others = list(feedback.routings.exclude(pk=routing.pk).select_related("department"))
    return render(request, "service/routing_detail.html", {
        "routing": routing, "feedback": feedback, "row": _routing_rows([routing], request.user)[0],
        "others": others, "reply_form": RoutingReplyForm(), "may_see_feedback": can(request.user, "view", feedback),
        "provisional": routing.acknowledged_at is None and provisional_between(routing.created_at,
                                                                               routing.acknowledge_due),
    })


def _back(request: HttpRequest, routing: FeedbackRouting) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("service:routing_detail", pk=routing.pk)


def _answer(request: HttpRequest, pk: int, reply: bool) -> HttpResponse:
    if request.method != "POST":
        return redirect("service:routing_detail", pk=pk)
    routing = get_visible_or_404(FeedbackRouting, request.user, pk)
    if not reply and getattr(request, "htmx", None):
        return _acknowledge_inline(request, routing)
    try:
        if reply:
            form = RoutingReplyForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Write the department's reply."))
                return _back(request, routing)
            services.routing_reply(actor=request.user, routing=routing, reply=form.cleaned_data["reply"])
            messages.success(request, _("Reply sent."))
        else:
            services.routing_acknowledge(actor=request.user, routing=routing)
            messages.success(request, _("Feedback acknowledged."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return _back(request, routing)


def _acknowledge_inline(request: HttpRequest, routing: FeedbackRouting) -> HttpResponse:
    """The inbox's inline acknowledgement (HTMX): answer with the row as it now stands, or with the refusal."""
    error = ""
    try:
        services.routing_acknowledge(actor=request.user, routing=routing)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    fresh = selectors.routing_list(user=request.user).get(pk=routing.pk)
    return render(request, "service/routing_row.html", {
        "row": _routing_rows([fresh], request.user)[0], "error": error, "next": request.POST.get("next", ""),
    })


@login_required
def routing_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, reply=False)


@login_required
def routing_reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(request, pk, reply=True)
