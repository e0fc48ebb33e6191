"""The Content-Security-Policy holds: every page carries it, and no page needs what it forbids.

The policy (config/settings/base.py) allows scripts and style sheets from our own static files only, so no template
may carry an inline ``<script>``, an ``on*=`` handler, a ``javascript:`` link or a ``<style>`` element: data for
scripts travels in ``<script type="application/json">`` blocks (``json_script``) and ``data-*`` attributes.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from csp.constants import NONCE
from django.conf import settings
from django.test import Client

from apps.org.models import User
from tests.browser.conftest import load_demo_org

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "templates", *sorted(ROOT.glob("apps/*/templates"))]
# Pages a crawl does not open: leaving, the admin (Django's own), the API (JSON; its docs page relaxes the policy
# for drf-spectacular's inline start-up script, see config/urls.py) and file downloads.
SKIP = re.compile(r"^/(accounts/logout|django-admin|api/|static/|media/)|/export|/template|/download")
MAX_PAGES = 400


class _Offences(HTMLParser):
    """Collect what the policy would block in one HTML page, and the links to follow."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.offences: list[str] = []
        self.links: list[str] = []
        self.nonces: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self.offences.append(f"inline <script {values}>")
        if tag == "style":
            if values.get("nonce"):
                self.nonces.append(values["nonce"] or "")
            else:
                self.offences.append("<style> element without the nonce")
        for name, value in attrs:
            if name.startswith("on"):
                self.offences.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.offences.append(f"<{tag} {name}=javascript:...>")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")


def directives_of(header: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def offences_in(html: str, header: str = "") -> tuple[list[str], list[str]]:
    parser = _Offences()
    parser.feed(html)
    style_src = directives_of(header).get("style-src", "").split()
    offences = parser.offences + [
        f"<style nonce={n}> not in the header" for n in parser.nonces if f"'nonce-{n}'" not in style_src
    ]
    return offences, parser.links


def test_no_template_carries_inline_script_handler_or_style() -> None:
    """Every template file, whatever data it would be rendered with."""
    found = []
    tag = re.compile(r"<(script|style)\b[^>]*>", re.I)
    nonce = '<style nonce="{{ request.csp_nonce }}">'
    handler = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S)
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            for match in tag.finditer(text):
                if match.group(0) != nonce and (match.group(1).lower() == "style" or "src=" not in match.group(0)):
                    found.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
            found += [f"{path.relative_to(ROOT)}: on*= handler" for _ in handler.finditer(text)]
            if "javascript:" in text:
                found.append(f"{path.relative_to(ROOT)}: javascript: URL")
    assert not found, "\n".join(found)


def test_the_policy_is_strict() -> None:
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for directive in ("script-src", "default-src"):
        assert directives[directive] == ["'self'"], directive
    assert directives["style-src"] == ["'self'", NONCE]
    assert not any("unsafe-eval" in str(value) for values in directives.values() for value in values)
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE


def _crawl(client: Client, start: list[str]) -> dict[str, tuple[int, str, list[str]]]:
    """Open every page reachable by links from ``start`` (one visit per path), up to MAX_PAGES."""
    seen_paths: set[str] = set()
    queue = list(start)
    pages: dict[str, tuple[int, str, list[str]]] = {}
    while queue and len(pages) < MAX_PAGES:
        url = urldefrag(queue.pop(0))[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
            continue
        if parts.path in seen_paths:
            continue
        seen_paths.add(parts.path)
        response = client.get(url)
        header = response.headers.get("Content-Security-Policy", "")
        offences: list[str] = []
        if response.status_code == 200 and response.headers.get("Content-Type", "").startswith("text/html"):
            offences, links = offences_in(response.content.decode(), header)
            queue += links
        pages[url] = (response.status_code, header, offences)
    return pages


@pytest.mark.django_db
def test_every_page_ceo_reaches_carries_the_policy_and_needs_nothing_it_forbids() -> None:
    load_demo_org()
    client = Client()
    client.force_login(User.objects.get(username="ceo"))
    start = ["/", "/marketing/", "/sales/", "/service/", "/service/surveys/", "/customers/", "/org/", "/policy/"]
    pages = _crawl(client, start)
    assert len(pages) >= 60, f"the crawl reached only {len(pages)} pages"
    missing = [url for url, (status, header, _) in pages.items() if status < 500 and not header]
    assert not missing, f"pages without a Content-Security-Policy: {missing}"
    for url, (_, header, _) in pages.items():
        if header:
            directives = directives_of(header)
            assert directives["script-src"] == "'self'", url
            assert re.fullmatch(r"'self'( 'nonce-[^']+')?", directives["style-src"]), url
    errors = [url for url, (status, _, _) in pages.items() if status >= 500]
    assert not errors, f"pages that failed: {errors}"
    bad = {url: offences for url, (_, _, offences) in pages.items() if offences}
    assert not bad, bad


@pytest.mark.django_db
def test_public_pages_carry_the_policy(client: Any) -> None:
    for url in ("/accounts/login/", "/support/"):
        response = client.get(url)
        assert response.status_code == 200
        assert directives_of(response.headers["Content-Security-Policy"])["script-src"] == "'self'"
        offences, _ = offences_in(response.content.decode())
        assert not offences, (url, offences)


def test_the_printable_contract_keeps_its_print_rules_under_the_nonce(personas: dict[str, Any]) -> None:
    from apps.sales.tests.factories_contracts import ContractFactory

    contract = ContractFactory(owner=personas["rep_alice"].user)
    response = personas["rep_alice"].client().get(f"/sales/contracts/{contract.pk}/print/")
    assert response.status_code == 200
    header = response.headers["Content-Security-Policy"]
    html = response.content.decode()
    assert "@page" in html and '<style nonce="' in html
    offences, _ = offences_in(html, header)
    assert not offences, offences
    # Another page does not get a nonce it does not use.
    other = personas["rep_alice"].client().get("/sales/contracts/")
    assert "nonce-" not in other.headers["Content-Security-Policy"]
