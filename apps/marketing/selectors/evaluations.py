"""Reads of market development evaluations (市场开发评估): the list, the figures an evaluation shows (live while
in draft, the frozen snapshot once completed), calendar periods, and which executing plans are due an evaluation
under the evaluation frequency of the rules in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Max, Prefetch, QuerySet

from apps.core.periods import period_containing  # noqa: F401 -- also read from here (demo, dashboard)
from apps.marketing.choices import EvaluationStatus, PlanStatus
from apps.marketing.models import MarketEvaluation, MarketPlan, PlanGoal
from apps.marketing.selectors.plans import GoalLine, plan_goal_actuals
from apps.policy.choices import EvaluationKind, Frequency

MONTHS_PER_PERIOD = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.HALF_YEARLY: 6, Frequency.YEARLY: 12}


def previous_period(frequency: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete period of the given frequency before ``today`` (e.g. last month, last quarter)."""
    months = MONTHS_PER_PERIOD[Frequency(frequency)]
    current_start, _ = period_containing(today, months)
    return period_containing(current_start - dt.timedelta(days=1), months)


def evaluation_list(*, user: Any, plan: MarketPlan | None = None, status: str = "") -> QuerySet[MarketEvaluation]:
    """The evaluations the user may see, with their plan and owner loaded."""
    qs = MarketEvaluation.objects.visible_to(user).select_related("plan", "owner", "owner_unit")
    if plan is not None:
        qs = qs.filter(plan=plan)
    if status:
        qs = qs.filter(status=status)
    return qs


def evaluation_figures(*, evaluation: MarketEvaluation) -> list[GoalLine]:
    """Actual vs target per goal line: computed live for a draft, the frozen snapshot once completed."""
    if evaluation.status == EvaluationStatus.COMPLETED:
        return [
            GoalLine(
                row["metric"],
                row["label"],
                Decimal(row["target"]),
                None if row["actual"] is None else Decimal(row["actual"]),
                None if row["completion_pct"] is None else Decimal(row["completion_pct"]),
                row.get("note", ""),
            )
            for row in evaluation.snapshot
        ]
    plan = (
        MarketPlan.objects.select_related("owner_unit")
        .prefetch_related(Prefetch("goals", queryset=PlanGoal.objects.order_by("id")))
        .get(pk=evaluation.plan_id)
    )
    return plan_goal_actuals(
        plan=plan,
        start=evaluation.period_start,
        end=evaluation.period_end,
        market_share=evaluation.market_share_estimate,
    )


def evaluation_frequency(rules: Any) -> str:
    """How often market development is evaluated, per the rules in force."""
    return str(rules.evaluation_frequencies.of(EvaluationKind.MARKET_DEVELOPMENT))


def plans_due_evaluation(*, user: Any, rules: Any, today: dt.date) -> tuple[list[MarketPlan], tuple[dt.date, dt.date]]:
    """Executing plans the user may evaluate that have no evaluation reaching the end of the last complete period
    (the frequency comes from the rules in force); two queries at most."""
    if not user.has_perm("marketing.add_marketevaluation"):
        return [], (today, today)
    start, end = previous_period(evaluation_frequency(rules), today)
    plans = (
        MarketPlan.objects.visible_to(user, "change")
        .filter(status=PlanStatus.EXECUTING, period_start__lte=end)
        .annotate(last_evaluated=Max("evaluations__period_end"))
        .order_by("period_start", "pk")
    )
    due = [p for p in plans if p.last_evaluated is None or p.last_evaluated < end]  # type: ignore[attr-defined]
    return due, (start, end)
