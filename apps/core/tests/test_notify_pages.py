"""The notification pages: a user's channels per kind, the administrator's channels and deliveries, and the
notification centre grouped by kind with "mark all read" (per kind too)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from apps.core.models import Notification, NotificationChannel, NotificationDelivery, NotificationPreference
from apps.core.notifications.kinds import notification_kinds
from apps.core.services import notify
from apps.core.tests.fake_receiver import FakeReceiver
from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee

pytestmark = pytest.mark.django_db
Status = NotificationDelivery.Status


@pytest.fixture
def sysadmin(personas: dict) -> Any:
    """A system administrator by role, not a superuser."""
    employee = make_employee("sysadm", "系统管理员", personas["admin"].unit, BuiltinRole.SYSTEM_ADMIN)
    return employee.user


def login(client: Any, user: Any) -> Any:
    client.force_login(user)
    return client


CORE_KINDS = {"approval", "escalation", "feedback", "due_contact", "general"}


class PreferencePageTests:
    def test_it_lists_every_kind_with_the_defaults_and_the_centre_always_on(self, personas: dict) -> None:
        response = personas["rep_alice"].client().get(reverse("core:notification_preferences"))
        assert response.status_code == 200
        body = response.content.decode()
        for kind in ("approval", "escalation", "feedback", "due_contact", "general"):
            assert f'data-kind="{kind}"' in body
        # the notification centre, per kind (the core's five and any an app registers), cannot be turned off
        assert body.count("checked disabled") == len(notification_kinds())
        form = response.context["form"]
        assert form["escalation__wecom"].value() is True and form["general__wecom"].value() is False

    def test_saving_keeps_only_what_differs_from_the_defaults(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        data = {"escalation__email": "on", "escalation__dingtalk": "on", "general__email": "on"}  # wecom unticked
        response = personas["rep_alice"].client().post(reverse("core:notification_preferences"), data)
        assert response.status_code == 302
        stored = set(NotificationPreference.objects.filter(user=alice).values_list("kind", "channel", "enabled"))
        # kinds other apps register (policy: the robots by default) were unticked too: stored as turned off
        others = {
            (k.code, channel, False)
            for k in notification_kinds()
            if k.code not in CORE_KINDS
            for channel in k.default_channels
        }
        assert (
            stored
            == {
                ("escalation", "wecom", False),
                ("general", "email", True),
                ("approval", "email", False),
                ("feedback", "email", False),
            }
            | others
        )
        assert not NotificationPreference.objects.exclude(user=alice).exists()

    def test_the_choice_is_the_users_own(self, personas: dict) -> None:
        personas["rep_alice"].client().post(reverse("core:notification_preferences"), {"general__email": "on"})
        body = personas["rep_carol"].client().get(reverse("core:notification_preferences"))
        assert body.context["form"]["general__email"].value() is False


class ChannelPageTests:
    def test_staff_and_managers_cannot_open_or_change_the_channels(self, personas: dict) -> None:
        for who in ("rep_alice", "lead_bob", "auditor_dave"):
            client = personas[who].client()
            assert client.get(reverse("core:notification_channels")).status_code == 403
            response = client.post(
                reverse("core:notification_channels"),
                {"channel": "wecom", "wecom-enabled": "on", "wecom-key": "x", "wecom-rate_per_minute": 5},
            )
            assert response.status_code == 403
            assert client.get(reverse("core:notification_deliveries")).status_code == 403
        assert not NotificationChannel.objects.exists()
        body = personas["rep_alice"].client().get(reverse("core:workbench")).content.decode()
        assert "notification-channels-link" not in body and "notification-preferences-link" in body

    def test_a_system_administrator_configures_a_robot_and_the_secret_is_never_shown(
        self, client: Any, sysadmin: Any
    ) -> None:
        login(client, sysadmin)
        url = reverse("core:notification_channels")
        data = {
            "channel": "dingtalk",
            "dingtalk-enabled": "on",
            "dingtalk-url": "",
            "dingtalk-key": "tok-123",
            "dingtalk-secret": "SECsecret-xyz",
            "dingtalk-rate_per_minute": 20,
        }
        assert client.post(url, data).status_code == 302
        row = NotificationChannel.objects.get(channel="dingtalk")
        assert (row.enabled, row.key, row.secret, row.updated_by) == (True, "tok-123", "SECsecret-xyz", sysadmin)
        body = client.get(url).content.decode()
        assert "SECsecret-xyz" not in body and "tok-123" not in body
        # saved again with the key and secret left empty: both are kept
        data |= {"dingtalk-key": "", "dingtalk-secret": "", "dingtalk-rate_per_minute": 10}
        client.post(url, data)
        row.refresh_from_db()
        assert (row.key, row.secret, row.rate_per_minute) == ("tok-123", "SECsecret-xyz", 10)

    def test_a_robot_cannot_be_enabled_without_its_key(self, client: Any, sysadmin: Any) -> None:
        login(client, sysadmin)
        response = client.post(
            reverse("core:notification_channels"),
            {"channel": "wecom", "wecom-enabled": "on", "wecom-rate_per_minute": 20},
        )
        assert response.status_code == 200
        assert "key" in response.context["channels"][1][1].errors
        assert not NotificationChannel.objects.exists()

    def test_the_address_must_be_a_web_address(self, client: Any, sysadmin: Any) -> None:
        login(client, sysadmin)
        data = {
            "channel": "wecom",
            "wecom-enabled": "on",
            "wecom-url": "file:///etc/passwd",
            "wecom-key": "k",
            "wecom-rate_per_minute": 20,
        }
        response = client.post(reverse("core:notification_channels"), data)
        assert response.status_code == 200 and "url" in response.context["channels"][1][1].errors
        assert not NotificationChannel.objects.exists()


class DeliveryPageTests:
    def failed(self, personas: dict) -> NotificationDelivery:
        delivery = NotificationDelivery.objects.create(
            channel="wecom", title="工单升级", status=Status.FAILED, attempts=5, last_error="HTTP 500"
        )
        delivery.recipients.set([personas["rep_alice"].user])
        return delivery

    def test_the_administrator_sees_failures_with_their_last_error(
        self, client: Any, personas: dict, sysadmin: Any
    ) -> None:
        self.failed(personas)
        NotificationDelivery.objects.create(channel="email", title="合同审批", status=Status.SENT, attempts=1)
        login(client, sysadmin)
        response = client.get(reverse("core:notification_deliveries"), {"status": "failed"})
        body = response.content.decode()
        assert body.count('data-testid="delivery"') == 1
        assert "工单升级" in body and "HTTP 500" in body and "艾丽" in body and "合同审批" not in body

    def test_send_again_starts_a_fresh_count_and_sends(
        self, client: Any, personas: dict, sysadmin: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        delivery = self.failed(personas)
        receiver = FakeReceiver().start()
        try:
            NotificationChannel.objects.create(channel="wecom", enabled=True, url=f"{receiver.base}/wecom", key="k")
            login(client, sysadmin)
            with django_capture_on_commit_callbacks(execute=True):
                client.post(reverse("core:notification_delivery_retry", args=[delivery.pk]))
        finally:
            receiver.stop()
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (Status.SENT, 1)
        assert len(receiver.on("/wecom")) == 1

    def test_staff_cannot_send_again(self, personas: dict) -> None:
        delivery = self.failed(personas)
        response = personas["rep_alice"].client().post(reverse("core:notification_delivery_retry", args=[delivery.pk]))
        assert response.status_code == 403
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (Status.FAILED, 5)

    def test_the_list_has_flat_queries(
        self, client: Any, personas: dict, sysadmin: Any, django_assert_max_num_queries: Any
    ) -> None:
        login(client, sysadmin)
        counts = []
        for size in (3, 30):
            while NotificationDelivery.objects.count() < size:
                self.failed(personas)
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            client.get(reverse("core:notification_deliveries"))  # warm: the user's access is cached (org.scope)
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse("core:notification_deliveries")).status_code == 200
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1]


class CentreByKindTests:
    @pytest.fixture
    def inbox(self, personas: dict) -> Any:
        alice = personas["rep_alice"].user
        for i in range(3):
            notify(recipients=[alice], title=f"请审批{i}", kind="approval")
        for i in range(2):
            notify(recipients=[alice], title=f"升级{i}", kind="escalation")
        notify(recipients=[alice], title="客户已分配")
        return alice

    def test_the_centre_groups_by_kind_with_counts(self, personas: dict, inbox: Any) -> None:
        client = personas["rep_alice"].client()
        response = client.get(reverse("core:notification_list"))
        groups = {k.code: (total, unread) for k, total, unread in response.context["kind_groups"]}
        expected: dict[str, list[int]] = {}
        for kind, read_at in Notification.objects.filter(recipient=inbox).values_list("kind", "read_at"):
            expected.setdefault(kind, [0, 0])
            expected[kind][0] += 1
            expected[kind][1] += read_at is None
        assert groups == {k: tuple(v) for k, v in expected.items()}
        body = client.get(reverse("core:notification_list"), {"kind": "approval"}).content.decode()
        assert body.count('data-testid="notification"') == 3 and "升级0" not in body

    def test_mark_all_read_within_one_kind_leaves_the_others(self, personas: dict, inbox: Any) -> None:
        client = personas["rep_alice"].client()
        client.post(reverse("core:notification_read_all"), {"kind": "approval"})
        unread = Notification.objects.filter(recipient=inbox, read_at__isnull=True)
        assert set(unread.values_list("kind", flat=True)) == {"escalation", "general"}
        client.post(reverse("core:notification_read_all"))
        assert not unread.exists()

    def test_another_users_kinds_are_not_counted(self, personas: dict, inbox: Any) -> None:
        response = personas["rep_carol"].client().get(reverse("core:notification_list"))
        assert response.context["kind_groups"] == []


class WorkbenchTests:
    def test_the_administrator_sees_the_failures_and_staff_do_not(
        self, client: Any, personas: dict, sysadmin: Any
    ) -> None:
        for _ in range(2):
            NotificationDelivery.objects.create(channel="wecom", title="升级", status=Status.FAILED, attempts=5)
        NotificationDelivery.objects.create(channel="wecom", title="升级", status=Status.SENT, attempts=1)
        login(client, sysadmin)
        response = client.get(reverse("core:workbench"))
        items = [i for i in response.context["items"] if "status=failed" in i.url]
        failed = NotificationDelivery.objects.filter(status=Status.FAILED).count()
        assert [i.count for i in items] == [failed]
        staff = personas["rep_alice"].client().get(reverse("core:workbench"))
        assert not [i for i in staff.context["items"] if "status=failed" in i.url]
