"""Read acknowledgement (art. 14): every active employee confirms the version in force; until then a banner on every
page; managers see their tree, senior management all; reminders (one click and periodic until a deadline); Excel."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.core import testing as core_testing
from apps.core.models import Notification
from apps.core.testing import Persona
from apps.policy import selectors, services
from apps.policy.models import PolicyAcknowledgement
from apps.policy.tests.factories import seeded_policy, seeded_version

pytestmark = pytest.mark.django_db

BANNER = 'data-testid="policy-ack-banner"'


def _ask() -> int:
    return services.policy_acknowledgements_request(version=seeded_version(), send=False)


def _share_by_department(viewer: Persona) -> dict[str, Any]:
    """The acknowledgement page's figures for ``viewer``: department → share shown."""
    response = viewer.client().get(reverse("policy:acknowledgement_list"))
    assert response.status_code == 200
    return {row.department: row for row in response.context["departments"]}


def _recomputed(version_id: int, users: list[Any] | None = None) -> dict[str, tuple[int, int]]:
    """Department → (asked, confirmed), counted from the rows themselves."""
    asked: Counter[str] = Counter()
    confirmed: Counter[str] = Counter()
    for ack in PolicyAcknowledgement.objects.filter(version_id=version_id).select_related("user__employee__department"):
        if users is not None and ack.user not in users:
            continue
        name = ack.user.employee.department.name
        asked[name] += 1
        confirmed[name] += ack.confirmed_at is not None
    return {name: (asked[name], confirmed[name]) for name in asked}


class AcknowledgementScopeTests(core_testing.ScopeMatrixTests):
    model = PolicyAcknowledgement
    list_url = "/policy/acknowledgements/"
    api_list_url = "/api/v1/acknowledgements/"
    detail_route = "policy:acknowledgement_detail"

    def make(self, persona: Persona) -> PolicyAcknowledgement:
        return PolicyAcknowledgement.objects.create(version=seeded_version(), user=persona.user)

    def label(self, record: PolicyAcknowledgement) -> str:
        return f'href="{self.detail_url(record)}"'


class BannerAndConfirmationTests:
    def test_the_banner_shows_until_the_employee_confirms(self, personas: dict) -> None:
        _ask()
        alice = personas["rep_alice"]
        client = alice.client()
        page = client.get(reverse("core:workbench")).content.decode()
        assert BANNER in page and reverse("policy:acknowledge") in page
        before = _share_by_department(personas["auditor_dave"])
        response = client.post(reverse("policy:acknowledge"))
        assert response.status_code == 302
        ack = PolicyAcknowledgement.objects.get(user=alice.user, version=seeded_version())
        assert ack.confirmed_at is not None and ack.version.label == "1.0"
        assert BANNER not in client.get(reverse("core:workbench")).content.decode()
        assert BANNER not in client.get(reverse("policy:in_force")).content.decode()
        after = _share_by_department(personas["auditor_dave"])
        team = alice.unit.name
        assert after[team].share > before[team].share
        recomputed = _recomputed(seeded_version().pk)
        for name, row in after.items():
            asked, confirmed = recomputed[name]
            assert (row.asked, row.confirmed) == (asked, confirmed)
            assert float(row.share) == pytest.approx(round(100 * confirmed / asked, 1))
        # A second confirmation keeps the first time.
        first = ack.confirmed_at
        client.post(reverse("policy:acknowledge"))
        ack.refresh_from_db()
        assert ack.confirmed_at == first

    def test_the_banner_links_to_the_changed_articles_only(self, personas: dict) -> None:
        admin = personas["admin"].user
        draft = services.policy_version_create_draft(
            actor=admin, policy=seeded_policy(), label="1.1", based_on=seeded_version()
        )
        article = draft.articles.get(number=10)
        article.text_zh += "投诉应在 8 个工作小时内解决。"
        article.save()
        today = selectors.policy_today()
        services.policy_version_put_in_force(actor=admin, version=draft, effective_from=today)
        assert [a.number for a in selectors.changed_articles(draft)] == [10]
        assert len(selectors.changed_articles(seeded_version())) == 15  # the first version: all of them
        body = personas["rep_alice"].client().get(reverse("policy:acknowledge")).content.decode()
        assert body.count('data-testid="changed-article"') == 1 and "8 个工作小时" in body

    def test_a_new_version_needs_a_new_confirmation(self, personas: dict) -> None:
        alice = personas["rep_alice"]
        services.policy_acknowledgement_confirm(actor=alice.user, version=seeded_version())
        assert selectors.acknowledgement_pending(alice.user) is None
        admin = personas["admin"].user
        draft = services.policy_version_create_draft(
            actor=admin, policy=seeded_policy(), label="1.1", based_on=seeded_version()
        )
        services.policy_version_put_in_force(actor=admin, version=draft, effective_from=selectors.policy_today())
        pending = selectors.acknowledgement_pending(alice.user)
        assert pending is not None and pending.label == "1.1"
        assert BANNER in alice.client().get(reverse("core:workbench")).content.decode()
        with pytest.raises(ValidationError):  # the superseded version is not the one to confirm
            services.policy_acknowledgement_confirm(actor=alice.user, version=seeded_version())

    def test_no_banner_for_a_login_without_an_employee_record(self, personas: dict) -> None:
        from apps.org.models import User

        visitor = User.objects.create_user(username="visitor", password="pw-123456")
        assert selectors.acknowledgement_pending(visitor) is None
        with pytest.raises((PermissionDenied, ValidationError)):
            services.policy_acknowledgement_confirm(actor=visitor, version=seeded_version())


