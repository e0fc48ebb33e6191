"""Reads of market development plans and the actual of each goal line, computed from the records, never typed in.

A lead is attributed to a plan directly (``lead.plan``) or through its campaign (``lead.campaign.plan``); the
direct attribution wins. Actuals are facts of the plan, not of the viewer, so they are counted over all records
(the viewer already had to see the plan). One aggregate query per kind of record, whatever the number of plans.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.scoping import can, get_visible_or_404
from apps.marketing.choices import CampaignStatus, GoalMetric, PlanStatus
from apps.marketing.models import Campaign, Lead, MarketPlan, PlanGoal, Visit
from apps.marketing.models.plans import PLAN_ACTIONS, PLAN_WORKFLOW, PlanRole
from apps.org.choices import BuiltinRole
from apps.org.models import User

# A metric another app measures (revenue from new customers: sales) registers
# fn(*, plans, start, end) -> {plan_id: value}. Until then its actual is unknown, shown as "—", never 0.
GoalMetricProvider = Callable[..., dict[int, Decimal]]
_providers: dict[str, GoalMetricProvider] = {}

NOT_MEASURED_YET = _("measured once sales is in use")
ENTERED_ON_EVALUATION = _("an estimate, entered on the evaluation")
AFTER_CONVERSION = _("Contracts signed on or after the customer's conversion from a lead of the plan.")
COUNT_METRICS = (
    GoalMetric.NEW_LEADS,
    GoalMetric.QUALIFIED_LEADS,
    GoalMetric.NEW_CUSTOMERS,
    GoalMetric.CAMPAIGNS_HELD,
    GoalMetric.VISITS,
)


def register_goal_metric(metric: str, fn: GoalMetricProvider) -> None:
    """Let a higher app (sales) measure a goal metric; called from its ``AppConfig.ready``."""
    _providers[GoalMetric(metric).value] = fn


def unregister_goal_metric(metric: str) -> None:
    _providers.pop(metric, None)


@dataclass(frozen=True)
class GoalLine:
    """One goal line: target, actual (None while it cannot be measured) and completion in %."""

    metric: str
    label: str
    target: Decimal
    actual: Decimal | None
    completion_pct: Decimal | None
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "label": self.label,
            "target": str(self.target),
            "actual": None if self.actual is None else str(self.actual),
            "completion_pct": None if self.completion_pct is None else str(self.completion_pct),
            "note": self.note,
        }


def completion(actual: Decimal | None, target: Decimal) -> Decimal | None:
    """Actual as a percentage of target, one decimal; unknown when either is unknown or the target is 0."""
    if actual is None or not target:
        return None
    return (Decimal(actual) * 100 / Decimal(target)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period as aware datetimes [start 00:00, day after end 00:00) in the current time zone."""
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return first, after


def _lead_counts(plan_ids: list[int], start: dt.date, end: dt.date) -> dict[int, Mapping[str, Any]]:
    """New, qualified and converted attributed leads per plan in the period: one query."""
    first, after = period_bounds(start, end)
    rows = (
        Lead.objects.annotate(attributed=Coalesce("plan_id", "campaign__plan_id"))
        .filter(attributed__in=plan_ids)
        .values("attributed")
        .annotate(
            new=Count("id", filter=Q(created_at__gte=first, created_at__lt=after)),
            qualified=Count("id", filter=Q(qualified_at__gte=first, qualified_at__lt=after)),
            converted=Count("id", filter=Q(converted_at__gte=first, converted_at__lt=after)),
        )
    )
    return {row["attributed"]: row for row in rows}


def _campaign_counts(plan_ids: list[int], start: dt.date, end: dt.date) -> dict[int, int]:
    """The plan's campaigns (not cancelled) starting in the period: one query."""
    rows = (
        Campaign.objects.filter(plan_id__in=plan_ids, start_date__gte=start, start_date__lte=end)
        .exclude(status=CampaignStatus.CANCELLED)
        .values("plan_id")
        .annotate(n=Count("id"))
    )
    return {row["plan_id"]: row["n"] for row in rows}


def _visit_counts(plans: list[MarketPlan], start: dt.date, end: dt.date) -> dict[int, int]:
    """Visits in the period by people of each plan's department subtree: one query grouped by department."""
    rows = (
        Visit.objects.filter(visited_on__gte=start, visited_on__lte=end)
        .values("owner_unit__path")
        .annotate(n=Count("id"))
    )
    per_path = [(row["owner_unit__path"] or "", row["n"]) for row in rows]
    return {plan.pk: sum(n for path, n in per_path if path.startswith(plan.owner_unit.path)) for plan in plans}


def _measured(plans: list[MarketPlan], start: dt.date, end: dt.date) -> dict[str, dict[int, Decimal]]:
    """Every measurable metric for every plan over one period."""
    ids = [p.pk for p in plans]
    leads = _lead_counts(ids, start, end)
    campaigns = _campaign_counts(ids, start, end)
    visits = _visit_counts(plans, start, end)
    values: dict[str, dict[int, Decimal]] = {
        GoalMetric.NEW_LEADS: {i: Decimal(leads.get(i, {}).get("new", 0)) for i in ids},
        GoalMetric.QUALIFIED_LEADS: {i: Decimal(leads.get(i, {}).get("qualified", 0)) for i in ids},
        GoalMetric.NEW_CUSTOMERS: {i: Decimal(leads.get(i, {}).get("converted", 0)) for i in ids},
        GoalMetric.CAMPAIGNS_HELD: {i: Decimal(campaigns.get(i, 0)) for i in ids},
        GoalMetric.VISITS: {i: Decimal(visits.get(i, 0)) for i in ids},
    }
    for metric, provider in _providers.items():
        values[metric] = provider(plans=plans, start=start, end=end)
    return values


