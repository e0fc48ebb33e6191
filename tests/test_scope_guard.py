"""Guard rail (STYLE.md 2.5): every route goes through the scope, and we can say how.

The guard walks the URL resolver, pages and API, class and function views alike. A route passes when it is built
on the generic scoped views (``apps.core.views.ScopedViewMixin``) or the scoped viewset (``ScopedViewSetMixin``),
or when its view declares a model that has no data scope. Every other route is listed in
``tests/scope_routes.py`` with the reason; the legacy function views still to move say so and name the model
their URL addresses, so that the out-of-scope matrix (``ScopeMatrixTests``) tries them too.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.urls import path
from django.views.generic import DetailView, ListView
from rest_framework import viewsets
from rest_framework.views import APIView

from apps.core.api import ScopedViewSetMixin
from apps.core.routes import Route, is_scoped, iter_routes, scoped_route
from apps.core.testing import object_routes
from apps.core.views import ScopedDetailView, ScopedViewMixin
from apps.org.models import Employee
from tests.scope_routes import NOT_GENERIC, TO_MOVE_REASON
from tests.test_scope_coverage import COVERED_ELSEWHERE, _matrix_models

ADMIN = "admin:"  # Django admin: staff only, with its own model permissions; not part of the product's pages


def _routes(patterns: list[Any] | None = None) -> list[Route]:
    return [route for route in iter_routes(patterns) if not route.name.startswith(ADMIN)]


def is_generic(route: Route) -> bool:
    view_class = route.view_class
    return view_class is not None and issubclass(view_class, (ScopedViewMixin, ScopedViewSetMixin))


def unscoped_views(patterns: list[Any]) -> list[str]:
    """Return "route → view" for each class-based view over a scoped model that skips the scope."""
    offenders = []
    for route in _routes(patterns):
        view_class = route.view_class
        if view_class is None or not is_scoped(route.model):
            continue
        required = ScopedViewSetMixin if issubclass(view_class, APIView) else ScopedViewMixin
        if not issubclass(view_class, required):
            offenders.append(f"{route.pattern} → {view_class.__module__}.{view_class.__qualname__}")
    return offenders


def unexplained_routes(patterns: list[Any] | None = None, listed: dict[str, Any] = NOT_GENERIC) -> list[str]:
    """Routes neither generic, nor over a declared unscoped model, nor listed with a reason."""
    offenders = []
    for route in _routes(patterns):
        if is_generic(route) or route.name in listed:
            continue
        declared_unscoped = route.view_class is not None and route.model is not None and not is_scoped(route.model)
        if not declared_unscoped:
            offenders.append(f"{route.name or route.pattern} ({route.pattern})")
    return offenders


class ScopeGuardTests:
    def test_every_view_over_a_scoped_model_is_scoped(self) -> None:
        assert unscoped_views(None) == []

    def test_every_route_is_generic_or_listed_with_a_reason(self) -> None:
        assert unexplained_routes() == []

    def test_the_list_is_not_stale(self) -> None:
        routes = {route.name: route for route in _routes()}
        stale = [name for name in NOT_GENERIC if name not in routes or is_generic(routes[name])]
        assert stale == [], "remove these from tests/scope_routes.py"

    def test_a_legacy_object_route_names_its_model(self) -> None:
        routes = {route.name: route for route in _routes()}
        nameless = [
            name
            for name, exempt in NOT_GENERIC.items()
            if exempt.reason == TO_MOVE_REASON
            and exempt.kwarg in routes[name].kwargs
            and not exempt.model
            and routes[name].model is None
        ]
        assert nameless == []
        for exempt in NOT_GENERIC.values():
            if exempt.model:
                apps.get_model(exempt.model)  # a typo fails here

    def test_every_object_route_of_a_scoped_model_is_in_the_out_of_scope_matrix(self) -> None:
        scoped = [m for m in apps.get_models() if is_scoped(m)]
        addressed = {m._meta.label for m in scoped if any(True for _ in object_routes(m))}
        uncovered = addressed - _matrix_models() - set(COVERED_ELSEWHERE)
        assert uncovered == set()

    def test_the_guard_walks_pages_api_and_function_views(self) -> None:
        routes = _routes()
        assert any(route.pattern.startswith("org/employees/") for route in routes)
        assert any(route.pattern.startswith("api/v1/") and "employees" in route.pattern for route in routes)
        assert any(route.view_class is None for route in routes)

    def test_the_guard_catches_an_unscoped_page_api_view_and_function_view(self) -> None:
        class LeakyList(ListView):
            model = Employee

        class LeakyViewSet(viewsets.ReadOnlyModelViewSet):
            queryset = Employee.objects.all()

        class GoodDetail(ScopedDetailView):
            model = Employee

        def leaky_function(request: Any, pk: int) -> Any:
            raise AssertionError

        patterns = [
            path("leaky/", LeakyList.as_view(), name="leaky"),
            path("leaky-detail/<int:pk>/", DetailView.as_view(model=Employee), name="leaky_detail"),
            path("api/leaky/", LeakyViewSet.as_view({"get": "list"}), name="leaky_api"),
            path("good/<int:pk>/", GoodDetail.as_view(), name="good"),
            path("fn/<int:pk>/", leaky_function, name="fn"),
            path("fn-declared/<int:pk>/", scoped_route(Employee)(leaky_function), name="fn_declared"),
        ]
        offenders = unscoped_views(patterns)
        assert len(offenders) == 2
        assert any("LeakyList" in o for o in offenders) and any("LeakyViewSet" in o for o in offenders)
        unexplained = unexplained_routes(patterns, listed={})
        assert {o.split(" ")[0] for o in unexplained} == {"leaky", "leaky_detail", "leaky_api", "fn", "fn_declared"}
        assert (
            unexplained_routes(
                patterns, listed={"leaky": 1, "leaky_detail": 1, "leaky_api": 1, "fn": 1, "fn_declared": 1}
            )
            == []
        )


# Legacy pages still to move (a ratchet: lower it as pages move; it must never grow).
MAX_TO_MOVE = 0


def test_the_legacy_list_only_shrinks() -> None:
    routes = _routes()
    generic = [r for r in routes if is_generic(r)]
    to_move = [n for n, e in NOT_GENERIC.items() if e.reason == TO_MOVE_REASON]
    print(f"\nroutes={len(routes)} generic={len(generic)} listed={len(NOT_GENERIC)} to_move={len(to_move)}")
    assert len(to_move) <= MAX_TO_MOVE
