"""Forms of the target pages: create a set, filter the list, add a child node, spread, move an amount with a
reason (the revision of an approved set) and a proposal from below."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.forms import ServiceModelForm
from apps.org.models import Department, Employee
from apps.sales.choices import TargetMetric, TargetStatus, TargetTier
from apps.sales.models import TargetNode, TargetSet

MONTH_CHOICES = [(m, _("month %(m)s") % {"m": m}) for m in range(1, 13)]
PROFILE_HELP = _("Twelve percentages separated by commas, adding up to 100, e.g. 6,6,8,8,8,9,8,8,9,9,10,11.")
BAD_PROFILE_TEXT = _("Enter twelve numbers separated by commas.")


class TargetSetCreateForm(ServiceModelForm):
    """A year's target set; ``annual`` (not a field of the set) is spread over the company node's months."""

    annual = forms.DecimalField(
        label=_("Company annual target"),
        required=False,
        min_value=Decimal("0"),
        max_digits=16,
        decimal_places=2,
        help_text=_("Spread evenly over the twelve months; adjust afterwards."),
    )

    class Meta:
        model = TargetSet
        fields = ["fiscal_year", "metric", "tier"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"fiscal_year": timezone.localdate().year + 1})
        super().__init__(*args, **kwargs)
        # The fiscal year's range is the service's rule (``target_set_create``): one place for the page and any caller.


class TargetFilterForm(forms.Form):
    fiscal_year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
    metric = forms.ChoiceField(required=False, choices=[("", _("All metrics")), *TargetMetric.choices])
    tier = forms.ChoiceField(required=False, choices=[("", _("All tiers")), *TargetTier.choices])
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses")), *TargetStatus.choices])


def _employee_label(employee: Any) -> str:
    return f"{employee.user.name or employee.user.username} · {employee.department.name}"


class AddChildForm(forms.Form):
    """Add a node under a parent: a sub-department of the parent's department or a person employed in it (the
    service checks the pair; one form for the whole page so the editor stays a few queries)."""

    parent = forms.ModelChoiceField(label=_("Under"), queryset=TargetNode.objects.none())
    department = forms.ModelChoiceField(label=_("Sub-department"), queryset=Department.objects.none(), required=False)
    person = forms.ModelChoiceField(label=_("Person"), queryset=Employee.objects.none(), required=False)

    def __init__(self, *args: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = parents
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = Department.objects.filter(
            is_active=True, parent__isnull=False
        )
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = (
            Employee.objects.filter(is_active=True)
            .select_related("user", "department")
            .order_by("department__path", "user__name")
        )
        cast(forms.ModelChoiceField, self.fields["person"]).label_from_instance = _employee_label  # type: ignore[method-assign,assignment]


class SpreadForm(forms.Form):
    method = forms.ChoiceField(
        choices=[
            ("even", _("Evenly")),
            ("last_year_share", _("By last year's share")),
            ("profile", _("By monthly profile")),
        ]
    )
    profile = forms.CharField(label=_("Monthly profile (%)"), required=False, help_text=PROFILE_HELP)

    def clean_profile(self) -> list[Decimal] | None:
        text = self.cleaned_data.get("profile", "").replace("，", ",").strip()
        if not text:
            return None
        try:
            return [Decimal(part.strip()) for part in text.split(",")]
        except ArithmeticError:
            raise forms.ValidationError(BAD_PROFILE_TEXT) from None


class MoveForm(forms.Form):
    """A revision of an approved set: move an amount of one month from one node to another, with the reason."""

    source = forms.ModelChoiceField(label=_("From"), queryset=TargetNode.objects.none())
    destination = forms.ModelChoiceField(label=_("To"), queryset=TargetNode.objects.none())
    month = forms.TypedChoiceField(label=_("Month"), choices=MONTH_CHOICES, coerce=int)
    amount = forms.DecimalField(label=_("Amount (CNY)"), min_value=Decimal("0.01"), max_digits=16, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=500)

    def __init__(self, *args: Any, nodes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("source", "destination"):
            cast(forms.ModelChoiceField, self.fields[name]).queryset = nodes


class ProposeForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for m in range(1, 13):
            self.fields[f"m{m:02d}"] = forms.DecimalField(
                label=_("month %(m)s") % {"m": m}, min_value=Decimal("0"), max_digits=16, decimal_places=2
            )

    def months(self) -> list[Decimal]:
        return [self.cleaned_data[f"m{m:02d}"] for m in range(1, 13)]
