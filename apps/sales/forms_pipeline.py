"""Forms of products, opportunities (with product lines), the kanban stage move, the stage probabilities and sales
plans (with action items). Validation and UI only; writes go through the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.customers.models import Contact, Customer
from apps.org.models import User
from apps.sales.choices import ActionItemStatus, OpportunityStage, SalesPlanStatus
from apps.sales.models import Product

DATE = {"type": "date"}
PAGE_SIZES = [("20", "20"), ("50", "50"), ("100", "100")]
LINE_NEEDS_PRODUCT = _("Choose the product of this line.")
DUE_BEFORE_START = _("The due date cannot be before the start date.")
NEEDS_ACTION = _("Add at least one action item.")


def _date() -> forms.DateInput:
    return forms.DateInput(attrs=DATE, format="%Y-%m-%d")


class ProductForm(forms.Form):
    code = forms.CharField(label=_("Product code"), max_length=30)
    name = forms.CharField(label=_("Product name"), max_length=100)
    category = forms.CharField(label=_("Product category"), max_length=50, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=10, initial="套")
    list_price = forms.DecimalField(label=_("List price (CNY)"), max_digits=14, decimal_places=2,
                                    min_value=Decimal("0"))
    is_active = forms.BooleanField(label=_("On sale"), required=False, initial=True)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ProductFilterForm(forms.Form):
    category = forms.CharField(required=False)


class OpportunityForm(forms.Form):
    name = forms.CharField(label=_("Opportunity name"), max_length=200)
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none())
    contact = forms.ModelChoiceField(label=_("Contact"), queryset=Contact.objects.none(), required=False)
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=16, decimal_places=2, min_value=Decimal("0"),
                                required=False, help_text=_("Computed from the product lines when there are any."))
    expected_close_date = forms.DateField(label=_("Expected close date"), required=False, widget=_date())
    next_action = forms.CharField(label=_("Next action"), max_length=200, required=False)
    next_action_on = forms.DateField(label=_("Next action date"), required=False, widget=_date())
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customers = Customer.objects.visible_to(user).order_by("name")
        self.fields["customer"].queryset = customers
        self.fields["contact"].queryset = Contact.objects.filter(customer__in=customers).select_related("customer")
        self.fields["contact"].label_from_instance = lambda c: f"{c.name}（{c.customer.name}）"

    def clean_amount(self) -> Decimal:
        return self.cleaned_data.get("amount") or Decimal("0")


class OpportunityLineForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.filter(is_active=True),
                                     required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
                                  required=False, initial=Decimal("1"))
    unit_price = forms.DecimalField(label=_("Unit price (CNY)"), max_digits=14, decimal_places=2,
                                    min_value=Decimal("0"), required=False,
                                    help_text=_("Empty: the list price."))
    discount_pct = forms.DecimalField(label=_("Discount (percent off)"), max_digits=5, decimal_places=2,
                                      min_value=Decimal("0"), max_value=Decimal("100"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        filled = any(data.get(k) not in (None, "") for k in ("unit_price", "discount_pct"))
        if filled and not data.get("product") and "product" not in self.errors:
            self.add_error("product", LINE_NEEDS_PRODUCT)
        return data


class BaseLineFormSet(forms.BaseFormSet):
    def lines(self) -> list[dict[str, Any]]:
        return [dict(f.cleaned_data) for f in self.forms if f.cleaned_data.get("product")]


OpportunityLineFormSet = forms.formset_factory(OpportunityLineForm, formset=BaseLineFormSet, extra=3, max_num=50)


class StageMoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to stage"), choices=OpportunityStage.choices)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False,
                             help_text=_("Required when the opportunity is lost or invalid."))


class StageSettingsForm(forms.Form):
    """One percentage field per stage."""

    def __init__(self, *args: Any, probabilities: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for stage, label in OpportunityStage.choices:
            self.fields[stage] = forms.IntegerField(label=label, min_value=0, max_value=100,
                                                    initial=probabilities.get(stage, 0))


class SalesPlanForm(forms.Form):
    title = forms.CharField(label=_("Plan title"), max_length=200)
    period_start = forms.DateField(label=_("Period start"), widget=_date())
    period_end = forms.DateField(label=_("Period end"), widget=_date())
    strategy = forms.CharField(label=_("Sales strategy"), widget=forms.Textarea(attrs={"rows": 4}))
    intel = forms.ModelMultipleChoiceField(
        label=_("Market intelligence cited"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Policy art. 9: a sales plan is made from the market information gathered; cite at least one."))
    target_sets = forms.ModelMultipleChoiceField(label=_("Targets served"), queryset=None, required=False,
                                                 widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, intel: Any, target_sets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["intel"].queryset = intel
        self.fields["target_sets"].queryset = target_sets


class SalesPlanActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=200, required=False)
    responsible = forms.ModelChoiceField(label=_("Responsible person"), required=False,
                                         queryset=User.objects.filter(is_active=True).order_by("name"))
    start_date = forms.DateField(label=_("Start date"), required=False, widget=_date())
    due_date = forms.DateField(label=_("Due date"), required=False, widget=_date())
    status = forms.ChoiceField(label=_("Status"), choices=ActionItemStatus.choices, initial=ActionItemStatus.TODO)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100, initial=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
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


class SalesPlanFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses")), *SalesPlanStatus.choices])


class ActionProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
