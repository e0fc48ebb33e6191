"""The public form when the cache holding the rate-limit counters is down (Redis stopped): a friendly Chinese page,
nothing stored, the failure logged — not a 500, and not an unlimited form."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from apps.service.models import Ticket
from apps.service.tests.factories_tickets import make_ticket
from apps.service.tests.test_public import form_data
from apps.service.tests.test_public_limits import org  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

# A Redis cache on a port nobody listens on (connections are refused at once).
CLOSED_PORT_CACHE = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


@override_settings(CACHES=CLOSED_PORT_CACHE)
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.usefixtures("org")
def test_the_ticket_form_fails_closed_with_a_friendly_page(method: str, caplog: pytest.LogCaptureFixture) -> None:
    client = Client()
    url = reverse("support:ticket_new")
    with caplog.at_level(logging.ERROR, logger="apps.service.services.public"):
        response = client.get(url) if method == "get" else client.post(url, form_data())
    assert response.status_code == 503
    html = response.content.decode()
    assert 'data-testid="support-unavailable"' in html and 'lang="zh-CN"' in html
    assert "暂时无法提交" in html and "本次内容未提交" in html
    assert int(response["Retry-After"]) == 60
    assert Ticket.objects.count() == 0
    assert any("cache is unavailable" in record.getMessage() for record in caplog.records)


@override_settings(CACHES=CLOSED_PORT_CACHE)
@pytest.mark.usefixtures("org")
def test_a_message_on_the_status_page_fails_closed_too() -> None:
    ticket = make_ticket(None, title="状态页")
    response = Client().post(reverse("support:ticket_message", args=[ticket.public_token]), {"body": "还没好"})
    assert response.status_code == 503
    assert 'data-testid="support-unavailable"' in response.content.decode()
