"""Rate limits of the public support pages, per client address (Django's cache: Redis in production)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.service.models import Ticket, TicketEvent
from apps.service.services import public as public_services
from apps.service.tests.test_public import form_data
from apps.service.views.public import client_ip

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=TZ)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def org(personas: dict[str, Any]) -> dict[str, Any]:
    service = personas["rep_carol"].unit
    service.manager = make_employee("csm", "客服经理", service, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER).user
    service.save(update_fields=["manager"])
    return {"service": service}


def post(client: Client, ip: str, **meta: Any) -> Any:
    return client.post(reverse("support:ticket_new"), form_data(), REMOTE_ADDR=ip, **meta)


def test_the_sixth_ticket_in_an_hour_from_one_address_is_refused(org: dict[str, Any]) -> None:
    client = Client()
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            assert post(client, "203.0.113.7").status_code == 302
        refused = post(client, "203.0.113.7")
        assert refused.status_code == 429
        assert 'data-testid="support-rate-limited"' in refused.content.decode()
        assert 'lang="zh-CN"' in refused.content.decode()
        assert int(refused["Retry-After"]) == 3600  # the hour window started at 10:00
        assert Ticket.objects.count() == 5
        # The form itself answers 429 now, before anyone types in vain …
        assert client.get(reverse("support:ticket_new"), REMOTE_ADDR="203.0.113.7").status_code == 429
        # … while another address still gets through.
        assert post(Client(), "198.51.100.23").status_code == 302
        assert Ticket.objects.count() == 6
    with time_machine.travel(NOW + dt.timedelta(hours=1, minutes=1), tick=False):
        assert post(client, "203.0.113.7").status_code == 302


@override_settings(SUPPORT_RATE_LIMITS={"ticket": ((3600, 2), (86400, 3))})
def test_the_daily_limit_holds_across_hours(org: dict[str, Any]) -> None:
    client = Client()
    with time_machine.travel(NOW, tick=False):
        assert post(client, "203.0.113.7").status_code == 302
        assert post(client, "203.0.113.7").status_code == 302
        assert post(client, "203.0.113.7").status_code == 429
    with time_machine.travel(NOW + dt.timedelta(hours=2), tick=False):
        assert post(client, "203.0.113.7").status_code == 302
        refused = post(client, "203.0.113.7")
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 3600  # until midnight UTC, when the day window ends
    assert Ticket.objects.count() == 3


def test_invalid_submissions_do_not_use_up_the_limit(org: dict[str, Any]) -> None:
    client = Client()
    with time_machine.travel(NOW, tick=False):
        for _ in range(8):
            response = client.post(reverse("support:ticket_new"), form_data(mobile="123"), REMOTE_ADDR="203.0.113.7")
            assert response.status_code == 200
        assert post(client, "203.0.113.7").status_code == 302


def test_honeypot_hits_count_against_the_limit(org: dict[str, Any]) -> None:
    client = Client()
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            client.post(reverse("support:ticket_new"), form_data(website="x"), REMOTE_ADDR="203.0.113.7")
        assert post(client, "203.0.113.7").status_code == 429
    assert not Ticket.objects.exists()


@override_settings(SUPPORT_RATE_LIMITS={"message": ((3600, 2), (86400, 10))})
def test_status_page_posts_are_rate_limited(org: dict[str, Any]) -> None:
    with time_machine.travel(NOW, tick=False):
        data = {**form_data(), "mobile": "13700001111"}
        ticket = public_services.ticket_submit_public(data=data, ip="203.0.113.7")
        url = reverse("support:ticket_message", args=[ticket.public_token])
        client = Client()
        assert client.post(url, {"body": "第一条留言"}, REMOTE_ADDR="203.0.113.7").status_code == 302
        assert client.post(url, {"body": "第二条留言"}, REMOTE_ADDR="203.0.113.7").status_code == 302
        assert client.post(url, {"body": "第三条留言"}, REMOTE_ADDR="203.0.113.7").status_code == 429
        assert (
            client.post(
                reverse("support:ticket_confirm", args=[ticket.public_token]), REMOTE_ADDR="203.0.113.7"
            ).status_code
            == 429
        )
        assert Client().post(url, {"body": "别处的留言"}, REMOTE_ADDR="198.51.100.23").status_code == 302
    assert list(TicketEvent.objects.filter(ticket=ticket, kind="customer").values_list("body", flat=True)) == [
        "第一条留言",
        "第二条留言",
        "别处的留言",
    ]


def test_forwarded_for_is_ignored_without_trusted_proxies(org: dict[str, Any]) -> None:
    """Without TRUSTED_PROXY_COUNT a client cannot dodge the limit by inventing X-Forwarded-For addresses."""
    client = Client()
    with time_machine.travel(NOW, tick=False):
        for n in range(5):
            assert post(client, "203.0.113.7", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code == 302
        assert post(client, "203.0.113.7", HTTP_X_FORWARDED_FOR="10.0.0.99").status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_it_saw_counts(org: dict[str, Any]) -> None:
    client = Client()
    with time_machine.travel(NOW, tick=False):
        for n in range(5):  # the proxy is 127.0.0.1; the forged entries on the left change every time
            assert post(client, "127.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.7").status_code == 302
        assert post(client, "127.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7").status_code == 429
        assert post(client, "127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 302


def _request(remote: str, forwarded: str | None = None) -> Any:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/support/", **meta)


def test_client_ip() -> None:
    assert client_ip(_request("203.0.113.7", "1.1.1.1")) == "203.0.113.7"
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip(_request("10.0.0.1", "1.1.1.1, 203.0.113.7")) == "203.0.113.7"
        assert client_ip(_request("10.0.0.1")) == "10.0.0.1"  # not through the proxy after all
        assert client_ip(_request("10.0.0.1", "not-an-address")) == "10.0.0.1"
    with override_settings(TRUSTED_PROXY_COUNT=2):
        assert client_ip(_request("10.0.0.2", "6.6.6.6, 203.0.113.7, 10.0.0.1")) == "203.0.113.7"
        assert client_ip(_request("10.0.0.2", "10.0.0.1")) == "10.0.0.2"


def test_one_ipv6_subscriber_is_one_client() -> None:
    """An IPv6 subscriber holds a whole /64: its addresses share one counter."""
    key = public_services._address_key
    assert key("2001:db8:1:2::1") == key("2001:db8:1:2:ffff::9")
    assert key("2001:db8:1:2::1") != key("2001:db8:1:3::1")
    assert key("::ffff:203.0.113.7") == key("203.0.113.7")
    assert "203.0.113.7" not in key("203.0.113.7")  # the cache holds no addresses