def _line(goal: PlanGoal, measured: dict[str, dict[int, Decimal]], market_share: Decimal | None) -> GoalLine:
    metric = goal.metric
    note = ""
    if metric == GoalMetric.MARKET_SHARE:
        actual, note = market_share, ("" if market_share is not None else str(ENTERED_ON_EVALUATION))
    elif metric in measured:
        actual = measured[metric].get(goal.plan_id)
        actual = Decimal("0") if actual is None and metric in COUNT_METRICS else actual
        note = str(AFTER_CONVERSION) if metric == GoalMetric.NEW_CUSTOMER_REVENUE else ""
    else:
        actual, note = None, str(NOT_MEASURED_YET)
    return GoalLine(
        metric, str(goal.get_metric_display()), goal.target_value, actual, completion(actual, goal.target_value), note
    )


def goal_actuals_for_plans(
    *,
    plans: Iterable[MarketPlan],
    start: dt.date | None = None,
    end: dt.date | None = None,
    market_share: Decimal | None = None,
) -> dict[int, list[GoalLine]]:
    """Each plan's goal lines with actuals over ``start``–``end`` (default: each plan's own period).

    Plans should come with ``goals`` prefetched and ``owner_unit`` selected. Queries: a few per distinct period.
    """
    plans = list(plans)
    by_period: dict[tuple[dt.date, dt.date], list[MarketPlan]] = defaultdict(list)
    for plan in plans:
        by_period[(start or plan.period_start, end or plan.period_end)].append(plan)
    result: dict[int, list[GoalLine]] = {}
    for (first, last), group in by_period.items():
        measured = _measured(group, first, last)
        for plan in group:
            result[plan.pk] = [_line(goal, measured, market_share) for goal in plan.goals.all()]
    return result


def plan_goal_actuals(
    *, plan: MarketPlan, start: dt.date, end: dt.date, market_share: Decimal | None = None
) -> list[GoalLine]:
    """The plan's goal lines with target, actual and completion over the period (one aggregate per kind)."""
    return goal_actuals_for_plans(plans=[plan], start=start, end=end, market_share=market_share)[plan.pk]


def plan_list(*, user: Any, status: str = "", owner: Any = None) -> QuerySet[MarketPlan]:
    """The plans the user may see, with owner, department and goal lines loaded."""
    qs = (
        MarketPlan.objects.visible_to(user)
        .select_related("owner", "owner_unit", "approved_by")
        .prefetch_related(Prefetch("goals", queryset=PlanGoal.objects.order_by("id")))
    )
    if status:
        qs = qs.filter(status=status)
    if owner is not None:
        qs = qs.filter(owner=owner)
    return qs


def plan_get(*, user: Any, pk: Any, action: str = "view") -> MarketPlan:
    """One plan the user may ``action``; out of scope is 404."""
    plan: MarketPlan = get_visible_or_404(MarketPlan, user, pk, action)
    return plan


def plans_awaiting_approval(*, user: Any) -> QuerySet[MarketPlan]:
    """Submitted plans the user may approve: within their scope, and not their own."""
    if not user.has_perm("marketing.approve_marketplan"):
        return MarketPlan.objects.none()

    return (
        MarketPlan.objects.visible_to(user, "change")
        .filter(status=PlanStatus.SUBMITTED)
        .exclude(owner=user)
        .select_related("owner")
    )


def senior_management() -> QuerySet[User]:
    """The people to report to (公司高层): users in service holding the senior management role."""
    return User.objects.filter(
        is_active=True, employee__is_active=True, employee__roles__code=BuiltinRole.SENIOR_MANAGEMENT
    ).distinct()


def plan_approvers(*, plan: MarketPlan) -> QuerySet[User]:
    """Who is asked to approve a submitted plan: the managers of its department and of the departments above."""
    ids = [int(part) for part in plan.owner_unit.path.strip("/").split("/") if part]
    return User.objects.filter(managed_departments__pk__in=ids, is_active=True).exclude(pk=plan.owner_id).distinct()


def plan_roles(user: Any, plan: MarketPlan) -> frozenset[str]:
    """The roles of ``PLAN_WORKFLOW`` the user holds for the plan (sharing grants none)."""
    if not can(user, "change", plan):
        return frozenset()
    roles = {PlanRole.CHANGER}
    if user.has_perm("marketing.approve_marketplan") and plan.owner_id != user.pk:
        roles.add(PlanRole.APPROVER)
    return frozenset(roles)


def plan_allowed(user: Any, plan: MarketPlan) -> list[str]:
    """The steps of ``PLAN_WORKFLOW`` the user may take on the plan now, in the table's order."""
    roles = plan_roles(user, plan)
    steps = PLAN_WORKFLOW.get(plan.status, {})
    return [action for action in PLAN_ACTIONS if action in steps and steps[action].who & roles]