class ReportScopeTests:
    def test_staff_see_only_their_own_status(self, personas: dict) -> None:
        _ask()
        alice = personas["rep_alice"]
        response = alice.client().get(reverse("policy:acknowledgement_list"))
        assert {a.user_id for a in response.context["object_list"]} == {alice.user.pk}
        assert [(r.department, r.asked) for r in response.context["departments"]] == [(alice.unit.name, 1)]
        carol_ack = PolicyAcknowledgement.objects.get(user=personas["rep_carol"].user)
        assert alice.client().get(reverse("policy:acknowledgement_detail", args=[carol_ack.pk])).status_code == 404
        api = alice.client().get("/api/v1/acknowledgements/summary/").json()
        assert api["total"]["asked"] == 1

    def test_a_manager_sees_only_his_tree(self, personas: dict) -> None:
        _ask()
        bob = personas["lead_bob"]
        users = {
            a.user_id
            for a in bob.client().get(reverse("policy:acknowledgement_list"), {"page_size": 200}).context["object_list"]
        }
        assert users == {personas["rep_alice"].user.pk, bob.user.pk}
        everyone = {
            a.user_id
            for a in personas["auditor_dave"]
            .client()
            .get(reverse("policy:acknowledgement_list"), {"page_size": 200})
            .context["object_list"]
        }
        assert personas["rep_carol"].user.pk in everyone and users < everyone

    def test_the_excel_export_holds_the_scope(self, personas: dict) -> None:
        _ask()
        services.policy_acknowledgement_confirm(actor=personas["rep_alice"].user, version=seeded_version())
        response = personas["lead_bob"].client().get(reverse("policy:acknowledgement_export"))
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert sorted(r[2] for r in rows) == ["alice", "bob"]
        alice_row = next(r for r in rows if r[2] == "alice")
        assert alice_row[5]  # the time of the confirmation
        summary = personas["lead_bob"].client().get(reverse("policy:acknowledgement_export"), {"summary": 1})
        sheet = load_workbook(io.BytesIO(summary.content)).active
        last = list(sheet.iter_rows(min_row=2, values_only=True))[-1]
        assert (last[1], last[2]) == (2, 1)

    def test_each_export_is_logged(self, personas: dict) -> None:
        """Who exported the acknowledgements, of which version, how many rows (CONVENTIONS-CN §1 row 29)."""
        from apps.core.models import ExportLog

        _ask()
        bob = personas["lead_bob"]
        assert bob.client().get(reverse("policy:acknowledgement_export")).status_code == 200
        log = ExportLog.objects.get()
        assert (log.user, log.resource, log.row_count) == (bob.user, "policy.acknowledgement", 2)
        assert log.filters == f"version={seeded_version().label}"
        bob.client().get(reverse("policy:acknowledgement_export"), {"summary": 1})
        assert ExportLog.objects.filter(resource="policy.acknowledgement_summary", user=bob.user).count() == 1


