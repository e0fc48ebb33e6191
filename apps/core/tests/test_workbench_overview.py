"""The workbench's overview (issue 10: "for ceo, an overview of today's figures, not only a to-do list"): apps
register headline figures; the page shows those a provider gives the user, and nothing for anyone else."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from apps.core import workbench
from apps.core.workbench import OverviewFigure

pytestmark = pytest.mark.django_db


def _steering_only(user: Any) -> list[OverviewFigure]:
    if user.username != "ceo_test":
        return []
    return [OverviewFigure("本月签约", "¥1,234.00", "/sales/", "本月 · 环比 +12.0%")]


def test_the_overview_shows_what_the_providers_give_the_user(
    personas: dict, monkeypatch: pytest.MonkeyPatch, django_user_model: Any
) -> None:
    monkeypatch.setattr(workbench, "_overview_providers", [_steering_only])
    boss = personas["admin"].user
    boss.username = "ceo_test"
    boss.save(update_fields=["username"])
    page = personas["admin"].client().get(reverse("core:workbench")).content.decode()
    assert 'data-testid="overview"' in page and "¥1,234.00" in page and "本月 · 环比 +12.0%" in page
    other = personas["rep_alice"].client().get(reverse("core:workbench")).content.decode()
    assert 'data-testid="overview"' not in other
