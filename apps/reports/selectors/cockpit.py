"""The executive cockpit (policy arts. 4–7, 10): market development, sales, service, performance and improvement
figures for a period, each with 环比 and 同比, all read through the other apps' own selectors (the same figure as on
their dashboards, never a second formula) and within the viewer's scope (``visible_to``).

Sections: senior management and the leadership group see all; a department manager sees the section of their own
department's kind (the sales manager sees sales only). Every section runs a fixed number of queries per period
(three periods: the period, 环比, 同比), so the page's query count does not grow with the data.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.core import dataversion
from apps.core.periods import month_end
from apps.improvements.models import IMPROVEMENT_OPEN_STATUSES, ImprovementAction
from apps.improvements.selectors import effect_check_due_q, overdue_q
from apps.marketing.choices import CampaignStatus
from apps.marketing.models import Campaign
from apps.marketing.selectors.campaigns import metrics_for, revenue_measurable
from apps.marketing.selectors.dashboard import lead_funnel, plan_completion
from apps.org.choices import DepartmentKind
from apps.performance.choices import CycleStatus, ProposalStatus, SubjectKind
from apps.performance.models import Assessment, AssessmentCycle, RewardPenalty
from apps.policy.choices import InterpretationStatus
from apps.policy.selectors import (
    AcknowledgementRow,
    NoPolicyInForce,
    acknowledgement_list,
    interpretation_list,
    policy_in_force,
)
from apps.reports.permissions import ReportPerm
from apps.reports.selectors.periods import ReportPeriod
from apps.sales.choices import TargetMetric
from apps.sales.selectors.attainment import Period as SalesPeriod
from apps.sales.selectors.attainment import (
    attainment_for_nodes,
    counted_records,
    half_up,
    make_period,
    tree_nodes,
)
from apps.sales.selectors.dashboard import dashboard_target_set, funnel, leaderboard, top_nodes
from apps.service.models import Ticket
from apps.service.selectors.dashboard import Period as ServicePeriod
from apps.service.selectors.dashboard import compliance, times_and_complaints
from apps.surveys.models import SurveyResponse
from apps.surveys.selectors.results import satisfaction_summary, satisfaction_trend

MARKET, SALES, SERVICE, PERFORMANCE, IMPROVEMENT = "market", "sales", "service", "performance", "improvement"
POLICY = "policy"
SECTIONS = (MARKET, SALES, SERVICE, PERFORMANCE, POLICY, IMPROVEMENT)
SECTION_LABELS = {
    MARKET: _("Market development"),
    SALES: _("Sales"),
    SERVICE: _("Customer service"),
    PERFORMANCE: _("Performance"),
    POLICY: _("Policy"),
    IMPROVEMENT: _("Improvement actions"),
}
KIND_SECTION: dict[str, str] = {
    DepartmentKind.MARKET_DEVELOPMENT: MARKET,
    DepartmentKind.SALES: SALES,
    DepartmentKind.CUSTOMER_SERVICE: SERVICE,
}
COUNT, MONEY, PCT, SCORE, DATE = "count", "money", "pct", "score", "date"
LEADERS = 5
# A question still waiting for the leadership group: asked, or answered but not yet published.
OPEN_INTERPRETATION_STATUSES = (InterpretationStatus.ASKED, InterpretationStatus.ANSWERED)
ALL_PEOPLE = 100_000


def _pct(part: Any, whole: Any) -> Decimal | None:
    if part is None or not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FigureSpec:
    key: str
    label: Any
    unit: str
    drill: bool = False
    compare: bool = True


SPECS: dict[str, list[FigureSpec]] = {
    MARKET: [
        FigureSpec("leads", _("New leads"), COUNT, drill=True),
        FigureSpec("qualified", _("Qualified leads"), COUNT, drill=True),
        FigureSpec("converted", _("Converted leads"), COUNT, drill=True),
        FigureSpec("conversion_pct", _("Lead conversion rate"), PCT),
        FigureSpec("campaign_cost", _("Campaign cost"), MONEY),
        FigureSpec("campaign_revenue", _("Campaign revenue"), MONEY),
        FigureSpec("campaign_roi_pct", _("Campaign ROI"), PCT),
        FigureSpec("plan_completion_pct", _("Market plan completion"), PCT),
    ],
    SALES: [
        FigureSpec("contract_amount", _("Contracts signed"), MONEY, drill=True),
        FigureSpec("payments", _("Payments received"), MONEY, drill=True),
        FigureSpec("new_customers", _("New customers"), COUNT),
        FigureSpec("target", _("Sales target of the period"), MONEY),
        FigureSpec("attained", _("Actual against the target"), MONEY),
        FigureSpec("attainment_pct", _("Target completion"), PCT),
        FigureSpec("forecast", _("Forecast for the year"), MONEY),
    ],
    SERVICE: [
        FigureSpec("first_response_pct", _("First response on time"), PCT),
        FigureSpec("resolution_pct", _("Resolved on time"), PCT),
        FigureSpec("complaints", _("Complaints"), COUNT, drill=True),
        FigureSpec("complaints_resolved_pct", _("Complaints resolved"), PCT),
        FigureSpec("csat", _("CSAT (1–5)"), SCORE),
        FigureSpec("nps", _("NPS"), SCORE),
        FigureSpec("responses", _("Survey answers"), COUNT),
    ],
    PERFORMANCE: [
        FigureSpec("rewards", _("Rewards approved"), COUNT),
        FigureSpec("reward_amount", _("Reward amount"), MONEY),
        FigureSpec("penalties", _("Penalties approved"), COUNT),
        FigureSpec("penalty_amount", _("Penalty amount"), MONEY),
    ],
    POLICY: [
        FigureSpec("ack_share", _("Share who acknowledged the version in force"), PCT),
        FigureSpec("ack_pending", _("Employees yet to acknowledge"), COUNT),
        FigureSpec("interpretations_asked", _("Interpretations asked"), COUNT),
        FigureSpec("interpretations_open", _("Interpretations open now"), COUNT, compare=False),
        FigureSpec("next_review", _("Next review of the version in force"), DATE, compare=False),
    ],
    IMPROVEMENT: [
        FigureSpec("improvements_raised", _("Actions raised"), COUNT, drill=True),
        FigureSpec("improvements_verified", _("Actions verified effective"), COUNT, drill=True),
        FigureSpec("improvements_effective", _("Actions whose figure moved at the next evaluation"), COUNT, drill=True),
        FigureSpec("improvements_not_effective", _("Actions whose figure did not move"), COUNT, drill=True),
        FigureSpec("improvements_open", _("Actions open now"), COUNT, drill=True, compare=False),
        FigureSpec("improvements_overdue", _("Actions overdue now"), COUNT, drill=True, compare=False),
        FigureSpec("improvements_checks_due", _("Effectiveness checks due now"), COUNT, drill=True, compare=False),
    ],
}
SPEC_BY_KEY = {spec.key: (section, spec) for section, specs in SPECS.items() for spec in specs}


def bounds(period: ReportPeriod) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in China Standard Time."""
    return period.bounds


