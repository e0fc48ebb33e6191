"""Playwright on the system Chromium (Debian's package): no browser download, and no silent skip.

If Chromium cannot start, the tests fail: a green run must mean the pages were really driven.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' (.ci/run does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def load_demo_org() -> None:
    """The demo organisation (its accounts log in with demo12345) and the policy in force.

    The policy's rows come from a data migration; a transactional test that ran before flushed every table, so
    seed it again (the seed is idempotent). Without it a page that reads the rules in force has none."""
    import importlib

    from django.apps import apps
    from django.core.management import call_command

    call_command("load_demo", apps="org", stdout=open(os.devnull, "w"))  # noqa: SIM115
    importlib.import_module("apps.policy.migrations.0002_seed_policy").seed(apps, None)


def screenshot(page: Any, name: str) -> None:
    """Keep a picture of what the test saw (test-artifacts/, not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
