"""Generic data-scope tests, written once (STYLE.md 2.6; NetBox's ViewTestCases).

An app subclasses ``ScopeMatrixTests`` and supplies only data: how to make a record owned by a persona, its
URLs, and which personas' records each persona may see. It then gets: anonymous → login, the scope of every
persona in the selector, the list page and the API list, and 404 for an out-of-scope detail page and API record.
The ``personas`` fixture comes from ``apps.org.testing`` (registered in the root ``conftest.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from django.test import Client

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
    """Subclass and set: ``model``, ``make(persona) -> record``, ``list_url``, ``detail_url(record)``,
    ``api_list_url``, ``api_detail_url(record)``, ``label(record) -> str`` (text the list page shows)."""

    __test__ = False  # the base itself is not a test; each subclass is

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__test__ = True

    model: ClassVar[Any]
    list_url: ClassVar[str] = ""
    api_list_url: ClassVar[str] = ""
    expected_visible: ClassVar[dict[str, set[str]]] = OWN_RECORDS_VISIBILITY

    def make(self, persona: Persona) -> Any:
        raise NotImplementedError

    def detail_url(self, record: Any) -> str:
        raise NotImplementedError

    def api_detail_url(self, record: Any) -> str:
        raise NotImplementedError

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
        seen = set(self.model.objects.visible_to(personas[viewer].user).filter(
            pk__in=[r.pk for r in records.values()]).values_list("pk", flat=True))
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

    @pytest.mark.parametrize("viewer", PERSONAS)
    def test_api_list_gives_only_the_scope(self, viewer: str, personas: dict, records: dict) -> None:
        response = personas[viewer].client().get(self.api_list_url, {"page_size": 200})
        assert response.status_code == 200
        ids = {row["id"] for row in response.json()["results"]}
        mine = {r.pk for r in records.values()}
        assert ids & mine == self._expected(viewer, records)


def shown(message: Any) -> str:
    """A message as a page shows it: translated into the interface language in force, HTML-escaped.
    Tests compare with this rather than with English text, so they hold in every language."""
    from django.utils.html import escape

    return escape(str(message))
