"""Ticket pages: list (countdown badges), create/edit form, detail with the actions per status, Excel export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core import excel
from apps.core.views import ScopedListView, add_service_errors
from apps.service.choices import TicketStatus, TicketType
from apps.service.forms_tickets import (
    AssignForm,
    ComplaintFieldsForm,
    MessageForm,
    OptionalMessageForm,
    ResolveForm,
    TicketFilterForm,
    TicketForm,
)
from apps.service.models import Ticket
from apps.service.models.tickets import TICKET_ACTIONS
from apps.service.selectors import tickets as selectors
from apps.service.services import sla
from apps.service.services import tickets as services
from apps.surveys.models import SurveyInvitation

FILTER_KEYS = ("status", "ticket_type", "priority", "state", "assignee", "mine", "customer")
DONE = {
    "start": gettext_lazy("Work started."), "reply": gettext_lazy("Reply sent to the customer."),
    "comment": gettext_lazy("Note added."),
    "await": gettext_lazy("The ticket now awaits the customer; the clock is paused."),
    "resume": gettext_lazy("The clock runs again."), "resolve": gettext_lazy("Ticket resolved."),
    "close": gettext_lazy("Ticket closed."), "reopen": gettext_lazy("Ticket reopened."),
    "assign": gettext_lazy("Ticket assigned."),
}


def _filters(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "") for k in FILTER_KEYS}


class TicketListView(ScopedListView):
    """工单列表: scoped, searchable, sortable, filtered; a countdown badge per row."""

    model = Ticket
    template_name = "service/ticket_list.html"
    sort_fields = ("number", "created_at", "priority", "status", "resolution_due", "first_response_due",
                   "customer__name")
    default_sort = "-created_at"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filter_form = TicketFilterForm(request.GET or None,
                                            assignees=list(selectors.assignees_in_view(request.user)))
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        qs = selectors.ticket_list(user=self.request.user, filters=_filters(self.request))
        term = self.request.GET.get("q", "").strip()
        if term:
            qs = qs.filter(selectors.search_q(term))
        return qs.order_by(self.current_sort(), "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = list(context["object_list"])
        clocks = sla.countdowns(rows)
        context["rows"] = [(t, clocks[t.pk]) for t in rows]
        context["filter_form"] = form = self.filter_form
        context["filter_selects"] = [
            (name, form.fields[name].label or name, form.fields[name].choices, self.request.GET.get(name, ""))
            for name in ("status", "ticket_type", "priority", "state", "assignee")]
        context["page_sizes"] = (20, 50, 100)
        return context


def _invitation_of(ticket: Ticket) -> SurveyInvitation | None:
    content_type = ContentType.objects.get_for_model(Ticket)
    return (SurveyInvitation.objects.filter(source_type=content_type, source_id=ticket.pk)
            .select_related("response").first())


def _detail_context(request: HttpRequest, ticket: Ticket, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    """The page shows exactly the steps ``TICKET_WORKFLOW`` allows this user now (``selectors.ticket_allowed``)."""
    user = request.user
    allowed = selectors.ticket_allowed(user, ticket)
    assignees = selectors.assignable_users(user, ticket) if "assign" in allowed else None
    forms = forms or {}
    complaint_initial = {k: getattr(ticket, k) for k in ("root_cause", "corrective_action", "compensation_amount",
                                                         "compensation_note")}
    feedback = list(ticket.feedback.prefetch_related("routings__department").order_by("-created_at"))
    return {
        "ticket": ticket, "object": ticket,
        "clock": sla.countdown(ticket, warning_percent=sla.ticket_rules(ticket).service_escalation.warning_percent),
        "provisional": sla.provisional_deadlines(ticket),
        "events": selectors.events_of(ticket),
        "invitation": _invitation_of(ticket),
        "feedback_list": feedback,
        "status_url": request.build_absolute_uri(f"/support/t/{ticket.public_token}/"),
        "allowed": allowed,
        **{f"can_{action}": action in allowed for action in TICKET_ACTIONS},
        "assign_form": forms.get("assign") or (AssignForm(assignees=assignees, initial={"assignee": ticket.assignee_id})
                                               if assignees is not None else None),
        "reply_form": forms.get("reply") or MessageForm(prefix="reply"),
        "comment_form": forms.get("comment") or MessageForm(prefix="comment"),
        "await_form": forms.get("await") or OptionalMessageForm(prefix="await"),
        "reopen_form": forms.get("reopen") or OptionalMessageForm(prefix="reopen"),
        "resolve_form": forms.get("resolve") or ResolveForm(prefix="resolve", initial=complaint_initial),
        "open_modal": next(iter(forms), ""),
    }


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    return render(request, "service/ticket_detail.html", _detail_context(request, ticket))


def _run(request: HttpRequest, ticket: Ticket, action: str) -> dict[str, Any] | None:
    """Run one action; return the bound forms to redisplay when it failed validation."""
    post, user = request.POST, request.user
    if action == "assign":
        form = AssignForm(post, assignees=selectors.assignable_users(user, ticket))
        if not form.is_valid():
            return {"assign": form}
        services.ticket_assign(actor=user, ticket=ticket, assignee=form.cleaned_data["assignee"],
                               note=form.cleaned_data["note"])
    elif action == "start":
        services.ticket_start(actor=user, ticket=ticket)
    elif action in ("reply", "comment"):
        form = MessageForm(post, prefix=action)
        if not form.is_valid():
            return {action: form}
        service = services.ticket_reply if action == "reply" else services.ticket_comment
        service(actor=user, ticket=ticket, body=form.cleaned_data["body"])
    elif action in ("await", "resume", "reopen", "close"):
        form = OptionalMessageForm(post, prefix=action)
        body = form.cleaned_data["body"] if form.is_valid() else ""
        service = {"await": services.ticket_await_customer, "resume": services.ticket_resume,
                   "reopen": services.ticket_reopen, "close": services.ticket_close}[action]
        service(actor=user, ticket=ticket, body=body)
    elif action == "resolve":
        form = ResolveForm(post, prefix="resolve")
        if not form.is_valid():
            return {"resolve": form}
        try:
            services.ticket_resolve(actor=user, ticket=ticket, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return {"resolve": form}
    else:
        raise PermissionDenied
    return None


@login_required
@require_POST
def ticket_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One lifecycle action from the detail page; a refusal is shown and nothing changes."""
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    try:
        failed = _run(request, ticket, action)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("service:ticket_detail", ticket.pk)
    if failed:
        context = _detail_context(request, selectors.ticket_get(user=request.user, pk=pk), failed)
        return render(request, "service/ticket_detail.html", context, status=422)
    messages.success(request, DONE[action])
    return redirect("service:ticket_detail", ticket.pk)


