"""The questionnaire list and detail pages (generic views over a model without a data scope: the permission is the
whole rule)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.surveys.tests.factories import default_questionnaire

pytestmark = pytest.mark.django_db


def test_everyone_who_may_read_sees_every_questionnaire_with_its_questions(personas: dict) -> None:
    questionnaire = default_questionnaire()
    client = personas["rep_carol"].client()
    listing = client.get(reverse("surveys:questionnaire_list"))
    assert listing.status_code == 200 and questionnaire.title in listing.content.decode()
    assert list(listing.context["questionnaires"]) == [questionnaire]
    detail = client.get(reverse("surveys:questionnaire_detail", args=[questionnaire.pk]))
    assert detail.status_code == 200
    assert list(detail.context["questions"]) == list(questionnaire.questions.order_by("order", "id"))
    assert detail.context["may_change"] is False
    assert (
        personas["lead_bob"]
        .client()
        .get(reverse("surveys:questionnaire_detail", args=[questionnaire.pk]))
        .context["may_change"]
        is True
    )


def test_a_missing_questionnaire_is_404(personas: dict) -> None:
    response = personas["rep_carol"].client().get(reverse("surveys:questionnaire_detail", args=[999_999]))
    assert response.status_code == 404
