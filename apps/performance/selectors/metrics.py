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

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from apps.core.periods import DaySpan
from apps.customers.models import Customer
from apps.improvements.choices import ImprovementStatus
from apps.improvements.models import ImprovementAction
from apps.marketing.choices import PlanStatus
from apps.marketing.models import Lead, MarketPlan, PlanGoal, Visit
from apps.marketing.selectors.plans import goal_actuals_for_plans
from apps.org.models import Department, User
from apps.performance.choices import ViolationStatus
from apps.performance.models import Violation
from apps.policy.choices import KpiCode, TicketType
from apps.policy.selectors import POLICY_TIME_ZONE
from apps.sales.choices import TargetMetric, TargetStatus, TargetTier
from apps.sales.models import TargetNode
from apps.sales.selectors.attainment import attainment_for_nodes, make_period, metric_records
from apps.sales.selectors.plans import action_done_on_time, committed_actions_due
from apps.service.choices import DueContactStatus
from apps.service.models import DueContact, FeedbackRouting, Ticket
from apps.surveys.choices import NpsGroup, nps_group
from apps.surveys.models import SurveyResponse
from apps.surveys.selectors.results import nps_value

ZERO = Decimal("0")
ONE_DECIMAL = Decimal("0.1")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Subject:
    """Who is measured: a person (``user``, in ``department``) or a whole department (``user`` None)."""

    department: Department
    user: User | None = None

    @property
    def is_person(self) -> bool:
        return self.user is not None


@dataclass(frozen=True)
class Span(DaySpan):
    """The period measured: whole days in the policy's time zone, and the sales period of the same months.

    ``memo`` keeps what one computation of a cycle reads for everyone at once (the attainment of every node of a
    target set), so a cycle of hundreds of people does not recompute it per person."""

    key: str
    start: dt.date
    end: dt.date
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


@dataclass
class Measure:
    """An actual (None: nothing to measure in the period), how it came about, and the records behind it."""

    actual: Decimal | None
    basis: str = ""
    sources: list[dict[str, Any]] = field(default_factory=list)


def half_up(value: Decimal, step: Decimal = ONE_DECIMAL) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    return half_up(Decimal(part) * 100 / whole) if whole else None


def _source(obj: Any, label: str, value: Any = "") -> dict[str, Any]:
    return {"model": obj._meta.label_lower, "pk": obj.pk, "label": label, "value": str(value)}


def _of(subject: Subject, owner: str, unit_path: str) -> Q:
    if subject.is_person:
        return Q(**{owner: subject.user})
    return Q(**{f"{unit_path}__startswith": subject.department.path})


