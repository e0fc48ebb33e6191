"""Feedback pages (art. 6): the scoped list, the form (started from a ticket, visit, follow-up, survey answer or
customer), the detail with each department's acknowledgement and reply, and the "feedback to my department" inbox."""

from __future__ import annotations

import json
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.scoping import can, get_visible_or_404
from apps.core.views import ScopedActionView, ScopedCreateView, ScopedDetailView, ScopedListView
from apps.core.workdays import provisional_between
from apps.customers.models import Customer, FollowUp
from apps.marketing.models import Visit
from apps.org.models import User
from apps.service.choices import FeedbackCategory, FeedbackSource, RoutingStatus
from apps.service.forms.feedback import FeedbackForm, RoutingReplyForm
from apps.service.models import Feedback, FeedbackRouting, Ticket
from apps.service.permissions import ServicePerm
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
        qs = selectors.feedback_list(
            user=self.request.user,
            category=get.get("category", ""),
            source=get.get("source", ""),
            status=get.get("status", ""),
            q=get.get("q", ""),
        )
        return qs.order_by(self.current_sort(), "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            categories=FeedbackCategory.choices, sources=FeedbackSource.choices, statuses=FEEDBACK_STATUSES, **kwargs
        )


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


class FeedbackCreateView(ScopedCreateView):
    """Record feedback, started from a ticket, visit, follow-up, survey answer or customer named in the query
    string (a source out of scope is 404), routed to the departments chosen."""

    model = Feedback
    permission = ServicePerm.ADD_FEEDBACK
    form_class = FeedbackForm
    service = services.feedback_record
    template_name = "service/feedback_form.html"
    success_message = gettext_lazy("Feedback recorded and passed to %(count)s departments.")
    success_url = "service:feedback_detail"

    def get_object(self) -> None:
        self.initial, self.ticket, self.source = _prefill(self.request)

    def get_initial(self) -> dict[str, Any]:
        return self.initial

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "customers": Customer.objects.visible_to(self.request.user).order_by("name"),
            "departments": selectors.routable_departments(),
        }

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        data = form.cleaned_data
        return {
            "customer": data["customer"],
            "category": data["category"],
            "content": data["content"],
            "departments": list(data["departments"]),
            "source_kind": data["source_kind"],
            "ticket": self.ticket,
            "source": self.source,
        }

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"count": obj.routings.count()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            ticket=self.ticket,
            source=self.source,
            source_params=_source_params(self.request),
            suggestions=json.dumps(selectors.category_suggestions()),
            **kwargs,
        )


def _routing_rows(routings: list[FeedbackRouting], user: Any) -> list[dict[str, Any]]:
    """Each routing with the steps ``ROUTING_WORKFLOW`` allows the user now (one query for the lot)."""
    may = user.has_perm(ServicePerm.ACKNOWLEDGE_ROUTING)
    visible = (
        set(
            FeedbackRouting.objects.visible_to(user)
            .filter(pk__in=[r.pk for r in routings])
            .values_list("pk", flat=True)
        )
        if may
        else set()
    )
    now = timezone.now()
    rows = []
    for r in routings:
        allowed = selectors.routing_allowed(user, r, visible)
        rows.append(
            {
                "routing": r,
                "allowed": allowed,
                "may_answer": bool(allowed),
                "can_acknowledge": "acknowledge" in allowed,
                "can_reply": "reply" in allowed,
                "overdue": r.status == RoutingStatus.PENDING and r.acknowledge_due < now,
            }
        )
    return rows


class FeedbackDetailView(ScopedDetailView):
    model = Feedback
    permission = ServicePerm.VIEW_FEEDBACK
    template_name = "service/feedback_detail.html"
    context_object_name = "feedback"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        routings = list(self.object.routings.select_related("department", "acknowledged_by", "replied_by"))
        return super().get_context_data(
            rows=_routing_rows(routings, self.request.user), reply_form=RoutingReplyForm(), **kwargs
        )


class RoutingListView(ScopedListView):
    """Feedback passed to the departments the user sees: awaiting acknowledgement first, overdue highlighted."""

    model = FeedbackRouting
    template_name = "service/routing_list.html"

    def get_queryset(self) -> QuerySet:
        get = self.request.GET
        return selectors.routing_list(
            user=self.request.user, status=get.get("status", ""), overdue=get.get("overdue") == "1", q=get.get("q", "")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(statuses=RoutingStatus.choices, reply_form=RoutingReplyForm(), **kwargs)
        context["rows"] = _routing_rows(list(context["object_list"]), self.request.user)
        return context


class RoutingDetailView(ScopedDetailView):
    model = FeedbackRouting
    permission = ServicePerm.VIEW_ROUTING
    template_name = "service/routing_detail.html"
    context_object_name = "routing"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        routing, user = self.object, self.request.user
        feedback = routing.feedback
        return super().get_context_data(
            feedback=feedback,
            row=_routing_rows([routing], user)[0],
            others=list(feedback.routings.exclude(pk=routing.pk).select_related("department")),
            reply_form=RoutingReplyForm(),
            may_see_feedback=can(user, "view", feedback),
            provisional=routing.acknowledged_at is None
            and provisional_between(routing.created_at, routing.acknowledge_due),
            **kwargs,
        )


class _RoutingAnswer(ScopedActionView):
    """A department's answer to feedback routed to it; back to where the user came from (``next``)."""

    model = FeedbackRouting
    permission = ServicePerm.VIEW_ROUTING  # the service decides who may answer
    success_url = "service:routing_detail"

    def get_success_url(self, obj: Any) -> str:
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            return target
        return super().get_success_url(obj)


class RoutingAcknowledgeView(_RoutingAnswer):
    """Acknowledge; from the inbox (HTMX) the answer is the row as it now stands, or with the refusal."""

    service = services.routing_acknowledge
    success_message = gettext_lazy("Feedback acknowledged.")

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"routing": self.object}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request, "htmx", None):
            return super().post(request, *args, **kwargs)
        routing = self.get_object()
        error = ""
        try:
            services.routing_acknowledge(actor=cast(User, request.user), routing=routing)  # signed in (the mixin)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        fresh = selectors.routing_list(user=request.user).get(pk=routing.pk)
        return render(
            request,
            "service/routing_row.html",
            {
                "row": _routing_rows([fresh], request.user)[0],
                "error": error,
                "next": request.POST.get("next", ""),
            },
        )


class RoutingReplyView(_RoutingAnswer):
    form_class = RoutingReplyForm
    service = services.routing_reply
    success_message = gettext_lazy("Reply sent.")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not RoutingReplyForm(request.POST).is_valid():
            self.object = self.get_object()
            messages.error(request, _("Write the department's reply."))
            return redirect(self.get_success_url(self.object))
        return super().post(request, *args, **kwargs)

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"routing": self.object, "reply": data["reply"]}
