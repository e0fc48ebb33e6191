"""Guard rail (STYLE.md 2.5): every view over a scoped model goes through the scope.

A class-based page over a model with ``scope_fields`` must inherit ``ScopedViewMixin``; an API view over one
must inherit ``ScopedViewSetMixin``. A view that forgets would show rows regardless of the user's roles.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver, path
from django.views.generic import DetailView, ListView
from rest_framework import viewsets
from rest_framework.views import APIView

from apps.core.api import ScopedViewSetMixin
from apps.core.views import ScopedDetailView, ScopedViewMixin
from apps.org.models import Employee


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _view_class(callback: Any) -> type | None:
    return getattr(callback, "cls", None) or getattr(callback, "view_class", None)


def _model(view_class: type) -> Any:
    queryset = getattr(view_class, "queryset", None)
    if queryset is not None:
        return queryset.model
    return getattr(view_class, "model", None)


def unscoped_views(patterns: list[Any]) -> list[str]:
    """Return "route → view" for each class-based view over a scoped model that skips the scope."""
    offenders = []
    for route, callback in _walk(patterns):
        view_class = _view_class(callback)
        if view_class is None:
            continue
        model = _model(view_class)
        if model is None or getattr(model, "scope_fields", None) is None:
            continue
        required = ScopedViewSetMixin if issubclass(view_class, APIView) else ScopedViewMixin
        if not issubclass(view_class, required):
            offenders.append(f"{route} → {view_class.__module__}.{view_class.__qualname__}")
    return offenders


class ScopeGuardTests:
    def test_every_view_over_a_scoped_model_is_scoped(self) -> None:
        assert unscoped_views(get_resolver().url_patterns) == []

    def test_the_guard_walks_pages_and_api(self) -> None:
        routes = [route for route, callback in _walk(get_resolver().url_patterns) if _view_class(callback)]
        assert any(route.startswith("org/employees/") for route in routes)
        assert any(route.startswith("api/v1/") and "employees" in route for route in routes)

    def test_the_guard_catches_an_unscoped_page_and_api_view(self) -> None:
        class LeakyList(ListView):
            model = Employee

        class LeakyViewSet(viewsets.ReadOnlyModelViewSet):
            queryset = Employee.objects.all()

        class GoodDetail(ScopedDetailView):
            model = Employee

        patterns = [
            path("leaky/", LeakyList.as_view()),
            path("leaky-detail/<int:pk>/", DetailView.as_view(model=Employee)),
            path("api/leaky/", LeakyViewSet.as_view({"get": "list"})),
            path("good/<int:pk>/", GoodDetail.as_view()),
        ]
        offenders = unscoped_views(patterns)
        assert len(offenders) == 2
        assert any("LeakyList" in o for o in offenders) and any("LeakyViewSet" in o for o in offenders)
