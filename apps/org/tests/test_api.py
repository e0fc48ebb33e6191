"""The organisation API: scoped reads, writes through the services, the logged-in user."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from apps.core.testing import Persona
from apps.org.choices import BuiltinRole
from apps.org.models import Department, Employee, Role, User
from apps.org.services import DEPARTMENT_UNDER_ITSELF, EMPLOYEE_NEEDS_DEPARTMENT
from apps.org.tests.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

DEPARTMENTS = "/api/v1/departments/"
EMPLOYEES = "/api/v1/employees/"
ME = "/api/v1/me/"


def _units(personas: dict[str, Persona]) -> dict[str, Department]:
    return {
        "company": personas["auditor_dave"].unit,
        "a": personas["lead_bob"].unit,
        "a1": personas["rep_alice"].unit,
        "b": personas["rep_carol"].unit,
    }


def _in_zh(message: Any) -> str:
    with translation.override("zh-hans"):
        return str(message)


#
# Departments
#


class DepartmentApiTests:
    def test_list_is_paginated_and_every_record_has_an_id(self, personas: dict[str, Persona]) -> None:
        response = personas["admin"].client().get(DEPARTMENTS, {"page_size": 2})
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 4
        assert len(body["results"]) == 2 and body["next"]
        assert all(isinstance(row["id"], int) for row in body["results"])
        second = personas["admin"].client().get(DEPARTMENTS, {"page_size": 2, "page": 2}).json()
        assert {r["id"] for r in body["results"]}.isdisjoint({r["id"] for r in second["results"]})

    def test_admin_creates_a_department_with_its_path(self, personas: dict[str, Persona]) -> None:
        units = _units(personas)
        response = (
            personas["admin"]
            .client()
            .post(
                DEPARTMENTS,
                {"name": "销售二组", "code": "sales-2", "kind": "sales", "parent": units["a"].pk},
                content_type="application/json",
            )
        )
        assert response.status_code == 201, response.json()
        created = Department.objects.get(code="sales-2")
        assert created.path == f"{units['a'].path}{created.pk}/"
        assert response.json()["path"] == created.path
        assert created.history.first().history_user == personas["admin"].user

    def test_staff_may_not_create_a_department(self, personas: dict[str, Persona]) -> None:
        response = (
            personas["rep_alice"]
            .client()
            .post(DEPARTMENTS, {"name": "X", "code": "x"}, content_type="application/json")
        )
        assert response.status_code == 403
        assert not Department.objects.filter(code="x").exists()

    def test_moving_under_its_own_child_is_400_and_changes_nothing(self, personas: dict[str, Persona]) -> None:
        units = _units(personas)
        before = dict(Department.objects.values_list("pk", "path"))
        response = (
            personas["admin"]
            .client()
            .patch(f"{DEPARTMENTS}{units['a'].pk}/", {"parent": units["a1"].pk}, content_type="application/json")
        )
        assert response.status_code == 400
        assert response.json()["parent"] == [_in_zh(DEPARTMENT_UNDER_ITSELF)]
        assert dict(Department.objects.values_list("pk", "path")) == before
        assert Department.objects.get(pk=units["a"].pk).parent_id == units["company"].pk

    def test_the_message_follows_the_users_language(self, personas: dict[str, Persona]) -> None:
        admin = personas["admin"].user
        admin.language = "en"
        admin.save(update_fields=["language"])
        units = _units(personas)
        response = (
            personas["admin"]
            .client()
            .patch(f"{DEPARTMENTS}{units['a'].pk}/", {"parent": units["a"].pk}, content_type="application/json")
        )
        assert response.status_code == 400
        with translation.override("en"):
            assert response.json()["parent"] == [str(DEPARTMENT_UNDER_ITSELF)]

    def test_moving_a_department_repaths_its_subtree(self, personas: dict[str, Persona]) -> None:
        units = _units(personas)
        response = (
            personas["admin"]
            .client()
            .patch(f"{DEPARTMENTS}{units['a'].pk}/", {"parent": units["b"].pk}, content_type="application/json")
        )
        assert response.status_code == 200, response.json()
        units["a1"].refresh_from_db()
        assert units["a1"].path == f"{units['b'].path}{units['a'].pk}/{units['a1'].pk}/"

    def test_a_department_with_members_is_not_deleted(self, personas: dict[str, Persona]) -> None:
        units = _units(personas)
        response = personas["admin"].client().delete(f"{DEPARTMENTS}{units['a'].pk}/")
        assert response.status_code == 400
        assert Department.objects.filter(pk=units["a"].pk).exists()

    def test_an_empty_department_is_deleted(self, personas: dict[str, Persona]) -> None:
        empty = DepartmentFactory(parent=_units(personas)["b"])
        assert personas["admin"].client().delete(f"{DEPARTMENTS}{empty.pk}/").status_code == 204
        assert not Department.objects.filter(pk=empty.pk).exists()

    def test_list_query_count_is_constant(self, personas: dict[str, Persona]) -> None:
        client = personas["auditor_dave"].client()
        counts = []
        for _ in range(2):
            for _ in range(5):
                DepartmentFactory(parent=_units(personas)["a"], manager=personas["lead_bob"].user)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(DEPARTMENTS, {"page_size": 200}).status_code == 200
            counts.append(len(ctx))
        assert counts[0] == counts[1]


#
# Employees
#


class EmployeeApiTests:
    @pytest.fixture
    def team(self, personas: dict[str, Persona]) -> dict[str, Employee]:
        units = _units(personas)
        return {
            "a1_active": EmployeeFactory(
                department=units["a1"], user__name="张三", employee_no="S-001", roles=[BuiltinRole.STAFF]
            ),
            "a1_left": EmployeeFactory(department=units["a1"], user__name="李四", employee_no="S-002", is_active=False),
            "a_active": EmployeeFactory(department=units["a"], user__name="王五", employee_no="S-003"),
            "b_active": EmployeeFactory(department=units["b"], user__name="赵六", employee_no="C-001"),
        }

    def _ids(self, persona: Persona, **params: Any) -> set[int]:
        response = persona.client().get(EMPLOYEES, {"page_size": 200, **params})
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    def test_filter_by_department_includes_sub_departments(self, personas: dict, team: dict) -> None:
        units = _units(personas)
        ids = self._ids(personas["auditor_dave"], department=units["a"].pk)
        expected = set(Employee.objects.filter(department__in=[units["a"], units["a1"]]).values_list("pk", flat=True))
        assert ids == expected
        assert team["a1_active"].pk in ids and team["b_active"].pk not in ids

    def test_filter_by_department_only(self, personas: dict, team: dict) -> None:
        units = _units(personas)
        ids = self._ids(personas["auditor_dave"], department=units["a"].pk, include_sub="false")
        assert ids == set(Employee.objects.filter(department=units["a"]).values_list("pk", flat=True))

    def test_filter_by_active(self, personas: dict, team: dict) -> None:
        assert team["a1_left"].pk not in self._ids(personas["auditor_dave"], active="true")
        assert self._ids(personas["auditor_dave"], active="false") == {team["a1_left"].pk}

    def test_search_by_name_and_number(self, personas: dict, team: dict) -> None:
        assert self._ids(personas["auditor_dave"], search="王五") == {team["a_active"].pk}
        assert self._ids(personas["auditor_dave"], search="C-001") == {team["b_active"].pk}

    def test_filtering_by_a_department_out_of_scope_is_refused(self, personas: dict, team: dict) -> None:
        response = personas["rep_alice"].client().get(EMPLOYEES, {"department": _units(personas)["b"].pk})
        assert response.status_code == 400

    def test_record_shape(self, personas: dict, team: dict) -> None:
        response = personas["auditor_dave"].client().get(f"{EMPLOYEES}{team['a1_active'].pk}/")
        body = response.json()
        assert body["id"] == team["a1_active"].pk
        assert body["name"] == "张三" and body["employee_no"] == "S-001"
        assert body["department"]["id"] == _units(personas)["a1"].pk
        assert [r["code"] for r in body["roles"]] == [BuiltinRole.STAFF]

    def test_list_query_count_is_constant_as_rows_grow(
        self, personas: dict, django_assert_max_num_queries: Any
    ) -> None:
        client = personas["lead_bob"].client()
        units = _units(personas)
        counts = []
        for batch in (3, 15):
            for _ in range(batch):
                EmployeeFactory(department=units["a1"], roles=[BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER])
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(EMPLOYEES, {"page_size": 200}).status_code == 200
            counts.append(len(ctx))
        assert counts[0] == counts[1]
        with django_assert_max_num_queries(12):
            client.get(EMPLOYEES, {"page_size": 200})


class EmployeeWriteApiTests:
    def _payload(self, personas: dict[str, Persona], **extra: Any) -> dict[str, Any]:
        role = Role.objects.get(code=BuiltinRole.STAFF)
        return {
            "username": "zhangsan",
            "name": "张三",
            "password": "Sales-Pass-2025",
            "employee_no": "N-100",
            "department": _units(personas)["a1"].pk,
            "mobile": "+86 138 0013 8000",
            "roles": [role.pk],
            **extra,
        }

    def test_admin_creates_an_employee_with_a_login(self, personas: dict[str, Persona]) -> None:
        response = personas["admin"].client().post(EMPLOYEES, self._payload(personas), content_type="application/json")
        assert response.status_code == 201, response.json()
        employee = Employee.objects.get(employee_no="N-100")
        assert employee.user.username == "zhangsan" and employee.user.check_password("Sales-Pass-2025")
        assert list(employee.roles.values_list("code", flat=True)) == [BuiltinRole.STAFF]
        assert response.json()["id"] == employee.pk and "password" not in response.json()

    def test_without_a_department_nothing_is_created(self, personas: dict[str, Persona]) -> None:
        payload = self._payload(personas)
        del payload["department"]
        response = personas["admin"].client().post(EMPLOYEES, payload, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["department"] == [_in_zh(EMPLOYEE_NEEDS_DEPARTMENT)]
        assert not User.objects.filter(username="zhangsan").exists()

    def test_an_invalid_mobile_is_refused_and_nothing_is_created(self, personas: dict[str, Persona]) -> None:
        response = (
            personas["admin"]
            .client()
            .post(EMPLOYEES, self._payload(personas, mobile="12345"), content_type="application/json")
        )
        assert response.status_code == 400
        assert "mobile" in response.json()
        assert not User.objects.filter(username="zhangsan").exists()

    def test_staff_may_not_create(self, personas: dict[str, Persona]) -> None:
        response = (
            personas["rep_alice"].client().post(EMPLOYEES, self._payload(personas), content_type="application/json")
        )
        assert response.status_code == 403
        assert not User.objects.filter(username="zhangsan").exists()

    def test_admin_updates_an_employee(self, personas: dict[str, Persona]) -> None:
        alice = Employee.objects.get(user=personas["rep_alice"].user)
        response = (
            personas["admin"]
            .client()
            .patch(f"{EMPLOYEES}{alice.pk}/", {"title": "高级销售", "name": "艾丽丝"}, content_type="application/json")
        )
        assert response.status_code == 200, response.json()
        alice.refresh_from_db()
        assert alice.title == "高级销售" and alice.user.name == "艾丽丝"
        assert response.json()["name"] == "艾丽丝"

    def test_removing_the_department_is_refused(self, personas: dict[str, Persona]) -> None:
        alice = Employee.objects.get(user=personas["rep_alice"].user)
        response = (
            personas["admin"]
            .client()
            .patch(f"{EMPLOYEES}{alice.pk}/", {"department": None}, content_type="application/json")
        )
        assert response.status_code == 400
        assert response.json()["department"] == [_in_zh(EMPLOYEE_NEEDS_DEPARTMENT)]

    def test_staff_may_not_update(self, personas: dict[str, Persona]) -> None:
        alice = Employee.objects.get(user=personas["rep_alice"].user)
        response = (
            personas["rep_alice"]
            .client()
            .patch(f"{EMPLOYEES}{alice.pk}/", {"title": "经理"}, content_type="application/json")
        )
        assert response.status_code == 403

    def test_a_writer_with_a_narrow_scope_gets_404_outside_it(self, personas: dict[str, Persona]) -> None:
        hr = Role.objects.create(code="unit-hr", name="部门人事", data_scope="unit")
        hr.permissions.set(Role.objects.get(code=BuiltinRole.SYSTEM_ADMIN).permissions.all())
        Employee.objects.get(user=personas["rep_carol"].user).roles.add(hr)
        alice = Employee.objects.get(user=personas["rep_alice"].user)
        response = (
            personas["rep_carol"]
            .client()
            .patch(f"{EMPLOYEES}{alice.pk}/", {"title": "经理"}, content_type="application/json")
        )
        assert response.status_code == 404
        alice.refresh_from_db()
        assert alice.title != "经理"

    def test_employees_are_not_deleted_through_the_api(self, personas: dict[str, Persona]) -> None:
        alice = Employee.objects.get(user=personas["rep_alice"].user)
        assert personas["admin"].client().delete(f"{EMPLOYEES}{alice.pk}/").status_code == 405


#
# The logged-in user
#


class MeApiTests:
    def test_it_answers_the_logged_in_user(self, personas: dict[str, Persona]) -> None:
        response = personas["rep_alice"].client().get(ME)
        assert response.status_code == 200
        body = response.json()
        assert body["username"] == "alice" and body["name"] == "艾丽" and body["language"] == "zh-hans"
        assert body["employee"]["department"]["id"] == personas["rep_alice"].unit.pk
        assert [r["code"] for r in body["employee"]["roles"]] == [BuiltinRole.STAFF]
        assert body["data_scope"]["org"] == "unit"
        assert "org.view_employee" in body["permissions"] and "org.add_employee" not in body["permissions"]

    def test_the_manager_sees_the_widest_scope_of_his_roles(self, personas: dict[str, Persona]) -> None:
        body = personas["lead_bob"].client().get(ME).json()
        assert body["data_scope"]["org"] == "unit_tree"
        assert body["data_scope"]["core"] == "unit_tree"

    def test_a_superuser_sees_all(self, personas: dict[str, Persona]) -> None:
        body = personas["admin"].client().get(ME).json()
        assert set(body["data_scope"].values()) == {"all"}

    def test_patch_changes_the_language(self, personas: dict[str, Persona]) -> None:
        response = personas["rep_alice"].client().patch(ME, {"language": "en"}, content_type="application/json")
        assert response.status_code == 200
        assert response.json()["language"] == "en"
        assert User.objects.get(username="alice").language == "en"

    def test_an_unknown_language_is_refused(self, personas: dict[str, Persona]) -> None:
        response = personas["rep_alice"].client().patch(ME, {"language": "fr"}, content_type="application/json")
        assert response.status_code == 400
        assert User.objects.get(username="alice").language == "zh-hans"

    def test_anonymous_is_refused(self, db: Any) -> None:
        from django.test import Client

        assert Client().get(ME).status_code in (401, 403)