class ReminderTests:
    def test_one_click_reminds_the_unconfirmed_in_the_managers_tree(self, personas: dict) -> None:
        _ask()
        bob, alice, carol = personas["lead_bob"], personas["rep_alice"], personas["rep_carol"]
        response = bob.client().post(reverse("policy:acknowledgement_remind"))
        assert response.status_code == 302
        reminded = set(Notification.objects.filter(topic__startswith="policy-ack:").values_list("recipient", flat=True))
        assert reminded == {alice.user.pk, bob.user.pk}
        assert carol.user.pk not in reminded
        assert PolicyAcknowledgement.objects.get(user=alice.user).reminder_count == 1

    def test_staff_cannot_remind(self, personas: dict) -> None:
        _ask()
        alice = personas["rep_alice"]
        assert alice.client().post(reverse("policy:acknowledgement_remind")).status_code == 403
        with pytest.raises(PermissionDenied):
            services.policy_acknowledgements_remind(actor=alice.user, version=seeded_version())
        assert not Notification.objects.filter(topic__startswith="policy-ack:").exists()

    def test_the_periodic_job_reminds_every_few_days_until_the_deadline(self, personas: dict, settings: Any) -> None:
        settings.POLICY_ACK_REMIND_EVERY_DAYS = 3
        version = seeded_version()
        services.policy_acknowledgement_confirm(actor=personas["rep_alice"].user, version=version)
        today = selectors.policy_today()
        settings.POLICY_ACK_DEADLINE_DAYS = (today - version.effective_from).days + 10
        assert services.policy_acknowledgements_remind_due(on=today) == 0  # just asked: not yet
        asked = PolicyAcknowledgement.objects.filter(version=version).count()
        assert asked == 5  # every active employee, once
        PolicyAcknowledgement.objects.update(created_at=timezone.now() - dt.timedelta(days=4))
        assert services.policy_acknowledgements_remind_due(on=today) == 4  # everyone but alice, who confirmed
        assert services.policy_acknowledgements_remind_due(on=today) == 0  # not again the same day
        PolicyAcknowledgement.objects.update(reminded_at=timezone.now() - dt.timedelta(days=4))
        settings.POLICY_ACK_DEADLINE_DAYS = (today - version.effective_from).days - 1
        assert services.policy_acknowledgements_remind_due(on=today) == 0  # the deadline has passed
        assert PolicyAcknowledgement.objects.filter(version=version).count() == asked

    def test_the_api_confirms_and_summarises(self, personas: dict) -> None:
        _ask()
        alice = personas["rep_alice"].client()
        confirmed = alice.post("/api/v1/acknowledgements/confirm/")
        assert confirmed.status_code == 200 and confirmed.json()["is_confirmed"]
        summary = personas["auditor_dave"].client().get("/api/v1/acknowledgements/summary/").json()
        assert summary["total"]["asked"] == 5 and summary["total"]["confirmed"] == 1
        assert (
            personas["rep_alice"]
            .client()
            .post("/api/v1/acknowledgements/remind/", {}, content_type="application/json")
            .status_code
            == 403
        )


def test_history_records_the_confirmation(personas: dict) -> None:
    _ask()
    ack = services.policy_acknowledgement_confirm(actor=personas["rep_alice"].user, version=seeded_version())
    latest = ack.history.first()
    assert latest.history_user == personas["rep_alice"].user and latest.confirmed_at is not None
    body = personas["rep_alice"].client().get(reverse("policy:acknowledgement_detail", args=[ack.pk])).content
    assert "history" in body.decode().lower()


