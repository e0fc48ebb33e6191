"""The shared pagination component renders a window of page links, never one link per page."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.urls import reverse

from apps.core import views as core_views
from apps.core.models import Notification
from apps.core.templatetags.core_tags import page_window

pytestmark = pytest.mark.django_db


def _notifications_page_bytes(persona, count: int) -> int:
    Notification.objects.filter(recipient=persona.user).delete()
    Notification.objects.bulk_create(Notification(recipient=persona.user, title="请阅读制度") for _ in range(count))
    response = persona.client().get(reverse("core:notification_list"), {"page": 2})
    assert response.status_code == 200
    return len(response.content)


def test_a_list_of_300_pages_is_no_bigger_than_one_of_3(personas, monkeypatch) -> None:
    """Bytes of the same page at 3 and at 300 pages differ by a few links and digits, not by 297 loop turns."""
    monkeypatch.setattr(core_views, "NOTIFICATIONS_PER_PAGE", 1)
    alice = personas["rep_alice"]
    small = _notifications_page_bytes(alice, 3)
    large = _notifications_page_bytes(alice, 300)
    assert abs(large - small) < 500, (small, large)


def test_the_window_keeps_the_ends_and_the_neighbours_with_gaps_between() -> None:
    paginator = Paginator(range(1000), 10)  # 100 pages
    assert page_window(paginator.page(50)) == [1, None, 48, 49, 50, 51, 52, None, 100]
    assert page_window(paginator.page(1)) == [1, 2, 3, None, 100]
    assert page_window(Paginator(range(30), 10).page(2)) == [1, 2, 3]
