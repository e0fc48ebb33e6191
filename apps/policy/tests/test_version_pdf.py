"""A version's full text as PDF (WeasyPrint, the helper the reports use): every article of the version, in order,
with its label, effective date and status; a draft only for those who may see it."""

from __future__ import annotations

import re
import subprocess
import tempfile
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from apps.policy import selectors
from apps.policy.tests.factories import seeded_version
from apps.policy.tests.test_amendments import _draft, group_fixture  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def _pdftotext(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        text = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, check=True, text=True).stdout
    return re.sub(r"\s+", "", text)  # CJK lines break anywhere


def _pdf(client: Client, version: Any) -> Any:
    return client.get(reverse("policy:version_pdf", args=[version.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_the_version_in_force_prints_every_article_in_order(personas: dict) -> None:
    version = seeded_version()
    response = _pdf(personas["rep_alice"].client(), version)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdftotext(response.content)
    with translation.override("zh-hans"):
        articles = selectors.article_list(version)
        labels = [re.sub(r"\s+", "", f"{a.label}{a.title}") for a in articles]
    assert articles and all(label in text for label in labels), [lbl for lbl in labels if lbl not in text]
    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions)  # in the order of the policy
    assert version.label in text and version.effective_from.isoformat() in text
    last = re.sub(r"\s+", "", articles[-1].text_zh)[:30]
    assert last in text  # the text itself, not only the titles


def test_a_draft_prints_for_its_editors_and_is_not_revealed_to_others(personas: dict, group: list) -> None:
    draft = _draft(group[0])
    editor = Client()
    editor.force_login(group[0])
    assert _pdf(editor, draft).status_code == 200
    for persona in ("rep_alice", "lead_bob"):
        assert _pdf(personas[persona].client(), draft).status_code == 404


def test_a_user_without_access_to_the_policy_is_refused(personas: dict) -> None:
    assert Client().get(reverse("policy:version_pdf", args=[seeded_version().pk])).status_code == 302  # sign in