def test_the_demo_has_four_in_five_confirmed_two_answers_and_an_overdue_review() -> None:
    from io import StringIO

    from apps.org import demo as org_demo
    from apps.policy import demo as policy_demo
    from apps.policy.choices import InterpretationStatus
    from apps.policy.models import Interpretation

    org_demo.load(StringIO())
    policy_demo.load(StringIO())
    policy_demo.load(StringIO())  # idempotent
    version = seeded_version()
    rows = PolicyAcknowledgement.objects.filter(version=version, user__employee__is_active=True)
    confirmed = rows.filter(confirmed_at__isnull=False).count()
    assert 0.75 <= confirmed / rows.count() <= 0.85
    assert not rows.get(user__username="sales1").confirmed_at  # the browser walk-through starts from his banner
    assert Interpretation.objects.filter(status=InterpretationStatus.PUBLISHED).count() == 2
    version.refresh_from_db()
    assert version.next_review_on < selectors.policy_today()
    assert Notification.objects.filter(topic__startswith=f"policy-review:{version.pk}:").exists()


def test_the_banner_costs_no_query_once_the_session_knows_it(personas: dict) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _ask()
    client = personas["rep_alice"].client()  # signing in works the banner out once
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("core:workbench")).content.decode()
    assert BANNER in page
    assert not [q for q in queries.captured_queries if "policy_policyacknowledgement" in q["sql"]]
    # Confirmed through the API: the confirmation page refreshes what the banner shows.
    assert client.post("/api/v1/acknowledgements/confirm/").status_code == 200
    client.get(reverse("policy:acknowledge"))
    assert BANNER not in client.get(reverse("core:workbench")).content.decode()


def test_a_new_day_works_the_banner_out_again(personas: dict) -> None:
    _ask()
    client = personas["rep_alice"].client()
    session = client.session
    session["policy_ack"] = {"day": "2000-01-01", "user": personas["rep_alice"].user.pk, "pending": None}
    session.save()
    assert BANNER in client.get(reverse("core:workbench")).content.decode()


def test_the_first_confirmation_asks_everyone_if_the_job_has_not_run(personas: dict) -> None:
    services.policy_acknowledgement_confirm(actor=personas["rep_alice"].user, version=seeded_version())
    rows = _share_by_department(personas["auditor_dave"])
    assert sum(r.asked for r in rows.values()) == 5 and sum(r.confirmed for r in rows.values()) == 1
    assert PolicyAcknowledgement.objects.filter(user=personas["rep_carol"].user, confirmed_at=None).exists()


@pytest.mark.parametrize("extra", [0, 25])
def test_the_report_costs_the_same_queries_at_any_size(
    personas: dict, extra: int, django_assert_max_num_queries: Any
) -> None:
    from apps.org.testing import make_employee

    for n in range(extra):
        make_employee(f"rep{n}", f"员工{n}", personas["rep_alice"].unit, "staff")
    _ask()
    for ack in PolicyAcknowledgement.objects.all()[: (5 + extra) // 2]:
        services.policy_acknowledgement_confirm(actor=ack.user, version=seeded_version())
    client = personas["auditor_dave"].client()
    # shell 7, the version in force, the count, the page of rows, the summary by department, the version choices,
    # the session kept for the banner: the same at 5 and at 30 employees
    with django_assert_max_num_queries(14):
        response = client.get(reverse("policy:acknowledgement_list"), {"page_size": 200})
    assert len(response.context["object_list"]) == 5 + extra
    with django_assert_max_num_queries(14):
        client.get(reverse("policy:interpretation_list"))


def test_asking_is_idempotent_and_notifies_only_the_newly_asked_when_told_to(personas: dict) -> None:
    assert services.policy_acknowledgements_request(version=seeded_version(), send=True) == 5
    assert services.policy_acknowledgements_request(version=seeded_version(), send=True) == 0
    assert Notification.objects.filter(topic__startswith="policy-ack:").count() == 5
