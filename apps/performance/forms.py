"""Forms of performance assessment: thin, the rules are in the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.performance.models import Violation
from apps.policy.choices import RewardPenaltyAction


class CycleForm(forms.Form):
    period_key = forms.CharField(label=_("Period"), max_length=10,
                                 help_text=_("2026-Q4 for a quarter, 2026-05 for a month, 2026 for a year."))


class ReviewForm(forms.Form):
    """The manager's review: a score for each hand-scored KPI, an adjustment with its reason, a comment."""

    adjustment = forms.DecimalField(label=_("Adjustment (points)"), max_digits=5, decimal_places=2,
                                    initial=Decimal("0"), required=False)
    adjustment_reason = forms.CharField(label=_("Reason for the adjustment"), max_length=300, required=False)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, manual: list[Any] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.manual_codes = []
        for item in manual:
            name = f"hand_{item.kpi.code}"
            self.fields[name] = forms.DecimalField(label=item.kpi.display_name, min_value=0,
                                                   max_value=item.kpi.score_cap, decimal_places=2,
                                                   initial=item.score, required=False)
            self.manual_codes.append(item.kpi.code)
        self.order_fields([f"hand_{c}" for c in self.manual_codes])

    def hand_scores(self) -> dict[str, Decimal]:
        return {c: self.cleaned_data[f"hand_{c}"] for c in self.manual_codes
                if self.cleaned_data.get(f"hand_{c}") is not None}


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("Why you disagree"), widget=forms.Textarea(attrs={"rows": 3}))


class AppealDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "1",
                                    choices=(("1", _("Uphold the appeal")), ("0", _("Reject the appeal"))))
    new_total = forms.DecimalField(label=_("Score after the appeal"), max_digits=6, decimal_places=2,
                                   required=False, min_value=0)
    decision = forms.CharField(label=_("Decision, as the employee will read it"),
                               widget=forms.Textarea(attrs={"rows": 3}))


class ProposalDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "1",
                                     choices=(("1", _("Approve")), ("0", _("Reject"))))
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, required=False,
                                min_value=0)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class ViolationForm(forms.ModelForm):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None)  # type: ignore[arg-type]

    class Meta:
        model = Violation
        fields = ["article", "happened_on", "description", "evidence"]
        widgets = {"happened_on": forms.DateInput(attrs={"type": "date"}),
                   "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.order_fields(["person", "article", "happened_on", "description", "evidence"])


class ViolationDecisionForm(forms.Form):
    confirm = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "1",
                                     choices=(("1", _("Confirm the violation")), ("0", _("Dismiss"))))
    action = forms.ChoiceField(label=_("Penalty to propose"), required=False,
                               choices=[("", "—"), *[(c.value, c.label) for c in RewardPenaltyAction
                                                      if c.value not in ("commendation", "bonus", "promotion")]])
    decision = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
