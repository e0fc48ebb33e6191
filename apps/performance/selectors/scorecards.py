"""Reads of performance assessment: cycles, scorecards in scope, rankings, trends, the registers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.apps import apps as django_apps
from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse

from apps.performance.choices import AppealStatus, AssessmentStatus, ProposalStatus, SubjectKind, ViolationStatus
from apps.performance.models import Appeal, Assessment, AssessmentCycle, AssessmentItem, RewardPenalty, Violation
from apps.performance.permissions import Perm


def cycle_list(*, user: Any) -> QuerySet[AssessmentCycle]:
    if not user.has_perm(str(Perm.VIEW_CYCLE)):
        return AssessmentCycle.objects.none()
    return AssessmentCycle.objects.select_related("rules_version").annotate(cards=Count("assessments"))


def assessment_list(*, user: Any, cycle: AssessmentCycle | None = None, subject_kind: str = "") -> QuerySet[Assessment]:
    qs = Assessment.objects.visible_to(user).select_related("owner", "owner_unit", "cycle")
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    if subject_kind:
        qs = qs.filter(subject_kind=subject_kind)
    return qs


def ranking(*, user: Any, cycle: AssessmentCycle) -> QuerySet[Assessment]:
    """People of the cycle in scope, best first (the company rank is the rank among everyone assessed)."""
    return assessment_list(user=user, cycle=cycle, subject_kind=SubjectKind.PERSON).order_by("rank_in_company", "pk")


def department_ranking(*, user: Any, cycle: AssessmentCycle) -> QuerySet[Assessment]:
    return assessment_list(user=user, cycle=cycle, subject_kind=SubjectKind.DEPARTMENT).order_by("-total", "pk")


def scorecard(card: Assessment) -> dict[str, Any]:
    """A scorecard with its lines, the previous cycle's score of the same subject and the trend over cycles: a
    constant number of queries whatever the number of lines or cycles."""
    items = list(card.items.select_related("kpi").order_by("position"))
    lookup = {"owner": card.owner} if card.subject_kind == SubjectKind.PERSON else {"owner_unit": card.owner_unit}
    history = list(
        Assessment.objects.filter(subject_kind=card.subject_kind, **lookup)
        .select_related("cycle")
        .order_by("cycle__start")
    )
    earlier = [h for h in history if h.cycle.start < card.cycle.start]
    previous = earlier[-1] if earlier else None
    appeal = Appeal.objects.filter(assessment=card).select_related("decided_by").first()
    return {
        "card": card,
        "items": items,
        "previous": previous,
        "change": (card.total - previous.total) if previous else None,
        "trend": [{"cycle": h.cycle.name, "total": str(h.total), "grade": h.grade} for h in history],
        "appeal": appeal,
        "weights_total": sum(i.weight for i in items),
    }


# Where each kind of counted record opens (a payment opens on its contract's page).
RECORD_PAGES: dict[str, tuple[str, str]] = {
    "sales.contract": ("sales:contract_detail", "pk"),
    "sales.payment": ("sales:contract_detail", "contract_id"),
    "sales.salesplanaction": ("sales:plan_detail", "plan_id"),
    "customers.customer": ("customers:customer_detail", "pk"),
    "marketing.lead": ("marketing:lead_detail", "pk"),
    "marketing.visit": ("marketing:visit_detail", "pk"),
    "service.ticket": ("service:ticket_detail", "pk"),
    "improvements.improvementaction": ("improvements:improvementaction_detail", "pk"),
    "surveys.surveyresponse": ("surveys:response_detail", "pk"),
}


def _record_url(label: str, obj: Any) -> str:
    page = RECORD_PAGES.get(label)
    return reverse(page[0], args=[getattr(obj, page[1])]) if page else ""


def item_sources(item: AssessmentItem, *, user: Any) -> list[dict[str, Any]]:
    """The records a KPI line counted, each with whether the viewer may open it (a link only then).

    The snapshot keeps model, id, label and value, so the list is the one frozen at computing time; whether a row
    links is decided now, through the record's own scope."""
    rows = list(item.sources or [])
    by_model: dict[str, set[int]] = {}
    for row in rows:
        by_model.setdefault(row["model"], set()).add(row["pk"])
    visible: dict[str, set[int]] = {}
    urls: dict[tuple[str, int], str] = {}
    for label, pks in by_model.items():
        model = django_apps.get_model(label)
        manager = model._default_manager
        qs = manager.all().visible_to(user) if hasattr(manager.all(), "visible_to") else manager.none()
        found = list(qs.filter(pk__in=pks))
        visible[label] = {obj.pk for obj in found}
        for obj in found:
            urls[(label, obj.pk)] = _record_url(label, obj)
    return [
        {
            **row,
            "visible": row["pk"] in visible.get(row["model"], set()),
            "url": urls.get((row["model"], row["pk"]), ""),
        }
        for row in rows
    ]


