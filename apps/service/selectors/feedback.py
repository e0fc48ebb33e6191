"""Reads of customer feedback and its routings (art. 6 "向相关部门提供客户反馈"): the scoped lists, the departments a
category suggests, who is told when a department is late, and a customer's feedback for its timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from apps.org.choices import BuiltinRole, DepartmentKind
from apps.org.models import Department, User
from apps.service.choices import FeedbackCategory, RoutingStatus
from apps.service.models import Feedback, FeedbackRouting
from apps.service.models.feedback import ROUTING_ACTIONS, ROUTING_WORKFLOW, RoutingRole

# Which kind of department a category of feedback concerns (the form suggests them; any department may be picked).
CATEGORY_DEPARTMENT_KINDS: dict[str, tuple[str, ...]] = {
    FeedbackCategory.PRODUCT: (DepartmentKind.SALES,),
    FeedbackCategory.PRICE: (DepartmentKind.SALES,),
    FeedbackCategory.DELIVERY: (DepartmentKind.SALES,),
    FeedbackCategory.SALES: (DepartmentKind.SALES,),
    FeedbackCategory.MARKETING: (DepartmentKind.MARKET_DEVELOPMENT,),
    FeedbackCategory.SERVICE: (DepartmentKind.CUSTOMER_SERVICE,),
    FeedbackCategory.OTHER: (),
}

# Feedback "status" for the list filter: any routing still awaiting acknowledgement, or all replied.
FEEDBACK_PENDING = "pending"
FEEDBACK_IN_PROGRESS = "acknowledged"
FEEDBACK_REPLIED = "replied"


def routable_departments() -> QuerySet[Department]:
    """Every active department, in tree order (the form lets the user pick any)."""
    return Department.objects.filter(is_active=True).exclude(kind=DepartmentKind.COMPANY).order_by("path")


def departments_for_category(category: str) -> QuerySet[Department]:
    """The departments a category concerns: the top departments of the matching kind (not their teams)."""
    kinds = CATEGORY_DEPARTMENT_KINDS.get(category, ())
    if not kinds:
        return Department.objects.none()
    return Department.objects.filter(is_active=True, kind__in=kinds).exclude(parent__kind__in=kinds).order_by("path")


def category_suggestions() -> dict[str, list[int]]:
    """category → ids of the suggested departments (one query), for the form's script."""
    departments = list(Department.objects.filter(is_active=True).values("id", "kind", "parent__kind"))
    out: dict[str, list[int]] = {}
    for category, kinds in CATEGORY_DEPARTMENT_KINDS.items():
        out[str(category)] = [d["id"] for d in departments if d["kind"] in kinds and d["parent__kind"] not in kinds]
    return out


def _feedback_related(qs: QuerySet[Feedback]) -> QuerySet[Feedback]:
    return qs.select_related("customer", "created_by", "owner_unit", "ticket").prefetch_related("routings__department")


def feedback_list(
    *, user: Any, category: str = "", source: str = "", status: str = "", customer: Any = None, q: str = ""
) -> QuerySet[Feedback]:
    """The feedback the user may see, filtered by category, source, routing status and customer, searched."""
    qs = Feedback.objects.visible_to(user)
    if category:
        qs = qs.filter(category=category)
    if source:
        qs = qs.filter(source_kind=source)
    if customer is not None:
        qs = qs.filter(customer=customer)
    routings = FeedbackRouting.objects.filter(feedback=OuterRef("pk"))
    if status == FEEDBACK_PENDING:
        qs = qs.filter(Exists(routings.filter(status=RoutingStatus.PENDING)))
    elif status == FEEDBACK_IN_PROGRESS:
        qs = qs.filter(Exists(routings.filter(status=RoutingStatus.ACKNOWLEDGED)))
    elif status == FEEDBACK_REPLIED:
        qs = qs.filter(Exists(routings)).exclude(Exists(routings.exclude(status=RoutingStatus.REPLIED)))
    term = (q or "").strip()
    if term:
        qs = qs.filter(Q(content__icontains=term) | Q(customer__name__icontains=term))
    return _feedback_related(qs)


