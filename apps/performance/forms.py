"""Forms of performance assessment: thin, the rules are in the services."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.performance.models import Violation
from apps.policy.choices import RewardPenaltyAction


class CycleForm(forms.Form):
    period_key = forms.CharField(
        label=_("Period"), max_length=10, help_text=_("2026-Q4 for a quarter, 2026-05 for a month, 2026 for a year.")
    )


class ReviewForm(forms.Form):
    """The manager's review: a score for each hand-scored KPI (``hand_<code>`` fields, added for the scorecard's
    hand-scored lines when shown; read from the POST whatever lines it carries), an adjustment with its reason, a
    comment. The service checks the ranges and the limit of the rules."""

    adjustment = forms.DecimalField(
        label=_("Adjustment (points)"), max_digits=5, decimal_places=2, initial=Decimal("0"), required=False
    )
    adjustment_reason = forms.CharField(label=_("Reason for the adjustment"), max_length=300, required=False)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, manual: Sequence[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        codes = [item.kpi.code for item in manual] or [
            key.removeprefix("hand_") for key in (self.data or {}) if key.startswith("hand_")
        ]
        labels = {item.kpi.code: item for item in manual}
        for code in codes:
            item = labels.get(code)
            self.fields[f"hand_{code}"] = forms.DecimalField(
                label=item.kpi.display_name if item else code,
                min_value=0,
                decimal_places=2,
                required=False,
                max_value=item.kpi.score_cap if item else None,
                initial=item.score if item else None,
            )
        self.manual_codes = codes
        self.order_fields([f"hand_{c}" for c in codes])

    def hand_scores(self) -> dict[str, Decimal]:
        return {
            c: self.cleaned_data[f"hand_{c}"]
            for c in self.manual_codes
            if self.cleaned_data.get(f"hand_{c}") is not None
        }


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("Why you disagree"), widget=forms.Textarea(attrs={"rows": 3}))


class AppealDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "1",
        choices=(("1", _("Uphold the appeal")), ("0", _("Reject the appeal"))),
    )
    new_total = forms.DecimalField(
        label=_("Score after the appeal"), max_digits=6, decimal_places=2, required=False, min_value=0
    )
    decision = forms.CharField(
        label=_("Decision, as the employee will read it"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ProposalDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda v: v == "1", choices=(("1", _("Approve")), ("0", _("Reject")))
    )
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, required=False, min_value=0)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ViolationForm(forms.ModelForm):
    person: forms.ModelChoiceField = forms.ModelChoiceField(label=_("Person"), queryset=None)  # type: ignore[arg-type]

    class Meta:
        model = Violation
        fields = ["article", "happened_on", "description", "evidence"]
        widgets = {
            "happened_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = people
        self.order_fields(["person", "article", "happened_on", "description", "evidence"])


class ViolationDecisionForm(forms.Form):
    confirm = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda v: v == "1", choices=(("1", _("Confirm the violation")), ("0", _("Dismiss")))
    )
    action = forms.ChoiceField(
        label=_("Penalty to propose"),
        required=False,
        choices=[
            ("", "—"),
            *[(c.value, c.label) for c in RewardPenaltyAction if c.value not in ("commendation", "bonus", "promotion")],
        ],
    )
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))


class ViolationAppealDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "1",
        choices=(("0", _("Reject the appeal")), ("1", _("Uphold the appeal: overturn the violation"))),
    )
    decision = forms.CharField(
        label=_("Decision, as the employee will read it"), widget=forms.Textarea(attrs={"rows": 3})
    )
