"""Relationship maintenance pages (art. 10): my due contacts (overdue first), the contact record form, the list of
contact records, and one record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy

from apps.core.scoping import SCOPE_RANK, DataScope, can, get_visible_or_404, user_scope
from apps.core.views import ScopedActionView, ScopedCreateView, ScopedDetailView, ScopedListView
from apps.customers.choices import FollowUpChannel
from apps.customers.models import Customer
from apps.customers.selectors import archive as customer_selectors
from apps.org.models import User
from apps.service.choices import DueContactReason, DueContactStatus, Satisfaction
from apps.service.forms.relationship import RelationshipContactForm, SkipForm
from apps.service.models import DueContact, RelationshipContact
from apps.service.permissions import ServicePerm
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
        return selectors.due_contact_list(
            user=self.request.user,
            reason=get.get("reason", ""),
            status="" if status == "all" else status,
            owner=owner_user,
            mine=mine,
            q=get.get("q", ""),
        )

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
        context.update(
            today=today,
            reasons=DueContactReason.choices,
            due_statuses=DueContactStatus.choices,
            status=self.request.GET.get("status", DueContactStatus.OPEN),
            sees_others=sees_others,
            owners=owners,
            owner=self.request.GET.get("owner", ""),
            skip_form=SkipForm(),
        )
        return context


class DueContactDetailView(ScopedDetailView):
    model = DueContact
    permission = ServicePerm.VIEW_DUE_CONTACT
    template_name = "service/due_contact_detail.html"
    context_object_name = "due"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        due = self.object
        due.days_overdue = (timezone.localdate() - due.due_on).days if due.status == DueContactStatus.OPEN else 0
        return super().get_context_data(
            may_change=due.status == DueContactStatus.OPEN and can(self.request.user, "change", due),
            skip_form=SkipForm(),
            contacts=due.customer.contacts.all(),
            recent=selectors.contacts_of_customer(customer=due.customer)[:5],
            **kwargs,
        )


class DueContactSkipView(ScopedActionView):
    """Skip a due contact with a reason; done, back to the list; refused, back to the due contact."""

    model = DueContact
    permission = ServicePerm.VIEW_DUE_CONTACT  # the service decides who may skip
    service = services.due_contact_skip
    success_message = gettext_lazy("Due contact skipped.")
    success_url = "service:due_contact_detail"
    skipped = False

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"due_contact": self.object, "reason": self.request.POST.get("reason", "")}

    def succeed(self, obj: Any) -> None:
        self.skipped = True
        super().succeed(obj)

    def get_success_url(self, obj: Any) -> str:
        return reverse("service:due_contact_list") if self.skipped else super().get_success_url(obj)


class ContactCreateView(ScopedCreateView):
    """Record a contact (回访), for a customer (?customer=) or answering a due contact (?due=, in the change scope,
    else 404); the customer and contact drop-downs come from the scoped selectors."""

    model = RelationshipContact
    permission = ServicePerm.ADD_CONTACT
    form_class = RelationshipContactForm
    service = services.relationship_contact_record
    template_name = "service/contact_form.html"
    success_message = gettext_lazy("Contact recorded.")
    success_url = "service:contact_detail"
    due: DueContact | None = None

    def get_object(self) -> None:
        params = self.request.GET if self.request.method == "GET" else self.request.POST
        if params.get("due"):
            self.due = get_visible_or_404(DueContact, self.request.user, params["due"], action="change")
        self.customer_param = params.get("customer")

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
        if self.due is not None:
            initial["customer"] = self.due.customer_id
        elif self.customer_param:
            initial["customer"] = self.customer_param
        return initial

    def get_form(self) -> Any:
        user = self.request.user
        initial = self.get_initial()
        customer_id = self.request.POST.get("customer") or initial.get("customer")
        form = RelationshipContactForm(
            self.request.POST or None,
            initial=initial,
            customers=customer_selectors.customer_choices(user=user),
            contacts=customer_selectors.contact_choices(user=user, customer_id=customer_id),
        )
        if self.due is not None:
            form.fields["customer"].disabled = True
        return form

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        data = dict(form.cleaned_data)
        customer = data.pop("customer")
        return {"customer": customer, "data": data, "due_contact": self.due}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(due=self.due, **kwargs)


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
            user=self.request.user,
            channel=get.get("channel", ""),
            satisfaction=get.get("satisfaction", ""),
            customer=customer,
            date_from=_date(get.get("from")),
            date_to=_date(get.get("to")),
            q=get.get("q", ""),
        )
        return qs.order_by(self.current_sort(), "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(channels=FollowUpChannel.choices, satisfactions=Satisfaction.choices, **kwargs)


def _date(value: str | None) -> dt.date | None:
    try:
        return parse_date(value or "")
    except ValueError:
        return None


class ContactDetailView(ScopedDetailView):
    model = RelationshipContact
    permission = ServicePerm.VIEW_CONTACT
    template_name = "service/contact_detail.html"
    context_object_name = "record"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(closed=list(self.object.due_contacts.all()), **kwargs)
