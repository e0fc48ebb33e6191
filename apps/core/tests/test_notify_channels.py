"""Notifications beyond the app (issue 12): e-mail, the WeCom and DingTalk group robots, per-user choices per kind,
delivery outside the request with retries and back-off, a per-channel rate limit, failures kept for the
administrator, and no double send when two attempts race. The robots are a local fake receiver."""

from __future__ import annotations

import base64
import hashlib
import hmac
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from apps.core.models import Notification, NotificationChannel, NotificationDelivery, NotificationPreference
from apps.core.notifications import channels as notify_channels
from apps.core.services import delivery as notify_delivery
from apps.core.services import notification_topic, notify
from apps.core.services.delivery import Outcome, delivery_attempt, send_due_notifications
from apps.core.tests.fake_receiver import FakeReceiver
from apps.org.tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db
SECRET = "SEC0123456789abcdef"
Status = NotificationDelivery.Status


@pytest.fixture
def receiver() -> Iterator[FakeReceiver]:
    fake = FakeReceiver().start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def _clear_rate_counters() -> Iterator[None]:
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def robots(receiver: FakeReceiver, *, rate: int = 20, url: str | None = None) -> None:
    base = url or receiver.base
    NotificationChannel.objects.create(
        channel="wecom", enabled=True, url=f"{base}/wecom", key="wecom-key-1", rate_per_minute=rate
    )
    NotificationChannel.objects.create(
        channel="dingtalk",
        enabled=True,
        url=f"{base}/dingtalk",
        key="ding-token-1",
        secret=SECRET,
        rate_per_minute=rate,
    )


def people(*mobiles: str) -> list[Any]:
    return [EmployeeFactory(mobile=m, email=f"p{i}@example.com").user for i, m in enumerate(mobiles)]