@dataclass
class Grouped:
    """The rows one metric counts over a span for everybody at once (one query), in the metric's order, with the
    owner and the unit path each row is attributed by; ``of`` picks a subject's rows by the same rule as ``_of``
    (the owner for a person, the unit's subtree for a department), so the figures equal a query per subject."""

    rows: list[tuple[Any, int | None, str | None]]
    by_owner: dict[int | None, list[Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for obj, owner, _path in self.rows:
            self.by_owner.setdefault(owner, []).append(obj)

    def of(self, subject: Subject) -> list[Any]:
        if subject.user is not None:  # a person
            return list(self.by_owner.get(subject.user.pk, []))
        prefix = subject.department.path
        return [obj for obj, _owner, path in self.rows if path is not None and path.startswith(prefix)]


def _grouped(span: Span, key: Any, rows: Callable[[], QuerySet], owner: str, unit_path: str) -> Grouped:
    """``rows()`` annotated with the attribution fields, read once per span and kept in its memo."""
    memo_key = ("grouped", key)
    if memo_key not in span.memo:
        qs = rows().annotate(_owner_id=F(f"{owner}_id"), _unit_path=F(unit_path))
        span.memo[memo_key] = Grouped([(obj, obj._owner_id, obj._unit_path) for obj in qs])
    return span.memo[memo_key]


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


#
# Customer service (arts. 6, 10)
#


def _on_time(subject: Subject, span: Span, due: str, done: str) -> Measure:
    rows = _grouped(
        span,
        ("tickets", due),
        lambda: Ticket.objects.filter(span.moments(due)).only("pk", "number", due, done).order_by(due, "pk"),
        "assignee",
        "department__path",
    ).of(subject)
    on_time = {t.pk for t in rows if getattr(t, done) is not None and getattr(t, done) <= getattr(t, due)}
    yes, no = _("on time"), _("late")
    sources = [_source(t, t.number, yes if t.pk in on_time else no) for t in rows]
    return Measure(
        share(len(on_time), len(rows)),
        _("%(part)s of %(whole)s tickets") % {"part": len(on_time), "whole": len(rows)},
        sources,
    )


def first_response_on_time(subject: Subject, span: Span) -> Measure:
    """Tickets whose first response was due in the period: the share answered by the deadline."""
    return _on_time(subject, span, "first_response_due", "first_responded_at")


def resolution_on_time(subject: Subject, span: Span) -> Measure:
    """Tickets whose resolution was due in the period: the share resolved by the deadline."""
    return _on_time(subject, span, "resolution_due", "resolved_at")


def complaint_resolution(subject: Subject, span: Span) -> Measure:
    """Complaints opened in the period: the share resolved by the period's end."""
    rows = _grouped(
        span,
        "complaints",
        lambda: (
            Ticket.objects.filter(span.moments("created_at"), ticket_type=TicketType.COMPLAINT)
            .only("pk", "number", "resolved_at")
            .order_by("created_at", "pk")
        ),
        "assignee",
        "department__path",
    ).of(subject)
    resolved = {t.pk for t in rows if t.resolved_at is not None and t.resolved_at < span.after_last_moment}
    yes, no = _("resolved"), _("open")
    sources = [_source(t, t.number, yes if t.pk in resolved else no) for t in rows]
    return Measure(
        share(len(resolved), len(rows)),
        _("%(part)s of %(whole)s complaints") % {"part": len(resolved), "whole": len(rows)},
        sources,
    )


def _csat_answers(span: Span) -> Grouped:
    """Every CSAT answer given in the span about a ticket, attributed by its ticket's assignee and department
    (two queries per span)."""
    if "csat" not in span.memo:
        answers = list(
            SurveyResponse.objects.filter(
                span.moments("submitted_at"),
                csat__isnull=False,
                invitation__source_type=ContentType.objects.get_for_model(Ticket),
            )
            .annotate(_ticket=F("invitation__source_id"))
            .only("pk", "csat")
            .order_by("submitted_at", "pk")
        )
        tickets = {
            row["pk"]: (row["assignee_id"], row["department__path"])
            for row in Ticket.objects.filter(pk__in={a._ticket for a in answers}).values(
                "pk", "assignee_id", "department__path"
            )
        }
        span.memo["csat"] = Grouped([(a, *tickets[a._ticket]) for a in answers if a._ticket in tickets])
    return span.memo["csat"]


def csat(subject: Subject, span: Span) -> Measure:
    """Mean CSAT (1–5) of the survey answers given in the period about the tickets of the person / department."""
    responses = _csat_answers(span).of(subject)
    if not responses:
        return Measure(None, _("No survey answers in the period."))
    mean = half_up(sum((r.csat for r in responses), ZERO) / len(responses), CENT)
    return Measure(
        mean,
        _("mean of %(count)s answers") % {"count": len(responses)},
        [_source(r, f"#{r.pk}", r.csat) for r in responses],
    )


def contacts_on_time(subject: Subject, span: Span) -> Measure:
    """Relationship contacts due in the period (not skipped): the share done by their due date (policy time zone)."""
    rows = _grouped(
        span,
        "due_contacts",
        lambda: (
            DueContact.objects.filter(due_on__range=(span.start, span.end))
            .exclude(status=DueContactStatus.SKIPPED)
            .select_related("customer")
            .only("pk", "due_on", "done_at", "customer__name")
            .order_by("due_on", "pk")
        ),
        "owner",
        "owner_unit__path",
    ).of(subject)
    done = {c.pk for c in rows if c.done_at is not None and c.done_at.astimezone(POLICY_TIME_ZONE).date() <= c.due_on}
    yes, no = _("on time"), _("late or open")
    sources = [_source(c, f"{c.due_on:%Y-%m-%d} {c.customer.name}", yes if c.pk in done else no) for c in rows]
    return Measure(
        share(len(done), len(rows)),
        _("%(part)s of %(whole)s contacts") % {"part": len(done), "whole": len(rows)},
        sources,
    )


def feedback_acknowledged_on_time(subject: Subject, span: Span) -> Measure:
    """Feedback routings whose acknowledgement was due in the period: the share acknowledged by the deadline. A
    department answers for the routings sent to its subtree; a person for the routings they acknowledged."""
    rows = _grouped(
        span,
        "feedback_routings",
        lambda: (
            FeedbackRouting.objects.filter(span.moments("acknowledge_due"))
            .only("pk", "feedback_id", "acknowledge_due", "acknowledged_at")
            .order_by("acknowledge_due", "pk")
        ),
        "acknowledged_by",
        "department__path",
    ).of(subject)
    on_time = {r.pk for r in rows if r.acknowledged_at is not None and r.acknowledged_at <= r.acknowledge_due}
    yes, no = _("on time"), _("late or open")
    sources = [_source(r, f"#{r.feedback_id}", yes if r.pk in on_time else no) for r in rows]
    return Measure(
        share(len(on_time), len(rows)),
        _("%(part)s of %(whole)s feedback routings") % {"part": len(on_time), "whole": len(rows)},
        sources,
    )


def nps(subject: Subject, span: Span) -> Measure:
    """NPS of the answers given in the period (the survey app's definition): % promoters − % detractors, an
    integer; a person by the service person the survey counts for, a department by its responsible department."""
    rows = _grouped(
        span,
        "nps",
        lambda: (
            SurveyResponse.objects.filter(span.moments("submitted_at"), nps_score__isnull=False)
            .only("pk", "nps_score")
            .order_by("submitted_at", "pk")
        ),
        "invitation__owner",
        "invitation__department__path",
    ).of(subject)
    groups = [nps_group(r.nps_score) for r in rows]
    promoters, detractors = groups.count(NpsGroup.PROMOTER), groups.count(NpsGroup.DETRACTOR)
    value = nps_value(promoters, detractors, len(rows))
    if value is None:
        return Measure(None, _("No survey answers in the period."))
    return Measure(
        Decimal(value),
        _("%(promoters)s promoters, %(detractors)s detractors of %(count)s answers")
        % {"promoters": promoters, "detractors": detractors, "count": len(rows)},
        [_source(r, f"#{r.pk}", r.nps_score) for r in rows],
    )


#
# Every department (arts. 8–10): improvement actions done by their due date
#


def improvements_on_time(subject: Subject, span: Span) -> Measure:
    rows = _grouped(
        span,
        "improvements",
        lambda: (
            ImprovementAction.objects.filter(due_date__range=(span.start, span.end))
            .exclude(status=ImprovementStatus.CANCELLED)
            .only("pk", "title", "due_date", "completed_at")
            .order_by("due_date", "pk")
        ),
        "owner",
        "owner_unit__path",
    ).of(subject)

    def done_in_time(action: ImprovementAction) -> bool:
        return (
            action.completed_at is not None
            and action.completed_at.astimezone(POLICY_TIME_ZONE).date() <= action.due_date
        )

    done = {a.pk for a in rows if done_in_time(a)}
    yes, no = _("on time"), _("late or open")
    sources = [_source(a, a.title, yes if a.pk in done else no) for a in rows]
    return Measure(
        share(len(done), len(rows)),
        _("%(part)s of %(whole)s actions") % {"part": len(done), "whole": len(rows)},
        sources,
    )


#
# Every person and department (art. 13): breaches of the policy
#


COUNTED_VIOLATIONS = (ViolationStatus.CONFIRMED, ViolationStatus.APPEALED, ViolationStatus.UPHELD_ON_APPEAL)


def violations(subject: Subject, span: Span) -> Measure:
    """Violations that happened in the period and stand confirmed (also under appeal or confirmed on appeal)."""
    rows = _grouped(
        span,
        "violations",
        lambda: (
            Violation.objects.filter(happened_on__range=(span.start, span.end), status__in=COUNTED_VIOLATIONS)
            .only("pk", "article", "happened_on")
            .order_by("happened_on", "pk")
        ),
        "owner",
        "owner_unit__path",
    ).of(subject)
    return Measure(
        Decimal(len(rows)),
        _("%(count)s violations") % {"count": len(rows)},
        [_source(v, f"{v.happened_on:%Y-%m-%d}", v.article) for v in rows],
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
