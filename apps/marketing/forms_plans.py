"""Forms of research, plans, evaluations and the dashboard (validation and UI only; writes go through services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.core.validators import validate_mobile
from apps.marketing.choices import GoalMetric, PlanStatus, ResearchMethod, ResearchStatus
from apps.marketing.selectors.dashboard import PERIOD_CHOICES, PERIOD_QUARTER

DATE = {"type": "date"}
PAGE_SIZES = [("20", "20"), ("50", "50"), ("100", "100")]
GOAL_TWICE = _("Each goal can appear only once in a plan.")
GOAL_NEEDS_TARGET = _("Give the target of this goal.")


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


#
# Research
#


class ResearchForm(forms.Form):
    subject = forms.CharField(label=_("Research subject"), max_length=200)
    target_market = forms.CharField(label=_("Target market"), max_length=200,
                                    help_text=_("The market or region the study names as a target."))
    segment = forms.CharField(label=_("Customer segment"), max_length=200, required=False)
    method = forms.ChoiceField(label=_("Research method"), choices=ResearchMethod.choices)
    period_start = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    period_end = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    status = forms.ChoiceField(label=_("Status"), choices=ResearchStatus.choices)
    findings = forms.CharField(label=_("Findings"), required=False, widget=_text(4))
    competitors = forms.CharField(label=_("Competitors"), required=False, widget=_text())
    conclusions = forms.CharField(label=_("Conclusions"), required=False, widget=_text())


class ResearchFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses")), *ResearchStatus.choices])
    method = forms.ChoiceField(required=False, choices=[("", _("All methods")), *ResearchMethod.choices])
    page_size = forms.ChoiceField(required=False, choices=PAGE_SIZES)


class ResearchLeadForm(forms.Form):
    """One potential customer found by the study; an entirely blank row is skipped."""

    company_name = forms.CharField(label=_("Company"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact"), max_length=50, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False, validators=[validate_mobile])
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if any(data.get(k) for k in ("contact_name", "mobile", "region", "notes")):
            for name in ("company_name", "contact_name"):
                if not data.get(name):
                    self.add_error(name, _("Required when the row is filled in."))
        return data

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(k) for k in self.fields)


ResearchLeadFormSet = forms.formset_factory(ResearchLeadForm, extra=5, max_num=50)


#
# Plans
#


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Plan title"), max_length=200)
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    period_end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    strategic_goal = forms.CharField(label=_("Company strategic goal served"), widget=_text(2))
    expansion_strategy = forms.CharField(label=_("Expansion strategy"), required=False, widget=_text())
    promotion_plan = forms.CharField(label=_("Promotion plan"), required=False, widget=_text())
    budget = forms.DecimalField(label=_("Budget (CNY)"), max_digits=14, decimal_places=2, min_value=Decimal("0"),
                                initial=Decimal("0"))


class PlanGoalForm(forms.Form):
    metric = forms.ChoiceField(label=_("Goal"), required=False, choices=[("", "—"), *GoalMetric.choices])
    target_value = forms.DecimalField(label=_("Target value"), required=False, max_digits=14, decimal_places=2,
                                      min_value=Decimal("0.01"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("metric") and data.get("target_value") is None and "target_value" not in self.errors:
            self.add_error("target_value", GOAL_NEEDS_TARGET)
        return data


class BasePlanGoalFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        metrics = [f.cleaned_data.get("metric") for f in self.forms if f.cleaned_data.get("metric")]
        if len(metrics) != len(set(metrics)):
            raise forms.ValidationError(GOAL_TWICE)

    def goals(self) -> list[dict[str, Any]]:
        return [{"metric": f.cleaned_data["metric"], "target_value": f.cleaned_data["target_value"]}
                for f in self.forms if f.cleaned_data.get("metric")]


PlanGoalFormSet = forms.formset_factory(PlanGoalForm, formset=BasePlanGoalFormSet, extra=0,
                                        max_num=len(GoalMetric.choices))


def goal_formset(data: Any = None, goals: list[dict[str, Any]] | None = None) -> BasePlanGoalFormSet:
    """The goal lines formset: the plan's lines plus empty ones up to one per metric."""
    initial = list(goals or [])
    initial += [{} for _ in range(len(GoalMetric.choices) - len(initial))]
    return PlanGoalFormSet(data, initial=initial, prefix="goals")


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses")), *PlanStatus.choices])
    page_size = forms.ChoiceField(required=False, choices=PAGE_SIZES)


class PlanDecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False, widget=_text(2))


#
# Evaluations
#


class EvaluationCreateForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Market development plan"), queryset=None)
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    period_end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))

    def __init__(self, *args: Any, plans: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans


class EvaluationForm(forms.Form):
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    period_end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    market_share_estimate = forms.DecimalField(
        label=_("Market share estimate (%)"), required=False, max_digits=5, decimal_places=2,
        help_text=_("Market share cannot be counted from the records; enter your estimate."))
    feedback = forms.CharField(label=_("Evaluation and feedback"), required=False, widget=_text(4))
    strategy_adjustment = forms.CharField(label=_("Strategy adjustments"), required=False, widget=_text())
    improvement_suggestions = forms.CharField(label=_("Improvement suggestions"), required=False, widget=_text())


class EvaluationFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses")), ("draft", _("Draft")),
                                                        ("completed", _("Completed"))])
    page_size = forms.ChoiceField(required=False, choices=PAGE_SIZES)


#
# Dashboard
#


class DashboardPeriodForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False, choices=PERIOD_CHOICES, initial=PERIOD_QUARTER)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))

    def chosen(self) -> tuple[str, dt.date | None, dt.date | None]:
        if not self.is_valid():
            return PERIOD_QUARTER, None, None
        data = self.cleaned_data
        return data.get("period") or PERIOD_QUARTER, data.get("start"), data.get("end")