def expected_sign(timestamp: str) -> str:
    """DingTalk's documented signature, computed here independently of the code under test."""
    digest = hmac.new(SECRET.encode("utf-8"), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def send(**kwargs: Any) -> list[Notification]:
    with transaction.atomic():
        return notify(**kwargs)


class RobotTests:
    def test_an_escalation_reaches_both_robots_once_signed_and_mentioning_the_recipients(
        self, receiver: FakeReceiver
    ) -> None:
        robots(receiver)
        users = people("13800000002", "13800000001")
        send(recipients=users, title="工单升级：TK-1", body="已超时", url="/service/tickets/1/", kind="escalation")
        assert Notification.objects.filter(kind="escalation").count() == 2  # the centre, always

        assert send_due_notifications() == 2
        (wecom,) = receiver.on("/wecom")
        assert wecom.query == {"key": "wecom-key-1"}
        assert wecom.payload["msgtype"] == "text"
        assert "工单升级：TK-1" in wecom.payload["text"]["content"] and "已超时" in wecom.payload["text"]["content"]
        assert wecom.payload["text"]["mentioned_mobile_list"] == ["13800000001", "13800000002"]

        (ding,) = receiver.on("/dingtalk")
        assert ding.query["access_token"] == "ding-token-1"
        assert abs(int(ding.query["timestamp"]) - time.time() * 1000) < 60_000
        assert ding.query["sign"] == expected_sign(ding.query["timestamp"])  # parse_qsl undid the urlencoding
        assert ding.payload["at"] == {"atMobiles": ["13800000001", "13800000002"], "isAtAll": False}
        assert "工单升级：TK-1" in ding.payload["text"]["content"]
        assert set(NotificationDelivery.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}

        assert send_due_notifications() == 0  # nothing twice
        assert len(receiver.received) == 2

    def test_the_dingtalk_signature_is_urlencoded_in_the_address(self) -> None:
        sign = notify_channels.dingtalk_sign(SECRET, 1700000000000)
        assert "+" not in sign and "/" not in sign and "=" not in sign  # quote_plus'd base64
        from urllib.parse import unquote_plus

        assert unquote_plus(sign) == expected_sign("1700000000000")

    def test_a_robot_answering_an_error_code_is_a_failure(self, receiver: FakeReceiver) -> None:
        robots(receiver)
        receiver.errcode = 310000  # DingTalk: signature mismatch
        send(recipients=people("13800000001"), title="升级", kind="escalation")
        send_due_notifications()
        errors = set(NotificationDelivery.objects.values_list("status", "last_error"))
        assert errors == {(Status.PENDING, "errcode 310000: bad")}


class PreferenceTests:
    def test_each_user_chooses_the_channels_per_kind(self, receiver: FakeReceiver) -> None:
        robots(receiver)
        stays, leaves = people("13800000001", "13800000002")
        NotificationPreference.objects.create(user=leaves, kind="escalation", channel="wecom", enabled=False)
        send(recipients=[stays, leaves], title="升级", kind="escalation")
        send_due_notifications()
        assert receiver.on("/wecom")[0].payload["text"]["mentioned_mobile_list"] == ["13800000001"]
        assert receiver.on("/dingtalk")[0].payload["at"]["atMobiles"] == ["13800000001", "13800000002"]

    def test_nobody_wanting_a_channel_sends_nothing_by_it(self, receiver: FakeReceiver) -> None:
        robots(receiver)
        (user,) = people("13800000001")
        NotificationPreference.objects.create(user=user, kind="escalation", channel="wecom", enabled=False)
        send(recipients=[user], title="升级", kind="escalation")
        assert list(NotificationDelivery.objects.values_list("channel", flat=True)) == ["dingtalk"]

    def test_other_messages_stay_in_the_app_unless_chosen(self, receiver: FakeReceiver) -> None:
        robots(receiver)
        (user,) = people("13800000001")
        send(recipients=[user], title="客户已分配给你")
        assert Notification.objects.get().kind == "general"
        assert not NotificationDelivery.objects.exists()
        NotificationPreference.objects.create(user=user, kind="general", channel="dingtalk", enabled=True)
        send(recipients=[user], title="客户已分配给你")
        assert list(NotificationDelivery.objects.values_list("channel", "kind")) == [("dingtalk", "general")]

    def test_the_kind_follows_the_topic(self, receiver: FakeReceiver) -> None:
        (user,) = people("13800000001")
        send(recipients=[user], title="请审批", topic=notification_topic("approval", user))
        assert Notification.objects.get().kind == "approval"

    @override_settings(NOTIFY_CHANNELS={"email": {"enabled": True}})
    def test_approval_requests_go_by_email_by_default_configured_in_settings(self) -> None:
        users = people("13800000001", "13800000002")
        send(recipients=users, title="合同待审批", body="HT-1", url="/sales/contracts/1/", kind="approval")
        send_due_notifications()
        (message,) = mail.outbox
        assert message.subject == "合同待审批"
        assert sorted(message.bcc) == ["p0@example.com", "p1@example.com"] and message.to == []
        assert "HT-1" in message.body and "/sales/contracts/1/" in message.body

    def test_a_disabled_channel_row_overrides_the_settings(self) -> None:
        NotificationChannel.objects.create(channel="email", enabled=False)
        with override_settings(NOTIFY_CHANNELS={"email": {"enabled": True}}):
            send(recipients=people("13800000001"), title="合同待审批", kind="approval")
        assert not NotificationDelivery.objects.exists()


class RetryTests:
    @override_settings(NOTIFY_MAX_ATTEMPTS=3, NOTIFY_RETRY_BACKOFF=0)
    def test_a_receiver_answering_500_is_retried_and_ends_as_a_failure(self, receiver: FakeReceiver) -> None:
        robots(receiver)
        receiver.status = 500
        send(recipients=people("13800000001"), title="升级", kind="escalation")
        for _ in range(5):
            send_due_notifications()
        assert len(receiver.on("/wecom")) == 3 and len(receiver.on("/dingtalk")) == 3
        assert set(NotificationDelivery.objects.values_list("status", "attempts", "last_error")) == {
            (Status.FAILED, 3, "HTTP 500")
        }

    @override_settings(NOTIFY_MAX_ATTEMPTS=2, NOTIFY_RETRY_BACKOFF=0)
    def test_a_receiver_that_is_down_ends_as_a_failure(self) -> None:
        with socket.socket() as sock:  # a port nobody listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        robots(FakeReceiver(), url=f"http://127.0.0.1:{port}")
        send(recipients=people("13800000001"), title="升级", kind="escalation")
        for _ in range(3):
            send_due_notifications()
        for status, attempts, error in NotificationDelivery.objects.values_list("status", "attempts", "last_error"):
            assert (status, attempts) == (Status.FAILED, 2)
            assert "refused" in error.lower()

    def test_an_unexpected_error_is_recorded_not_left_sending(self, receiver: FakeReceiver, monkeypatch: Any) -> None:
        robots(receiver)
        send(recipients=people("13800000001"), title="升级", kind="escalation")

        def broken(*args: Any, **kwargs: Any) -> None:
            raise KeyError("text")

        monkeypatch.setattr(notify_channels, "send_wecom", broken)
        send_due_notifications()
        delivery = NotificationDelivery.objects.get(channel="wecom")
        assert (delivery.status, delivery.attempts, delivery.last_error) == (Status.PENDING, 1, "KeyError: 'text'")

    def test_a_retry_waits_for_its_back_off_doubling(self, receiver: FakeReceiver) -> None:
        robots(receiver)
        receiver.status = 500
        send(recipients=people("13800000001"), title="升级", kind="escalation")
        before = timezone.now()
        send_due_notifications()
        send_due_notifications()  # not due yet
        assert len(receiver.received) == 2
        delivery = NotificationDelivery.objects.filter(channel="wecom").get()
        assert delivery.status == Status.PENDING and delivery.attempts == 1
        assert 29 <= (delivery.next_attempt_at - before).total_seconds() <= 32
        assert [notify_delivery.backoff_seconds(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]

    def test_the_action_is_not_delayed_by_a_slow_receiver(self, receiver: FakeReceiver) -> None:
        robots(receiver)
        receiver.delay = 3
        users = people("13800000001")
        started = time.monotonic()
        with self.captured_commit():
            send(recipients=users, title="升级", kind="escalation")
        assert time.monotonic() - started < 1
        assert not receiver.received
        assert set(NotificationDelivery.objects.values_list("status", flat=True)) == {Status.PENDING}

    def test_a_broker_that_is_down_does_not_fail_the_action(self, receiver: FakeReceiver, monkeypatch: Any) -> None:
        robots(receiver)
        monkeypatch.setattr(notify_delivery, "_eager", lambda: False)

        def broker_down(*args: Any, **kwargs: Any) -> None:
            raise ConnectionError("broker down")

        monkeypatch.setattr(notify_delivery.deliver_notification, "delay", broker_down)
        with self.captured_commit():
            rows = send(recipients=people("13800000001"), title="升级", kind="escalation")
        assert len(rows) == 1
        assert NotificationDelivery.objects.filter(status=Status.PENDING).count() == 2  # the sweep sends them

    def test_a_broken_channel_setup_does_not_fail_the_action(self, monkeypatch: Any) -> None:
        def broken(**kwargs: Any) -> None:
            raise RuntimeError("bad configuration")

        monkeypatch.setattr("apps.core.services.deliveries_create", broken)
        rows = send(recipients=people("13800000001"), title="升级", kind="escalation")
        assert len(rows) == 1 and Notification.objects.count() == 1

    @staticmethod
    def captured_commit() -> Any:
        from django.test import TestCase

        return TestCase.captureOnCommitCallbacks(execute=True)


class RateLimitTests:
    def test_the_counter_allows_the_limit_per_minute_window(self) -> None:
        start = 60 * 1_000_000 + 10.0
        assert [notify_channels.rate_limit_take("wecom", 2, now=start) for _ in range(2)] == [0, 0]
        assert notify_channels.rate_limit_take("wecom", 2, now=start + 5) == pytest.approx(45)
        assert notify_channels.rate_limit_take("dingtalk", 2, now=start) == 0  # per channel
        assert notify_channels.rate_limit_take("wecom", 2, now=start + 49) > 0
        assert notify_channels.rate_limit_take("wecom", 2, now=start + 51) == 0  # the next minute

    def test_over_the_limit_waits_for_the_next_minute_without_counting_an_attempt(self, receiver: FakeReceiver) -> None:
        robots(receiver, rate=2)
        for n in range(3):
            send(recipients=people(f"1380000000{n}"), title=f"升级 {n}", kind="escalation")
        send_due_notifications()
        assert len(receiver.on("/wecom")) == 2 and len(receiver.on("/dingtalk")) == 2
        waiting = NotificationDelivery.objects.filter(status=Status.PENDING)
        assert waiting.count() == 2 and {d.attempts for d in waiting} == {0}
        assert all(d.next_attempt_at > timezone.now() for d in waiting)


@pytest.mark.django_db(transaction=True)
class RaceTests:
    def test_two_attempts_racing_send_once(self, receiver: FakeReceiver) -> None:
        robots(receiver)
        receiver.delay = 0.5  # the first send is still in flight when the second attempt starts
        notify(recipients=people("13800000001"), title="升级", kind="escalation")
        delivery = NotificationDelivery.objects.get(channel="wecom")
        outcomes: list[Outcome] = []
        barrier = threading.Barrier(2)

        def attempt() -> None:
            try:
                barrier.wait()
                outcomes.append(delivery_attempt(delivery.pk)[0])
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == [Outcome.SENT, Outcome.SKIPPED]
        assert len(receiver.on("/wecom")) == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (Status.SENT, 1)


class CeleryTaskTests:
    """Outside the in-process mode: the message is queued after commit, and a failure is retried by Celery after
    the back-off (the real worker run is in ``tests/test_notify_worker.py``)."""

    def test_the_deliveries_are_queued_after_the_commit(self, receiver: FakeReceiver, monkeypatch: Any) -> None:
        robots(receiver)
        queued: list[int] = []
        monkeypatch.setattr(notify_delivery, "_eager", lambda: False)
        monkeypatch.setattr(notify_delivery.deliver_notification, "delay", queued.append)
        recipients = people("13800000001")  # made first: the access cache's version moves when people are saved
        with RetryTests.captured_commit() as callbacks:
            send(recipients=recipients, title="升级", kind="escalation")
            assert queued == []  # nothing before the commit
        # one dispatch after the commit (the unread-count cache's version marker is the other callback)
        assert len([c for c in callbacks if getattr(c, "__module__", "") == notify_delivery.__name__]) == 1
        assert sorted(queued) == sorted(NotificationDelivery.objects.values_list("pk", flat=True))

    def test_a_failure_is_retried_by_celery_after_the_back_off(self, receiver: FakeReceiver, monkeypatch: Any) -> None:
        from celery.exceptions import Retry

        robots(receiver)
        receiver.status = 500
        send(recipients=people("13800000001"), title="升级", kind="escalation")
        pk = NotificationDelivery.objects.get(channel="wecom").pk
        countdowns: list[float] = []

        def retry(*, countdown: float) -> Retry:
            countdowns.append(countdown)
            return Retry()

        monkeypatch.setattr(notify_delivery.deliver_notification, "retry", retry)
        with pytest.raises(Retry):
            notify_delivery.deliver_notification(pk)  # called as a worker does: not eager
        assert countdowns == [31.0]  # the first back-off (30 s) and a second's slack
        receiver.status = 200
        NotificationDelivery.objects.filter(pk=pk).update(next_attempt_at=timezone.now())
        assert notify_delivery.deliver_notification(pk) == "sent"
        assert countdowns == [31.0]


class LostWorkerTests:
    """A worker that dies between claiming a delivery and recording the outcome leaves it "sending": after
    ``STALE_CLAIM`` (10 minutes) the sweep claims it again and sends it once; before that it is left alone (the
    worker may still be sending)."""

    def test_a_delivery_left_sending_by_a_dead_worker_is_claimed_again_after_ten_minutes(
        self, receiver: FakeReceiver
    ) -> None:
        import datetime as dt

        import time_machine

        assert dt.timedelta(minutes=10) == notify_delivery.STALE_CLAIM
        robots(receiver)
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            send(recipients=people("13800000001"), title="升级", kind="escalation")
            wecom = NotificationDelivery.objects.get(channel="wecom")
            # The dying worker: it claimed the row (the same conditional UPDATE) and never came back.
            assert notify_delivery._claim(wecom.pk, timezone.now())
            NotificationDelivery.objects.exclude(pk=wecom.pk).update(status=Status.SENT)
            wecom.refresh_from_db()
            assert (wecom.status, wecom.claimed_at, wecom.attempts) == (Status.SENDING, start, 0)
        with time_machine.travel(start + dt.timedelta(minutes=9, seconds=59), tick=False):
            assert notify_delivery.deliveries_due() == []
            assert delivery_attempt(wecom.pk)[0] == Outcome.SKIPPED  # a racing retry does not take it either
            assert send_due_notifications() == 0
        assert receiver.on("/wecom") == []
        with time_machine.travel(start + dt.timedelta(minutes=10, seconds=1), tick=False):
            assert notify_delivery.deliveries_due() == [wecom.pk]
            assert send_due_notifications() == 1
            assert send_due_notifications() == 0  # claimed again once, sent once
        assert len(receiver.on("/wecom")) == 1
        wecom.refresh_from_db()
        assert (wecom.status, wecom.attempts) == (Status.SENT, 1)
        assert wecom.claimed_at == start + dt.timedelta(minutes=10, seconds=1)

    def test_no_send_can_outlast_the_claim(self) -> None:
        """A live worker never holds a row "sending" for 10 minutes: every channel's send times out well before."""
        from django.conf import settings

        limit = notify_delivery.STALE_CLAIM.total_seconds()
        assert 0 < notify_channels.TIMEOUT_SECONDS < limit
        assert settings.EMAIL_TIMEOUT is not None and 0 < settings.EMAIL_TIMEOUT < limit