def sources_total(item: AssessmentItem) -> Decimal:
    return sum((Decimal(r["value"]) for r in item.sources or [] if _is_number(r.get("value"))), Decimal("0"))


def _is_number(value: Any) -> bool:
    try:
        Decimal(str(value))
    except Exception:
        return False
    return True


def my_assessments(*, user: Any) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(owner=user, subject_kind=SubjectKind.PERSON)
        .select_related("cycle")
        .order_by("-cycle__start")
    )


def to_review(*, user: Any) -> QuerySet[Assessment]:
    if not user.has_perm(str(Perm.REVIEW_ASSESSMENT)):
        return Assessment.objects.none()
    return (
        assessment_list(user=user, subject_kind=SubjectKind.PERSON)
        .filter(status=AssessmentStatus.COMPUTED)
        .exclude(owner=user)
    )


def appeal_managers(card: Assessment) -> tuple[int | None, int | None]:
    """(the direct manager, the manager's manager) of the person assessed: the managers of their department and the
    departments above it, the person themself and repeats skipped."""
    from apps.org.models import Department

    ids = [int(pk) for pk in card.owner_unit.path.strip("/").split("/") if pk]
    managers = dict(Department.objects.filter(pk__in=ids).values_list("pk", "manager_id"))
    chain: list[int] = []
    for pk in reversed(ids):
        manager = managers.get(pk)
        if manager and manager != card.owner_id and manager not in chain:
            chain.append(manager)
    return (chain[0] if chain else None), (chain[1] if len(chain) > 1 else None)


def may_decide_appeal(actor: Any, appeal: Appeal) -> bool:
    """申诉 of a scorecard: the manager's manager (the manager of the department above) or senior management / the
    leadership group; never the person appealing, never their direct manager nor whoever reviewed the card."""
    card = appeal.assessment
    direct, upper = appeal_managers(card)
    if actor.pk in (card.owner_id, direct, card.reviewed_by_id):
        return False
    return actor.pk == upper or actor.has_perm(str(Perm.DECIDE_APPEAL))


def appeals_to_decide(*, user: Any) -> QuerySet[Appeal]:
    """The pending appeals in the user's scope that they may decide (see ``may_decide_appeal``)."""
    pending = (
        Appeal.objects.visible_to(user)
        .filter(status=AppealStatus.PENDING)
        .exclude(assessment__owner=user)
        .select_related("assessment__owner_unit")
    )
    ids = [a.pk for a in pending if may_decide_appeal(user, a)]
    return Appeal.objects.filter(pk__in=ids).select_related("assessment__owner", "assessment__cycle")


def violation_appeals_to_decide(*, user: Any) -> QuerySet[Violation]:
    if not user.has_perm(str(Perm.DECIDE_APPEAL)):
        return Violation.objects.none()
    return violation_list(user=user, status=ViolationStatus.APPEALED).exclude(owner=user)


def proposal_list(*, user: Any, status: str = "") -> QuerySet[RewardPenalty]:
    qs = RewardPenalty.objects.visible_to(user).select_related("person", "department", "decided_by")
    return qs.filter(status=status) if status else qs


def proposals_to_decide(*, user: Any) -> QuerySet[RewardPenalty]:
    if not user.has_perm(str(Perm.DECIDE_REWARD)):
        return RewardPenalty.objects.none()
    return proposal_list(user=user, status=ProposalStatus.PROPOSED).exclude(person=user)


def violation_list(*, user: Any, status: str = "") -> QuerySet[Violation]:
    qs = Violation.objects.visible_to(user).select_related("owner", "owner_unit", "reported_by")
    return qs.filter(status=status) if status else qs


def violations_to_decide(*, user: Any) -> QuerySet[Violation]:
    if not user.has_perm(str(Perm.DECIDE_VIOLATION)):
        return Violation.objects.none()
    return violation_list(user=user, status=ViolationStatus.REPORTED).exclude(owner=user)


def cards_with_items(qs: QuerySet[Assessment]) -> QuerySet[Assessment]:
    return qs.prefetch_related(Prefetch("items", queryset=AssessmentItem.objects.select_related("kpi")))


def reportable_people(*, user: Any) -> QuerySet[Any]:
    """The people a manager may record a violation of: the one "whom may I assign?" rule of the performance app."""
    from apps.core.scoping import users_assignable

    return users_assignable(user, "performance").order_by("name")
