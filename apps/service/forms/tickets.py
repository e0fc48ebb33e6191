"""Forms of the ticket pages: validation and widgets only; ``apps.service.services.tickets`` writes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.core.forms import ServiceModelForm
from apps.core.widgets import CustomerPicker, FollowsCustomerSelect
from apps.customers.models import Contact, Customer
from apps.org.models import User
from apps.sales.models import Contract, Product
from apps.service.choices import (
    TicketType,
)
from apps.service.models import Ticket

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("0")}


class ContactOfCustomerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.customer.name}"


class ContractOfCustomerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.title}"


class TicketForm(ServiceModelForm):
    class Meta:
        model = Ticket
        fields = [
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
            "assignee",
        ]
        field_classes = {"contact": ContactOfCustomerField, "contract": ContractOfCustomerField}
        widgets = {
            "customer": CustomerPicker,
            "contact": FollowsCustomerSelect,
            "contract": FollowsCustomerSelect,
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args: Any, user: Any, assignees: Any = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial = dict(kwargs.get("initial") or {})  # what the view prefills, not a blank ticket's values
        # A ticket's type has no default in the model; the page starts from a repair, without an empty choice.
        ticket_type = cast(forms.ChoiceField, self.fields["ticket_type"])
        ticket_type.choices, ticket_type.initial = TicketType.choices, TicketType.REPAIR
        customers = Customer.objects.visible_to(user)
        cast(forms.ModelChoiceField, self.fields["customer"]).queryset = customers.order_by("name")
        cast(forms.ModelChoiceField, self.fields["contact"]).queryset = (
            Contact.objects.filter(customer__in=customers.values("pk"))
            .select_related("customer")
            .order_by("customer__name", "name")
        )
        cast(forms.ModelChoiceField, self.fields["contract"]).queryset = Contract.objects.filter(
            customer__in=customers.values("pk")
        ).order_by("-id")
        cast(forms.ModelChoiceField, self.fields["product"]).queryset = Product.objects.filter(is_active=True).order_by(
            "name"
        )
        if assignees is None or editing:
            del self.fields["assignee"]
        else:
            cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = assignees

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("ticket_type") == TicketType.COMPLAINT and not data.get("complaint_category"):
            self.add_error("complaint_category", _("Choose the complaint category."))
        return data


class ComplaintFieldsForm(forms.Form):
    root_cause = forms.CharField(
        label=capfirst(_("root cause")), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    corrective_action = forms.CharField(
        label=capfirst(_("corrective action")), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    compensation_amount = forms.DecimalField(label=capfirst(_("compensation (CNY)")), required=False, **MONEY)
    compensation_note = forms.CharField(label=capfirst(_("compensation")), max_length=200, required=False)


class MessageForm(forms.Form):
    body = forms.CharField(label=capfirst(_("content")), widget=forms.Textarea(attrs={"rows": 3}))


class OptionalMessageForm(forms.Form):
    body = forms.CharField(label=capfirst(_("message")), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=capfirst(_("assignee")), queryset=User.objects.none())
    note = forms.CharField(label=capfirst(_("note")), max_length=500, required=False)

    def __init__(self, *args: Any, assignees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = assignees


class ResolveForm(ComplaintFieldsForm):
    resolution = forms.CharField(label=capfirst(_("resolution")), widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["resolution", "root_cause", "corrective_action", "compensation_amount", "compensation_note"]


class ImprovementForm(forms.Form):
    title = forms.CharField(label=capfirst(_("improvement action")), max_length=200)
    owner = forms.ModelChoiceField(label=capfirst(_("owner")), queryset=User.objects.none())
    due_date = forms.DateField(label=capfirst(_("due date")), widget=DATE)
    description = forms.CharField(
        label=capfirst(_("description")), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners
        self.fields["due_date"].initial = timezone.localdate() + dt.timedelta(days=14)
