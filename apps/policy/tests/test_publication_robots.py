"""Publication reaches every employee (art. 14, "及时向全体员工进行通知"): in the app, and — the policy's own kind of
message — by the company's WeCom and DingTalk group robots, one signed message each (issue 12, done when). The robots
are a local fake receiver; nothing calls the internet."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest
from django.core.cache import cache

from apps.core.models import Notification, NotificationChannel, NotificationDelivery
from apps.core.services.delivery import send_due_notifications
from apps.core.tests.fake_receiver import FakeReceiver
from apps.org.models import Employee
from apps.policy import services
from apps.policy.tests.test_amendments import _approved, _tomorrow, group_fixture  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
SECRET = "SEC-policy-0123456789"


def test_publishing_sends_one_signed_message_to_each_robot_and_tells_everyone_in_the_app(
    personas: dict, group: list[Any]
) -> None:
    cache.clear()
    version = _approved(group)
    receiver = FakeReceiver().start()
    try:
        NotificationChannel.objects.create(channel="wecom", enabled=True, url=f"{receiver.base}/wecom", key="k1")
        NotificationChannel.objects.create(
            channel="dingtalk", enabled=True, url=f"{receiver.base}/dingtalk", key="t1", secret=SECRET
        )
        Notification.objects.all().delete()
        services.policy_version_publish(actor=group[0], version=version, effective_from=_tomorrow())
        send_due_notifications()
    finally:
        receiver.stop()
    active = set(Employee.objects.filter(is_active=True).values_list("user_id", flat=True))
    told = set(Notification.objects.filter(kind="policy").values_list("recipient_id", flat=True))
    assert told == active
    (wecom,) = receiver.on("/wecom")
    (ding,) = receiver.on("/dingtalk")
    assert version.label in wecom.payload["text"]["content"] and version.label in ding.payload["text"]["content"]
    timestamp = ding.query["timestamp"]
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert ding.query["sign"] == expected
    assert set(NotificationDelivery.objects.values_list("status", flat=True)) == {NotificationDelivery.Status.SENT}
