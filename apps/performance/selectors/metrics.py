"""The computed KPIs (arts. 11, 12): each measures one person or one department over a period from the domain
apps' records and says which records it counted.

Attribution: a person is measured by the records they own (sales, marketing, improvement actions) or are assigned
(tickets); a department by the records whose department lies in its subtree. Where a record has no owner of its
own the metric says whom it counts: a campaign's leads by the campaign's owner and department, a survey answer by
the service person the invitation counts for and its responsible department, a feedback routing by who
acknowledged it and the department it was sent to, a plan's goal lines by the plan's owner and department.
The sales KPIs are the attainment the sales app computes for the person's or department's node of the approved
base target set — the same figures, to the cent, as the attainment page.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from apps.customers.models import Customer
from apps.marketing.choices import PlanStatus
from apps.marketing.models import Lead, MarketPlan, PlanGoal, Visit
from apps.marketing.selectors.plans import goal_actuals_for_plans
from apps.performance.selectors.measures import ZERO, Grouped, Measure, Span, Subject, _grouped, _source, half_up, share
from apps.performance.selectors.service_metrics import (
    complaint_resolution,
    contacts_on_time,
    csat,
    feedback_acknowledged_on_time,
    first_response_on_time,
    improvements_on_time,
    nps,
    resolution_on_time,
    violations,
)
from apps.policy.choices import KpiCode
from apps.sales.choices import TargetMetric, TargetStatus, TargetTier
from apps.sales.models import TargetNode
from apps.sales.selectors.attainment import attainment_for_nodes, make_period, metric_records
from apps.sales.selectors.plans import action_done_on_time, committed_actions_due

#
# Sales (art. 5, 9): the attainment of the approved base target set
#


def _sales_period(span: Span) -> Any:
    year, rest = span.key[:4], span.key[5:]
    if rest.startswith("Q"):
        return make_period("quarter", int(year), int(rest[1]))
    if rest:
        return make_period("month", int(year), int(rest))
    return make_period("year", int(year))


def _attainment_by_node(metric: str, period: Any, span: Span) -> dict[tuple[str, int], tuple[TargetNode, Any]]:
    """Every node of the approved base target set of the period's year with its figures, computed once per span
    (three or four queries whatever the number of nodes); keyed by ("person", user id) and ("unit", department
    id) for the department nodes."""
    key = ("attainment", metric, period.key)
    if key not in span.memo:
        nodes = list(
            TargetNode.objects.filter(
                target_set__fiscal_year=period.year,
                target_set__metric=metric,
                target_set__tier=TargetTier.BASE,
                target_set__status=TargetStatus.APPROVED,
            )
            .select_related("target_set", "department", "person")
            .order_by("pk")
        )
        figures = attainment_for_nodes(nodes, period, as_of=period.end)
        found: dict[tuple[str, int], tuple[TargetNode, Any]] = {}
        for node, figure in zip(nodes, figures, strict=True):
            found.setdefault(
                ("person", node.person_id) if node.person_id else ("unit", node.department_id), (node, figure)
            )
        span.memo[key] = found
    return span.memo[key]


def _counted_rows(metric: str, period: Any, span: Span, node: TargetNode) -> list[Any]:
    """The records the node counts (``counted_records`` of the sales app: the same filter and order), read once per
    span for every node: the unit's subtree, and for a person node the person as owner."""
    if metric == TargetMetric.PAYMENTS:
        grouped = _grouped(
            span,
            ("counted", metric, period.key),
            lambda: (
                metric_records(metric, period.start, period.end)
                .only("pk", "number", "amount")
                .order_by("received_on", "pk")
            ),
            "contract__owner",
            "contract__owner_unit__path",
        )
    else:
        grouped = _grouped(
            span,
            ("counted", metric, period.key),
            lambda: (
                metric_records(metric, period.start, period.end)
                .only("pk", "number", "amount")
                .order_by("signed_on", "pk")
            ),
            "owner",
            "owner_unit__path",
        )
    prefix = node.department.path
    return [
        obj
        for obj, owner, path in grouped.rows
        if path is not None and path.startswith(prefix) and (not node.person_id or owner == node.person_id)
    ]


