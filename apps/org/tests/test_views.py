"""Organisation pages: org chart, departments, employees, roles, offboarding; management only for administrators."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from apps.org.choices import BuiltinRole
from apps.org.models import Department, Employee, Role, User
from apps.org.services import DEPARTMENT_UNDER_ITSELF, EMPLOYEE_NEEDS_DEPARTMENT
from apps.org.testing import make_department, make_employee

pytestmark = pytest.mark.django_db


def _units(personas: dict) -> dict[str, Department]:
    return {
        "company": personas["auditor_dave"].unit,
        "a": personas["lead_bob"].unit,
        "a1": personas["rep_alice"].unit,
        "b": personas["rep_carol"].unit,
    }


class OrgChartTests:
    def test_admin_sees_every_department_with_head_counts(self, personas: dict) -> None:
        response = personas["admin"].client().get(reverse("org:department_list"))
        assert response.status_code == 200
        body = response.content.decode()
        for name in ("测试公司", "销售部", "销售一组", "客户服务部"):
            assert name in body
        assert response.context["total_headcount"] == 5
        assert response.context["department_count"] == 4
        company = response.context["roots"][0]
        assert company.headcount == 2 and company.total_headcount == 5
        assert "鲍勃" in body  # manager of 销售部

    def test_staff_do_not_see_another_department(self, personas: dict) -> None:
        body = personas["rep_alice"].client().get(reverse("org:department_list")).content.decode()
        assert "销售一组" in body
        assert "客户服务部" not in body

    def test_management_buttons_only_for_administrators(self, personas: dict) -> None:
        assert (
            'data-testid="department-create"'
            in personas["admin"].client().get(reverse("org:department_list")).content.decode()
        )
        assert (
            'data-testid="department-create"'
            not in personas["lead_bob"].client().get(reverse("org:department_list")).content.decode()
        )

    def test_query_count_stays_flat_as_departments_grow(
        self, personas: dict, django_assert_max_num_queries: Any
    ) -> None:
        client = personas["admin"].client()
        client.get(reverse("org:department_list"))
        with django_assert_max_num_queries(12):
            client.get(reverse("org:department_list"))
        parent = _units(personas)["b"]
        for i in range(15):
            make_department(f"服务{i}组", f"svc-{i}", "customer_service", parent)
        with django_assert_max_num_queries(12):
            assert client.get(reverse("org:department_list")).status_code == 200


class DepartmentDetailTests:
    def test_it_shows_members_sub_departments_and_history(self, personas: dict) -> None:
        unit_a = _units(personas)["a"]
        response = personas["lead_bob"].client().get(reverse("org:department_detail", args=[unit_a.pk]))
        assert response.status_code == 200
        body = response.content.decode()
        assert "鲍勃" in body and "销售一组" in body
        assert 'data-testid="history-panel"' in body

    def test_out_of_scope_department_is_404(self, personas: dict) -> None:
        unit_b = _units(personas)["b"]
        response = personas["rep_alice"].client().get(reverse("org:department_detail", args=[unit_b.pk]))
        assert response.status_code == 404


class DepartmentManagementTests:
    def test_staff_and_managers_get_403(self, personas: dict) -> None:
        unit_a = _units(personas)["a"]
        for key in ("rep_alice", "lead_bob", "auditor_dave"):
            client = personas[key].client()
            assert client.get(reverse("org:department_create")).status_code == 403
            assert client.get(reverse("org:department_update", args=[unit_a.pk])).status_code == 403
            assert client.post(reverse("org:department_delete", args=[unit_a.pk])).status_code == 403

    def test_create_puts_the_department_in_the_tree(self, personas: dict) -> None:
        unit_a = _units(personas)["a"]
        response = (
            personas["admin"]
            .client()
            .post(
                reverse("org:department_create"),
                {
                    "name": "销售三组",
                    "code": "t-sales-3",
                    "kind": "sales",
                    "parent": unit_a.pk,
                    "order": 3,
                    "is_active": "on",
                },
            )
        )
        assert response.status_code == 302
        created = Department.objects.get(code="t-sales-3")
        assert created.path == f"{unit_a.path}{created.pk}/"

    def test_parent_select_shows_the_tree_indented(self, personas: dict) -> None:
        body = personas["admin"].client().get(reverse("org:department_create")).content.decode()
        assert "\u3000\u3000销售一组" in body

    def test_moving_under_its_own_child_shows_the_error_and_changes_nothing(self, personas: dict) -> None:
        units = _units(personas)
        unit_a = units["a"]
        before = (unit_a.parent_id, unit_a.path, unit_a.name)
        history_rows = unit_a.history.count()
        response = (
            personas["admin"]
            .client()
            .post(
                reverse("org:department_update", args=[unit_a.pk]),
                {
                    "name": "改名的销售部",
                    "code": unit_a.code,
                    "kind": unit_a.kind,
                    "parent": units["a1"].pk,
                    "order": 0,
                    "is_active": "on",
                },
            )
        )
        assert response.status_code == 200
        assert str(DEPARTMENT_UNDER_ITSELF) in response.content.decode()
        assert response.context["form"].errors["parent"] == [str(DEPARTMENT_UNDER_ITSELF)]
        unit_a.refresh_from_db()
        assert (unit_a.parent_id, unit_a.path, unit_a.name) == before
        assert unit_a.history.count() == history_rows

    def test_an_empty_department_can_be_deleted(self, personas: dict) -> None:
        empty = make_department("临时组", "t-tmp", "other", _units(personas)["b"])
        client = personas["admin"].client()
        assert client.get(reverse("org:department_delete", args=[empty.pk])).status_code == 200
        response = client.post(reverse("org:department_delete", args=[empty.pk]))
        assert response.status_code == 302
        assert not Department.objects.filter(pk=empty.pk).exists()

    def test_a_department_with_members_is_not_deleted(self, personas: dict) -> None:
        unit_b = _units(personas)["b"]
        response = personas["admin"].client().post(reverse("org:department_delete", args=[unit_b.pk]))
        assert response.status_code == 200
        assert 'data-testid="form-errors"' in response.content.decode()
        assert Department.objects.filter(pk=unit_b.pk).exists()


class EmployeeListTests:
    def test_it_lists_and_searches(self, personas: dict) -> None:
        client = personas["admin"].client()
        response = client.get(reverse("org:employee_list"), {"q": "艾丽"})
        assert response.status_code == 200
        assert [e.user.name for e in response.context["object_list"]] == ["艾丽"]

    def test_htmx_gets_only_the_rows_partial(self, personas: dict) -> None:
        response = personas["admin"].client().get(reverse("org:employee_list"), {"q": "卡萝"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        body = response.content.decode()
        assert body.lstrip().startswith('<div id="rows"')
        assert "卡萝" in body and "<html" not in body and "app-navbar" not in body

    def test_department_filter_includes_sub_departments(self, personas: dict) -> None:
        unit_a = _units(personas)["a"]
        response = personas["admin"].client().get(reverse("org:employee_list"), {"department": unit_a.pk})
        assert {e.user.name for e in response.context["object_list"]} == {"艾丽", "鲍勃"}

    def test_status_filter_and_sort(self, personas: dict) -> None:
        Employee.objects.filter(user__username="carol").update(is_active=False)
        client = personas["admin"].client()
        left = client.get(reverse("org:employee_list"), {"status": "left"}).context["object_list"]
        assert [e.user.username for e in left] == ["carol"]
        active = client.get(reverse("org:employee_list"), {"sort": "-employee_no"}).context["object_list"]
        numbers = [e.employee_no for e in active]
        assert numbers == sorted(numbers, reverse=True) and "T-carol" not in numbers

    def test_empty_state(self, personas: dict) -> None:
        body = personas["admin"].client().get(reverse("org:employee_list"), {"q": "无此人"}).content.decode()
        assert 'data-testid="empty-state"' in body

    def test_query_count_stays_flat_as_rows_grow(self, personas: dict, django_assert_max_num_queries: Any) -> None:
        client = personas["admin"].client()
        client.get(reverse("org:employee_list"))
        with django_assert_max_num_queries(14):
            client.get(reverse("org:employee_list"), {"page_size": 100})
        unit_b = _units(personas)["b"]
        for i in range(30):
            make_employee(f"bulk{i}", f"批量{i}", unit_b, BuiltinRole.STAFF)
        with django_assert_max_num_queries(14):
            response = client.get(reverse("org:employee_list"), {"page_size": 100})
        assert len(response.context["object_list"]) == 35


class EmployeeDetailTests:
    def test_it_shows_profile_roles_scope_and_history(self, personas: dict) -> None:
        alice = Employee.objects.get(user__username="alice")
        response = personas["lead_bob"].client().get(reverse("org:employee_detail", args=[alice.pk]))
        assert response.status_code == 200
        body = response.content.decode()
        assert "T-alice" in body and 'data-testid="data-scope"' in body and 'data-testid="history-panel"' in body

    def test_out_of_scope_employee_is_404(self, personas: dict) -> None:
        carol = Employee.objects.get(user__username="carol")
        assert personas["rep_alice"].client().get(reverse("org:employee_detail", args=[carol.pk])).status_code == 404


class EmployeeManagementTests:
    def _data(self, personas: dict, **changes: Any) -> dict[str, Any]:
        data = {
            "username": "newbie",
            "name": "新人",
            "department": _units(personas)["b"].pk,
            "employee_no": "E-900",
            "title": "客服专员",
            "mobile": "138 0013 8000",
            "email": "",
            "roles": [Role.objects.get(code="staff").pk],
            "password": "Strong-pass-2024",
        }
        data.update(changes)
        return data

    def test_staff_get_403(self, personas: dict) -> None:
        alice = Employee.objects.get(user__username="alice")
        client = personas["rep_alice"].client()
        assert client.get(reverse("org:employee_create")).status_code == 403
        assert client.get(reverse("org:employee_update", args=[alice.pk])).status_code == 403
        assert client.get(reverse("org:employee_offboard", args=[alice.pk])).status_code == 403
        assert client.get(reverse("org:role_list")).status_code == 403

    def test_create_makes_login_and_employee(self, personas: dict) -> None:
        response = personas["admin"].client().post(reverse("org:employee_create"), self._data(personas))
        assert response.status_code == 302
        employee = Employee.objects.get(user__username="newbie")
        assert employee.mobile == "13800138000"
        assert employee.user.check_password("Strong-pass-2024")
        assert list(employee.roles.values_list("code", flat=True)) == ["staff"]

    def test_create_without_department_shows_the_error_and_creates_nothing(self, personas: dict) -> None:
        response = personas["admin"].client().post(reverse("org:employee_create"), self._data(personas, department=""))
        assert response.status_code == 200
        assert str(EMPLOYEE_NEEDS_DEPARTMENT) in response.content.decode()
        assert not User.objects.filter(username="newbie").exists()
        assert not Employee.objects.filter(employee_no="E-900").exists()

    def test_a_bad_mobile_is_refused(self, personas: dict) -> None:
        response = personas["admin"].client().post(reverse("org:employee_create"), self._data(personas, mobile="12345"))
        assert response.status_code == 200
        assert "mobile" in response.context["form"].errors
        assert not User.objects.filter(username="newbie").exists()

    def test_update_changes_title_and_name(self, personas: dict) -> None:
        alice = Employee.objects.get(user__username="alice")
        data = self._data(
            personas, department=alice.department_id, employee_no=alice.employee_no, name="艾丽丝", title="高级销售"
        )
        response = personas["admin"].client().post(reverse("org:employee_update", args=[alice.pk]), data)
        assert response.status_code == 302
        alice.refresh_from_db()
        assert alice.title == "高级销售" and alice.user.name == "艾丽丝"

    def test_roles_page_lists_roles_with_scope_and_members(self, personas: dict) -> None:
        response = personas["admin"].client().get(reverse("org:role_list"))
        assert response.status_code == 200
        staff = next(r for r in response.context["roles"] if r.code == "staff")
        assert staff.member_count == 3


class OffboardingTests:
    def test_it_moves_ownership_and_deactivates(self, personas: dict) -> None:
        bob = Employee.objects.get(user__username="bob")
        alice = Employee.objects.get(user__username="alice")
        client = personas["admin"].client()
        page = client.get(reverse("org:employee_offboard", args=[bob.pk]))
        assert page.status_code == 200
        assert 'data-testid="handover-preview"' in page.content.decode()  # he manages 销售部
        response = client.post(reverse("org:employee_offboard", args=[bob.pk]), {"successor": alice.pk})
        assert response.status_code == 200
        assert 'data-testid="handover-moved"' in response.content.decode()
        bob.refresh_from_db()
        assert not bob.is_active and bob.left_on is not None
        assert not User.objects.get(username="bob").is_active
        assert Department.objects.get(pk=_units(personas)["a"].pk).manager == alice.user

    def test_handing_over_to_oneself_is_refused(self, personas: dict) -> None:
        bob = Employee.objects.get(user__username="bob")
        client = personas["admin"].client()
        # The form only offers others; a forged POST gets the form error and changes nothing.
        response = client.post(reverse("org:employee_offboard", args=[bob.pk]), {"successor": bob.pk})
        assert response.status_code == 200
        assert "successor" in response.context["form"].errors
        bob.refresh_from_db()
        assert bob.is_active


def test_built_in_role_names_read_in_the_interface_language(personas: dict) -> None:
    """The employee list showed "Staff" in a Chinese interface: the built-in roles' names were stored in the language
    of the migrate run. They read in the reader's language now; a company's own role keeps its own name."""
    from django.utils import translation

    from apps.org.choices import BuiltinRole
    from apps.org.models import Role

    client = personas["admin"].client()
    with translation.override("zh-hans"):
        chinese = str(BuiltinRole.STAFF.label)
    body = client.get("/org/employees/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert chinese != "Staff" and chinese in body and ">Staff<" not in body
    own = Role.objects.create(code="key-accounts", name="大客户小组")
    assert str(own) == "大客户小组"
    with translation.override("en"):
        assert str(Role.objects.get(code=BuiltinRole.STAFF)) == "Staff"
