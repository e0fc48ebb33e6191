"""The notification service over the API: a user reads and changes only their own channel choices per kind; the
deliveries are listed for administrators only and a failed one is sent again by those who manage the channels."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from apps.core.models import NotificationDelivery, NotificationPreference
from apps.core.notifications.kinds import notification_kinds
from apps.core.services import notify
from apps.core.services.delivery import send_due_notifications
from apps.core.tests.fake_receiver import FakeReceiver
from apps.core.tests.test_notify_channels import people, robots

pytestmark = pytest.mark.django_db
PREFS = "/api/v1/notification-preferences/"
DELIVERIES = "/api/v1/notification-deliveries/"
Status = NotificationDelivery.Status


@pytest.fixture
def receiver() -> Iterator[FakeReceiver]:
    cache.clear()
    fake = FakeReceiver().start()
    yield fake
    fake.stop()
    cache.clear()


def _chosen(data: list[dict[str, Any]], kind: str, channel: str) -> bool:
    (row,) = [r for r in data if r["kind"] == kind]
    (choice,) = [c for c in row["channels"] if c["channel"] == channel]
    return bool(choice["chosen"])


class PreferenceApiTests:
    def test_a_user_reads_every_kind_with_its_defaults(self, personas: dict) -> None:
        response = personas["rep_alice"].client().get(PREFS)
        assert response.status_code == 200
        data = response.json()
        assert [r["kind"] for r in data] == [k.code for k in notification_kinds()]
        for kind in notification_kinds():
            for channel in ("email", "wecom", "dingtalk"):
                assert _chosen(data, kind.code, channel) == (channel in kind.default_channels)

    def test_a_user_changes_their_own_choices_only(self, personas: dict) -> None:
        alice, carol = personas["rep_alice"], personas["rep_carol"]
        body = {"choices": [{"kind": "escalation", "channel": "wecom", "enabled": False}]}
        response = alice.client().put(PREFS, body, content_type="application/json")
        assert response.status_code == 200, response.content
        assert _chosen(response.json(), "escalation", "wecom") is False
        assert set(NotificationPreference.objects.values_list("user_id", "kind", "channel", "enabled")) == {
            (alice.user.pk, "escalation", "wecom", False)
        }
        assert _chosen(carol.client().get(PREFS).json(), "escalation", "wecom") is True  # hers untouched

    def test_an_unknown_kind_or_channel_is_refused_and_nothing_changes(self, personas: dict) -> None:
        client = personas["rep_alice"].client()
        for choice in (
            {"kind": "nothing", "channel": "wecom", "enabled": True},
            {"kind": "escalation", "channel": "fax", "enabled": True},
        ):
            response = client.put(PREFS, {"choices": [choice]}, content_type="application/json")
            assert response.status_code == 400
        assert not NotificationPreference.objects.exists()

    def test_anonymous_is_refused(self, client: Any) -> None:
        assert client.get(PREFS).status_code in (401, 403)


class DeliveryApiTests:
    def _failed(self, receiver: FakeReceiver) -> NotificationDelivery:
        robots(receiver)
        receiver.status = 500
        with transaction.atomic():
            notify(recipients=people("13800000001"), title="升级", kind="escalation")
        NotificationDelivery.objects.filter(channel="dingtalk").delete()
        delivery = NotificationDelivery.objects.get()
        delivery.status, delivery.attempts, delivery.last_error = Status.FAILED, 5, "HTTP 500"
        delivery.save()
        return delivery

    def test_the_administrator_lists_the_deliveries_with_their_outcome(
        self, personas: dict, receiver: FakeReceiver
    ) -> None:
        robots(receiver)
        users = people("13800000001", "13800000002")
        with transaction.atomic():
            notify(recipients=users, title="升级", kind="escalation")
        send_due_notifications()
        response = personas["admin"].client().get(DELIVERIES)
        assert response.status_code == 200
        rows = response.json()["results"]
        assert {(r["channel"], r["status"], r["attempts"]) for r in rows} == {
            ("wecom", Status.SENT, 1),
            ("dingtalk", Status.SENT, 1),
        }
        assert all(r["recipients"] == sorted(u.username for u in users) for r in rows)
        only = personas["admin"].client().get(DELIVERIES, {"channel": "wecom"}).json()["results"]
        assert [r["channel"] for r in only] == ["wecom"]

    @pytest.mark.parametrize("persona", ["rep_alice", "lead_bob", "auditor_dave"])
    def test_others_cannot_list_or_send_again(self, personas: dict, receiver: FakeReceiver, persona: str) -> None:
        delivery = self._failed(receiver)
        client = personas[persona].client()
        assert client.get(DELIVERIES).status_code == 403
        assert client.post(f"{DELIVERIES}{delivery.pk}/retry/").status_code == 403
        delivery.refresh_from_db()
        assert delivery.status == Status.FAILED and receiver.received == []

    def test_the_administrator_sends_a_failed_one_again(
        self, personas: dict, receiver: FakeReceiver, django_capture_on_commit_callbacks: Any
    ) -> None:
        delivery = self._failed(receiver)
        receiver.status = 200
        client = personas["admin"].client()
        with django_capture_on_commit_callbacks(execute=True):  # sent once the request's transaction commits
            response = client.post(f"{DELIVERIES}{delivery.pk}/retry/")
        assert response.status_code == 200, response.content
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (Status.SENT, 1)
        assert len(receiver.on("/wecom")) == 1
        again = client.post(f"{DELIVERIES}{delivery.pk}/retry/")  # only a failed one
        assert again.status_code == 400
        assert len(receiver.on("/wecom")) == 1
