"""Forms of sales target evaluations and of the attainment/dashboard period filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.core.forms import ServiceModelForm
from apps.sales.choices import EvaluationStatus, TargetMetric
from apps.sales.models import SalesEvaluation

DATE = {"type": "date"}
PAGE_SIZES = [("20", "20"), ("50", "50"), ("100", "100")]
DASHBOARD_PERIODS = [("month", _("This month")), ("quarter", _("This quarter")), ("year", _("This year"))]


DATE_INPUT = forms.DateInput(attrs=DATE, format="%Y-%m-%d")


def _text(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class TargetNodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.target_set.fiscal_year} · {obj.target_set.get_metric_display()} · {obj}"


class SalesEvaluationCreateForm(ServiceModelForm):
    class Meta:
        model = SalesEvaluation
        fields = ["node", "period_start", "period_end"]
        field_classes = {"node": TargetNodeChoiceField}
        labels = {"node": _("Target (department, team or person)")}
        widgets = {"period_start": DATE_INPUT, "period_end": DATE_INPUT}

    def __init__(self, *args: Any, nodes: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["node"]).queryset = nodes


class SalesEvaluationForm(ServiceModelForm):
    class Meta:
        model = SalesEvaluation
        fields = ["period_start", "period_end", "gap_analysis", "causes", "measures"]
        widgets = {
            "period_start": DATE_INPUT,
            "period_end": DATE_INPUT,
            "gap_analysis": _text(4),
            "causes": _text(),
            "measures": _text(),
        }


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
