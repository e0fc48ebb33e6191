"""Forms of the contract pages: validation and widgets only; ``apps.sales.services.contracts`` writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from apps.customers.models import Customer
from apps.org.models import User
from apps.sales.choices import AdjustmentKind, ContractStatus, PaymentMethod
from apps.sales.models import Opportunity, PaymentPlan, Product

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 16, "decimal_places": 2, "min_value": Decimal("0")}
PERCENT = {"max_digits": 5, "decimal_places": 2, "min_value": Decimal("0"), "max_value": Decimal("100")}


class ContractFilterForm(forms.Form):
    q = forms.CharField(required=False, widget=forms.TextInput(attrs={
        "placeholder": _("Number, title or customer")}))
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses")), *ContractStatus.choices])
    month = forms.CharField(required=False, widget=forms.TextInput(attrs={"type": "month"}))
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label=_("All owners"))
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ContractForm(forms.Form):
    title = forms.CharField(label=capfirst(_("contract title")), max_length=200)
    customer = forms.ModelChoiceField(label=capfirst(_("customer")), queryset=Customer.objects.none())
    opportunity = forms.ModelChoiceField(label=capfirst(_("opportunity")), queryset=Opportunity.objects.none(),
                                         required=False)
    signed_on = forms.DateField(label=capfirst(_("signed on")), widget=DATE)
    start_date = forms.DateField(label=capfirst(_("start date")), widget=DATE, required=False)
    end_date = forms.DateField(label=capfirst(_("end date")), widget=DATE, required=False)
    discount_pct = forms.DecimalField(label=capfirst(_("order discount (percent off)")), initial=0, **PERCENT)
    amount = forms.DecimalField(label=capfirst(_("contract amount (CNY)")), required=False, **MONEY,
                                help_text=_("Computed from the product lines when there are any."))
    customer_signatory = forms.CharField(label=capfirst(_("customer signatory")), max_length=50, required=False)
    company_signatory = forms.ModelChoiceField(label=capfirst(_("company signatory")), queryset=User.objects.none(),
                                               required=False)
    terms = forms.CharField(label=capfirst(_("main terms")), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user).order_by("name")
        self.fields["opportunity"].queryset = (Opportunity.objects.visible_to(user)
                                               .select_related("customer").order_by("-id"))
        self.fields["company_signatory"].queryset = User.objects.filter(is_active=True).order_by("username")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return data


class ContractLineForm(forms.Form):
    product = forms.ModelChoiceField(label=capfirst(_("product")), queryset=Product.objects.filter(is_active=True))
    quantity = forms.DecimalField(label=capfirst(_("quantity")), max_digits=12, decimal_places=2,
                                  min_value=Decimal("0.01"), initial=1)
    unit_price = forms.DecimalField(label=capfirst(_("unit price (CNY)")), max_digits=14, decimal_places=2,
                                    min_value=Decimal("0"))
    discount_pct = forms.DecimalField(label=capfirst(_("discount (percent off)")), initial=0, **PERCENT)


ContractLineFormSet = forms.formset_factory(ContractLineForm, extra=3, can_delete=True)


class InstalmentForm(forms.Form):
    instalment = forms.IntegerField(label=capfirst(_("instalment")), min_value=1)
    due_date = forms.DateField(label=capfirst(_("due date")), widget=DATE)
    amount = forms.DecimalField(label=capfirst(_("amount (CNY)")), **MONEY)
    remind_days_before = forms.IntegerField(label=capfirst(_("remind days before")), min_value=0, max_value=365,
                                            initial=3)
    note = forms.CharField(label=capfirst(_("note")), max_length=200, required=False)


InstalmentFormSet = forms.formset_factory(InstalmentForm, extra=2, can_delete=True)


class PaymentForm(forms.Form):
    received_on = forms.DateField(label=capfirst(_("received on")), widget=DATE)
    amount = forms.DecimalField(label=capfirst(_("amount (CNY)")), max_digits=16, decimal_places=2,
                                min_value=Decimal("0.01"))
    method = forms.ChoiceField(label=capfirst(_("payment method")), choices=PaymentMethod.choices)
    plan = forms.ModelChoiceField(label=capfirst(_("instalment")), queryset=PaymentPlan.objects.none(), required=False)
    note = forms.CharField(label=capfirst(_("note")), max_length=200, required=False)

    def __init__(self, *args: Any, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = contract.payment_plans.order_by("instalment")


class ActionForm(forms.Form):
    comment = forms.CharField(label=capfirst(_("comment")), max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class RefundForm(forms.Form):
    """Request a refund (退款 / 红冲) on a contract."""

    amount = forms.DecimalField(label=capfirst(_("refund amount (CNY)")), max_digits=16, decimal_places=2,
                                min_value=Decimal("0.01"))
    payment = forms.ModelChoiceField(label=capfirst(_("payment refunded")), queryset=PaymentPlan.objects.none(),
                                     required=False)
    reason = forms.CharField(label=capfirst(_("reason")), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payment"].queryset = contract.payments.filter(amount__gt=0).order_by("received_on", "pk")


class AdjustmentForm(forms.Form):
    """Request an amendment (补充协议, a new amount) or a termination (终止) of an approved contract."""

    kind = forms.ChoiceField(label=capfirst(_("kind")), choices=AdjustmentKind.choices)
    new_amount = forms.DecimalField(label=capfirst(_("amount after (CNY)")), required=False, **MONEY,
                                    help_text=_("For a termination, leave empty to settle at what was collected."))
    reason = forms.CharField(label=capfirst(_("reason")), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
