"""Writes to the organisation: the department tree, employees, offboarding handover."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models
from simple_history.models import HistoricalRecords

from apps.core.scoping import ScopedQuerySet, ScopeFields
from apps.core.testing import Persona
from apps.org import services
from apps.org.models import Department, Employee, User
from apps.org.tests.factories import DepartmentFactory, EmployeeFactory


def _units(personas: dict[str, Persona]) -> dict[str, Department]:
    return {
        "company": personas["auditor_dave"].unit,
        "a": personas["lead_bob"].unit,
        "a1": personas["rep_alice"].unit,
        "b": personas["rep_carol"].unit,
    }


def _employee(personas: dict[str, Persona], key: str) -> Employee:
    return Employee.objects.get(user=personas[key].user)


#
# Departments
#


@pytest.mark.django_db
class DepartmentServiceTests:
    def test_create_sets_the_path_and_history(self, personas: dict[str, Persona]) -> None:
        admin, units = personas["admin"].user, _units(personas)
        root = services.department_create(actor=admin, name="新公司", code="new-co", kind="company")
        child = services.department_create(actor=admin, name="二组", code="team-2", kind="sales", parent=units["a"])
        assert root.path == f"/{root.pk}/"
        assert Department.objects.get(pk=child.pk).path == f"{units['a'].path}{child.pk}/"
        assert child.history.get().history_user == admin

    def test_create_needs_the_permission(self, personas: dict[str, Persona]) -> None:
        with pytest.raises(PermissionDenied):
            services.department_create(actor=personas["lead_bob"].user, name="X", code="x")
        assert not Department.objects.filter(code="x").exists()

    def test_moving_repaths_the_whole_subtree(self, personas: dict[str, Persona]) -> None:
        units = _units(personas)
        grandchild = DepartmentFactory(parent=units["a1"])
        services.department_update(actor=personas["admin"].user, department=units["a"], data={"parent": units["b"]})
        a_path = f"{units['b'].path}{units['a'].pk}/"
        assert Department.objects.get(pk=units["a"].pk).path == a_path
        assert Department.objects.get(pk=units["a1"].pk).path == f"{a_path}{units['a1'].pk}/"
        assert Department.objects.get(pk=grandchild.pk).path == f"{a_path}{units['a1'].pk}/{grandchild.pk}/"
        assert Department.objects.get(pk=units["b"].pk).path == units["b"].path

    @pytest.mark.parametrize("target", ["a", "a1"])
    def test_moving_under_itself_or_its_child_changes_nothing(self, personas: dict, target: str) -> None:
        units = _units(personas)
        before = list(Department.objects.values_list("pk", "parent_id", "path", "name"))
        with pytest.raises(ValidationError) as info:
            services.department_update(
                actor=personas["admin"].user, department=units["a"], data={"parent": units[target], "name": "改名"}
            )
        assert info.value.message_dict == {"parent": [str(services.DEPARTMENT_UNDER_ITSELF)]}
        assert list(Department.objects.values_list("pk", "parent_id", "path", "name")) == before

    def test_update_needs_the_permission(self, personas: dict[str, Persona]) -> None:
        units = _units(personas)
        with pytest.raises(PermissionDenied):
            services.department_update(actor=personas["lead_bob"].user, department=units["a"], data={"name": "X"})
        assert Department.objects.get(pk=units["a"].pk).name != "X"

    def test_a_department_with_members_is_not_deleted(self, personas: dict[str, Persona]) -> None:
        units = _units(personas)
        with pytest.raises(ValidationError):
            services.department_delete(actor=personas["admin"].user, department=units["a"])
        assert Department.objects.filter(pk=units["a"].pk).exists()


#
# Employees
#


@pytest.mark.django_db
class EmployeeServiceTests:
    def _data(self, personas: dict[str, Persona], **extra: Any) -> dict[str, Any]:
        return {
            "username": "lisi",
            "name": "李四",
            "employee_no": "N-200",
            "department": _units(personas)["b"],
            "mobile": "13912345678",
            **extra,
        }

    def test_create_makes_the_login_and_the_employee(self, personas: dict[str, Persona]) -> None:
        employee = services.employee_create(
            actor=personas["admin"].user, password="Pass-Word-2025", **self._data(personas)
        )
        assert employee.user.username == "lisi" and employee.user.check_password("Pass-Word-2025")
        assert employee.department == _units(personas)["b"]
        assert employee.history.get().history_user == personas["admin"].user

    def test_without_a_department_nothing_is_created(self, personas: dict[str, Persona]) -> None:
        users_before = User.objects.count()
        with pytest.raises(ValidationError) as info:
            services.employee_create(actor=personas["admin"].user, **self._data(personas, department=None))
        assert info.value.message_dict == {"department": [str(services.EMPLOYEE_NEEDS_DEPARTMENT)]}
        assert User.objects.count() == users_before
        assert not Employee.objects.filter(employee_no="N-200").exists()

    def test_an_invalid_mobile_creates_nothing(self, personas: dict[str, Persona]) -> None:
        with pytest.raises(ValidationError) as info:
            services.employee_create(actor=personas["admin"].user, **self._data(personas, mobile="1234"))
        assert "mobile" in info.value.message_dict
        assert not User.objects.filter(username="lisi").exists()

    def test_a_taken_username_is_refused(self, personas: dict[str, Persona]) -> None:
        with pytest.raises(ValidationError) as info:
            services.employee_create(actor=personas["admin"].user, **self._data(personas, username="alice"))
        assert "username" in info.value.message_dict

    def test_staff_may_not_create(self, personas: dict[str, Persona]) -> None:
        with pytest.raises(PermissionDenied):
            services.employee_create(actor=personas["rep_alice"].user, **self._data(personas))
        assert not User.objects.filter(username="lisi").exists()

    def test_update_changes_fields_and_name(self, personas: dict[str, Persona]) -> None:
        alice = _employee(personas, "rep_alice")
        services.employee_update(
            actor=personas["admin"].user,
            employee=alice,
            data={"title": "销售主管", "name": "艾丽丝", "department": _units(personas)["a"]},
        )
        alice = Employee.objects.select_related("user").get(pk=alice.pk)
        assert (alice.title, alice.user.name, alice.department) == ("销售主管", "艾丽丝", _units(personas)["a"])

    def test_update_refuses_removing_the_department(self, personas: dict[str, Persona]) -> None:
        alice = _employee(personas, "rep_alice")
        with pytest.raises(ValidationError):
            services.employee_update(actor=personas["admin"].user, employee=alice, data={"department": None})

    def test_staff_may_not_update_even_themselves(self, personas: dict[str, Persona]) -> None:
        alice = _employee(personas, "rep_alice")
        with pytest.raises(PermissionDenied):
            services.employee_update(actor=personas["rep_alice"].user, employee=alice, data={"title": "经理"})

    def test_language_is_remembered_and_validated(self, personas: dict[str, Persona]) -> None:
        alice = personas["rep_alice"].user
        services.user_set_language(actor=alice, language="en")
        assert User.objects.get(pk=alice.pk).language == "en"
        with pytest.raises(ValidationError):
            services.user_set_language(actor=User.objects.get(pk=alice.pk), language="fr")
        assert User.objects.get(pk=alice.pk).language == "en"


#
# Offboarding handover
#


@pytest.fixture
def owned_model(transactional_db: Any) -> Iterator[type[models.Model]]:
    """A throw-away owned model (like the customers and contracts of later apps), with its tables and history."""

    class HandoverProbe(models.Model):
        title = models.CharField(max_length=50)
        owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
        owner_unit = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
        history = HistoricalRecords()

        scope_fields = ScopeFields(owner="owner", unit="owner_unit")
        objects = ScopedQuerySet.as_manager()

        class Meta:
            app_label = "org"

        def __str__(self) -> str:
            return self.title

    historical = HandoverProbe.history.model  # type: ignore[attr-defined]
    with connection.schema_editor() as editor:
        editor.create_model(HandoverProbe)
        editor.create_model(historical)
    try:
        yield HandoverProbe
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(historical)
            editor.delete_model(HandoverProbe)
        for model in (HandoverProbe, historical):
            django_apps.all_models["org"].pop(model._meta.model_name, None)
        django_apps.clear_cache()


class OffboardTests:
    def _records(self, model: Any, personas: dict[str, Persona], key: str, n: int) -> list[Any]:
        persona = personas[key]
        return [model.objects.create(title=f"{key}-{i}", owner=persona.user, owner_unit=persona.unit) for i in range(n)]

    def test_everything_owned_moves_with_history_and_the_employee_leaves(
        self, owned_model: Any, personas: dict[str, Persona]
    ) -> None:
        bob, carol = _employee(personas, "lead_bob"), _employee(personas, "rep_carol")
        moving = self._records(owned_model, personas, "lead_bob", 3)
        staying = self._records(owned_model, personas, "rep_alice", 2)
        moved = services.employee_offboard(actor=personas["admin"].user, employee=bob, successor=carol)

        assert set(owned_model.objects.filter(owner=carol.user).values_list("pk", flat=True)) == {r.pk for r in moving}
        assert set(owned_model.objects.filter(owner_unit=carol.department).values_list("pk", flat=True)) >= {
            r.pk for r in moving
        }
        assert owned_model.objects.filter(owner=personas["rep_alice"].user).count() == len(staying)
        assert sum(moved.values()) == 3 + 1  # three records and the department bob managed
        for record in moving:
            latest = record.history.first()
            assert latest.history_change_reason and str(carol) in latest.history_change_reason
            assert latest.history_user == personas["admin"].user
        assert Department.objects.get(pk=personas["lead_bob"].unit.pk).manager == carol.user
        bob.refresh_from_db()
        assert bob.is_active is False and bob.left_on is not None
        assert bob.history.first().history_change_reason
        assert User.objects.get(pk=bob.user_id).is_active is False

    def test_a_failure_midway_moves_nothing(
        self, owned_model: Any, personas: dict[str, Persona], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        bob, carol = _employee(personas, "lead_bob"), _employee(personas, "rep_carol")
        self._records(owned_model, personas, "lead_bob", 2)

        def broken(**kwargs: Any) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(services, "department_update", broken)
        with pytest.raises(RuntimeError):
            services.employee_offboard(actor=personas["admin"].user, employee=bob, successor=carol)
        assert owned_model.objects.filter(owner=bob.user).count() == 2
        assert Employee.objects.get(pk=bob.pk).is_active is True
        assert User.objects.get(pk=bob.user_id).is_active is True

    def test_handover_to_self_is_refused(self, owned_model: Any, personas: dict[str, Persona]) -> None:
        bob = _employee(personas, "lead_bob")
        self._records(owned_model, personas, "lead_bob", 1)
        with pytest.raises(ValidationError) as info:
            services.employee_offboard(actor=personas["admin"].user, employee=bob, successor=bob)
        assert info.value.message_dict == {"successor": [str(services.HANDOVER_TO_SELF)]}
        assert owned_model.objects.filter(owner=bob.user).count() == 1
        assert Employee.objects.get(pk=bob.pk).is_active is True

    def test_handover_to_someone_who_left_is_refused(self, personas: dict[str, Persona], db: Any) -> None:
        bob = _employee(personas, "lead_bob")
        gone = EmployeeFactory(department=personas["rep_carol"].unit, is_active=False)
        with pytest.raises(ValidationError):
            services.employee_offboard(actor=personas["admin"].user, employee=bob, successor=gone)

    def test_staff_may_not_hand_over(self, personas: dict[str, Persona], db: Any) -> None:
        bob, carol = _employee(personas, "lead_bob"), _employee(personas, "rep_carol")
        with pytest.raises(PermissionDenied):
            services.employee_offboard(actor=personas["rep_alice"].user, employee=bob, successor=carol)
        assert Employee.objects.get(pk=bob.pk).is_active is True
