"""Each role sees only what it may do: for every demo role, every internal link on the main pages (workbench, each
area's start page and lists, a customer's page) opens — no 403 behind a visible link. A small dataset over the demo
organisation keeps it fast."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLResolver, get_resolver

from apps.customers.tests.factories import ContactFactory, CustomerFactory
from apps.org.models import User
from apps.service.choices import TicketType
from apps.service.services.tickets import ticket_create

ROLES = ("ceo", "mkt_mgr", "mkt1", "sales_mgr", "sales1", "cs_mgr", "cs1", "admin")
HREF = re.compile(r'href="([^"#]*)"')
# Links that are not pages to open: leaving, switching language, files, the admin site, the API and its docs.
SKIP = re.compile(r"^/(static/|media/|admin/|api/|accounts/|i18n/|support/|s/|healthz)|export|\.xlsx$|/print/")


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    call_command("load_demo", apps="org", stdout=io.StringIO())
    users = {u.username: u for u in User.objects.filter(username__in=ROLES)}
    sales1, cs1 = users["sales1"], users["cs1"]
    customer = CustomerFactory(
        owner=sales1,
        owner_unit=sales1.employee.department,
        service_owner=cs1,
        level="A",
        name="杭州云杉智能制造有限公司",
    )
    ContactFactory(customer=customer, name="周建华", mobile="13957112345", is_primary=True)
    CustomerFactory(owner=None, name="公海里的客户有限公司")
    ticket_create(
        actor=cs1,
        data={
            "title": "设备频繁死机",
            "ticket_type": TicketType.COMPLAINT,
            "complaint_category": "product_quality",
            "customer": customer,
            "description": "客户投诉设备频繁死机",
        },
    )
    return {"users": users, "customer": customer}


def _links(body: str) -> set[str]:
    found = set()
    for href in HREF.findall(body):
        parts = urlsplit(href.replace("&amp;", "&"))
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
            continue
        found.add(parts.path)
    return found


def _pattern(path: str) -> str:
    """/customers/12/edit/ and /customers/13/edit/ are one page to check."""
    return re.sub(r"/\d+(?=/|$)", "/<n>", path)


def _start_pages(resolver: Any = None, prefix: str = "") -> list[str]:
    """Every page of the site that takes no argument (the workbench, each app's lists and dashboards…)."""
    pages = []
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$")
        if "<" in route or "(" in route or SKIP.search("/" + route):
            continue
        if isinstance(entry, URLResolver):
            pages += _start_pages(entry, route)
        else:
            pages.append("/" + route)
    return sorted(set(pages))


@pytest.mark.parametrize("role", ROLES)
def test_no_visible_link_leads_to_a_403(role: str, demo: dict[str, Any]) -> None:
    """Open every page without arguments and a customer's page, then every page they link to and the pages those
    link to (one of each kind): no link the role is shown answers 403."""
    client = Client()
    client.force_login(demo["users"][role])
    status: dict[str, int] = {}
    bodies: dict[str, str] = {}

    def fetch(path: str) -> int:
        key = _pattern(path)
        if key not in status:
            response = client.get(path)
            status[key] = response.status_code
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                bodies[path] = response.content.decode()
        return status[key]

    queue = [*_start_pages(), f"/customers/{demo['customer'].pk}/"]
    forbidden: dict[str, str] = {}
    done: set[str] = set()
    while queue and len(status) < 400:
        page = queue.pop(0)
        fetch(page)
        if page in done or page not in bodies:
            continue
        done.add(page)
        for link in sorted(_links(bodies[page])):
            if fetch(link) == 403:
                forbidden.setdefault(link, page)
            elif link in bodies and link not in done:
                queue.append(link)
    assert len(status) > 40  # the walk reached the site
    assert not forbidden, f"{role}: 403 behind links (page: linked from) {forbidden}"


def test_service_staff_get_no_sales_actions_on_a_salespersons_customer(demo: dict[str, Any]) -> None:
    """cs1 looks after sales1's A-level customer (its service owner): seeing it gives no edit, lock, return to the
    pool or new opportunity; sales1, its owner, has them all."""
    customer = demo["customer"]
    actions = ("customer-edit", "customer-lock", "customer-return", "opportunity-create")
    pages = {}
    for username in ("cs1", "sales1"):
        client = Client()
        client.force_login(demo["users"][username])
        pages[username] = client.get(f"/customers/{customer.pk}/").content.decode()
        answer = client.get(f"/customers/{customer.pk}/return/").status_code
        assert answer == (404 if username == "cs1" else 200), username
    for testid in actions:
        assert f'data-testid="{testid}"' not in pages["cs1"], testid
        assert f'data-testid="{testid}"' in pages["sales1"], testid
