"""Reads of the organisation: always scoped, never N+1."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.testing import Persona
from apps.org import selectors
from apps.org.models import Department, Employee, User
from apps.org.tests.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db


def _units(personas: dict[str, Persona]) -> dict[str, Department]:
    return {
        "company": personas["auditor_dave"].unit,
        "a": personas["lead_bob"].unit,
        "a1": personas["rep_alice"].unit,
        "b": personas["rep_carol"].unit,
    }


def _fresh(persona: Persona) -> User:
    return User.objects.get(pk=persona.user.pk)


def _count_queries(func: Any) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx)


class DepartmentListTests:
    def test_it_is_scoped(self, personas: dict[str, Persona]) -> None:
        units = _units(personas)
        assert set(selectors.department_list(user=_fresh(personas["lead_bob"]))) == {units["a"], units["a1"]}
        assert set(selectors.department_list(user=_fresh(personas["rep_carol"]))) == {units["b"]}


class EmployeeListTests:
    def test_within_a_department_and_its_sub_departments(self, personas: dict[str, Persona]) -> None:
        units = _units(personas)
        dave = _fresh(personas["auditor_dave"])
        in_a = {e.user.username for e in selectors.employee_list(user=dave, department=units["a"])}
        assert in_a == {"alice", "bob"}
        only_a = {e.user.username for e in selectors.employee_list(user=dave, department=units["a"], include_sub=False)}
        assert only_a == {"bob"}

    def test_active_by_default(self, personas: dict[str, Persona]) -> None:
        gone = EmployeeFactory(department=_units(personas)["b"], is_active=False)
        dave = _fresh(personas["auditor_dave"])
        assert gone not in selectors.employee_list(user=dave)
        assert gone in selectors.employee_list(user=dave, active=None)
        assert list(selectors.employee_list(user=dave, active=False)) == [gone]

    def test_it_is_scoped(self, personas: dict[str, Persona]) -> None:
        seen = {e.user.username for e in selectors.employee_list(user=_fresh(personas["rep_carol"]))}
        assert seen == {"carol"}

    def test_reading_the_rows_costs_the_same_for_more_rows(self, personas: dict[str, Persona]) -> None:
        units = _units(personas)

        def read() -> None:
            for e in selectors.employee_list(user=_fresh(personas["auditor_dave"])):
                _ = (e.user.name, e.department.name, [r.name for r in e.roles.all()])

        first = _count_queries(read)
        for _ in range(10):
            EmployeeFactory(department=units["a1"], roles=["staff"])
        assert _count_queries(read) == first


class OrgChartTests:
    def test_tree_and_headcounts(self, personas: dict[str, Persona]) -> None:
        units = _units(personas)
        EmployeeFactory(department=units["a1"])
        EmployeeFactory(department=units["a1"], is_active=False)
        (root,) = selectors.org_chart(user=_fresh(personas["auditor_dave"]))
        assert root.department == units["company"]
        a = next(n for n in root.children if n.department == units["a"])
        assert [c.department for c in a.children] == [units["a1"]]
        assert a.children[0].headcount == 2  # alice and the new colleague; the one who left doesn't count
        assert a.total_headcount == 3
        assert root.total_headcount == Employee.objects.filter(is_active=True).count()

    def test_the_visible_part_only(self, personas: dict[str, Persona]) -> None:
        (root,) = selectors.org_chart(user=_fresh(personas["lead_bob"]))
        assert root.department == _units(personas)["a"]

    def test_query_count_is_constant(self, personas: dict[str, Persona]) -> None:
        units = _units(personas)
        first = _count_queries(lambda: selectors.org_chart(user=_fresh(personas["auditor_dave"])))
        for _ in range(5):
            EmployeeFactory(department=DepartmentFactory(parent=units["b"]))
        assert _count_queries(lambda: selectors.org_chart(user=_fresh(personas["auditor_dave"]))) == first


class RoleListTests:
    def test_only_with_the_permission(self, personas: dict[str, Persona]) -> None:
        assert not selectors.role_list(user=_fresh(personas["rep_alice"])).exists()
        roles = {r.code: r for r in selectors.role_list(user=_fresh(personas["admin"]))}
        assert roles["staff"].member_count == 3  # alice, bob, carol
