"""Forms of products, opportunities (with product lines), the kanban stage move, the stage probabilities and sales
plans (with action items). Validation and UI only; writes go through the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from apps.core.forms import ServiceModelForm
from apps.core.widgets import CustomerPicker, FollowsCustomerSelect
from apps.customers.models import Contact, Customer
from apps.org.models import User
from apps.sales.choices import OpportunityStage, SalesPlanStatus
from apps.sales.models import Opportunity, OpportunityLine, Product, SalesPlan, SalesPlanAction

DATE = {"type": "date"}
PAGE_SIZES = [("20", "20"), ("50", "50"), ("100", "100")]
LINE_NEEDS_PRODUCT = _("Choose the product of this line.")
DUE_BEFORE_START = _("The due date cannot be before the start date.")
NEEDS_ACTION = _("Add at least one action item.")


def _date() -> forms.DateInput:
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


class ProductForm(ServiceModelForm):
    class Meta:
        model = Product
        fields = ["code", "name", "category", "unit", "list_price", "is_active", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["list_price"].validators.append(MinValueValidator(Decimal("0")))


class ProductFilterForm(forms.Form):
    category = forms.CharField(required=False)


def _contact_label(contact: Any) -> str:
    return f"{contact.name}（{contact.customer.name}）"


class OpportunityLineForm(ServiceModelForm):
    """A product line; an empty row is no line, the unit price defaults to the list price (the service)."""

    class Meta:
        model = OpportunityLine
        fields = ["product", "quantity", "unit_price", "discount_pct"]
        help_texts = {"unit_price": _("Empty: the list price.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["product"]).queryset = Product.objects.filter(is_active=True)
        for name in self.fields:
            self.fields[name].required = False
        self.fields["quantity"].validators.append(MinValueValidator(Decimal("0.01")))
        self.fields["unit_price"].validators.append(MinValueValidator(Decimal("0")))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = any(data.get(k) not in (None, "") for k in ("unit_price", "discount_pct"))
        if filled and not data.get("product") and "product" not in self.errors:
            self.add_error("product", LINE_NEEDS_PRODUCT)
        return data


class BaseLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict[str, Any]]:
        return [dict(f.cleaned_data) for f in self.forms if f.cleaned_data.get("product")]


OpportunityLineFormSet = forms.formset_factory(OpportunityLineForm, formset=BaseLineFormSet, extra=3, max_num=50)


class OpportunityForm(ServiceModelForm):
    """The opportunity with its product lines (``rows``); customers and contacts from the user's scope."""

    class Meta:
        model = Opportunity
        fields = [
            "name",
            "customer",
            "contact",
            "amount",
            "expected_close_date",
            "next_action",
            "next_action_on",
            "description",
        ]
        widgets = {
            "customer": CustomerPicker,
            "expected_close_date": _date(),
            "next_action_on": _date(),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {"amount": _("Computed from the product lines when there are any.")}

    def __init__(self, *args: Any, user: Any, rows: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customers = Customer.objects.visible_to(user).order_by("name")
        cast(forms.ModelChoiceField, self.fields["customer"]).queryset = customers
        contact = cast(forms.ModelChoiceField, self.fields["contact"])
        contact.queryset = Contact.objects.filter(customer__in=customers).select_related("customer")
        contact.label_from_instance = _contact_label  # type: ignore[method-assign,assignment]
        contact.widget = FollowsCustomerSelect(choices=contact.choices)
        self.fields["amount"].required = False
        self.fields["amount"].validators.append(MinValueValidator(Decimal("0")))
        self.rows = OpportunityLineFormSet(kwargs.get("data"), initial=rows or [], prefix="lines")

    def clean_amount(self) -> Decimal:
        return self.cleaned_data.get("amount") or Decimal("0")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        customer, contact = data.get("customer"), data.get("contact")
        if contact is not None and customer is not None and contact.customer_id != customer.pk:
            self.add_error("contact", _("Choose a contact of this customer."))
        return data

    def is_valid(self) -> bool:
        return super().is_valid() and self.rows.is_valid()


class StageMoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to stage"), choices=OpportunityStage.choices)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        required=False,
        help_text=_("Required when the opportunity is lost or invalid."),
    )


class StageSettingsForm(forms.Form):
    """One percentage field per stage."""

    def __init__(self, *args: Any, probabilities: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for stage, label in OpportunityStage.choices:
            self.fields[stage] = forms.IntegerField(
                label=label, min_value=0, max_value=100, initial=probabilities.get(stage, 0)
            )


class SalesPlanActionForm(ServiceModelForm):
    """One action item row of the plan form (an empty row is skipped)."""

    class Meta:
        model = SalesPlanAction
        fields = ["title", "responsible", "start_date", "due_date", "status", "progress"]
        widgets = {"start_date": _date(), "due_date": _date()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("title", "responsible", "start_date", "due_date"):
            self.fields[name].required = False  # an empty row is no item; a started row needs them (clean)
        cast(forms.ModelChoiceField, self.fields["responsible"]).queryset = User.objects.filter(
            is_active=True
        ).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("title"):
            return data
        for name in ("responsible", "start_date", "due_date"):
            if not data.get(name) and name not in self.errors:
                self.add_error(name, forms.Field.default_error_messages["required"])
        if data.get("start_date") and data.get("due_date") and data["due_date"] < data["start_date"]:
            self.add_error("due_date", DUE_BEFORE_START)
        return data


class BaseActionFormSet(forms.BaseFormSet):
    def actions(self) -> list[dict[str, Any]]:
        return [dict(f.cleaned_data) for f in self.forms if f.cleaned_data.get("title")]


SalesPlanActionFormSet = forms.formset_factory(SalesPlanActionForm, formset=BaseActionFormSet, extra=3, max_num=50)


class SalesPlanForm(ServiceModelForm):
    """The plan with its action items (``rows``, validated with the form); the cited intelligence and the targets
    come from scoped selectors (the service checks the intelligence again)."""

    class Meta:
        model = SalesPlan
        fields = ["title", "period_start", "period_end", "strategy", "intel", "target_sets"]
        widgets = {
            "period_start": _date(),
            "period_end": _date(),
            "strategy": forms.Textarea(attrs={"rows": 4}),
            "intel": forms.CheckboxSelectMultiple,
            "target_sets": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "intel": _("Policy art. 9: a sales plan is made from the market information gathered; cite at least one.")
        }

    def __init__(
        self, *args: Any, intel: Any, target_sets: Any, rows: list[dict[str, Any]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["intel"]).queryset = intel
        cast(forms.ModelChoiceField, self.fields["target_sets"]).queryset = target_sets
        self.rows = SalesPlanActionFormSet(kwargs.get("data"), initial=rows or [], prefix="actions")

    def is_valid(self) -> bool:
        return super().is_valid() and self.rows.is_valid()


class SalesPlanFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses")), *SalesPlanStatus.choices])


PROGRESS_RANGE = _("Give the progress as a percentage from 0 to 100.")


class ActionProgressForm(forms.Form):
    progress = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        error_messages={key: PROGRESS_RANGE for key in ("required", "invalid", "min_value", "max_value")},
    )
