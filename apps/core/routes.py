"""Every route of the project, with the scoped model it addresses: what the scope guard and the out-of-scope
matrix read (STYLE.md 2.5 "guard rails").

A page built on the generic views (``apps.core.views``) names its model; an API viewset names its queryset; a
function view that is still hand-written declares its model with ``@scoped_route(Model)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, path

SCOPED_MODEL_ATTR = "scoped_model"


def scoped_route(model: type[models.Model]) -> Callable[[Callable], Callable]:
    """Declare the model a function view's URL addresses (its ``pk``), so the guard and the matrix can find it."""

    def mark(view: Callable) -> Callable:
        setattr(view, SCOPED_MODEL_ATTR, model)
        return view

    return mark


def is_scoped(model: Any) -> bool:
    return model is not None and getattr(model, "scope_fields", None) is not None


@dataclass(frozen=True)
class Route:
    """One URL pattern: its full name (``namespace:name``), pattern text, view and URL keyword arguments."""

    name: str
    pattern: str
    callback: Any
    kwargs: tuple[str, ...]

    @property
    def view_class(self) -> type | None:
        return getattr(self.callback, "cls", None) or getattr(self.callback, "view_class", None)

    @property
    def api_actions(self) -> dict[str, str]:
        """For a DRF route, HTTP method → viewset action (``{"post": "approve"}``); empty for a page."""
        return dict(getattr(self.callback, "actions", None) or {})

    @property
    def is_api(self) -> bool:
        return hasattr(self.callback, "actions")

    @property
    def model(self) -> Any:
        """The model the route is over: the view's ``model`` or ``queryset``, or the declared ``scoped_model``."""
        declared = getattr(self.callback, SCOPED_MODEL_ATTR, None)
        if declared is not None:
            return declared
        view_class = self.view_class
        if view_class is None:
            return None
        parent_model = getattr(view_class, "parent_model", None)
        if parent_model is not None:
            return parent_model  # the URL addresses the parent the new record is made under
        queryset = getattr(view_class, "queryset", None)
        if queryset is not None:
            return queryset.model
        return getattr(view_class, "model", None)

    @property
    def is_object_route(self) -> bool:
        """Whether the URL addresses one record (a ``pk``), e.g. detail, edit, an action."""
        return "pk" in self.kwargs


def iter_routes(patterns: list[Any] | None = None, prefix: str = "", namespace: str = "") -> Iterator[Route]:
    """Walk the URL resolver (or ``patterns``): every route with its namespaced name."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from iter_routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name or ''}" if namespace else (pattern.name or "")
            kwargs = tuple(pattern.pattern.regex.groupindex)
            yield Route(name, prefix + str(pattern.pattern), pattern.callback, kwargs)


# The usual pages of a kind of record: the page → its path below the record's prefix.
RECORD_PAGES = {"list": "", "create": "new/", "detail": "<int:pk>/", "update": "<int:pk>/edit/"}


def record_routes(
    prefix: str, views: ModuleType, model: str, pages: str = "list create detail update", actions: str = ""
) -> list[URLPattern]:
    """The usual routes of one kind of record, by the naming convention (STYLE.md 2.4): each page of ``pages``
    (at its ``RECORD_PAGES`` path below ``prefix``) and each of ``actions`` (a move or a page of one record, at
    ``<prefix><int:pk>/<action>/``) is the view ``<Model><Page>View`` of the module ``views``, named
    ``<model>_<page>``. Routes off the convention are written out with ``path`` beside it.

    ``record_routes("tickets/", views, "Ticket", actions="close")``: ``ticket_list`` at ``tickets/``,
    ``ticket_create`` at ``tickets/new/``, ``ticket_detail`` at ``tickets/<int:pk>/``, ``ticket_update`` at
    ``tickets/<int:pk>/edit/`` and ``ticket_close`` at ``tickets/<int:pk>/close/`` (``TicketCloseView``).
    """
    name = model.lower()
    routes = [
        path(prefix + RECORD_PAGES[page], _view(views, model, page), name=f"{name}_{page}") for page in pages.split()
    ]
    routes += [
        path(f"{prefix}<int:pk>/{action}/", _view(views, model, action), name=f"{name}_{action}")
        for action in actions.split()
    ]
    return routes


def move_routes(prefix: str, model: str, view: Any) -> list[URLPattern]:
    """A route for each move of a view's move table (``ScopedActionView.moves``), like an action of
    ``record_routes``: ``<prefix><int:pk>/<move>/``, named ``<model>_<move>``."""
    name = model.lower()
    return [path(f"{prefix}<int:pk>/{move}/", view.as_view(move=move), name=f"{name}_{move}") for move in view.moves]


def _view(views: ModuleType, model: str, page: str) -> Callable[..., Any]:
    return getattr(views, f"{model}{page.title()}View").as_view()
