"""The history panel: field-level changes in plain words ("将 客户级别 由 B 修改为 A")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone
from django.utils.html import escape

from apps.core.history import _display, change_sentence, history_entries
from apps.org import services
from apps.org.models import Department, User

pytestmark = pytest.mark.django_db


def _rename(personas: dict) -> Department:
    department = personas["rep_carol"].unit
    services.department_update(actor=personas["admin"].user, department=department, data={"name": "客户成功部"})
    return department


def test_a_rename_reads_as_a_sentence_with_label_old_and_new_values(personas: dict) -> None:
    department = _rename(personas)
    latest = history_entries(department)[0]
    label = str(Department._meta.get_field("name").verbose_name)
    assert latest.lines == [change_sentence(label, "客户服务部", "客户成功部")]
    assert latest.who == str(personas["admin"].user)
    assert latest.kind == "~"


def test_a_change_of_a_related_field_shows_names_not_ids(personas: dict) -> None:
    department = personas["rep_carol"].unit
    services.department_update(
        actor=personas["admin"].user, department=department, data={"manager": personas["rep_carol"].user}
    )
    line = history_entries(department)[0].lines[0]
    assert str(personas["rep_carol"].user) in line
    assert f"#{personas['rep_carol'].user.pk}" not in line


def test_the_panel_renders_time_who_and_sentence(personas: dict) -> None:
    department = _rename(personas)
    request = RequestFactory().get("/")
    html = Template("{% load core_tags %}{% history_panel obj %}").render(
        Context({"obj": department, "request": request})
    )
    label = str(Department._meta.get_field("name").verbose_name)
    assert escape(change_sentence(label, "客户服务部", "客户成功部")) in html
    assert str(personas["admin"].user) in html
    assert 'data-testid="history-panel"' in html


def test_a_record_without_changes_shows_its_creation(personas: dict) -> None:
    entries = history_entries(personas["rep_alice"].unit)
    assert entries[-1].kind == "+"


def test_a_changed_time_reads_in_local_time_to_the_minute() -> None:
    changed = dt.datetime(2026, 11, 27, 17, 15, 24, 409314, tzinfo=dt.UTC)  # 2026-11-28 01:15 in Shanghai
    with timezone.override("Asia/Shanghai"):
        assert _display(User, "date_joined", changed, {}) == "2026-11-28 01:15"
