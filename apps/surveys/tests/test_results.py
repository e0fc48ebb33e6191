"""CSAT / NPS arithmetic against hand-built answers, the trend, breakdowns, distributions and the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.surveys.choices import QuestionKind
from apps.surveys.models import SurveyResponse
from apps.surveys.selectors import results
from apps.surveys.services.answers import response_submit
from apps.surveys.tests.factories import CustomerFactory, make_campaign, make_invitation, make_questionnaire

pytestmark = pytest.mark.django_db
TZ = timezone.get_fixed_timezone(8 * 60)


def _answer(
    campaign,
    ratings: tuple[int, ...],
    nps: int | None,
    *,
    when=None,
    level="B",
    ticket_type="",
    department=None,
    single=0,
    multiple=(0,),
    text="",
):
    customer = CustomerFactory(owner=campaign.owner, level=level)
    invitation = make_invitation(campaign, customer=customer, ticket_type=ticket_type, department=department)
    questions = list(campaign.questionnaire.questions.order_by("order"))
    raw = {}
    rating_values = iter(ratings)
    for q in questions:
        if q.kind == QuestionKind.RATING:
            raw[q.pk] = str(next(rating_values))
        elif q.kind == QuestionKind.NPS and nps is not None:
            raw[q.pk] = str(nps)
        elif q.kind == QuestionKind.SINGLE:
            raw[q.pk] = str(single)
        elif q.kind == QuestionKind.MULTIPLE:
            raw[q.pk] = [str(m) for m in multiple]
        elif q.kind == QuestionKind.TEXT:
            raw[q.pk] = text
    return response_submit(token=invitation.token, raw=raw, now=when)


@pytest.fixture
def campaign(personas):
    return make_campaign(personas["rep_carol"].user, make_questionnaire())


def test_nps_and_csat_by_hand(campaign) -> None:
    # NPS answers 9, 10, 7, 3: 2 promoters, 1 passive, 1 detractor of 4 → 50 % − 25 % = 25.
    # Ratings (two per response): (5,4) (4,4) (3,2) (1,2) → CSAT 4.5, 4, 2.5, 1.5; mean 3.125 → 3.13;
    # satisfied (≥ 4): 2 of 4 = 50.0 %.
    _answer(campaign, (5, 4), 9)
    _answer(campaign, (4, 4), 10)
    _answer(campaign, (3, 2), 7)
    _answer(campaign, (1, 2), 3)
    assert sorted(SurveyResponse.objects.values_list("csat", flat=True)) == [
        Decimal("1.50"),
        Decimal("2.50"),
        Decimal("4.00"),
        Decimal("4.50"),
    ]
    summary = results.satisfaction_summary(SurveyResponse.objects.all())
    assert summary == {
        "count": 4,
        "csat": Decimal("3.13"),
        "csat_pct": Decimal("50.0"),
        "nps": 25,
        "promoters": 2,
        "passives": 1,
        "detractors": 1,
    }


def test_summary_of_nothing_and_without_nps(personas) -> None:
    assert results.satisfaction_summary(SurveyResponse.objects.all()) == {
        "count": 0,
        "csat": None,
        "csat_pct": None,
        "nps": None,
        "promoters": 0,
        "passives": 0,
        "detractors": 0,
    }
    campaign = make_campaign(personas["rep_carol"].user, make_questionnaire(kinds=("rating",)))
    _answer(campaign, (4,), None)
    summary = results.satisfaction_summary(SurveyResponse.objects.all())
    assert summary["nps"] is None and summary["csat"] == Decimal("4.00") and summary["csat_pct"] == Decimal("100.0")


def test_nps_rounding_and_all_detractors(campaign) -> None:
    for score in (0, 6, 6):
        _answer(campaign, (1, 1), score)
    assert results.satisfaction_summary(SurveyResponse.objects.all())["nps"] == -100
    _answer(campaign, (5, 5), 9)
    _answer(campaign, (5, 5), 9)
    _answer(campaign, (5, 5), 8)
    # 2 promoters − 3 detractors of 6 → −16.67 → −17
    assert results.satisfaction_summary(SurveyResponse.objects.all())["nps"] == -17


def test_trend_by_month(campaign) -> None:
    _answer(campaign, (4, 4), 10, when=dt.datetime(2026, 1, 31, 23, 30, tzinfo=TZ))  # January in China
    _answer(campaign, (2, 2), 5, when=dt.datetime(2026, 3, 1, 0, 30, tzinfo=TZ))
    _answer(campaign, (4, 5), 9, when=dt.datetime(2026, 3, 15, 12, 0, tzinfo=TZ))
    trend = results.satisfaction_trend(SurveyResponse.objects.all(), months=4, until=dt.date(2026, 3, 20))
    assert trend == [
        {"month": "2025-12", "count": 0, "csat": None, "nps": None},
        {"month": "2026-01", "count": 1, "csat": Decimal("4.00"), "nps": 100},
        {"month": "2026-02", "count": 0, "csat": None, "nps": None},
        {"month": "2026-03", "count": 2, "csat": Decimal("3.25"), "nps": 0},
    ]


def test_breakdowns_and_distributions(personas, campaign) -> None:
    unit = personas["rep_carol"].unit
    _answer(
        campaign,
        (5, 5),
        10,
        level="A",
        ticket_type="complaint",
        department=unit,
        single=1,
        multiple=(0, 2),
        text="很好",
    )
    _answer(campaign, (3, 3), 6, level="B", ticket_type="repair", single=1, multiple=(2,))
    by_level = {r["key"]: r for r in results.breakdown(SurveyResponse.objects.all(), "customer_level")}
    assert by_level["A"]["csat"] == Decimal("5.00") and by_level["B"]["nps"] == -100
    by_type = {r["key"]: r for r in results.breakdown(SurveyResponse.objects.all(), "ticket_type")}
    assert set(by_type) == {"complaint", "repair"}
    by_department = results.breakdown(SurveyResponse.objects.all(), "department")
    assert [(r["label"], r["count"]) for r in by_department] == [(unit.name, 1), ("", 1)]
    questions = list(campaign.questionnaire.questions.order_by("order"))
    dist = {
        d["kind"] + str(i): d
        for i, d in enumerate(results.question_distributions(SurveyResponse.objects.all(), questions))
    }
    assert dist["rating0"]["counts"] == [0, 0, 1, 0, 1] and dist["rating0"]["average"] == Decimal("4.00")
    assert dist["nps2"]["counts"][10] == 1 and dist["nps2"]["counts"][6] == 1
    assert dist["single3"]["counts"] == [0, 2, 0]
    assert dist["multiple4"]["counts"] == [1, 0, 2]
    assert [t["text"] for t in dist["text5"]["texts"]] == ["很好"]
    assert [r.nps_score for r in results.detractors(SurveyResponse.objects.all())] == [6]


def test_response_rate(personas, campaign) -> None:
    _answer(campaign, (5, 5), 10)
    make_invitation(campaign)
    make_invitation(campaign)
    rate = results.response_rate(campaign.invitations.all())
    assert rate == {"sent": 3, "answered": 1, "rate": Decimal("33.3")}


def test_results_pages_and_api(personas, campaign, django_assert_max_num_queries) -> None:
    _answer(campaign, (5, 4), 9)
    _answer(campaign, (1, 2), 3)
    client = personas["rep_carol"].client()
    page = client.get(reverse("surveys:campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200 and b"metric-nps" in page.content
    overall = client.get(reverse("surveys:results"), {"questionnaire": campaign.questionnaire_id})
    assert overall.status_code == 200 and b"distributions" in overall.content
    api = client.get("/api/v1/survey-results/summary/")
    assert api.status_code == 200
    assert api.json() == {
        "count": 2,
        "csat": "3.00",
        "csat_pct": "50.0",
        "nps": 0,
        "promoters": 1,
        "passives": 0,
        "detractors": 1,
    }
    rows = client.get("/api/v1/survey-results/").json()["results"]
    assert len(rows) == 2 and len(rows[0]["answers"]) == 5  # the optional text left empty
    # The other personas see none of carol's answers.
    assert personas["rep_alice"].client().get("/api/v1/survey-results/summary/").json()["count"] == 0


@pytest.mark.parametrize("size", [3, 12])
def test_list_pages_query_counts(personas, campaign, size, django_assert_max_num_queries) -> None:
    for _ in range(size):
        _answer(campaign, (4, 4), 9)
    client = personas["rep_carol"].client()
    with django_assert_max_num_queries(14):
        assert client.get(reverse("surveys:response_list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("surveys:invitation_list")).status_code == 200
    dave = personas["auditor_dave"].client()
    with django_assert_max_num_queries(14):
        assert dave.get(reverse("surveys:campaign_list")).status_code == 200
    with django_assert_max_num_queries(40):
        assert client.get(reverse("surveys:campaign_detail", args=[campaign.pk])).status_code == 200
