"""Reads of the organisation, always from what the user may see."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as django_apps
from django.db.models import Count, Q, QuerySet

from apps.org.models import Department, Employee, Role, User


def department_list(*, user: Any) -> QuerySet[Department]:
    return Department.objects.visible_to(user).select_related("manager", "parent")


def employee_list(
    *, user: Any, department: Department | None = None, include_sub: bool = True, active: bool | None = True
) -> QuerySet[Employee]:
    """Employees the user may see; optionally within one department (and its sub-departments)."""
    qs = Employee.objects.visible_to(user).select_related("user", "department").prefetch_related("roles")
    if department is not None:
        within = {"department__path__startswith": department.path} if include_sub else {"department": department}
        qs = qs.filter(**within)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@dataclass
class OrgNode:
    department: Department
    headcount: int
    children: list[OrgNode] = field(default_factory=list)

    @property
    def total_headcount(self) -> int:
        return self.headcount + sum(child.total_headcount for child in self.children)


def org_chart(*, user: Any) -> list[OrgNode]:
    """Return the visible part of the department tree with head-counts of staff in service (one query)."""
    departments = list(
        department_list(user=user)
        .annotate(headcount=Count("employees", filter=Q(employees__is_active=True)))
        .order_by("path", "order")
    )
    nodes = {d.pk: OrgNode(d, d.headcount) for d in departments}  # type: ignore[attr-defined]
    roots: list[OrgNode] = []
    for d in sorted(departments, key=lambda d: (d.depth, d.order, d.name)):
        parent = nodes.get(d.parent_id) if d.parent_id else None
        (parent.children if parent else roots).append(nodes[d.pk])
    return roots


def employee_owned_records(*, employee: Employee) -> dict[str, int]:
    """What a handover of ``employee`` would move: record counts per kind of owned record, and managed departments."""
    counts: dict[str, int] = {}
    for model in owned_models():
        count = model._default_manager.filter(**{model.scope_fields.owner: employee.user}).count()
        if count:
            counts[str(model._meta.verbose_name_plural)] = count
    managed = Department.objects.filter(manager=employee.user).count()
    if managed:
        counts[str(Department._meta.verbose_name_plural)] = managed
    return counts


def owned_models() -> list[Any]:
    """Every model whose records a user owns directly (``scope_fields.owner`` is a plain field of the model)."""
    owned = []
    for model in django_apps.get_models():
        fields = getattr(model, "scope_fields", None)
        if fields and fields.owner and "__" not in fields.owner and model is not Employee:
            owned.append(model)
    return owned


def role_list(*, user: Any) -> QuerySet[Role]:
    if not user.has_perm("org.view_role"):
        return Role.objects.none()
    return Role.objects.prefetch_related("grants").annotate(member_count=Count("employees"))


def users_with_role(role: str) -> QuerySet[Any]:
    """Active users holding a built-in role through an employee record still in service (no scope: used by
    services to find whom to notify, e.g. senior management for escalations)."""
    return User.objects.filter(is_active=True, employee__is_active=True, employee__roles__code=role).distinct()


def users_with_permission(perm: str) -> QuerySet[Any]:
    """Active users in service whose roles give ``perm`` ("app.codename"), either everywhere or in the kind of
    department they work in (``RoleKindGrant``) — the same two sources ``RoleBackend`` reads, as a queryset: who may
    be given work of that kind (a customer to own goes to someone who may hold customers)."""
    from django.contrib.auth.models import Permission
    from django.db.models import F

    app_label, codename = perm.split(".", 1)
    wanted = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    by_role = Employee.objects.filter(roles__permissions__in=wanted)
    by_kind = Employee.objects.filter(
        roles__kind_grants__permissions__in=wanted, roles__kind_grants__department_kind=F("department__kind")
    )
    return User.objects.filter(is_active=True, employee__is_active=True).filter(
        Q(employee__in=by_role.values("pk")) | Q(employee__in=by_kind.values("pk"))
    )