def _sales_completion(metric: str) -> Callable[[Subject, Span], Measure]:
    def measure(subject: Subject, span: Span) -> Measure:
        period = _sales_period(span)
        lookup = ("person", subject.user.pk) if subject.user is not None else ("unit", subject.department.pk)
        found = _attainment_by_node(metric, period, span).get(lookup)
        if found is None:
            return Measure(None, _("No approved sales target for this period."))
        node, figures = found
        if not figures.target:
            return Measure(None, _("The sales target of this period is zero."))
        sources = [_source(r, r.number, r.amount) for r in _counted_rows(metric, period, span, node)]
        actual = half_up(figures.actual * 100 / figures.target)
        return Measure(
            actual,
            _("¥%(actual)s of ¥%(target)s") % {"actual": f"{figures.actual:,.2f}", "target": f"{figures.target:,.2f}"},
            sources,
        )

    return measure


def new_customers(subject: Subject, span: Span) -> Measure:
    """Customers whose first approved contract was signed in the period by the person / the department."""
    period = _sales_period(span)
    contracts = _grouped(
        span,
        ("new_customers", period.key),
        lambda: (
            metric_records(TargetMetric.NEW_CUSTOMERS, period.start, period.end)
            .select_related("customer")
            .only("pk", "customer_id", "signed_on", "customer__name")
            .order_by("signed_on", "pk")
        ),
        "owner",
        "owner_unit__path",
    ).of(subject)
    seen: dict[int, Customer] = {}
    for contract in contracts:
        seen.setdefault(contract.customer_id, contract.customer)
    sources = [_source(c, c.name) for c in seen.values()]
    return Measure(Decimal(len(seen)), _("%(count)s new customers") % {"count": len(seen)}, sources)


def sales_plan_actions_on_time(subject: Subject, span: Span) -> Measure:
    """The action items of approved sales plans due in the period (art. 9): the share marked done by their due date
    — the sales app's definition; a person by the responsible person, a department by the plan's department."""
    rows = _grouped(
        span,
        "sales_plan_actions",
        lambda: (
            committed_actions_due(start=span.start, end=span.end)
            .select_related("plan")
            .only("pk", "title", "due_date", "status", "done_at", "plan__title")
        ),
        "responsible",
        "plan__owner_unit__path",
    ).of(subject)
    done = {a.pk for a in rows if action_done_on_time(a)}
    yes, no = _("on time"), _("late or open")
    sources = [
        _source(a, f"{a.due_date:%Y-%m-%d} {a.plan.title} · {a.title}", yes if a.pk in done else no) for a in rows
    ]
    return Measure(
        share(len(done), len(rows)),
        _("%(part)s of %(whole)s plan actions") % {"part": len(done), "whole": len(rows)},
        sources,
    )


#
# Market development (arts. 3, 4, 8)
#


def leads_handed_over(subject: Subject, span: Span) -> Measure:
    rows = _grouped(
        span,
        "leads",
        lambda: Lead.objects.filter(span.moments("handed_at")).order_by("handed_at", "pk").only("pk", "company_name"),
        "owner",
        "owner_unit__path",
    ).of(subject)
    return Measure(
        Decimal(len(rows)),
        _("%(count)s leads handed over") % {"count": len(rows)},
        [_source(lead, lead.company_name) for lead in rows],
    )


def visits_done(subject: Subject, span: Span) -> Measure:
    rows = _grouped(
        span,
        "visits",
        lambda: (
            Visit.objects.filter(visited_on__range=(span.start, span.end))
            .order_by("visited_on", "pk")
            .only("pk", "visited_on", "purpose")
        ),
        "owner",
        "owner_unit__path",
    ).of(subject)
    return Measure(
        Decimal(len(rows)),
        _("%(count)s visits") % {"count": len(rows)},
        [_source(v, f"{v.visited_on:%Y-%m-%d} {v.purpose}") for v in rows],
    )


COUNTED_PLANS = (PlanStatus.APPROVED, PlanStatus.EXECUTING, PlanStatus.CLOSED)


