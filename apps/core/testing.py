"""Generic data-scope tests, written once (STYLE.md 2.6; NetBox's ViewTestCases).

An app subclasses ``ScopeMatrixTests`` and supplies only data: how to make a record owned by a persona, its
URLs, and which personas' records each persona may see. It then gets: anonymous → login, the scope of every
persona in the selector, the list page and the API list, and 404 for an out-of-scope detail page and API record.
The ``personas`` fixture comes from ``apps.org.testing`` (registered in the root ``conftest.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.forms.models import model_to_dict
from django.http import Http404
from django.test import Client
from django.urls import reverse

from apps.core.routes import Route, iter_routes

PERSONAS = ("rep_alice", "lead_bob", "rep_carol", "auditor_dave", "admin")

# Who sees whose records when staff own their records (OWN), the manager sees the department subtree (UNIT_TREE),
# and senior management sees all. An app whose rules differ overrides ``expected_visible``.
OWN_RECORDS_VISIBILITY: dict[str, set[str]] = {
    "rep_alice": {"rep_alice"},
    "lead_bob": {"rep_alice", "lead_bob"},
    "rep_carol": {"rep_carol"},
    "auditor_dave": set(PERSONAS),
    "admin": set(PERSONAS),
}


@dataclass
class Persona:
    key: str
    user: Any
    unit: Any

    def client(self) -> Client:
        client = Client()
        client.force_login(self.user)
        return client


class ScopeMatrixTests:
    """Subclass and set: ``model``, ``make(persona) -> record``, ``list_url``, ``detail_url(record)`` (or
    ``detail_route``: the URL name of the record's page, reversed with its pk), ``api_list_url``,
    ``api_detail_url(record)`` (by default the list URL + the record's pk), ``label(record) -> str`` (text the list
    page shows)."""

    __test__ = False  # the base itself is not a test; each subclass is

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__test__ = cls.__dict__.get("__test__", True)  # a further base (``ParentScopeMatrixTests``) says False

    model: ClassVar[Any]
    list_url: ClassVar[str] = ""
    api_list_url: ClassVar[str] = ""
    expected_visible: ClassVar[dict[str, set[str]]] = OWN_RECORDS_VISIBILITY

    def make(self, persona: Persona) -> Any:
        raise NotImplementedError

    detail_route: ClassVar[str] = ""

    def detail_url(self, record: Any) -> str:
        if not self.detail_route:
            raise NotImplementedError
        return reverse(self.detail_route, args=[record.pk])

    def api_detail_url(self, record: Any) -> str:
        if not self.api_list_url:
            raise NotImplementedError
        return f"{self.api_list_url}{record.pk}/"

    def label(self, record: Any) -> str:
        return str(record)

    @pytest.fixture
    def records(self, personas: dict[str, Persona]) -> dict[str, Any]:
        return {key: self.make(personas[key]) for key in PERSONAS}

    def _expected(self, viewer: str, records: dict[str, Any]) -> set[int]:
        return {records[owner].pk for owner in self.expected_visible[viewer]}

    def test_anonymous_is_sent_to_login(self, records: dict[str, Any]) -> None:
        response = Client().get(self.list_url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    @pytest.mark.parametrize("viewer", PERSONAS)
    def test_visible_to_gives_exactly_the_scope(self, viewer: str, personas: dict, records: dict) -> None:
        seen = set(
            self.model.objects.visible_to(personas[viewer].user)
            .filter(pk__in=[r.pk for r in records.values()])
            .values_list("pk", flat=True)
        )
        assert seen == self._expected(viewer, records)

    @pytest.mark.parametrize("viewer", PERSONAS)
    def test_list_page_shows_only_the_scope(self, viewer: str, personas: dict, records: dict) -> None:
        response = personas[viewer].client().get(self.list_url, {"page_size": 200})
        assert response.status_code == 200
        body = response.content.decode()
        for key, record in records.items():
            shown = self.label(record) in body
            assert shown == (record.pk in self._expected(viewer, records)), (viewer, key)

    @pytest.mark.parametrize("viewer", PERSONAS)
    def test_out_of_scope_detail_is_404(self, viewer: str, personas: dict, records: dict) -> None:
        client = personas[viewer].client()
        for record in records.values():
            expected = 200 if record.pk in self._expected(viewer, records) else 404
            assert client.get(self.detail_url(record)).status_code == expected
            assert client.get(self.api_detail_url(record)).status_code == expected

    def test_every_object_route_out_of_scope_is_404_and_writes_nothing(self, personas: dict, records: dict) -> None:
        """Every page and API route whose URL addresses this model (detail, edit, each action; GET and POST),
        tried by a user out of scope, answers as for a record that does not exist and changes nothing."""
        outsider = out_of_scope_pair(self.expected_visible, records)
        if outsider is None:
            pytest.fail("no persona is out of scope of another's record: the matrix cannot run")
        viewer, record = personas[outsider[0]], outsider[1]
        answers = [
            answer for route in object_routes(self.model) for answer in assert_out_of_scope_route(viewer, route, record)
        ]
        print(f"\nout-of-scope matrix {self.model._meta.label}: {answers}")  # the figures for the issue, with -s

    @pytest.mark.parametrize("viewer", PERSONAS)
    def test_api_list_gives_only_the_scope(self, viewer: str, personas: dict, records: dict) -> None:
        response = personas[viewer].client().get(self.api_list_url, {"page_size": 200})
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        mine = {r.pk for r in records.values()}
        assert ids & mine == self._expected(viewer, records)


class ParentScopeMatrixTests(ScopeMatrixTests):
    """The matrix for records seen through their parent (a plan's action items, an opportunity's stage changes):
    set ``parent`` (the record's field naming it), ``detail_route`` (the parent's page), ``api_list_url`` (the
    parent's API list) and ``parent_label`` (the parent's field its list shows). The detail page and API record
    are the parent's, and the API list lists parents."""

    __test__ = False

    parent: ClassVar[str]
    parent_label: ClassVar[str] = "name"

    def parent_id(self, record: Any) -> Any:
        return getattr(record, f"{self.parent}_id")

    def detail_url(self, record: Any) -> str:
        return reverse(self.detail_route, args=[self.parent_id(record)])

    def api_detail_url(self, record: Any) -> str:
        return f"{self.api_list_url}{self.parent_id(record)}/"

    def label(self, record: Any) -> str:
        return getattr(getattr(record, self.parent), self.parent_label)

    @pytest.mark.parametrize("viewer", PERSONAS)
    def test_api_list_gives_only_the_scope(self, viewer: str, personas: dict, records: dict) -> None:
        response = personas[viewer].client().get(self.api_list_url, {"page_size": 200})
        ids = {row["id"] for row in response.json()["results"]}
        expected = {self.parent_id(records[owner]) for owner in self.expected_visible[viewer]}
        assert ids & {self.parent_id(r) for r in records.values()} == expected


def shown(message: Any) -> str:
    """A message as a page shows it: translated into the interface language in force, HTML-escaped.
    Tests compare with this rather than with English text, so they hold in every language."""
    from django.utils.html import escape

    return escape(str(message))


#
# The out-of-scope route matrix (NetBox's "*_with_constrained_permission", for every route of a model)
#

# What an out-of-scope request may get, always the same as for a record that does not exist: 404; 403 without the
# route's permission at all; 405 for a method the route does not take (a GET to a POST-only page may also be sent
# on with 302); 400 from an API action that validates its (here empty) payload before it looks the record up.
ALLOWED_REFUSALS = {"get": (302, 403, 404, 405), "head": (403, 404, 405)}
ALLOWED_WRITE_REFUSALS = (400, 403, 404, 405)
OUTSIDER_PREFERENCE = ("lead_bob", "rep_carol", "rep_alice", "auditor_dave")


@dataclass(frozen=True)
class ObjectRoute:
    """A route whose URL argument ``kwarg`` addresses a record of a scoped model; ``methods`` to try."""

    route: Route
    kwarg: str
    methods: tuple[str, ...]
    fill: dict[str, str]

    def url(self, record: Any, pk: Any) -> str:
        kwargs = {self.kwarg: pk}
        for name, value in self.fill.items():
            kwargs[name] = getattr(record, value[1:]) if value.startswith("@") else value
        return reverse(self.route.name, kwargs=kwargs)


def object_routes(model: Any) -> Iterator[ObjectRoute]:
    """Every page and API route addressing ``model`` by its URL: generic views and viewsets by their model, legacy
    function views by ``@scoped_route`` or by their entry in ``tests/scope_routes.py``."""
    from tests.scope_routes import NOT_GENERIC

    for route in iter_routes():
        exempt = NOT_GENERIC.get(route.name)
        if exempt is not None and exempt.model and route.model is None:
            if apps.get_model(exempt.model) is model:
                yield ObjectRoute(route, exempt.kwarg, ("get", "post"), exempt.fill)
        elif route.model is model and route.is_object_route and not route.name.startswith("admin:"):
            methods = tuple(route.api_actions) if route.is_api else ("get", "post")
            yield ObjectRoute(route, "pk", methods, {})


def out_of_scope_pair(visible: dict[str, set[str]], records: dict[str, Any]) -> tuple[str, Any] | None:
    """A persona (as able as possible) and a record of another persona that the first may not see."""
    for viewer in OUTSIDER_PREFERENCE:
        hidden = [owner for owner in PERSONAS if owner not in visible[viewer]]
        if hidden:
            return viewer, records[hidden[0]]
    return None


def _project_models() -> list[Any]:
    return [m for m in apps.get_models() if m.__module__.startswith("apps.")]


def row_counts() -> dict[str, int]:
    """Rows per table of the project's models, history included: what "nothing written" compares."""
    return {m._meta.label: m._default_manager.count() for m in _project_models()}


def _send(client: Client, method: str, url: str) -> int:
    if method in ("get", "head", "options"):
        return getattr(client, method)(url).status_code
    return getattr(client, method)(url, data={}, content_type="application/json").status_code


def assert_out_of_scope_route(viewer: Persona, route: ObjectRoute, record: Any) -> list[str]:
    """``viewer`` tries ``route`` on ``record``: the answer is the one for a missing record, and nothing changes.
    Return "METHOD route status" for each request."""
    client = viewer.client()
    client.raise_request_exception = False
    model = type(record)
    missing = (model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0) + 100_000
    before = (row_counts(), model_to_dict(model._default_manager.get(pk=record.pk)))
    answers = []
    for method in route.methods:
        answer = _send(client, method, route.url(record, record.pk))
        control = _send(client, method, route.url(record, missing))
        where = f"{method.upper()} {route.route.name} as {viewer.key}"
        assert answer == control, f"{where}: {answer} for a record out of scope, {control} for a missing one"
        assert answer in ALLOWED_REFUSALS.get(method, ALLOWED_WRITE_REFUSALS), f"{where}: {answer}"
        answers.append(f"{method.upper()} {route.route.name} {answer}")
    after = (row_counts(), model_to_dict(model._default_manager.get(pk=record.pk)))
    assert after == before, f"{route.route.name} as {viewer.key} wrote something"
    return answers


def run_together(work: Any, count: int) -> tuple[list[Any], list[BaseException]]:
    """Run ``work(i)`` in ``count`` threads released at the same instant; return their results and errors."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            barrier.wait()
            results.append(work(index))
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


class _Rollback(Exception):
    """Raised to undo a step a workflow walk only tries."""


def service_accepts(take: Callable[[], Any]) -> bool:
    """Whether a service takes the step ``take()`` (undone afterwards); a refusal is a 403, a 404 or an
    illegal-move error."""
    try:
        with transaction.atomic():
            take()
            raise _Rollback
    except _Rollback:
        return True
    except (PermissionDenied, ValidationError, Http404):
        return False


def assert_workflow_agrees(
    user: Any,
    *,
    allowed: Sequence[str],
    actions: Iterable[str],
    take: Callable[[str, Any], Any],
    page_url: str,
    api_url: str,
    buttons: dict[str, str],
    hidden: tuple[int, ...] = (403, 404),
    api_hidden: tuple[int, ...] | None = None,
    ordered: bool = False,
    label: tuple[Any, ...] = (),
) -> bool:
    """One person and one state of a workflow table: the buttons on the record's page (``data-testid`` per action),
    the API's ``allowed_actions`` and the steps the service takes (``take(action, actor)``, the person read afresh,
    each undone) are exactly ``allowed``, the steps the selector allows. A page answering a ``hidden`` status hides
    the record from the person: then the API hides it too (``api_hidden``, by default the same statuses) and nothing
    is allowed. ``ordered``: the API lists the actions in the selector's order. Returns whether the person sees the
    record."""
    client = Client()
    client.force_login(user)
    page, api = client.get(page_url), client.get(api_url)
    if page.status_code in hidden:
        assert api.status_code in (api_hidden or hidden) and not allowed, (*label, page.status_code, api.status_code)
    else:
        assert page.status_code == 200 and api.status_code == 200, (*label, page.status_code, api.status_code)
        body = page.content.decode()
        shown = {action for action, testid in buttons.items() if f'data-testid="{testid}"' in body}
        assert shown == set(allowed), (*label, shown, allowed)
        listed = api.json()["allowed_actions"]
        assert (listed == list(allowed)) if ordered else (set(listed) == set(allowed)), (*label, listed, allowed)
    accepted = {
        action for action in actions if service_accepts(partial(take, action, type(user).objects.get(pk=user.pk)))
    }
    assert accepted == set(allowed), (*label, accepted, allowed)
    return page.status_code not in hidden


def assert_each_person_agrees(
    record: Any,
    people: dict[str, Any],
    names: Iterable[str],
    *,
    allowed_for: Callable[[Any, Any], Iterable[str]],
    steps: Iterable[str],
    call: Callable[[str, Any, Any], Any],
    check: Callable[[str, set[str]], None],
    label: tuple[Any, ...] = (),
    **page_and_api: Any,
) -> None:
    """One state of a workflow table, person by person (``names`` of ``people``, each read afresh): the moves the
    selector allows (``allowed_for(user, record)``) are steps of the state (``steps``), and the page, the API and
    the service (``call(action, actor, record)``, the record read afresh) agree with them
    (``assert_workflow_agrees`` with ``page_and_api``); then ``check(name, allowed)``, what is asked of the person."""
    model = type(record)

    def take(action: str, actor: Any) -> Any:
        return call(action, actor, model._default_manager.get(pk=record.pk))

    for name in names:
        user = type(people[name])._default_manager.get(pk=people[name].pk)
        allowed = set(allowed_for(user, record))
        assert allowed <= set(steps), (name, allowed)
        assert_workflow_agrees(user, allowed=sorted(allowed), take=take, label=(name, *label), **page_and_api)
        check(name, allowed)


#
# One FilterSet, three readers: the list page, the API and the Excel export must list the same records
#


@dataclass(frozen=True)
class ListReaders:
    """A list's three readers: its page, its API list and its Excel export (URLs). Each ``*_rows`` returns the
    records the reader gives for the same GET parameters, every page of them, as the value of ``key`` (a field of
    the page's objects and the API's rows) and of the export's column ``export_column`` (0-based)."""

    page: str
    api: str
    export: str
    key: str = "number"
    export_column: int = 0

    def page_rows(self, client: Client, params: dict[str, Any]) -> list[str]:
        response = client.get(self.page, {**params, "page_size": 200})
        assert response.status_code == 200, response.status_code
        return [str(getattr(obj, self.key)) for obj in response.context["object_list"]]

    def api_rows(self, client: Client, params: dict[str, Any]) -> list[str]:
        response = client.get(self.api, {**params, "page_size": 200})
        assert response.status_code == 200, response.content[:500]
        return [str(row[self.key]) for row in response.json()["results"]]

    def export_rows(self, client: Client, params: dict[str, Any]) -> list[str]:
        import io

        from openpyxl import load_workbook

        response = client.get(self.export, params)
        assert response.status_code == 200, response.content[:500]
        sheet = load_workbook(io.BytesIO(b"".join(response)), read_only=True).worksheets[0]
        return [str(row[self.export_column]) for row in sheet.iter_rows(min_row=2, values_only=True)]

    def export_logged(self, client: Client, user: Any, params: dict[str, Any]) -> Any:
        """Export with ``params`` and assert the export wrote exactly one audit log row (``core.ExportLog``): by
        ``user``, as many rows as the file holds, the filter applied; return the row (for its ``resource``)."""
        from apps.core.models import ExportLog

        before = set(ExportLog.objects.values_list("pk", flat=True))
        rows = self.export_rows(client, params)
        logged = list(ExportLog.objects.exclude(pk__in=before))
        assert len(logged) == 1, logged
        log = logged[0]
        assert (log.user_id, log.row_count, log.scope) == (user.pk, len(rows), "filtered"), (log.__dict__, rows)
        for name, value in params.items():
            if value not in ("", None) and name not in ("sort", "page", "page_size"):
                assert f"{name}={value}" in log.filters, (name, value, log.filters)
        return log

    def agree(self, client: Client, params: dict[str, Any]) -> set[str]:
        """Assert the three give the same records (the export in the page's order) and return them."""
        page, api, export = (
            self.page_rows(client, params),
            self.api_rows(client, params),
            self.export_rows(client, params),
        )
        assert export == page, (params, page, export)
        assert sorted(api) == sorted(page), (params, page, api)
        return set(page)

    def refusals(self, client: Client, params: dict[str, Any]) -> tuple[str, str, dict[str, Any]]:
        """What the page, the export and the API answer to an invalid filter: the page's filter-bar error (HTML),
        the export's 400 text and the API's 400 body; each must be an error, not a 500."""
        page = client.get(self.page, params)
        assert page.status_code == 200 and list(page.context["object_list"]) == []
        export = client.get(self.export, params)
        assert export.status_code == 400, export.status_code
        api = client.get(self.api, params)
        assert api.status_code == 400, api.status_code
        return page.content.decode(), export.content.decode(), api.json()
