"""``core.routes.record_routes`` and ``move_routes``: the usual routes of a record by the naming convention."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.views import View

from apps.core.routes import move_routes, record_routes


def _view(name: str) -> type[View]:
    return type(name, (View,), {})


VIEWS: Any = SimpleNamespace(
    **{name: _view(name) for name in ("WidgetListView", "WidgetCreateView", "WidgetDetailView", "WidgetUpdateView")},
    WidgetCloseView=_view("WidgetCloseView"),
)


def _table(patterns: list[Any]) -> list[tuple[str, str, str]]:
    return [(p.name, str(p.pattern), p.callback.view_class.__name__) for p in patterns]


def test_the_usual_pages_and_the_actions_follow_the_naming_convention() -> None:
    assert _table(record_routes("widgets/", VIEWS, "Widget", actions="close")) == [
        ("widget_list", "widgets/", "WidgetListView"),
        ("widget_create", "widgets/new/", "WidgetCreateView"),
        ("widget_detail", "widgets/<int:pk>/", "WidgetDetailView"),
        ("widget_update", "widgets/<int:pk>/edit/", "WidgetUpdateView"),
        ("widget_close", "widgets/<int:pk>/close/", "WidgetCloseView"),
    ]


def test_only_the_pages_named_and_a_missing_view_fails_loudly() -> None:
    assert _table(record_routes("", VIEWS, "Widget", "detail")) == [("widget_detail", "<int:pk>/", "WidgetDetailView")]
    with pytest.raises(AttributeError):
        record_routes("widgets/", VIEWS, "Widget", actions="reopen")


def test_a_moves_table_gives_one_route_per_move() -> None:
    moves_view = type("WidgetMoveView", (View,), {"moves": {"submit": None, "approve": None}, "move": ""})
    patterns = move_routes("widgets/", "Widget", moves_view)
    assert [(p.name, str(p.pattern), p.callback.view_initkwargs) for p in patterns] == [
        ("widget_submit", "widgets/<int:pk>/submit/", {"move": "submit"}),
        ("widget_approve", "widgets/<int:pk>/approve/", {"move": "approve"}),
    ]