def _ticket_form(request: HttpRequest, ticket: Ticket | None) -> HttpResponse:
    user = request.user
    manager = user.has_perm("service.assign_ticket")
    assignees = selectors.assignable_users(user) if manager and ticket is None else None
    if request.method == "POST":
        form = TicketForm(request.POST, user=user, assignees=assignees, editing=ticket is not None)
        complaint = ComplaintFieldsForm(request.POST, prefix="complaint")
        if form.is_valid() and complaint.is_valid():
            data = dict(form.cleaned_data)
            if data.get("ticket_type") == TicketType.COMPLAINT:
                data.update({k: v for k, v in complaint.cleaned_data.items() if v not in (None, "")})
            try:
                if ticket is None:
                    saved = services.ticket_create(actor=user, data=data)
                    if any(complaint.cleaned_data.get(k) for k in complaint.fields) and saved.is_complaint:
                        services.ticket_update(actor=user, ticket=saved, data=complaint.cleaned_data)
                else:
                    saved = services.ticket_update(actor=user, ticket=ticket, data=data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Ticket %(number)s saved.") % {"number": saved.number})
                return redirect("service:ticket_detail", saved.pk)
    else:
        initial: dict[str, Any] = {}
        complaint_initial: dict[str, Any] = {}
        if ticket is not None:
            initial = {name: getattr(ticket, name) for name in ("ticket_type", "complaint_category", "priority",
                                                                  "channel", "title", "customer", "contact",
                                                                  "contract", "product", "description")}
            complaint_initial = {k: getattr(ticket, k) for k in ComplaintFieldsForm.base_fields}
        else:
            for key in ("customer", "contract", "contact"):
                if request.GET.get(key, "").isdigit():
                    initial[key] = request.GET[key]
            if request.GET.get("ticket_type") in TicketType.values:
                initial["ticket_type"] = request.GET["ticket_type"]
        form = TicketForm(initial=initial or None, user=user, assignees=assignees, editing=ticket is not None)
        complaint = ComplaintFieldsForm(prefix="complaint", initial=complaint_initial)
    return render(request, "service/ticket_form.html", {"form": form, "complaint_form": complaint,
                                                        "ticket": ticket})


@login_required
def ticket_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("service.add_ticket"):
        raise PermissionDenied
    return _ticket_form(request, None)


@login_required
def ticket_update(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = selectors.ticket_get(user=request.user, pk=pk)
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        messages.error(request, str(services.NOT_OPEN))
        return redirect("service:ticket_detail", ticket.pk)
    if "edit" not in selectors.ticket_allowed(request.user, ticket):  # the workflow table decides, as for the button
        raise PermissionDenied
    return _ticket_form(request, ticket)


EXPORT_COLUMNS = (
    excel.Column("number", gettext_lazy("Ticket number")), excel.Column("title", gettext_lazy("Subject"), width=30),
    excel.Column("type", gettext_lazy("Ticket type")), excel.Column("priority", gettext_lazy("Priority")),
    excel.Column("status", gettext_lazy("Status")), excel.Column("customer", gettext_lazy("Customer"), width=30),
    excel.Column("assignee", gettext_lazy("Assignee")), excel.Column("department", gettext_lazy("Department")),
    excel.Column("created", gettext_lazy("Created")),
    excel.Column("first_due", gettext_lazy("First response due")),
    excel.Column("first_at", gettext_lazy("First responded at")),
    excel.Column("due", gettext_lazy("Resolution due")), excel.Column("resolved", gettext_lazy("Resolved at")),
    excel.Column("deadline", gettext_lazy("Deadline state")),
)


@login_required
def ticket_export(request: HttpRequest) -> HttpResponse:
    """The tickets of the current filter (within the scope) as .xlsx."""
    if not request.user.has_perm("service.view_ticket"):
        raise PermissionDenied
    qs = selectors.ticket_list(user=request.user, filters=_filters(request))
    term = request.GET.get("q", "").strip()
    if term:
        qs = qs.filter(selectors.search_q(term))
    rows = list(qs.order_by("-created_at", "-pk")[:5000])
    clocks = sla.countdowns(rows)

    def when(value: Any) -> str:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    data = [[t.number, t.title, t.get_ticket_type_display(), t.get_priority_display(), t.get_status_display(),
             t.customer.name if t.customer else t.requester_company or t.requester_name, str(t.assignee or ""),
             str(t.department), when(t.created_at), when(t.first_response_due), when(t.first_responded_at),
             when(t.resolution_due), when(t.resolved_at), clocks[t.pk].label] for t in rows]
    response = HttpResponse(excel.write_workbook(EXPORT_COLUMNS, data, title=_("Tickets")),
                            content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=excel.export_filename(_("Tickets")))
    return response

