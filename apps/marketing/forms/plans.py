"""Forms of research, plans, evaluations and the dashboard (validation and UI only; writes go through services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.core.forms import limit_choices
from apps.core.validators import validate_mobile
from apps.marketing.choices import GoalMetric, PlanStatus, ResearchMethod, ResearchStatus
from apps.marketing.models import MarketEvaluation, MarketPlan, MarketResearch
from apps.marketing.selectors.dashboard import PERIOD_CHOICES, PERIOD_QUARTER

DATE = {"type": "date"}
PAGE_SIZES = [("20", "20"), ("50", "50"), ("100", "100")]
# The date pickers of a record's period (a study, a plan, an evaluation).
PERIOD_WIDGETS = {name: forms.DateInput(attrs=DATE, format="%Y-%m-%d") for name in ("period_start", "period_end")}
GOAL_TWICE = _("Each goal can appear only once in a plan.")
GOAL_NEEDS_TARGET = _("Give the target of this goal.")


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


#
# Research
#


class ResearchForm(forms.ModelForm):
    """The study's own fields, declared once on the model; the service checks the period."""

    class Meta:
        model = MarketResearch
        fields = [
            "subject",
            "target_market",
            "segment",
            "method",
            "period_start",
            "period_end",
            "status",
            "findings",
            "competitors",
            "conclusions",
        ]
        widgets = {
            **PERIOD_WIDGETS,
            "findings": _text(4),
            "competitors": _text(),
            "conclusions": _text(),
        }
        help_texts = {"target_market": _("The market or region the study names as a target.")}


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
        data = super().clean() or {}
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


class PlanForm(forms.ModelForm):
    """The plan's own fields, declared once on the model; the service checks the period and the budget."""

    class Meta:
        model = MarketPlan
        fields = [
            "title",
            "period_start",
            "period_end",
            "strategic_goal",
            "expansion_strategy",
            "promotion_plan",
            "budget",
        ]
        widgets = {
            **PERIOD_WIDGETS,
            "strategic_goal": _text(2),
            "expansion_strategy": _text(),
            "promotion_plan": _text(),
        }


class PlanGoalForm(forms.Form):
    metric = forms.ChoiceField(label=_("Goal"), required=False, choices=[("", "—"), *GoalMetric.choices])
    target_value = forms.DecimalField(
        label=_("Target value"), required=False, max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
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
        return [
            {"metric": f.cleaned_data["metric"], "target_value": f.cleaned_data["target_value"]}
            for f in self.forms
            if f.cleaned_data.get("metric")
        ]


PlanGoalFormSet = forms.formset_factory(
    PlanGoalForm, formset=BasePlanGoalFormSet, extra=0, max_num=len(GoalMetric.choices)
)


def goal_formset(data: Any = None, goals: list[dict[str, Any]] | None = None) -> BasePlanGoalFormSet:
    """The goal lines formset: the plan's lines plus empty ones up to one per metric."""
    initial = list(goals or [])
    initial += [{} for _ in range(len(GoalMetric.choices) - len(initial))]
    return cast(BasePlanGoalFormSet, PlanGoalFormSet(data, initial=initial, prefix="goals"))


class PlanFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses")), *PlanStatus.choices])
    page_size = forms.ChoiceField(required=False, choices=PAGE_SIZES)


class PlanDecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False, widget=_text(2))


#
# Evaluations
#


class EvaluationCreateForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Market development plan"), queryset=MarketPlan.objects.none())
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    period_end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))

    def __init__(self, *args: Any, plans: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "plan", plans)


class EvaluationForm(forms.ModelForm):
    """The manager's writing on an evaluation, declared once on the model; the service checks period and share."""

    class Meta:
        model = MarketEvaluation
        fields = [
            "period_start",
            "period_end",
            "market_share_estimate",
            "feedback",
            "strategy_adjustment",
            "improvement_suggestions",
        ]
        widgets = {
            **PERIOD_WIDGETS,
            "feedback": _text(4),
            "strategy_adjustment": _text(),
            "improvement_suggestions": _text(),
        }
        help_texts = {
            "market_share_estimate": _("Market share cannot be counted from the records; enter your estimate.")
        }


class EvaluationFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", _("All statuses")), ("draft", _("Draft")), ("completed", _("Completed"))]
    )
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
