"""The navbar's areas are rendered once per language, set of areas and current area, then reused: every page still
shows its own current area, only the areas its user may use, in the user's language."""

from __future__ import annotations

import re

import pytest
from django.template.loader import get_template
from django.utils import translation

from apps.core.templatetags import core_tags

pytestmark = pytest.mark.django_db


def _menu(body: str) -> str:
    return body.split('<ul class="navbar-nav me-auto">', 1)[1].split("</ul>", 1)[0]


def _active(body: str) -> list[str]:
    return re.findall(r'class="nav-link active" href="[^"]*" data-area="([a-z]+)"', _menu(body))


def test_each_page_shows_its_own_current_area_and_the_users_areas(personas, monkeypatch) -> None:
    core_tags._MENUS.clear()
    # Staff without the organisation pages, so that two users' sets of areas differ.
    monkeypatch.setattr(
        core_tags,
        "AREAS",
        (
            *core_tags.AREAS[:-1],
            core_tags.AREAS[-1].__class__(
                *[getattr(core_tags.AREAS[-1], f) for f in ("key", "label", "icon", "url_name", "description")],
                "org.add_department",
            ),
        ),
    )
    alice, admin = personas["rep_alice"], personas["admin"]
    client = alice.client()
    customers = client.get("/customers/").content.decode()
    policy = client.get("/policy/").content.decode()
    assert _active(customers) == ["customers"] and _active(policy) == ["policy"]
    assert _active(client.get("/customers/").content.decode()) == ["customers"]  # from the cache, still its own
    for persona in (alice, admin, alice):
        shown = re.findall(r'data-area="([a-z]+)"', _menu(persona.client().get("/customers/").content.decode()))
        user = persona.user
        assert shown == [a.key for a in core_tags.AREAS if not a.permission or user.has_perm(a.permission)]


def test_the_areas_read_in_the_users_language(personas) -> None:
    core_tags._MENUS.clear()
    alice = personas["rep_alice"]
    chinese = _menu(alice.client().get("/customers/").content.decode())
    alice.user.language = "en"
    alice.user.save(update_fields=["language"])
    english = _menu(alice.client().get("/customers/").content.decode())
    assert "客户" in chinese and "Customers" in english and "客户" not in english


def test_the_cached_areas_are_what_the_loop_gives(personas) -> None:
    """The reused HTML is the template's own loop over ``shell_areas``, rendered fresh."""
    alice = personas["rep_alice"]
    body = alice.client().get("/customers/").content.decode()
    request = alice.client().get("/customers/").wsgi_request
    with translation.override("zh-hans"):
        areas = core_tags.shell_areas({"request": request, "user": alice.user})
        fresh = get_template("layouts/navbar.html#areas").render({"areas": areas})
    assert fresh in body
