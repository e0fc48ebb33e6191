"""Steps the browser journeys share: the Chinese label of a message, signing in and out, a record's id from its URL."""

from __future__ import annotations

import re
from typing import Any

from django.utils import translation
from django.utils.translation import gettext


def zh(message: str) -> str:
    """The Chinese label the page shows for ``message`` (the UI's default language)."""
    with translation.override("zh-hans"):
        return gettext(message)


def login(page: Any, base_url: str, username: str, password: str = "demo12345") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{base_url}/")


def logout(page: Any, base_url: str) -> None:
    """Log out as a person does: the user menu's "log out" (a POST form)."""
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(re.escape(f"{base_url}/accounts/login/")))


def pk_from(url: str, kind: str) -> int:
    """The primary key in a detail page's URL, e.g. ``/marketing/plans/12/``."""
    match = re.search(rf"/{kind}/(\d+)/", url)
    assert match, f"no {kind} id in {url}"
    return int(match.group(1))
