"""The existing events go through the one notification service with a kind the preference page lists (issue 12):
ticket escalation, approval requests, feedback routed, due contacts — and an escalation reaches the group robots
(a local fake receiver) while the centre gets it too."""

from __future__ import annotations

from typing import Any

import pytest

from apps.core.models import Notification, NotificationChannel, NotificationDelivery
from apps.core.notifications.kinds import notification_kinds
from apps.core.services.delivery import send_due_notifications
from apps.core.tests.fake_receiver import FakeReceiver
from apps.sales.tests.test_approval_notifications import _pending
from apps.service.tests.test_feedback import _record, world  # noqa: F401 (fixture)
from apps.service.tests.test_relationship import _customer, _generate, people  # noqa: F401 (fixture)
from apps.service.tests.test_tickets_deadlines import check, complaint  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
LISTED = {k.code for k in notification_kinds()}


def kinds_of(user: Any) -> set[str]:
    return set(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_ticket_escalation_is_an_escalation_and_reaches_the_robots(personas: dict, complaint: Any) -> None:  # noqa: F811
    receiver = FakeReceiver().start()
    try:
        NotificationChannel.objects.create(channel="wecom", enabled=True, url=f"{receiver.base}/wecom", key="k")
        manager = complaint.department.manager
        Notification.objects.all().delete()
        assert check("2026-11-23T11:01")["escalated"] == 1
        assert kinds_of(manager) == {"escalation"}
        send_due_notifications()
    finally:
        receiver.stop()
    (post,) = receiver.on("/wecom")
    assert complaint.number in post.payload["text"]["content"]
    assert NotificationDelivery.objects.get().status == NotificationDelivery.Status.SENT


def test_an_approval_request_is_an_approval(personas: dict) -> None:
    contract = _pending(personas)
    requests = Notification.objects.filter(title__contains=contract.number, topic__startswith="approval:")
    assert requests.exists() and set(requests.values_list("kind", flat=True)) == {"approval"}


def test_routed_feedback_is_feedback(world: dict) -> None:  # noqa: F811
    _record(world)
    assert kinds_of(world["bob"]) == {"feedback"}


def test_due_contacts_are_due_contacts(people: dict) -> None:  # noqa: F811
    _customer(people, "A", created_days=40)
    assert _generate()["owners_notified"] == 1
    assert kinds_of(people["carol"]) == {"due_contact"}


def test_every_kind_used_is_listed_on_the_preference_page() -> None:
    assert {"escalation", "approval", "feedback", "due_contact", "general"} <= LISTED
