"""The data-scope matrix for the organisation: every built-in role, by selector, page and API.

The generic personas (``apps.org.testing``) cover staff, department manager, senior management and a superuser
system administrator; this module adds a leadership-group member and a system administrator who is not a
superuser, so that each built-in role's own scope is proven.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.urls import reverse

from apps.core import testing as core_testing
from apps.core.testing import OWN_RECORDS_VISIBILITY, PERSONAS, Persona
from apps.org.choices import BuiltinRole
from apps.org.models import Department, Employee
from apps.org.testing import build_personas, make_department, make_employee
from apps.org.tests.factories import EmployeeFactory

# Roles the generic personas don't hold alone; both see everything (DataScope.ALL).
EXTRA_PERSONAS = ("leader_erin", "sysadmin_frank")


@pytest.fixture
def personas(db: Any) -> dict[str, Persona]:
    """The generic personas plus a leadership-group member and a non-superuser system administrator."""
    people = build_personas()
    company = people["auditor_dave"].unit
    for key, username, name, role in (
        ("leader_erin", "erin", "艾琳", BuiltinRole.LEADERSHIP_GROUP),
        ("sysadmin_frank", "frank", "弗兰克", BuiltinRole.SYSTEM_ADMIN),
    ):
        employee = make_employee(username, name, company, role)
        people[key] = Persona(key, employee.user, company)
    return people


class AllRolesMatrixMixin:
    """Run the generic matrix's checks for the extra personas too (they see every record)."""

    expected_visible: ClassVar[dict[str, set[str]]] = {
        **OWN_RECORDS_VISIBILITY,
        **{key: set(PERSONAS) for key in EXTRA_PERSONAS},
    }

    @pytest.mark.parametrize("viewer", EXTRA_PERSONAS)
    def test_extra_role_visible_to(self, viewer: str, personas: dict, records: dict) -> None:
        self.test_visible_to_gives_exactly_the_scope(viewer, personas, records)  # type: ignore[attr-defined]

    @pytest.mark.parametrize("viewer", EXTRA_PERSONAS)
    def test_extra_role_list_page(self, viewer: str, personas: dict, records: dict) -> None:
        self.test_list_page_shows_only_the_scope(viewer, personas, records)  # type: ignore[attr-defined]

    @pytest.mark.parametrize("viewer", EXTRA_PERSONAS)
    def test_extra_role_detail(self, viewer: str, personas: dict, records: dict) -> None:
        self.test_out_of_scope_detail_is_404(viewer, personas, records)  # type: ignore[attr-defined]

    @pytest.mark.parametrize("viewer", EXTRA_PERSONAS)
    def test_extra_role_api_list(self, viewer: str, personas: dict, records: dict) -> None:
        self.test_api_list_gives_only_the_scope(viewer, personas, records)  # type: ignore[attr-defined]


class EmployeeScopeTests(AllRolesMatrixMixin, core_testing.ScopeMatrixTests):
    # ScopeMatrixTests is imported through its module so that pytest doesn't collect the abstract base here.
    """Staff see the colleagues of their own department, managers their subtree, management everyone.

    Each persona's "record" is a new colleague in that persona's department, so with the personas' tree the
    visibility is the generic one: alice (A1) sees A1's, bob (A) sees A's and A1's, carol (B) sees B's.
    """

    model = Employee
    list_url = "/org/employees/"
    api_list_url = "/api/v1/employees/"
    detail_route = "org:employee_detail"

    def make(self, persona: Persona) -> Employee:
        return EmployeeFactory(
            department=persona.unit, user__username=f"colleague-of-{persona.key}", user__name=f"同事-{persona.key}"
        )

    def label(self, record: Employee) -> str:
        return record.user.name

    def test_list_url_is_the_named_route(self) -> None:
        assert reverse("org:employee_list") == self.list_url


#
# Departments
#

# Who sees which of the personas' departments: staff their own (UNIT in org), the manager his subtree.
DEPARTMENT_VISIBILITY = {
    "rep_alice": {"a1"},
    "lead_bob": {"a", "a1"},
    "rep_carol": {"b"},
    "auditor_dave": {"company", "a", "a1", "b"},
    "leader_erin": {"company", "a", "a1", "b"},
    "sysadmin_frank": {"company", "a", "a1", "b"},
    "admin": {"company", "a", "a1", "b"},
}


class DepartmentScopeTests:
    @pytest.fixture
    def units(self, personas: dict[str, Persona]) -> dict[str, Department]:
        return {
            "company": personas["auditor_dave"].unit,
            "a": personas["lead_bob"].unit,
            "a1": personas["rep_alice"].unit,
            "b": personas["rep_carol"].unit,
        }

    def _expected(self, viewer: str, units: dict[str, Department]) -> set[int]:
        return {units[key].pk for key in DEPARTMENT_VISIBILITY[viewer]}

    @pytest.mark.parametrize("viewer", list(DEPARTMENT_VISIBILITY))
    def test_visible_to(self, viewer: str, personas: dict, units: dict) -> None:
        seen = set(Department.objects.visible_to(personas[viewer].user).values_list("pk", flat=True))
        assert seen == self._expected(viewer, units)

    @pytest.mark.parametrize("viewer", list(DEPARTMENT_VISIBILITY))
    def test_api_list(self, viewer: str, personas: dict, units: dict) -> None:
        response = personas[viewer].client().get("/api/v1/departments/", {"page_size": 200})
        assert response.status_code == 200
        assert {row["id"] for row in response.json()["results"]} == self._expected(viewer, units)

    @pytest.mark.parametrize("viewer", list(DEPARTMENT_VISIBILITY))
    def test_out_of_scope_api_detail_is_404(self, viewer: str, personas: dict, units: dict) -> None:
        client = personas[viewer].client()
        for unit in units.values():
            expected = 200 if unit.pk in self._expected(viewer, units) else 404
            assert client.get(f"/api/v1/departments/{unit.pk}/").status_code == expected, unit

    def test_a_sibling_with_a_longer_id_prefix_stays_hidden(self, personas: dict, units: dict) -> None:
        """Paths end in "/", so the subtree of "/1/" never includes "/10/"."""
        lookalike = make_department("相似部门", "t-lookalike", "sales", units["company"])
        lookalike.path = units["a"].path.rstrip("/") + "0/"  # e.g. "/1/2/" → "/1/20/"
        lookalike.save(update_fields=["path"])
        assert not Department.objects.visible_to(personas["lead_bob"].user).filter(pk=lookalike.pk).exists()

    def test_anonymous_api_is_refused(self, units: dict) -> None:
        from django.test import Client

        assert Client().get("/api/v1/departments/").status_code in (401, 403)

    def test_every_department_route_out_of_scope_is_404_and_writes_nothing(self, personas: dict, units: dict) -> None:
        """The out-of-scope route matrix of ``ScopeMatrixTests``, for departments: rep_carol (department B) tries
        department A's detail, edit, delete and API routes."""
        answers = [
            answer
            for route in core_testing.object_routes(Department)
            for answer in core_testing.assert_out_of_scope_route(personas["rep_carol"], route, units["a"])
        ]
        assert any(answer.startswith("POST org:department_delete") for answer in answers)
        print(f"\nout-of-scope matrix org.Department: {answers}")
