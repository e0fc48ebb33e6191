"""The navbar's unread count comes from the shared cache on every page, and is right after every write to the
user's notifications: created (one or in bulk), read (one, all, closed by topic), updated or deleted — inside the
writing transaction, after a savepoint rolls back, and after a real commit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.models import Notification
from apps.core.selectors import notification_unread_count
from apps.core.services import (
    notification_mark_all_read,
    notification_mark_read,
    notification_topic,
    notifications_close,
    notify,
)

pytestmark = pytest.mark.django_db
PAGE = "core:workbench"


def _badge(client: Any) -> tuple[int, int]:
    """The count the navbar shows (0 when no badge) and how many queries counted the unread notifications."""
    with CaptureQueriesContext(connection) as captured:
        body = client.get(reverse(PAGE)).content.decode()
    found = re.search(r'data-testid="unread-count">(\d+)<', body)
    counted = sum(1 for q in captured.captured_queries if "COUNT(*)" in q["sql"] and "core_notification" in q["sql"])
    return (int(found.group(1)) if found else 0), counted


def _unread(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@pytest.fixture
def alice(personas: dict) -> Any:
    return personas["rep_alice"]


def test_the_count_is_read_once_and_then_served_from_the_cache(alice: Any) -> None:
    client = alice.client()
    notify(recipients=[alice.user], title="请阅读制度")
    assert _badge(client) == (1, 1)
    assert _badge(client) == (1, 0)  # no write since: no query


def test_the_badge_follows_every_write(alice: Any, personas: dict) -> None:
    client, user = alice.client(), alice.user
    assert _badge(client)[0] == 0
    created = notify(recipients=[user, personas["rep_carol"].user], title="审批", topic="approval:x:1")
    notify(recipients=[user], title="通知一")
    notify(recipients=[user], title="通知二", kind="general")
    assert _badge(client) == (3, 1)
    notification_mark_read(actor=user, notification=Notification.objects.get(recipient=user, title="通知一"))
    assert _badge(client) == (2, 1)
    assert notifications_close(topic="approval:x:1") == 2  # Alice's and Carol's
    assert _badge(client) == (1, 1)
    assert _badge(personas["rep_carol"].client())[0] == 0
    assert created[0].pk
    Notification.objects.bulk_create([Notification(recipient=user, title=f"批量{i}") for i in range(4)])
    assert _badge(client) == (5, 1)
    Notification.objects.filter(recipient=user, title="批量0").update(read_at="2026-01-01T00:00:00Z")
    assert _badge(client) == (4, 1)
    Notification.objects.filter(recipient=user, title="批量1").delete()
    assert _badge(client) == (3, 1)
    notification_mark_all_read(actor=user, kind="general")
    assert _badge(client)[0] == _unread(user)
    notification_mark_all_read(actor=user)
    assert _badge(client) == (0, 1)
    assert _badge(client) == (0, 0)


def test_closing_by_topic_prefix_reads_the_counts_again(alice: Any) -> None:
    client = alice.client()
    notify(recipients=[alice.user], title="复审提醒", topic="policy-review:7:2026-12-01")
    notify(recipients=[alice.user], title="复审提醒", topic="policy-review:7:2026-12-02")
    assert _badge(client)[0] == 2
    assert notifications_close(topic_prefix="policy-review:7:") == 2
    assert _badge(client)[0] == 0


def test_a_write_rolled_back_leaves_the_count_as_it_was(alice: Any) -> None:
    client, user = alice.client(), alice.user
    notify(recipients=[user], title="保留")
    assert _badge(client)[0] == 1
    try:
        with transaction.atomic():
            notify(recipients=[user], title="撤销")
            assert notification_unread_count(user=user) == 2
            raise RuntimeError
    except RuntimeError:
        pass
    assert notification_unread_count(user=user) == 1
    assert _badge(client)[0] == 1


def test_a_topic_shared_with_others_counts_each_recipient(alice: Any, personas: dict) -> None:
    bob = personas["lead_bob"]
    topic = notification_topic("approval", bob.user)
    notify(recipients=[alice.user, bob.user], title="请审批", topic=topic)
    assert _badge(alice.client())[0] == 1 and _badge(bob.client())[0] == 1
    notifications_close(topic=topic)
    assert _badge(alice.client())[0] == 0 and _badge(bob.client())[0] == 0


@pytest.mark.django_db(transaction=True)
def test_after_a_real_commit_the_next_request_reads_the_new_count(personas: dict) -> None:
    """Outside a test's transaction the writes move the shared version at their commit."""
    alice = personas["rep_alice"]
    client = alice.client()
    assert _badge(client)[0] == 0
    with transaction.atomic():
        notify(recipients=[alice.user], title="提交后可见")
    assert _badge(client) == (1, 1)
    assert _badge(client) == (1, 0)
    Notification.objects.filter(recipient=alice.user).update(read_at="2026-01-01T00:00:00Z")
    assert _badge(client) == (0, 1)
    Notification.objects.bulk_create([Notification(recipient=alice.user, title="批量")])
    assert _badge(client) == (1, 1)
