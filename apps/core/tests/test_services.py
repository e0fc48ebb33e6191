"""The domain-free services: the generic save and update and the notification centre."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.models import Notification
from apps.core.services import (
    model_save,
    model_update,
    notification_mark_all_read,
    notification_mark_read,
    notify,
)
from apps.org.models import Department, Role
from apps.org.tests.factories import DepartmentFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db


class ModelSaveTests:
    def test_it_saves_with_the_actor_and_reason_in_the_history(self) -> None:
        actor = UserFactory()
        department = Department(name="售后部", code="after-sales", path="/after-sales/")
        assert model_save(department, actor=actor, reason="新设") is department
        record = department.history.latest()  # type: ignore[attr-defined]
        assert Department.objects.filter(pk=department.pk, name="售后部").exists()
        assert (record.history_user, record.history_change_reason) == (actor, "新设")

    def test_invalid_data_is_refused_and_not_saved(self) -> None:
        with pytest.raises(ValidationError) as info:
            model_save(Department(name="", code="no-name", path="/no-name/"), actor=UserFactory())
        assert "name" in info.value.message_dict
        assert not Department.objects.filter(code="no-name").exists()

    def test_update_fields_limit_the_write(self) -> None:
        department = DepartmentFactory(name="销售部", order=1)
        department.name, department.order = "市场部", 2
        model_save(department, actor=UserFactory(), update_fields=["name", "updated_at"])
        department.refresh_from_db()
        assert (department.name, department.order) == ("市场部", 1)


class ModelUpdateTests:
    def test_it_saves_only_the_changed_fields(self) -> None:
        department = DepartmentFactory(name="旧名称", order=1)
        with CaptureQueriesContext(connection) as ctx:
            _, changed = model_update(
                instance=department, fields=["name", "order"], data={"name": "新名称", "order": 1}
            )
        updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
        assert changed is True
        assert len(updates) == 1
        assert '"name"' in updates[0] and '"updated_at"' in updates[0] and '"order"' not in updates[0]
        assert Department.objects.get(pk=department.pk).name == "新名称"

    def test_nothing_changed_writes_nothing(self, django_assert_num_queries: Any) -> None:
        department = DepartmentFactory(name="销售部")
        with django_assert_num_queries(0):
            _, changed = model_update(instance=department, fields=["name"], data={"name": "销售部"})
        assert changed is False

    def test_keys_outside_fields_are_ignored(self) -> None:
        department = DepartmentFactory(name="销售部", code="keep")
        model_update(instance=department, fields=["name"], data={"name": "市场部", "code": "changed"})
        department.refresh_from_db()
        assert (department.name, department.code) == ("市场部", "keep")

    def test_invalid_data_is_refused_and_not_saved(self) -> None:
        employee = EmployeeFactory(mobile="13800138000")
        with pytest.raises(ValidationError) as info:
            model_update(instance=employee, fields=["mobile"], data={"mobile": "12345"})
        assert "mobile" in info.value.message_dict
        employee.refresh_from_db()
        assert employee.mobile == "13800138000"

    def test_many_to_many_is_set_and_reported(self) -> None:
        employee = EmployeeFactory()
        staff = Role.objects.get(code="staff")
        _, changed = model_update(instance=employee, fields=["roles"], data={"roles": [staff]})
        assert changed is True and list(employee.roles.all()) == [staff]
        _, changed = model_update(instance=employee, fields=["roles"], data={"roles": [staff]})
        assert changed is False


class NotifyTests:
    def test_one_row_per_distinct_recipient_in_one_query(self, django_assert_num_queries: Any) -> None:
        alice, bob = UserFactory(), UserFactory()
        with django_assert_num_queries(2):  # the rows, and the outside channels' configuration (none is on)
            rows = notify(recipients=[alice, bob, alice], title="新任务", body="请处理", url="/tasks/1/")
        assert len(rows) == 2
        assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted([alice.pk, bob.pk])
        assert set(Notification.objects.values_list("title", "url")) == {("新任务", "/tasks/1/")}

    def test_a_long_title_is_cut_to_fit(self) -> None:
        notify(recipients=[UserFactory()], title="长" * 300)
        assert len(Notification.objects.get().title) == 200


class MarkReadTests:
    def test_the_recipient_marks_it_read(self) -> None:
        alice = UserFactory()
        (note,) = notify(recipients=[alice], title="提醒")
        notification_mark_read(actor=alice, notification=note)
        assert Notification.objects.get(pk=note.pk).read_at is not None

    def test_someone_else_cannot_mark_it(self) -> None:
        alice, mallory = UserFactory(), UserFactory()
        (note,) = notify(recipients=[alice], title="提醒")
        with pytest.raises(PermissionError):
            notification_mark_read(actor=mallory, notification=note)
        assert Notification.objects.get(pk=note.pk).read_at is None

    def test_mark_all_read_touches_only_the_actors_own(self) -> None:
        alice, bob = UserFactory(), UserFactory()
        notify(recipients=[alice, bob], title="一")
        notify(recipients=[alice, bob], title="二")
        assert notification_mark_all_read(actor=alice) == 2
        assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
        assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 2
        assert notification_mark_all_read(actor=alice) == 0