def _plan_goals(span: Span) -> tuple[Grouped, dict[int, list[Any]]]:
    """The approved plans whose period ends in the span and each one's goal lines as the plan page computes them
    (over the plan's own period): read once per span, a few queries per distinct plan period."""
    if "plan_goals" not in span.memo:
        plans = list(
            MarketPlan.objects.filter(period_end__range=(span.start, span.end), status__in=COUNTED_PLANS)
            .select_related("owner_unit")
            .prefetch_related(Prefetch("goals", queryset=PlanGoal.objects.order_by("id")))
            .order_by("period_end", "pk")
        )
        lines = goal_actuals_for_plans(plans=plans)
        grouped = Grouped([(p, p.owner_id, p.owner_unit.path) for p in plans])
        span.memo["plan_goals"] = (grouped, lines)
    return span.memo["plan_goals"]


def plan_goal_completion(subject: Subject, span: Span) -> Measure:
    """The mean completion of the measurable goal lines of the person's / department's approved plans whose period
    ends in the span — each line the figure the plan page shows."""
    grouped, lines = _plan_goals(span)
    completions: list[Decimal] = []
    sources = []
    for plan in grouped.of(subject):
        for line in lines[plan.pk]:
            if line.completion_pct is not None:
                completions.append(line.completion_pct)
                sources.append(_source(plan, f"{plan.title} · {line.label}", f"{line.completion_pct}%"))
    if not completions:
        return Measure(None, _("No measurable plan goals ending in the period."))
    return Measure(
        half_up(sum(completions, ZERO) / len(completions)),
        _("mean of %(count)s goal lines") % {"count": len(completions)},
        sources,
    )


def campaign_conversion(subject: Subject, span: Span) -> Measure:
    """Leads that came in during the period through the person's / department's campaigns: the share converted into
    a customer by the period's end (the campaign page's conversion rate, bounded to the period)."""
    rows = _grouped(
        span,
        "campaign_leads",
        lambda: (
            Lead.objects.filter(span.moments("created_at"), campaign__isnull=False)
            .only("pk", "company_name", "converted_at")
            .order_by("created_at", "pk")
        ),
        "campaign__owner",
        "campaign__owner_unit__path",
    ).of(subject)
    converted = {
        lead.pk for lead in rows if lead.converted_at is not None and lead.converted_at < span.after_last_moment
    }
    yes, no = _("converted"), _("not converted")
    sources = [_source(lead, lead.company_name, yes if lead.pk in converted else no) for lead in rows]
    return Measure(
        share(len(converted), len(rows)),
        _("%(part)s of %(whole)s leads") % {"part": len(converted), "whole": len(rows)},
        sources,
    )


METRICS: dict[str, Callable[[Subject, Span], Measure]] = {
    KpiCode.CONTRACT_AMOUNT_COMPLETION: _sales_completion(TargetMetric.CONTRACT_AMOUNT),
    KpiCode.PAYMENT_COMPLETION: _sales_completion(TargetMetric.PAYMENTS),
    KpiCode.NEW_CUSTOMERS: new_customers,
    KpiCode.LEADS_HANDED_OVER: leads_handed_over,
    KpiCode.VISITS_DONE: visits_done,
    KpiCode.FIRST_RESPONSE_ON_TIME: first_response_on_time,
    KpiCode.RESOLUTION_ON_TIME: resolution_on_time,
    KpiCode.COMPLAINT_RESOLUTION: complaint_resolution,
    KpiCode.CSAT: csat,
    KpiCode.IMPROVEMENTS_ON_TIME: improvements_on_time,
    KpiCode.VIOLATIONS: violations,
    KpiCode.CONTACTS_ON_TIME: contacts_on_time,
    KpiCode.FEEDBACK_ACKNOWLEDGED_ON_TIME: feedback_acknowledged_on_time,
    KpiCode.NPS: nps,
    KpiCode.CAMPAIGN_CONVERSION: campaign_conversion,
    KpiCode.PLAN_GOAL_COMPLETION: plan_goal_completion,
    KpiCode.SALES_PLAN_ACTIONS_ON_TIME: sales_plan_actions_on_time,
}


def measure(code: str, subject: Subject, span: Span) -> Measure:
    """The actual of a computed KPI; hand-scored KPIs and the department score are filled in elsewhere."""
    return METRICS[code](subject, span)
