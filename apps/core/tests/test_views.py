"""Pages of the kernel: login, the workbench, the notification centre."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.core.models import Notification
from apps.core.services import notify

pytestmark = pytest.mark.django_db


class LoginPageTests:
    def test_it_renders_with_the_product_name_and_a_language_switch(self) -> None:
        response = Client().get(reverse("login"))
        assert response.status_code == 200
        body = response.content.decode()
        assert 'name="username"' in body
        assert 'data-testid="login-language"' in body
        assert 'value="en"' in body and 'value="zh-hans"' in body

    def test_wrong_password_shows_a_clear_error(self, personas: dict) -> None:
        response = Client().post(reverse("login"), {"username": "alice", "password": "wrong"})
        assert response.status_code == 200
        assert 'data-testid="login-error"' in response.content.decode()

    def test_password_change_page_renders_in_the_shell(self, personas: dict) -> None:
        response = personas["rep_alice"].client().get(reverse("password_change"))
        assert response.status_code == 200
        assert 'name="new_password1"' in response.content.decode()


class WorkbenchTests:
    def test_it_requires_login(self) -> None:
        response = Client().get(reverse("core:workbench"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_it_greets_the_user_and_shows_the_empty_state(self, personas: dict) -> None:
        response = personas["rep_alice"].client().get(reverse("core:workbench"))
        assert response.status_code == 200
        body = response.content.decode()
        assert "艾丽" in body
        assert "销售一组" in body  # her department
        assert 'data-testid="empty-state"' in body
        assert 'data-area="sales"' in body  # the policy's areas, even before their pages exist

    def test_the_shell_shows_the_unread_count(self, personas: dict) -> None:
        notify(recipients=[personas["rep_alice"].user], title="请阅读制度")
        body = personas["rep_alice"].client().get(reverse("core:workbench")).content.decode()
        assert 'data-testid="unread-count">1<' in body
        assert "请阅读制度" in body


class NotificationTests:
    @pytest.fixture
    def inbox(self, personas: dict) -> list[Notification]:
        alice = personas["rep_alice"].user
        return [notify(recipients=[alice], title=f"通知{i}", url="/org/")[0] for i in range(3)]

    def test_the_list_shows_the_users_own_notifications(self, personas: dict, inbox: list) -> None:
        notify(recipients=[personas["rep_carol"].user], title="别人的通知")
        response = personas["rep_alice"].client().get(reverse("core:notification_list"))
        assert response.status_code == 200
        body = response.content.decode()
        assert "通知0" in body and "通知2" in body
        assert "别人的通知" not in body

    def test_the_unread_filter_hides_read_ones(self, personas: dict, inbox: list) -> None:
        client = personas["rep_alice"].client()
        client.post(reverse("core:notification_read", args=[inbox[0].pk]), {"stay": "1"})
        body = client.get(reverse("core:notification_list"), {"unread": "1"}).content.decode()
        assert "通知0" not in body and "通知1" in body

    def test_mark_one_read_follows_its_link(self, personas: dict, inbox: list) -> None:
        response = personas["rep_alice"].client().post(reverse("core:notification_read", args=[inbox[1].pk]))
        assert response.status_code == 302
        assert response["Location"] == "/org/"
        inbox[1].refresh_from_db()
        assert inbox[1].is_read

    def test_mark_one_read_and_stay(self, personas: dict, inbox: list) -> None:
        response = (
            personas["rep_alice"].client().post(reverse("core:notification_read", args=[inbox[1].pk]), {"stay": "1"})
        )
        assert response["Location"] == reverse("core:notification_list")

    def test_mark_read_needs_post(self, personas: dict, inbox: list) -> None:
        response = personas["rep_alice"].client().get(reverse("core:notification_read", args=[inbox[0].pk]))
        assert response.status_code == 405

    def test_mark_all_read(self, personas: dict, inbox: list) -> None:
        response = personas["rep_alice"].client().post(reverse("core:notification_read_all"))
        assert response.status_code == 302
        assert not Notification.objects.filter(recipient=personas["rep_alice"].user, read_at__isnull=True).exists()

    def test_another_users_notification_is_404_and_stays_unread(self, personas: dict, inbox: list) -> None:
        response = personas["rep_carol"].client().post(reverse("core:notification_read", args=[inbox[0].pk]))
        assert response.status_code == 404
        inbox[0].refresh_from_db()
        assert not inbox[0].is_read

    def test_empty_state(self, personas: dict) -> None:
        body = personas["rep_carol"].client().get(reverse("core:notification_list")).content.decode()
        assert 'data-testid="empty-state"' in body

    def test_it_paginates_with_flat_queries(self, personas: dict, django_assert_max_num_queries: Any) -> None:
        alice = personas["rep_alice"].user
        for i in range(45):
            notify(recipients=[alice], title=f"批量{i}")
        client = personas["rep_alice"].client()
        client.get(reverse("core:notification_list"))  # warm the session
        with django_assert_max_num_queries(12):
            response = client.get(reverse("core:notification_list"), {"page": 3})
        assert response.status_code == 200
        assert response.context["page_obj"].number == 3
        assert len(response.context["page_obj"].object_list) == 5
