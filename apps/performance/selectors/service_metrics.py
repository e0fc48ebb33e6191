"""The computed KPIs of customer service (arts. 6, 10), improvement actions (arts. 8–10) and violations (art. 13);
registered in ``metrics.METRICS``."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.utils.translation import gettext as _

from apps.improvements.choices import ImprovementStatus
from apps.improvements.models import ImprovementAction
from apps.performance.choices import ViolationStatus
from apps.performance.models import Violation
from apps.performance.selectors.measures import (
    CENT,
    ZERO,
    Grouped,
    Measure,
    Span,
    Subject,
    _grouped,
    _source,
    half_up,
    share,
)
from apps.policy.choices import TicketType
from apps.policy.selectors import POLICY_TIME_ZONE
from apps.service.choices import DueContactStatus
from apps.service.models import DueContact, FeedbackRouting, Ticket
from apps.surveys.choices import NpsGroup, nps_group
from apps.surveys.models import SurveyResponse
from apps.surveys.selectors.results import nps_value

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