def routing_list(
    *, user: Any, status: str = "", overdue: bool = False, q: str = "", now: dt.datetime | None = None
) -> QuerySet[FeedbackRouting]:
    """Routings to the departments the user sees: awaiting acknowledgement first (soonest due), then the rest."""
    now = now or timezone.now()
    qs = FeedbackRouting.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status=RoutingStatus.PENDING, acknowledge_due__lt=now)
    term = (q or "").strip()
    if term:
        qs = qs.filter(
            Q(feedback__content__icontains=term)
            | Q(feedback__customer__name__icontains=term)
            | Q(department__name__icontains=term)
        )
    rank = Case(
        When(status=RoutingStatus.PENDING, then=Value(0)),
        When(status=RoutingStatus.ACKNOWLEDGED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    ordered = (
        qs.annotate(status_rank=rank)
        .select_related("feedback__customer", "feedback__created_by", "department", "acknowledged_by", "replied_by")
        .order_by("status_rank", "acknowledge_due", "-id")
    )
    return cast("QuerySet[FeedbackRouting]", ordered)


def routings_awaiting(*, user: Any) -> QuerySet[FeedbackRouting]:
    """Routings awaiting acknowledgement that the user may acknowledge (none without the permission)."""
    if not user.has_perm("service.acknowledge_feedbackrouting"):
        return FeedbackRouting.objects.none()
    return FeedbackRouting.objects.visible_to(user).filter(status=RoutingStatus.PENDING)


def routings_overdue_unescalated(*, now: dt.datetime) -> QuerySet[FeedbackRouting]:
    return FeedbackRouting.objects.filter(
        status=RoutingStatus.PENDING, acknowledge_due__lt=now, escalated_at__isnull=True
    ).select_related("department__parent", "feedback__customer")


def senior_management() -> QuerySet[User]:
    """公司高层: active users holding the senior management role."""
    return User.objects.filter(
        is_active=True, employee__is_active=True, employee__roles__code=BuiltinRole.SENIOR_MANAGEMENT
    ).distinct()


def department_manager(department: Department | None) -> Any:
    """The manager of the department or, when it has none, of the nearest department above that has one."""
    seen = 0
    while department is not None and seen < 20:
        if department.manager is not None and department.manager.is_active:
            return department.manager
        department = department.parent
        seen += 1
    return None


def escalation_recipients(department: Department) -> list[Any]:
    """Who hears of a late acknowledgement: the manager of the parent department, or senior management."""
    manager = department_manager(department.parent) if department.parent_id else None
    if manager is not None and manager.pk != department.manager_id:
        return [manager]
    return list(senior_management())


def routing_roles(user: Any, routing: FeedbackRouting, visible: set[int] | None = None) -> frozenset[str]:
    """The roles of ``ROUTING_WORKFLOW`` the user holds for the routing; ``visible`` (the ids of routings the user
    sees, for a list) saves a query per row."""
    if not user.has_perm("service.acknowledge_feedbackrouting"):
        return frozenset()
    if visible is None:
        sees = FeedbackRouting.objects.visible_to(user).filter(pk=routing.pk).exists()
    else:
        sees = routing.pk in visible
    return frozenset({RoutingRole.ANSWERER}) if sees else frozenset()


def routing_allowed(user: Any, routing: FeedbackRouting, visible: set[int] | None = None) -> list[str]:
    """The steps of ``ROUTING_WORKFLOW`` the user may take on the routing now, in the page's order."""
    roles = routing_roles(user, routing, visible)
    steps = ROUTING_WORKFLOW.get(routing.status, {})
    return [action for action in ROUTING_ACTIONS if action in steps and steps[action].who & roles]
