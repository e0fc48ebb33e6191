"""Forms of the contract pages: validation and widgets only; ``apps.sales.services.contracts`` writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.core.forms import ServiceModelForm
from apps.core.widgets import CustomerPicker, FollowsCustomerSelect
from apps.customers.models import Customer
from apps.org.models import User
from apps.sales.models import (
    Contract,
    ContractAdjustment,
    ContractLine,
    Opportunity,
    Payment,
    PaymentPlan,
    Product,
    RefundRequest,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY: dict[str, Any] = {"max_digits": 16, "decimal_places": 2, "min_value": Decimal("0")}
PERCENT: dict[str, Any] = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal("0"), "max_value": Decimal("100")}


class ContractLineForm(ServiceModelForm):
    class Meta:
        model = ContractLine
        fields = ["product", "quantity", "unit_price", "discount_pct"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["product"]).queryset = Product.objects.filter(is_active=True)
        self.fields["quantity"].validators.append(MinValueValidator(Decimal("0.01")))
        self.fields["unit_price"].validators.append(MinValueValidator(Decimal("0")))


ContractLineFormSet = forms.formset_factory(ContractLineForm, extra=3, can_delete=True)


class ContractForm(ServiceModelForm):
    """The contract with its product lines (``rows``, validated with the form); the drop-downs come from the
    user's scope (the service checks the customer and the opportunity again)."""

    class Meta:
        model = Contract
        fields = [
            "title",
            "customer",
            "opportunity",
            "signed_on",
            "start_date",
            "end_date",
            "discount_pct",
            "amount",
            "customer_signatory",
            "company_signatory",
            "terms",
        ]
        widgets = {
            "customer": CustomerPicker,
            "signed_on": DATE,
            "start_date": DATE,
            "end_date": DATE,
            "terms": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"amount": _("Computed from the product lines when there are any.")}

    def __init__(self, *args: Any, user: Any, rows: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["customer"]).queryset = Customer.objects.visible_to(user).order_by(
            "name"
        )
        opportunity = cast(forms.ModelChoiceField, self.fields["opportunity"])
        opportunity.queryset = Opportunity.objects.visible_to(user).select_related("customer").order_by("-id")
        opportunity.widget = FollowsCustomerSelect(choices=opportunity.choices)
        cast(forms.ModelChoiceField, self.fields["company_signatory"]).queryset = User.objects.filter(
            is_active=True
        ).order_by("username")
        self.fields["amount"].required = False
        self.fields["amount"].validators.append(MinValueValidator(Decimal("0")))
        self.rows = ContractLineFormSet(kwargs.get("data"), initial=rows or [], prefix="lines")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        customer, opportunity = data.get("customer"), data.get("opportunity")
        if opportunity is not None and customer is not None and opportunity.customer_id != customer.pk:
            self.add_error("opportunity", _("Choose an opportunity of this customer."))
        return data

    def is_valid(self) -> bool:
        return super().is_valid() and self.rows.is_valid()

    def lines(self) -> list[dict[str, Any]]:
        return [
            f.cleaned_data
            for f in self.rows.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("product")
        ]


class InstalmentForm(ServiceModelForm):
    class Meta:
        model = PaymentPlan
        fields = ["instalment", "due_date", "amount", "remind_days_before", "note"]
        widgets = {"due_date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instalment"].validators.append(MinValueValidator(1))
        self.fields["amount"].validators.append(MinValueValidator(Decimal("0")))
        self.fields["remind_days_before"].validators.append(MaxValueValidator(365))


InstalmentFormSet = forms.formset_factory(InstalmentForm, extra=2, can_delete=True)


class PaymentPlanForm(forms.Form):
    """The instalments of a contract as one form (its ``rows``)."""

    def __init__(self, *args: Any, rows: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = InstalmentFormSet(kwargs.get("data"), initial=rows or [], prefix="plans")

    def is_valid(self) -> bool:
        return super().is_valid() and self.rows.is_valid()

    def instalments(self) -> list[dict[str, Any]]:
        return [f.cleaned_data for f in self.rows.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


class PaymentForm(ServiceModelForm):
    class Meta:
        model = Payment
        fields = ["received_on", "amount", "method", "plan", "note"]
        widgets = {"received_on": DATE}

    def __init__(self, *args: Any, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["plan"]).queryset = contract.payment_plans.order_by("instalment")
        self.fields["amount"].validators.append(MinValueValidator(Decimal("0.01")))


class ActionForm(forms.Form):
    comment = forms.CharField(
        label=capfirst(_("comment")), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RefundForm(ServiceModelForm):
    """Request a refund (退款 / 红冲) on a contract."""

    class Meta:
        model = RefundRequest
        fields = ["amount", "payment", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        payments = contract.payments.filter(amount__gt=0).order_by("received_on", "pk")
        cast(forms.ModelChoiceField, self.fields["payment"]).queryset = payments
        self.fields["amount"].validators.append(MinValueValidator(Decimal("0.01")))


class AdjustmentForm(ServiceModelForm):
    """Request an amendment (补充协议, a new amount) or a termination (终止) of an approved contract."""

    class Meta:
        model = ContractAdjustment
        fields = ["kind", "new_amount", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"new_amount": _("For a termination, leave empty to settle at what was collected.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_amount"].required = False
        self.fields["new_amount"].validators.append(MinValueValidator(Decimal("0")))
