"""Policy pages: the policy in force article by article, the rules in force, and the versions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views.generic import ListView, TemplateView

from apps.policy import selectors
from apps.policy.choices import (
    AssessedKind,
    AssessmentLevel,
    CustomerLevel,
    EvaluationKind,
    Frequency,
    Grade,
    KpiCode,
    KpiItem,
    RewardPenaltyAction,
    TicketPriority,
    TicketType,
)
from apps.policy.permissions import PolicyPerm
from apps.policy.rules import Rules


class PolicyReaderMixin(LoginRequiredMixin):
    """Pages anyone who may read the policy sees (every built-in role); others get 403.

    Not the generic scoped views: the policy has no data scope, everyone who may read it reads the same version."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_perm(PolicyPerm.VIEW_VERSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def rule_tables(rules: Rules) -> dict[str, Any]:
    """Every rule as rows with their labels, for the rules tables."""
    bands = rules.grade_bands
    return {
        "kpi_weights": [(KpiItem(i).label, rules.kpi_weights.weight(i)) for i in KpiItem.values],
        "kpi_total": rules.kpi_weights.total,
        "grade_bands": [(Grade(b.grade).label, b.min_score, bands[n - 1].min_score if n else None)
                        for n, b in enumerate(bands)],
        "priorities": TicketPriority.labels,
        "deadlines": [(t.label, [rules.deadline(t.value, p) for p in TicketPriority.values]) for t in TicketType],
        "cadence": [(CustomerLevel(c.level).label, c.days) for c in rules.contact_cadence],
        "recycle": [(CustomerLevel(r.level).label, r.days_without_follow_up, r.days_without_deal)
                    for r in rules.public_pool.recycle],
        "escalation": rules.service_escalation,
        "pool": rules.public_pool,
        "approval": rules.approval_thresholds,
        # Grouped by thousands in every language, as Chinese financial figures are (¥1,234,567.89).
        "contract_amount": f"¥{rules.approval_thresholds.contract_amount:,.2f}",
        "frequencies": [(k.label, Frequency(rules.evaluation_frequencies.of(k.value)).label) for k in EvaluationKind],
        "schemes": [(AssessedKind(s.kind).label, AssessmentLevel(s.level).label,
                     [(KpiCode(line.kpi).label, line.weight, line.target) for line in s.lines])
                    for s in rules.assessment.schemes],
        "assessment": rules.assessment,
        "proposals": [(Grade(g).label, RewardPenaltyAction(a).label) for g, a in rules.assessment.proposals],
    }


def _date_param(request: HttpRequest) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return None


class PolicyInForceView(PolicyReaderMixin, TemplateView):
    """The policy in force, chapter by chapter, in the interface language."""

    template_name = "policy/policy_in_force.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            version = selectors.policy_in_force()
        except selectors.NoPolicyInForce:
            return context
        context["version"] = version
        context["chapters"] = selectors.chapter_list(selectors.article_list(version))
        return context


class RulesInForceView(PolicyReaderMixin, TemplateView):
    """The rules in force today (or on ``?on=YYYY-MM-DD``), read-only."""

    template_name = "policy/rules_in_force.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        on = _date_param(self.request) or selectors.policy_today()
        context["on"] = on
        try:
            in_force = selectors.rules_in_force(on)
        except selectors.NoPolicyInForce:
            return context
        context["in_force"] = in_force
        context["tables"] = rule_tables(in_force.rules)
        return context


class VersionListView(PolicyReaderMixin, ListView):
    template_name = "policy/version_list.html"
    context_object_name = "versions"
    paginate_by = 20

    def get_queryset(self) -> Any:
        return selectors.version_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(today=selectors.policy_today(), in_force_id=selectors.policy_in_force_id())
        return context


class VersionDetailView(PolicyReaderMixin, TemplateView):
    """One version: its articles, its rules and its history."""

    template_name = "policy/version_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        version = selectors.version_get(user=self.request.user, pk=kwargs["pk"])
        context["version"] = version
        context["chapters"] = selectors.chapter_list(selectors.article_list(version))
        context["tables"] = rule_tables(selectors.version_rules(version))
        context.update(today=selectors.policy_today(), in_force_id=selectors.policy_in_force_id())
        return context
