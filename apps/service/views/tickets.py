"""Ticket pages: list (countdown badges), create/edit form, detail with the actions per status, Excel export."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core import excel
from apps.core.views import (
    WIDE_LIST_COUNT_CAP,
    ExportFile,
    ListExportMixin,
    ScopedCreateView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedUpdateView,
    add_service_errors,
)
from apps.org.models import User
from apps.service.choices import TicketStatus, TicketType
from apps.service.filters import TicketFilterSet
from apps.service.forms.tickets import (
    AssignForm,
    ComplaintFieldsForm,
    MessageForm,
    OptionalMessageForm,
    ResolveForm,
    TicketForm,
)
from apps.service.models import Ticket
from apps.service.models.tickets import TICKET_ACTIONS
from apps.service.permissions import ServicePerm
from apps.service.selectors import tickets as selectors
from apps.service.services import sla
from apps.service.services import tickets as services
from apps.surveys.models import SurveyInvitation


class TicketListView(ScopedListView):
    """工单列表: scoped, searchable, sortable, filtered (``TicketFilterSet``, shared with the API and the export); a
    countdown badge per row."""

    model = Ticket
    template_name = "service/ticket_list.html"
    filterset_class = TicketFilterSet
    sort_fields = (
        "number",
        "created_at",
        "priority",
        "status",
        "resolution_due",
        "first_response_due",
        "customer__name",
    )
    default_sort = "-created_at"
    tie_break = "-pk"
    # All the tickets of a service department, or of a sales manager's people's customers: the first screen counts
    # to a thousand ("more than 1,000 records", the exact count on request); a filter or a search counts exactly.
    wide_count_cap = WIDE_LIST_COUNT_CAP

    def base_queryset(self) -> QuerySet:
        return selectors.ticket_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = list(context["object_list"])
        clocks = sla.countdowns(rows)
        context["rows"] = [(t, clocks[t.pk]) for t in rows]
        form = context["filter_form"]
        context["filter_selects"] = [
            (
                name,
                form.fields[name].label or name,
                getattr(form.fields[name], "choices", ()),
                self.request.GET.get(name, ""),
            )
            for name in ("status", "ticket_type", "priority", "state", "assignee")
        ]
        context["page_sizes"] = (20, 50, 100)
        return context


def _invitation_of(ticket: Ticket) -> SurveyInvitation | None:
    content_type = ContentType.objects.get_for_model(Ticket)
    return (
        SurveyInvitation.objects.filter(source_type=content_type, source_id=ticket.pk)
        .select_related("response")
        .first()
    )


def _detail_context(request: HttpRequest, ticket: Ticket, forms: dict[str, Any] | None = None) -> dict[str, Any]:
    """The page shows exactly the steps ``TICKET_WORKFLOW`` allows this user now (``selectors.ticket_allowed``)."""
    user = request.user
    allowed = selectors.ticket_allowed(user, ticket)
    assignees = selectors.assignable_users(user, ticket) if "assign" in allowed else None
    forms = forms or {}
    complaint_initial = {
        k: getattr(ticket, k) for k in ("root_cause", "corrective_action", "compensation_amount", "compensation_note")
    }
    feedback = list(ticket.feedback.prefetch_related("routings__department").order_by("-created_at"))
    return {
        "ticket": ticket,
        "object": ticket,
        "clock": sla.countdown(ticket, warning_percent=sla.ticket_rules(ticket).service_escalation.warning_percent),
        "provisional": sla.provisional_deadlines(ticket),
        "events": selectors.events_of(ticket),
        "invitation": _invitation_of(ticket),
        "feedback_list": feedback,
        "status_url": request.build_absolute_uri(f"/support/t/{ticket.public_token}/"),
        "allowed": allowed,
        **{f"can_{action}": action in allowed for action in TICKET_ACTIONS},
        "assign_form": forms.get("assign")
        or (
            AssignForm(assignees=assignees, initial={"assignee": ticket.assignee_id}) if assignees is not None else None
        ),
        "reply_form": forms.get("reply") or MessageForm(prefix="reply"),
        "comment_form": forms.get("comment") or MessageForm(prefix="comment"),
        "await_form": forms.get("await") or OptionalMessageForm(prefix="await"),
        "reopen_form": forms.get("reopen") or OptionalMessageForm(prefix="reopen"),
        "resolve_form": forms.get("resolve") or ResolveForm(prefix="resolve", initial=complaint_initial),
        "open_modal": next(iter(forms), ""),
    }


class TicketDetailView(ScopedDetailView):
    model = Ticket
    permission = ServicePerm.VIEW_TICKET
    template_name = "service/ticket_detail.html"
    context_object_name = "ticket"

    def get_object(self, queryset: QuerySet | None = None) -> Ticket:
        return selectors.ticket_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **_detail_context(self.request, self.object)}


#
# Lifecycle steps: one route and one service each; the services ask TICKET_WORKFLOW who may take the step now.
#


class _TicketStep(ScopedFormView):
    """One lifecycle step from the ticket page. A form that fails validation (or, with ``errors_on_form``, the
    service's refusal) shows the page again with that form open (422); otherwise a refusal comes back as messages
    and nothing changes."""

    http_method_names = ["post"]
    model = Ticket
    permission = ServicePerm.VIEW_TICKET  # sight of the ticket; the workflow table (in the service) decides
    template_name = "service/ticket_detail.html"
    success_url = "service:ticket_detail"
    key = ""  # the step's name in TICKET_WORKFLOW, the form's prefix and the page's modal
    form_class: Any = None
    form_required = True  # False: an invalid optional message counts as none
    errors_on_form = False

    def get_object(self) -> Ticket:
        return selectors.ticket_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_form(self) -> Any:
        return self.form_class(self.request.POST, prefix=self.key) if self.form_class else None

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"ticket": self.object}

    def handle(self) -> HttpResponse:
        self.object = self.get_object()
        form = self.get_form()
        if form is not None and self.form_required and not form.is_valid():
            return self.redisplay(form)
        try:
            self.call_service(**self.service_kwargs(form))
        except ValidationError as error:
            if self.errors_on_form:
                add_service_errors(form, error)
                return self.redisplay(form)
            for message in error.messages:
                messages.error(self.request, message)
            return redirect(self.get_success_url(self.object))
        self.succeed(self.object)
        return redirect(self.get_success_url(self.object))

    def redisplay(self, form: Any) -> HttpResponse:
        ticket = selectors.ticket_get(user=self.request.user, pk=self.object.pk)
        return self.render_to_response(_detail_context(self.request, ticket, {self.key: form}), status=422)


class TicketStartView(_TicketStep):
    key = "start"
    service = services.ticket_start
    success_message = gettext_lazy("Work started.")


class TicketAssignView(_TicketStep):
    key = "assign"
    form_class = AssignForm
    service = services.ticket_assign
    success_message = gettext_lazy("Ticket assigned.")

    def get_form(self) -> Any:
        return AssignForm(self.request.POST, assignees=selectors.assignable_users(self.request.user, self.object))

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"ticket": self.object, "assignee": form.cleaned_data["assignee"], "note": form.cleaned_data["note"]}


class _TicketMessageStep(_TicketStep):
    form_class = MessageForm

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"ticket": self.object, "body": form.cleaned_data["body"]}


class TicketReplyView(_TicketMessageStep):
    key = "reply"
    service = services.ticket_reply
    success_message = gettext_lazy("Reply sent to the customer.")


class TicketCommentView(_TicketMessageStep):
    key = "comment"
    service = services.ticket_comment
    success_message = gettext_lazy("Note added.")


class _TicketOptionalMessageStep(_TicketStep):
    form_class = OptionalMessageForm
    form_required = False

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"ticket": self.object, "body": form.cleaned_data["body"] if form.is_valid() else ""}


class TicketAwaitView(_TicketOptionalMessageStep):
    key = "await"
    service = services.ticket_await_customer
    success_message = gettext_lazy("The ticket now awaits the customer; the clock is paused.")


class TicketResumeView(_TicketOptionalMessageStep):
    key = "resume"
    service = services.ticket_resume
    success_message = gettext_lazy("The clock runs again.")


class TicketReopenView(_TicketOptionalMessageStep):
    key = "reopen"
    service = services.ticket_reopen
    success_message = gettext_lazy("Ticket reopened.")


class TicketCloseView(_TicketOptionalMessageStep):
    key = "close"
    service = services.ticket_close
    success_message = gettext_lazy("Ticket closed.")


class TicketResolveView(_TicketStep):
    key = "resolve"
    form_class = ResolveForm
    errors_on_form = True
    service = services.ticket_resolve
    success_message = gettext_lazy("Ticket resolved.")

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"ticket": self.object, **form.cleaned_data}


#
# The ticket form (with the complaint fields): create and edit.
#


class _TicketFormView(ScopedFormView):
    model = Ticket
    form_class = TicketForm
    template_name = "service/ticket_form.html"
    context_object_name = "ticket"
    success_message = gettext_lazy("Ticket %(number)s saved.")
    success_url = "service:ticket_detail"
    complaint: Any = None

    def assignees(self) -> Any:
        return None

    def complaint_initial(self) -> dict[str, Any]:
        return {}

    def get_form(self) -> Any:
        user, editing = self.request.user, self.object is not None
        if self.request.method != "POST":
            self.complaint = ComplaintFieldsForm(prefix="complaint", initial=self.complaint_initial())
            return TicketForm(
                initial=self.get_initial() or None, user=user, assignees=self.assignees(), editing=editing
            )
        form = TicketForm(self.request.POST, user=user, assignees=self.assignees(), editing=editing)
        self.complaint = ComplaintFieldsForm(self.request.POST, prefix="complaint")
        if form.is_valid() and not self.complaint.is_valid():
            setattr(form, "is_valid", lambda: False)  # noqa: B010 -- both validate before the service is called
        return form

    def ticket_data(self, form: Any) -> dict[str, Any]:
        data = dict(form.cleaned_data)
        if data.get("ticket_type") == TicketType.COMPLAINT:
            data.update({k: v for k, v in self.complaint.cleaned_data.items() if v not in (None, "")})
        return data

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"number": obj.number}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(complaint_form=self.complaint, **kwargs)


class TicketCreateView(_TicketFormView, ScopedCreateView):
    """Open a ticket for a customer (?customer=, ?contract=, ?contact=, ?ticket_type= prefill it); a manager
    may name the assignee among the people he may assign."""

    permission = ServicePerm.ADD_TICKET
    service = services.ticket_create

    def assignees(self) -> Any:
        user = self.request.user
        return selectors.assignable_users(user) if user.has_perm(ServicePerm.ASSIGN_TICKET) else None

    def get_initial(self) -> dict[str, Any]:
        get, initial = self.request.GET, {}
        for key in ("customer", "contract", "contact"):
            if get.get(key, "").isdigit():
                initial[key] = get[key]
        if get.get("ticket_type") in TicketType.values:
            initial["ticket_type"] = get["ticket_type"]
        return initial

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"data": self.ticket_data(form)}

    def call_service(self, **kwargs: Any) -> Any:
        saved = super().call_service(**kwargs)
        complaint = self.complaint.cleaned_data
        if any(complaint.get(k) for k in self.complaint.fields) and saved.is_complaint:
            services.ticket_update(actor=cast(User, self.request.user), ticket=saved, data=complaint)
        return saved


class TicketUpdateView(_TicketFormView, ScopedUpdateView):
    """Edit an open ticket; the workflow table decides who may (``edit``), as for the button."""

    permission = ServicePerm.VIEW_TICKET
    service = services.ticket_update

    def get_object(self) -> Ticket:
        return selectors.ticket_get(user=self.request.user, pk=self.kwargs["pk"])

    def handle(self) -> HttpResponse:
        ticket = self.get_object()
        if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            messages.error(self.request, str(services.NOT_OPEN))
            return redirect("service:ticket_detail", ticket.pk)
        if "edit" not in selectors.ticket_allowed(self.request.user, ticket):
            raise PermissionDenied
        return super().handle()

    def get_initial(self) -> dict[str, Any]:
        return {name: getattr(self.object, name) for name in TICKET_FORM_FIELDS}

    def complaint_initial(self) -> dict[str, Any]:
        return {k: getattr(self.object, k) for k in ComplaintFieldsForm.base_fields}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"ticket": self.object, "data": self.ticket_data(form)}


TICKET_FORM_FIELDS = (
    "ticket_type",
    "complaint_category",
    "priority",
    "channel",
    "title",
    "customer",
    "contact",
    "contract",
    "product",
    "description",
)


EXPORT_COLUMNS = (
    excel.Column("number", gettext_lazy("Ticket number")),
    excel.Column("title", gettext_lazy("Subject"), width=30),
    excel.Column("type", gettext_lazy("Ticket type")),
    excel.Column("priority", gettext_lazy("Priority")),
    excel.Column("status", gettext_lazy("Status")),
    excel.Column("customer", gettext_lazy("Customer"), width=30),
    excel.Column("assignee", gettext_lazy("Assignee")),
    excel.Column("department", gettext_lazy("Department")),
    excel.Column("created", gettext_lazy("Created")),
    excel.Column("first_due", gettext_lazy("First response due")),
    excel.Column("first_at", gettext_lazy("First responded at")),
    excel.Column("due", gettext_lazy("Resolution due")),
    excel.Column("resolved", gettext_lazy("Resolved at")),
    excel.Column("deadline", gettext_lazy("Deadline state")),
)


class TicketExportView(ListExportMixin, TicketListView):
    """The tickets of the list as it is filtered, searched and sorted (the page's ``TicketFilterSet`` on the same
    GET parameters, within the scope) as .xlsx; the export is logged (``ListExportMixin``)."""

    def export(self, rows: QuerySet) -> ExportFile:
        tickets = list(rows[: self.export_limit])
        clocks = sla.countdowns(tickets)

        def when(value: Any) -> str:
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

        data = [
            [
                t.number,
                t.title,
                t.get_ticket_type_display(),
                t.get_priority_display(),
                t.get_status_display(),
                t.customer.name if t.customer else t.requester_company or t.requester_name,
                str(t.assignee or ""),
                str(t.department),
                when(t.created_at),
                when(t.first_response_due),
                when(t.first_responded_at),
                when(t.resolution_due),
                when(t.resolved_at),
                clocks[t.pk].label,
            ]
            for t in tickets
        ]
        workbook = excel.write_workbook(EXPORT_COLUMNS, data, title=_("Tickets"))
        return ExportFile(workbook, len(tickets), excel.export_filename(_("Tickets")))


ticket_export = TicketExportView.as_view()
