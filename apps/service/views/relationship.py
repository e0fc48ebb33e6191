"""Relationship maintenance pages (art. 10): my due contacts (overdue first), the contact record form, the list of
contact records, and one record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from apps.core.scoping import SCOPE_RANK, DataScope, can, get_visible_or_404, user_scope
from apps.core.views import ScopedListView, add_service_errors
from apps.customers.choices import FollowUpChannel
from apps.customers.models import Customer
from apps.customers.selectors import archive as customer_selectors
from apps.org.models import User
from apps.service.choices import DueContactReason, DueContactStatus, Satisfaction
from apps.service.forms_relationship import RelationshipContactForm, SkipForm
from apps.service.models import DueContact, RelationshipContact
from apps.service.selectors import relationship as selectors
from apps.service.services import relationship as services


def _sees_others(user: Any) -> bool:
    if user.is_superuser:
        return True
    scope = user_scope(user).for_app("service")
    return scope is not None and SCOPE_RANK[scope] > SCOPE_RANK[DataScope.OWN]


class DueContactListView(ScopedListView):
    """Due contacts: mine by default (managers may pick an owner), open first, most overdue first."""

    model = DueContact
    template_name = "service/due_contact_list.html"

    def get_queryset(self) -> QuerySet:
        get = self.request.GET
        owner = get.get("owner", "")
        owner_user = None
        mine = not _sees_others(self.request.user) or owner == ""
        if owner.isdigit():
            owner_user = User.objects.filter(pk=owner).first()
            mine = False
        elif owner == "all":
            mine = False
        status = get.get("status", DueContactStatus.OPEN)
        return selectors.due_contact_list(user=self.request.user, reason=get.get("reason", ""),
                                          status="" if status == "all" else status, owner=owner_user, mine=mine,
                                          q=get.get("q", ""))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        for due in context["object_list"]:
            due.days_overdue = (today - due.due_on).days if due.status == DueContactStatus.OPEN else 0
        sees_others = _sees_others(self.request.user)
        owners: Any = []
        if sees_others:
            ids = DueContact.objects.visible_to(self.request.user).values("owner_id").distinct()
            owners = User.objects.filter(pk__in=ids).order_by("name")
        context.update(today=today, reasons=DueContactReason.choices, due_statuses=DueContactStatus.choices,
                       status=self.request.GET.get("status", DueContactStatus.OPEN), sees_others=sees_others,
                       owners=owners, owner=self.request.GET.get("owner", ""), skip_form=SkipForm())
        return context


@login_required
def due_contact_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    due = get_visible_or_404(DueContact, request.user, pk)
    due.days_overdue = (timezone.localdate() - due.due_on).days if due.status == DueContactStatus.OPEN else 0
    return render(request, "service/due_contact_detail.html", {
        "due": due, "may_change": due.status == DueContactStatus.OPEN and can(request.user, "change", due),
        "skip_form": SkipForm(), "contacts": due.customer.contacts.all(),
        "recent": selectors.contacts_of_customer(customer=due.customer)[:5],
    })


@login_required
def due_contact_skip_view(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("service:due_contact_detail", pk=pk)
    due = get_visible_or_404(DueContact, request.user, pk)
    try:
        services.due_contact_skip(actor=request.user, due_contact=due, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("service:due_contact_detail", pk=pk)
    messages.success(request, _("Due contact skipped."))
    return redirect("service:due_contact_list")


@login_required
def contact_create_view(request: HttpRequest) -> HttpResponse:
    """Record a contact (回访), for a customer (?customer=) or answering a due contact (?due=)."""
    user = request.user
    if not user.has_perm("service.add_relationshipcontact"):
        raise PermissionDenied
    params = request.GET if request.method == "GET" else request.POST
    due = None
    initial: dict[str, Any] = {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
    if params.get("due"):
        due = get_visible_or_404(DueContact, user, params["due"], action="change")
        initial["customer"] = due.customer_id
    elif params.get("customer"):
        initial["customer"] = params["customer"]
    customers = customer_selectors.customer_choices(user=user)
    customer_id = request.POST.get("customer") or initial.get("customer")
    contacts = customer_selectors.contact_choices(user=user, customer_id=customer_id)
    form = RelationshipContactForm(request.POST or None, initial=initial, customers=customers, contacts=contacts)
    if due is not None:
        form.fields["customer"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        customer = data.pop("customer")
        try:
            record = services.relationship_contact_record(actor=user, customer=customer, data=data, due_contact=due)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contact recorded."))
            return redirect("service:contact_detail", pk=record.pk)
    return render(request, "service/contact_form.html", {"form": form, "due": due})


class ContactListView(ScopedListView):
    """Contact records in scope, newest first; filtered by channel, satisfaction and period; searched."""

    model = RelationshipContact
    template_name = "service/contact_list.html"
    sort_fields = ("occurred_at", "satisfaction")
    default_sort = "-occurred_at"

    def get_queryset(self) -> QuerySet:
        get = self.request.GET
        customer = None
        if get.get("customer", "").isdigit():
            customer = Customer.objects.visible_to(self.request.user).filter(pk=get["customer"]).first()
        qs = selectors.contact_list(
            user=self.request.user, channel=get.get("channel", ""), satisfaction=get.get("satisfaction", ""),
            customer=customer, date_from=_date(get.get("from")), date_to=_date(get.get("to")), q=get.get("q", ""))
        return qs.order_by(self.current_sort(), "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(channels=FollowUpChannel.choices, satisfactions=Satisfaction.choices,
                                        **kwargs)


def _date(value: str | None) -> dt.date | None:
    try:
        return parse_date(value or "")
    except ValueError:
        return None


@login_required
def contact_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_visible_or_404(RelationshipContact, request.user, pk)
    return render(request, "service/contact_detail.html", {
        "record": record, "closed": list(record.due_contacts.all()),
    })
