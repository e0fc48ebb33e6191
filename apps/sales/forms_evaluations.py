"""Forms of sales target evaluations and of the attainment/dashboard period filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.sales.choices import EvaluationStatus, TargetMetric

DATE = {"type": "date"}
PAGE_SIZES = [("20", "20"), ("50", "50"), ("100", "100")]
DASHBOARD_PERIODS = [("month", _("This month")), ("quarter", _("This quarter")), ("year", _("This year"))]


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class TargetNodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.target_set.fiscal_year} · {obj.target_set.get_metric_display()} · {obj}"


class SalesEvaluationCreateForm(forms.Form):
    node = TargetNodeChoiceField(label=_("Target (department, team or person)"), queryset=None)
    period_start = _date(_("Period start"))
    period_end = _date(_("Period end"))

    def __init__(self, *args: Any, nodes: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["node"]).queryset = nodes


class SalesEvaluationForm(forms.Form):
    period_start = _date(_("Period start"))
    period_end = _date(_("Period end"))
    gap_analysis = forms.CharField(label=_("Analysis of the gap"), required=False, widget=_text(4))
    causes = forms.CharField(label=_("Causes"), required=False, widget=_text())
    measures = forms.CharField(label=_("Improvement measures"), required=False, widget=_text())


class SalesEvaluationFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses")), *EvaluationStatus.choices])
    page_size = forms.ChoiceField(required=False, choices=PAGE_SIZES)


class DashboardForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False, choices=DASHBOARD_PERIODS)
    metric = forms.ChoiceField(label=_("Metric"), required=False, choices=TargetMetric.choices)

    def chosen(self) -> tuple[str, str]:
        """The period kind and metric asked for, defaulting to this month and the signed contract amount."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("period") or "month", data.get("metric") or TargetMetric.CONTRACT_AMOUNT
