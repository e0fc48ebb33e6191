"""Survey results (art. 10: analyse customer satisfaction): CSAT, NPS, response rate, per-question distributions,
breakdowns by department / ticket type / customer level / month, and the monthly trend.

Definitions (written once, used by the survey pages, the API and the service dashboard):
- CSAT of one response = mean of its 1–5 ratings (stored on the response); ``csat`` = mean over responses;
  ``csat_pct`` = share of responses with CSAT ≥ 4 ("satisfied or very satisfied"), in percent.
- NPS = % promoters (9–10) − % detractors (0–6) among responses with an NPS answer, rounded to an integer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from apps.core.periods import add_months
from apps.org.models import Department
from apps.policy.choices import CustomerLevel, TicketType
from apps.surveys.choices import QuestionKind
from apps.surveys.models import Answer, Question, SurveyInvitation, SurveyResponse

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
SATISFIED = 4
PROMOTER_MIN = 9
DETRACTOR_MAX = 6
DETRACTOR_CSAT_MAX = 2  # a response with CSAT ≤ 2 or NPS ≤ 6 is a detractor to follow up


def _aggregates() -> dict[str, Any]:
    return {
        "n": Count("id"),
        "csat_avg": Avg("csat"),
        "csat_n": Count("id", filter=Q(csat__isnull=False)),
        "csat_ok": Count("id", filter=Q(csat__gte=SATISFIED)),
        "nps_n": Count("id", filter=Q(nps_score__isnull=False)),
        "promoters": Count("id", filter=Q(nps_score__gte=PROMOTER_MIN)),
        "detractors": Count("id", filter=Q(nps_score__lte=DETRACTOR_MAX)),
    }


def _round(value: Any, step: Decimal) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(step, ROUND_HALF_UP)


def nps_value(promoters: int, detractors: int, total: int) -> int | None:
    if not total:
        return None
    return int((Decimal(promoters - detractors) * 100 / total).quantize(Decimal("1"), ROUND_HALF_UP))


def _summary_from(row: Mapping[str, Any]) -> dict[str, Any]:
    csat_n, nps_n = row["csat_n"] or 0, row["nps_n"] or 0
    promoters, detractors = row["promoters"] or 0, row["detractors"] or 0
    return {
        "count": row["n"] or 0,
        "csat": _round(row["csat_avg"], CENT) if csat_n else None,
        "csat_pct": _round(Decimal(row["csat_ok"] or 0) * 100 / csat_n, TENTH) if csat_n else None,
        "nps": nps_value(promoters, detractors, nps_n),
        "promoters": promoters,
        "passives": nps_n - promoters - detractors,
        "detractors": detractors,
    }


def satisfaction_summary(responses_qs: QuerySet[SurveyResponse]) -> dict[str, Any]:
    """count, csat (Decimal 1–5 or None), csat_pct (percent with CSAT ≥ 4 or None), nps (int or None),
    promoters, passives, detractors — one query."""
    return _summary_from(responses_qs.order_by().aggregate(**_aggregates()))


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def satisfaction_trend(
    responses_qs: QuerySet[SurveyResponse], *, months: int = 12, until: dt.date | dt.datetime | None = None
) -> list[dict[str, Any]]:
    """One row per month for the ``months`` months ending with ``until``'s month (default this month), oldest first:
    month "2026-01", count, csat, nps (None for a month without answers) — one query."""
    until = until or timezone.localdate()
    if isinstance(until, dt.datetime):
        until = timezone.localtime(until).date() if timezone.is_aware(until) else until.date()
    last = _month_start(until)
    first = add_months(last, -(months - 1))
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min), tz)
    end = timezone.make_aware(dt.datetime.combine(add_months(last, 1), dt.time.min), tz)
    rows = (
        responses_qs.order_by()
        .filter(submitted_at__gte=start, submitted_at__lt=end)
        .annotate(month=TruncMonth("submitted_at", tzinfo=tz))
        .values("month")
        .annotate(**_aggregates())
    )
    by_month = {}
    for row in rows:
        month = row["month"]
        key = month.date() if isinstance(month, dt.datetime) else month
        by_month[key.replace(day=1)] = _summary_from(row)
    trend = []
    for i in range(months):
        month = add_months(first, i)
        summary = by_month.get(month)
        trend.append(
            {
                "month": month.strftime("%Y-%m"),
                "count": summary["count"] if summary else 0,
                "csat": summary["csat"] if summary else None,
                "nps": summary["nps"] if summary else None,
            }
        )
    return trend


def response_rate(invitations_qs: QuerySet[SurveyInvitation]) -> dict[str, Any]:
    """sent, answered, rate (percent, one decimal, or None)."""
    row = invitations_qs.order_by().aggregate(
        sent=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False))
    )
    sent, answered = row["sent"] or 0, row["answered"] or 0
    return {"sent": sent, "answered": answered, "rate": _round(Decimal(answered) * 100 / sent, TENTH) if sent else None}


BREAKDOWNS = {
    "department": "invitation__department",
    "ticket_type": "invitation__ticket_type",
    "customer_level": "invitation__customer_level",
    "month": "month",
}


def breakdown(responses_qs: QuerySet[SurveyResponse], by: str) -> list[dict[str, Any]]:
    """Summaries grouped by department, ticket type, customer level or month: [{key, label, **summary}] — one
    query (plus one for department names)."""
    field = BREAKDOWNS[by]
    qs = responses_qs.order_by()
    if by == "month":
        qs = qs.annotate(month=TruncMonth("submitted_at", tzinfo=timezone.get_current_timezone()))
    rows = list(qs.values(field).annotate(**_aggregates()))
    labels: dict[Any, str] = {}
    if by == "department":
        labels = dict(Department.objects.filter(pk__in=[r[field] for r in rows if r[field]]).values_list("pk", "name"))
    elif by == "ticket_type":
        labels = {value: str(label) for value, label in TicketType.choices}
    elif by == "customer_level":
        labels = {value: str(label) for value, label in CustomerLevel.choices}
    result = []
    for row in rows:
        key = row[field]
        if by == "month":
            key = (key.date() if isinstance(key, dt.datetime) else key).strftime("%Y-%m") if key else ""
            label = key
        else:
            label = str(labels.get(key, "")) if key else ""
        result.append({"key": key or "", "label": label, **_summary_from(row)})
    result.sort(key=lambda r: (r["key"] == "", str(r["key"])))
    return result


def question_distributions(
    responses_qs: QuerySet[SurveyResponse], questions: list[Question], *, texts_limit: int = 50, english: bool = False
) -> list[dict[str, Any]]:
    """Per question: labels and counts of each value (rating 1–5, NPS 0–10, each option), the average for ratings
    and NPS, and the latest text answers — two queries for counts plus one for texts."""
    answers = Answer.objects.filter(
        response__in=responses_qs.order_by().values("pk"), question__in=[q.pk for q in questions]
    )
    numbers: dict[tuple[int, int], int] = {}
    for count in answers.filter(number__isnull=False).values("question_id", "number").annotate(n=Count("id")):
        numbers[(count["question_id"], int(count["number"] or 0))] = count["n"]
    multi: dict[int, dict[int, int]] = {}
    multiple_ids = [q.pk for q in questions if q.kind == QuestionKind.MULTIPLE]
    for question_id, picked in answers.filter(question_id__in=multiple_ids).values_list("question_id", "choices"):
        bucket = multi.setdefault(question_id, {})
        for index in picked or []:
            bucket[index] = bucket.get(index, 0) + 1
    text_ids = [q.pk for q in questions if q.kind == QuestionKind.TEXT]
    texts: dict[int, list[dict]] = {}
    if text_ids:
        for text in (
            answers.filter(question_id__in=text_ids)
            .exclude(text="")
            .order_by("-response__submitted_at", "-id")
            .values("question_id", "text", "response__submitted_at", "response__invitation__customer__name")
        ):
            latest = texts.setdefault(text["question_id"], [])
            if len(latest) < texts_limit:
                latest.append(
                    {
                        "text": text["text"],
                        "at": text["response__submitted_at"],
                        "customer": text["response__invitation__customer__name"],
                    }
                )
    result = []
    for question in questions:
        item: dict[str, Any] = {
            "question": question,
            "id": question.pk,
            "kind": question.kind,
            "text": (question.text_en or question.text) if english else question.text,
            "labels": [],
            "counts": [],
            "total": 0,
            "average": None,
            "texts": [],
        }
        if question.kind in (QuestionKind.RATING, QuestionKind.NPS):
            values = range(1, 6) if question.kind == QuestionKind.RATING else range(0, 11)
            item["labels"] = [str(v) for v in values]
            item["counts"] = [numbers.get((question.pk, v), 0) for v in values]
            total = sum(item["counts"])
            item["total"] = total
            if total:
                weighted = sum(v * numbers.get((question.pk, v), 0) for v in values)
                item["average"] = _round(Decimal(weighted) / total, CENT)
        elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            options = question.options or []
            item["labels"] = [
                ((o.get("en") or o.get("zh")) if english else (o.get("zh") or o.get("en"))) for o in options
            ]
            if question.kind == QuestionKind.SINGLE:
                item["counts"] = [numbers.get((question.pk, i), 0) for i in range(len(options))]
            else:
                item["counts"] = [multi.get(question.pk, {}).get(i, 0) for i in range(len(options))]
            item["total"] = sum(item["counts"])
        else:
            item["texts"] = texts.get(question.pk, [])
            item["total"] = len(item["texts"])
        result.append(item)
    return result


def detractors(responses_qs: QuerySet[SurveyResponse]) -> QuerySet[SurveyResponse]:
    """Responses to follow up: NPS ≤ 6 or CSAT ≤ 2."""
    return (
        responses_qs.filter(Q(nps_score__lte=DETRACTOR_MAX) | Q(csat__lte=DETRACTOR_CSAT_MAX))
        .select_related("invitation__customer", "invitation__owner", "campaign")
        .order_by("-submitted_at", "-id")
    )


def filter_responses(
    qs: QuerySet[SurveyResponse],
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    level: str = "",
    ticket_type: str = "",
    department: Any = None,
    kind: str = "",
    campaign: Any = None,
) -> QuerySet[SurveyResponse]:
    """Narrow responses by answering period (local dates, inclusive), customer level, ticket type, responsible
    department (and its sub-departments), survey kind or campaign."""
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(submitted_at__gte=timezone.make_aware(dt.datetime.combine(date_from, dt.time.min), tz))
    if date_to:
        end = timezone.make_aware(dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min), tz)
        qs = qs.filter(submitted_at__lt=end)
    if level:
        qs = qs.filter(invitation__customer_level=level)
    if ticket_type:
        qs = qs.filter(invitation__ticket_type=ticket_type)
    if department is not None:
        qs = qs.filter(invitation__department__path__startswith=department.path)
    if kind:
        qs = qs.filter(campaign__kind=kind)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs


def filter_invitations(qs: QuerySet[SurveyInvitation], **filters: Any) -> QuerySet[SurveyInvitation]:
    """The same filters on links (sent in the period), for the response rate."""
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        qs = qs.filter(sent_at__gte=timezone.make_aware(dt.datetime.combine(filters["date_from"], dt.time.min), tz))
    if filters.get("date_to"):
        end = timezone.make_aware(dt.datetime.combine(filters["date_to"] + dt.timedelta(days=1), dt.time.min), tz)
        qs = qs.filter(sent_at__lt=end)
    if filters.get("level"):
        qs = qs.filter(customer_level=filters["level"])
    if filters.get("ticket_type"):
        qs = qs.filter(ticket_type=filters["ticket_type"])
    if filters.get("department") is not None:
        qs = qs.filter(department__path__startswith=filters["department"].path)
    if filters.get("kind"):
        qs = qs.filter(campaign__kind=filters["kind"])
    if filters.get("campaign") is not None:
        qs = qs.filter(campaign=filters["campaign"])
    return qs
