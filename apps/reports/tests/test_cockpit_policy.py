"""The cockpit's policy section (arts. 14, 15): the share of the employees asked who had acknowledged the version in
force by the period's end, those still to confirm, interpretations asked in the period and open now, the next review
— each recomputed from the raw rows as the viewer may see them; only the company cockpit has the section."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse

from apps.core.workdays import TZ
from apps.policy.choices import InterpretationStatus
from apps.policy.models import Interpretation, PolicyAcknowledgement
from apps.policy.tests.factories import leader, seeded_version
from apps.reports.selectors import cockpit as cockpit_selectors
from apps.reports.selectors.periods import CUSTOM, ReportPeriod

pytestmark = pytest.mark.django_db

MARCH = ReportPeriod(CUSTOM, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
TODAY = dt.date(2026, 4, 10)
NOW = dt.datetime(2026, 4, 10, 9, tzinfo=TZ)


@pytest.fixture
def policy_rows(personas):
    version = seeded_version()
    version.next_review_on = dt.date(2026, 4, 1)  # overdue on TODAY
    version.save(update_fields=["next_review_on"])
    confirmed = {
        "rep_alice": dt.datetime(2026, 2, 10, 9, tzinfo=TZ),
        "lead_bob": dt.datetime(2026, 3, 31, 23, 30, tzinfo=TZ),  # the last half hour of March, Shanghai time
        "rep_carol": dt.datetime(2026, 4, 1, 0, 0, tzinfo=TZ),  # the first minute of April: not by March's end
        "auditor_dave": None,
    }
    for name, moment in confirmed.items():
        PolicyAcknowledgement.objects.create(version=version, user=personas[name].user, confirmed_at=moment)
    article = version.articles.order_by("order").first()
    rows = [
        (personas["rep_alice"].user, dt.datetime(2026, 3, 5, 10, tzinfo=TZ), InterpretationStatus.ASKED),
        (personas["rep_carol"].user, dt.datetime(2026, 3, 20, 10, tzinfo=TZ), InterpretationStatus.ANSWERED),
        (personas["lead_bob"].user, dt.datetime(2026, 2, 3, 10, tzinfo=TZ), InterpretationStatus.PUBLISHED),
        (personas["lead_bob"].user, dt.datetime(2026, 2, 4, 10, tzinfo=TZ), InterpretationStatus.DECLINED),
        (personas["auditor_dave"].user, dt.datetime(2026, 4, 2, 10, tzinfo=TZ), InterpretationStatus.ASKED),
    ]
    for asker, moment, status in rows:
        row = Interpretation.objects.create(version=version, article=article, question="何为按时?", asked_by=asker)
        Interpretation.objects.filter(pk=row.pk).update(created_at=moment, status=status)
    return version


def _share(period: ReportPeriod) -> tuple[Decimal | None, int]:
    """(share confirmed by the period's end, still to confirm then) from the acknowledgement rows."""
    after = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(0), TZ)
    rows = [a for a in PolicyAcknowledgement.objects.all() if a.user.employee.is_active]
    if not rows or seeded_version().effective_from > period.end:
        return None, 0
    done = sum(1 for a in rows if a.confirmed_at is not None and a.confirmed_at < after)
    return (Decimal(done) * 100 / len(rows)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), len(rows) - done


def _questions(viewer, period: ReportPeriod) -> tuple[int, int]:
    """(asked in the period, open now) among the questions the viewer may see: all for the leadership group, else
    the published ones and their own."""
    first = dt.datetime.combine(period.start, dt.time(0), TZ)
    after = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(0), TZ)
    answers = viewer.has_perm("policy.answer_interpretation")
    seen = [
        q
        for q in Interpretation.objects.all()
        if answers or q.status == InterpretationStatus.PUBLISHED or q.asked_by_id == viewer.pk
    ]
    return (
        sum(1 for q in seen if first <= q.created_at < after),
        sum(1 for q in seen if q.status in (InterpretationStatus.ASKED, InterpretationStatus.ANSWERED)),
    )


def _policy_figures(user):
    sections = cockpit_selectors.cockpit(user, MARCH, sections=["policy"], today=TODAY, now=NOW)
    return {f.key: f for f in sections[0].figures}, sections[0]


def test_policy_figures_equal_the_raw_rows(personas, policy_rows):
    chair = leader(personas["auditor_dave"].unit)
    for viewer in (chair, personas["auditor_dave"].user):
        assert "policy" in cockpit_selectors.sections_for(viewer)
        figures, section = _policy_figures(viewer)
        share, pending = _share(MARCH)
        assert figures["ack_share"].value == share == Decimal("50.0")  # alice and bob of four by 31 March
        assert figures["ack_pending"].value == pending == 2
        previous_share, previous_pending = _share(MARCH.previous())
        assert figures["ack_share"].previous == previous_share == Decimal("25.0")
        assert figures["ack_share"].previous_change == share - previous_share
        assert figures["ack_share"].year_before is None  # nothing was in force in March 2025
        asked, still_open = _questions(viewer, MARCH)
        assert figures["interpretations_asked"].value == asked
        assert figures["interpretations_asked"].previous == _questions(viewer, MARCH.previous())[0]
        assert figures["interpretations_open"].value == still_open
        assert figures["next_review"].value == policy_rows.next_review_on
        assert section.extras["review_overdue"] is True
    # the leadership group sees every question: two asked in March, three open now (one asked in April)
    figures, _ = _policy_figures(chair)
    assert (figures["interpretations_asked"].value, figures["interpretations_open"].value) == (2, 3)


def test_a_version_confirmed_later_raises_the_share_in_the_next_period(personas, policy_rows):
    april = ReportPeriod(CUSTOM, dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    figures = {
        f.key: f
        for f in cockpit_selectors.cockpit(
            personas["auditor_dave"].user, april, sections=["policy"], today=TODAY, now=NOW
        )[0].figures
    }
    # April is not over: carol's confirmation at 00:00 on 1 April counts, nothing after now could
    assert figures["ack_share"].value == _share(april)[0] == Decimal("75.0")
    assert figures["ack_share"].previous == Decimal("50.0")


def test_only_the_company_cockpit_shows_the_policy_section(client, personas, policy_rows):
    url = reverse("reports:cockpit")
    query = {"period": "custom", "start": "2026-03-01", "end": "2026-03-31"}
    client.force_login(personas["lead_bob"].user)
    assert "policy" not in cockpit_selectors.sections_for(personas["lead_bob"].user)
    assert 'data-testid="section-policy"' not in client.get(url, query).content.decode()
    client.force_login(personas["rep_alice"].user)
    assert client.get(url, query).status_code == 403
    client.force_login(personas["auditor_dave"].user)
    page = client.get(url, query).content.decode()
    assert 'data-testid="section-policy"' in page
    assert policy_rows.next_review_on.isoformat() in page
    assert policy_rows.label in page