def sections_for(user: Any) -> list[str]:
    """The cockpit's sections the user sees: all for the company cockpit, else their department's area."""
    if user.is_superuser or user.has_perm(str(ReportPerm.VIEW_COMPANY_COCKPIT)):
        return list(SECTIONS)
    if not user.has_perm(str(ReportPerm.VIEW_COCKPIT)):
        return []
    employee = getattr(user, "employee", None)
    section = KIND_SECTION.get(getattr(getattr(employee, "department", None), "kind", ""))
    return [section] if section else []


#
# The values of each section for one period (the selectors of the apps that own the figures)
#


def market_values(user: Any, period: ReportPeriod) -> dict[str, Any]:
    steps = {s.key: s.count for s in lead_funnel(user=user, start=period.start, end=period.end)}
    campaigns = (
        Campaign.objects.visible_to(user)
        .filter(start_date__lte=period.end, end_date__gte=period.start)
        .exclude(status=CampaignStatus.CANCELLED)
    )
    metrics = list(metrics_for(campaigns).values())
    cost = sum((m.cost for m in metrics), Decimal("0"))
    revenue = None
    if revenue_measurable():
        revenue = sum((m.revenue or Decimal("0") for m in metrics), Decimal("0"))
    lines = [
        line.completion_pct
        for p in plan_completion(user=user, start=period.start, end=period.end)
        for line in p.lines
        if line.completion_pct is not None
    ]
    return {
        "leads": steps["new"],
        "qualified": steps["qualified"],
        "converted": steps["converted"],
        "conversion_pct": _pct(steps["converted"], steps["new"]),
        "campaign_cost": cost,
        "campaign_revenue": revenue,
        "campaign_roi_pct": None if revenue is None else _pct(revenue - cost, cost),
        "plan_completion_pct": (sum(lines, Decimal("0")) / len(lines)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if lines
        else None,
    }


def _month_share(period: ReportPeriod, year: int, month: int) -> tuple[dt.date, dt.date, int, int]:
    """The days of a month the period covers: (first, last, days covered, days in the month)."""
    last_day = month_end(year, month)
    first = max(period.start, dt.date(year, month, 1))
    last = min(period.end, last_day)
    return first, last, (last - first).days + 1, last_day.day


def _attainment(user: Any, period: ReportPeriod, today: dt.date) -> dict[str, Any]:
    """Target and actual of the period by the sales attainment of the viewer's top target nodes (the company for
    management, the department for a manager), one target set per year. A month the period covers whole counts its
    target and actual; a month it covers in part counts the target pro rata by days (rounded to the fen) and the
    records of the days covered only (``counted_records``: the same attribution rule as the attainment tree)."""
    target = attained = Decimal("0")
    forecast = None
    monthly: dict[str, Any] = {}
    found = False
    for year in range(period.start.year, period.end.year + 1):
        target_set = dashboard_target_set(year, TargetMetric.CONTRACT_AMOUNT)
        if target_set is None:
            continue
        tops = top_nodes(tree_nodes(target_set, user))
        figures = attainment_for_nodes(tops, make_period("year", year), as_of=today)
        first_month = period.start.month if year == period.start.year else 1
        last_month = period.end.month if year == period.end.year else 12
        for f in figures:
            found = True
            for month in range(first_month, last_month + 1):
                first, last, covered, days = _month_share(period, year, month)
                if covered == days:
                    target += f.monthly_target[month - 1]
                    attained += f.monthly_actual[month - 1]
                    continue
                target += half_up(Decimal(f.monthly_target[month - 1]) * covered / days)
                part = SalesPeriod("custom", year, first, last, (month,), f"{first}~{last}")
                attained += counted_records(f.node, part).total
        if year == period.end.year and figures:
            forecast = sum((f.forecast for f in figures), Decimal("0"))
            monthly = {
                "months": [f"{m}" for m in range(1, 13)],
                "monthly_target": [float(sum(f.monthly_target[m] for f in figures)) for m in range(12)],
                "monthly_actual": [float(sum(f.monthly_actual[m] for f in figures)) for m in range(12)],
            }
    if not found:
        return {"target": None, "attained": None, "attainment_pct": None, "forecast": None, "monthly": {}}
    return {
        "target": target,
        "attained": attained,
        "attainment_pct": _pct(attained, target),
        "forecast": forecast,
        "monthly": monthly,
    }


def sales_values(user: Any, period: ReportPeriod, today: dt.date) -> dict[str, Any]:
    boards = {
        m: leaderboard(user=user, metric=m, start=period.start, end=period.end, limit=ALL_PEOPLE)
        for m in (TargetMetric.CONTRACT_AMOUNT, TargetMetric.PAYMENTS, TargetMetric.NEW_CUSTOMERS)
    }
    attainment = _attainment(user, period, today)
    return {
        "contract_amount": sum((r.value for r in boards[TargetMetric.CONTRACT_AMOUNT]), Decimal("0")),
        "payments": sum((r.value for r in boards[TargetMetric.PAYMENTS]), Decimal("0")),
        "new_customers": int(sum((r.value for r in boards[TargetMetric.NEW_CUSTOMERS]), Decimal("0"))),
        "target": attainment["target"],
        "attained": attainment["attained"],
        "attainment_pct": attainment["attainment_pct"],
        "forecast": attainment["forecast"],
        "_board": boards[TargetMetric.CONTRACT_AMOUNT],
        "_monthly": attainment["monthly"],
    }


def service_values(user: Any, period: ReportPeriod, now: dt.datetime) -> dict[str, Any]:
    visible = Ticket.objects.visible_to(user)
    service_period = ServicePeriod("custom", period.start, period.end)
    done = compliance(visible, period=service_period, now=now)
    times = times_and_complaints(visible, period=service_period)
    first, after = bounds(period)
    summary = satisfaction_summary(
        SurveyResponse.objects.visible_to(user).filter(submitted_at__gte=first, submitted_at__lt=after)
    )
    return {
        "first_response_pct": done.first_response_pct,
        "resolution_pct": done.resolution_pct,
        "complaints": times.complaint_total,
        "complaints_resolved_pct": times.complaint_resolved_pct,
        "csat": summary["csat"],
        "nps": summary["nps"],
        "responses": summary["count"],
    }


def performance_values(user: Any, period: ReportPeriod) -> dict[str, Any]:
    first, after = bounds(period)
    row = (
        RewardPenalty.objects.visible_to(user)
        .filter(status=ProposalStatus.APPROVED, decided_at__gte=first, decided_at__lt=after)
        .aggregate(
            rewards=Count("pk", filter=Q(is_reward=True)),
            penalties=Count("pk", filter=Q(is_reward=False)),
            reward_amount=Sum("amount", filter=Q(is_reward=True)),
            penalty_amount=Sum("amount", filter=Q(is_reward=False)),
        )
    )
    return {
        "rewards": row["rewards"],
        "penalties": row["penalties"],
        "reward_amount": row["reward_amount"] or Decimal("0"),
        "penalty_amount": row["penalty_amount"] or Decimal("0"),
    }


def policy_values(user: Any, period: ReportPeriod, today: dt.date, now: dt.datetime) -> dict[str, Any]:
    """The policy's reach (policy arts. 14, 15), read through the policy app's selectors in the viewer's scope: the
    share of the employees asked who had confirmed the version in force at the period's end (or now, for a period
    not yet over) — the acknowledgement page's figure —, the questions asked in the period and those open now, and
    the next review of the version in force today."""
    first, after = bounds(period)
    cutoff = min(after, now)
    try:
        version: Any = policy_in_force(min(period.end, today))
    except NoPolicyInForce:
        version = None
    asked = confirmed = 0
    if version is not None:
        row = acknowledgement_list(user=user, version=version).aggregate(
            asked=Count("pk"), confirmed=Count("pk", filter=Q(confirmed_at__lt=cutoff))
        )
        asked, confirmed = row["asked"], row["confirmed"]
    share = AcknowledgementRow(None, "", asked, confirmed)
    questions = (
        interpretation_list(user=user)
        .order_by()
        .aggregate(
            asked=Count("pk", filter=Q(created_at__gte=first, created_at__lt=after)),
            open=Count("pk", filter=Q(status__in=OPEN_INTERPRETATION_STATUSES)),
        )
    )
    try:
        current: Any = policy_in_force(today)
    except NoPolicyInForce:
        current = None
    return {
        "ack_share": share.share if asked else None,
        "ack_pending": share.pending if version is not None else None,
        "interpretations_asked": questions["asked"],
        "interpretations_open": questions["open"],
        "next_review": getattr(current, "next_review_on", None),
        "_version": current,
    }


def improvement_values(user: Any, period: ReportPeriod, today: dt.date) -> dict[str, Any]:
    first, after = bounds(period)
    row = ImprovementAction.objects.visible_to(user).aggregate(
        raised=Count("pk", filter=Q(created_at__gte=first, created_at__lt=after)),
        verified=Count("pk", filter=Q(verified_at__gte=first, verified_at__lt=after, status="verified")),
        open=Count("pk", filter=Q(status__in=IMPROVEMENT_OPEN_STATUSES)),
        overdue=Count("pk", filter=overdue_q(today)),
        effective=Count("pk", filter=Q(effect_checked_at__gte=first, effect_checked_at__lt=after, effect_moved=True)),
        not_effective=Count(
            "pk", filter=Q(effect_checked_at__gte=first, effect_checked_at__lt=after, effect_moved=False)
        ),
        checks_due=Count("pk", filter=effect_check_due_q(today)),
    )
    return {
        "improvements_raised": row["raised"],
        "improvements_verified": row["verified"],
        "improvements_effective": row["effective"],
        "improvements_not_effective": row["not_effective"],
        "improvements_open": row["open"],
        "improvements_overdue": row["overdue"],
        "improvements_checks_due": row["checks_due"],
    }


def section_values(
    section: str, user: Any, period: ReportPeriod, *, today: dt.date, now: dt.datetime
) -> dict[str, Any]:
    if section == MARKET:
        return market_values(user, period)
    if section == SALES:
        return sales_values(user, period, today)
    if section == SERVICE:
        return service_values(user, period, now)
    if section == PERFORMANCE:
        return performance_values(user, period)
    if section == POLICY:
        return policy_values(user, period, today, now)
    return improvement_values(user, period, today)


#
# Figures with their comparisons, and the extras (charts, funnel, leaders) of the period itself
#


@dataclass
class Figure:
    key: str
    label: str
    unit: str
    value: Any
    previous: Any = None
    year_before: Any = None
    drill: bool = False

    @staticmethod
    def _change(value: Any, other: Any, unit: str) -> Decimal | None:
        """The change against ``other``: in points for a percentage or score, else in % of ``other``."""
        if value is None or other is None or unit == DATE:
            return None
        if unit in (PCT, SCORE):
            return (Decimal(value) - Decimal(other)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        return _pct(Decimal(value) - Decimal(other), other)

    @property
    def previous_change(self) -> Decimal | None:
        return self._change(self.value, self.previous, self.unit)

    @property
    def year_change(self) -> Decimal | None:
        return self._change(self.value, self.year_before, self.unit)

    def as_json(self) -> dict[str, Any]:
        def text(v: Any) -> Any:
            return None if v is None else (v if isinstance(v, int) else str(v))

        return {
            "key": self.key,
            "label": self.label,
            "unit": self.unit,
            "value": text(self.value),
            "previous": text(self.previous),
            "year_before": text(self.year_before),
            "previous_change": text(self.previous_change),
            "year_change": text(self.year_change),
        }


@dataclass
class Section:
    key: str
    label: str
    figures: list[Figure]
    extras: dict[str, Any] = field(default_factory=dict)


def _extras(section: str, user: Any, period: ReportPeriod, values: dict[str, Any], today: dt.date) -> dict[str, Any]:
    if section == SALES:
        board = values["_board"]
        steps = funnel(user=user)
        return {
            "top": board[:LEADERS],
            "bottom": list(reversed(board[-LEADERS:])) if len(board) > LEADERS else [],
            "funnel": [
                {
                    "stage": s.stage,
                    "label": s.label,
                    "reached": s.reached,
                    "open_count": s.open_count,
                    "open_amount": s.open_amount,
                    "conversion_pct": s.conversion_pct,
                    "drop_off_pct": None if s.conversion_pct is None else Decimal("100") - s.conversion_pct,
                }
                for s in steps
            ],
            "monthly": values["_monthly"],
        }
    if section == SERVICE:
        trend = satisfaction_trend(SurveyResponse.objects.visible_to(user), months=12, until=period.end)
        return {
            "trend": {
                "months": [r["month"] for r in trend],
                "csat": [None if r["csat"] is None else float(r["csat"]) for r in trend],
                "nps": [r["nps"] for r in trend],
            }
        }
    if section == PERFORMANCE:
        cycle = (
            AssessmentCycle.objects.filter(
                status__in=[CycleStatus.FINALISED, CycleStatus.PUBLISHED], start__lte=period.end
            )
            .order_by("-start")
            .first()
        )
        grades: Counter[str] = Counter()
        if cycle is not None:
            grades.update(
                {
                    row["grade"]: row["n"]
                    for row in Assessment.objects.visible_to(user)
                    .filter(cycle=cycle, subject_kind=SubjectKind.PERSON)
                    .values("grade")
                    .annotate(n=Count("pk"))
                    .order_by()
                }
            )
        return {"cycle": cycle, "grades": sorted(grades.items())}
    if section == POLICY:
        version = values["_version"]
        review = values["next_review"]
        return {"version": version, "review_overdue": review is not None and review < today}
    return {}


def cockpit(
    user: Any,
    period: ReportPeriod,
    *,
    sections: list[str] | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> list[Section]:
    """The cockpit's sections for the user and period, every figure with 环比 and 同比.

    The live cockpit (no ``today``/``now`` pinned: the page, the API, the exports) is cached per user, period,
    sections, language and day under the data version (``core.dataversion``: any write moves it), for
    ``REPORTS_COCKPIT_CACHE_SECONDS`` at most; a pinned call (a report's frozen snapshot, a test) always computes.
    """
    live = today is None and now is None
    now = now or timezone.now()
    today = today or timezone.localdate()
    wanted = sections_for(user) if sections is None else sections
    key = _cache_key(user, period, wanted, today) if live else ""
    hit = _cache_get(key) if key else None
    if hit is not None:
        return cast(list[Section], hit)
    previous, year_before = period.previous(), period.year_before()
    result = []
    for section in wanted:
        values = section_values(section, user, period, today=today, now=now)
        before = section_values(section, user, previous, today=today, now=now)
        last_year = section_values(section, user, year_before, today=today, now=now)
        figures = [
            Figure(
                spec.key,
                str(spec.label),
                spec.unit,
                values[spec.key],
                before[spec.key] if spec.compare else None,
                last_year[spec.key] if spec.compare else None,
                spec.drill,
            )
            for spec in SPECS[section]
        ]
        result.append(
            Section(section, str(SECTION_LABELS[section]), figures, _extras(section, user, period, values, today))
        )
    if key:
        _cache_set(key, result)
    return result


COCKPIT_CACHE_SECONDS = 300


def _cache_get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:  # the cache is down: compute, as without a cache
        return None


def _cache_set(key: str, value: Any) -> None:
    with contextlib.suppress(Exception):  # the cache is down: the figures were computed, nothing is lost
        cache.set(key, value, getattr(settings, "REPORTS_COCKPIT_CACHE_SECONDS", COCKPIT_CACHE_SECONDS))


def _cache_key(user: Any, period: ReportPeriod, sections: list[str], today: dt.date) -> str:
    parts = [dataversion.current(), user.pk, get_language(), period.kind, period.start, period.end, today, *sections]
    return "reports:cockpit:" + hashlib.sha1(repr(parts).encode()).hexdigest()  # noqa: S324 (a cache key)


def cockpit_json(sections: list[Section], period: ReportPeriod) -> dict[str, Any]:
    """The figures as JSON (API, snapshots, exports): amounts as strings, so no precision is lost."""
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "previous": {"start": period.previous().start.isoformat(), "end": period.previous().end.isoformat()},
        "year_before": {"start": period.year_before().start.isoformat(), "end": period.year_before().end.isoformat()},
        "sections": [{"key": s.key, "label": s.label, "figures": [f.as_json() for f in s.figures]} for s in sections],
    }
