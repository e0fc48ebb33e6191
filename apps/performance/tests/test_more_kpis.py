"""The computed KPIs added to the library after the first schemes (issue 11's list): each recomputed here from
the raw records for a person and a department, with a record just outside the period and one out of the
subject's scope, and compared with the metric the cycle would read."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from apps.performance.selectors.measures import Span, Subject
from apps.performance.selectors.metrics import measure
from apps.performance.tests.factories import Q3, at
from apps.policy.choices import KpiCode
from apps.policy.selectors import POLICY_TIME_ZONE
from apps.service.choices import DueContactReason, DueContactStatus, FeedbackCategory
from apps.service.models import DueContact, Feedback, FeedbackRouting
from apps.service.tests.factories_tickets import customer_of

pytestmark = pytest.mark.django_db


def span() -> Span:
    return Span("2026-Q3", *Q3)


def share(part: int, whole: int) -> Decimal:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def in_q3_day(day: dt.date) -> bool:
    return Q3[0] <= day <= Q3[1]


def in_q3_moment(moment: dt.datetime) -> bool:
    start = dt.datetime.combine(Q3[0], dt.time.min, tzinfo=POLICY_TIME_ZONE)
    end = dt.datetime.combine(Q3[1] + dt.timedelta(days=1), dt.time.min, tzinfo=POLICY_TIME_ZONE)
    return start <= moment < end


def under(unit: Any, department: Any) -> bool:
    return department.path.startswith(unit.path)


class TestContactsOnTime:
    def make(self, persona: Any, customer: Any, due: dt.date, done: dt.datetime | None, status: str = "") -> None:
        DueContact.objects.create(
            owner=persona.user,
            owner_unit=persona.unit,
            created_by=persona.user,
            customer=customer,
            reason=DueContactReason.CADENCE,
            due_on=due,
            done_at=done,
            status=status or (DueContactStatus.DONE if done else DueContactStatus.OPEN),
        )

    def test_person_and_department_from_the_raw_contacts(self, personas: dict) -> None:
        alice, bob, carol = personas["rep_alice"], personas["lead_bob"], personas["rep_carol"]
        customer = customer_of(alice.user)
        sept_30 = dt.date(2026, 9, 30)
        self.make(alice, customer, dt.date(2026, 7, 1), at(dt.date(2026, 7, 1)))  # on time
        self.make(alice, customer, dt.date(2026, 8, 10), at(dt.date(2026, 8, 11)))  # late
        self.make(alice, customer, sept_30, dt.datetime(2026, 9, 30, 15, 59, tzinfo=dt.UTC))  # 23:59 Shanghai
        self.make(alice, customer, dt.date(2026, 9, 29), dt.datetime(2026, 9, 29, 16, 1, tzinfo=dt.UTC))  # 30th
        self.make(alice, customer, dt.date(2026, 9, 15), None)  # open: late
        self.make(alice, customer, dt.date(2026, 9, 16), None, DueContactStatus.SKIPPED)  # skipped: not counted
        self.make(alice, customer, dt.date(2026, 10, 1), at(dt.date(2026, 9, 1)))  # due after Q3: not counted
        self.make(alice, customer, dt.date(2026, 6, 30), at(dt.date(2026, 6, 30)))  # due before Q3: not counted
        self.make(bob, customer, dt.date(2026, 8, 1), at(dt.date(2026, 8, 1)))  # bob's: the department's only
        self.make(carol, customer, dt.date(2026, 8, 2), None)  # another department: never counted

        def expected(keep: Any) -> Decimal:
            rows = [
                c
                for c in DueContact.objects.select_related("owner_unit")
                if keep(c) and in_q3_day(c.due_on) and c.status != DueContactStatus.SKIPPED
            ]
            done = [c for c in rows if c.done_at and c.done_at.astimezone(POLICY_TIME_ZONE).date() <= c.due_on]
            return share(len(done), len(rows))

        s = span()
        got = measure(KpiCode.CONTACTS_ON_TIME, Subject(alice.unit, alice.user), s)
        assert got.actual == expected(lambda c: c.owner_id == alice.user.pk) == Decimal("40.0")
        assert len(got.sources) == 5
        unit = bob.unit
        got = measure(KpiCode.CONTACTS_ON_TIME, Subject(unit), s)
        assert got.actual == expected(lambda c: under(unit, c.owner_unit)) == Decimal("50.0")
        assert measure(KpiCode.CONTACTS_ON_TIME, Subject(carol.unit, carol.user), s).actual == Decimal("0.0")
        assert measure(KpiCode.CONTACTS_ON_TIME, Subject(bob.unit, personas["auditor_dave"].user), s).actual is None


class TestFeedbackAcknowledgedOnTime:
    def test_person_by_who_acknowledged_and_department_by_where_it_was_sent(self, personas: dict) -> None:
        alice, bob, carol = personas["rep_alice"], personas["lead_bob"], personas["rep_carol"]
        customer = customer_of(carol.user)
        n = iter(range(100))

        def route(unit: Any, due: dt.datetime, by: Any = None, acked: dt.datetime | None = None) -> None:
            feedback = Feedback.objects.create(
                customer=customer,
                category=FeedbackCategory.SERVICE,
                content=f"反馈{next(n)}",
                created_by=carol.user,
                owner_unit=carol.unit,
            )
            FeedbackRouting.objects.create(
                feedback=feedback,
                department=unit,
                acknowledge_due=due,
                acknowledged_by=by,
                acknowledged_at=acked,
                status="acknowledged" if acked else "pending",
            )

        day = dt.date(2026, 8, 3)
        route(alice.unit, at(day), alice.user, at(day, 9))  # alice, on time
        route(alice.unit, at(day), alice.user, at(day, 11))  # alice, late
        route(bob.unit, at(day), alice.user, at(day, 10))  # alice for the parent unit, on the minute
        route(alice.unit, at(day), None, None)  # nobody acknowledged: the department's, late
        route(alice.unit, at(dt.date(2026, 10, 1), 0), alice.user, at(dt.date(2026, 9, 30), 23))  # due after Q3
        route(bob.unit, at(dt.date(2026, 6, 30), 23), bob.user, at(dt.date(2026, 6, 30), 22))  # due before Q3
        route(carol.unit, at(day), carol.user, at(day, 12))  # another department, late

        def expected(keep: Any) -> Decimal:
            rows = [
                r
                for r in FeedbackRouting.objects.select_related("department")
                if keep(r) and in_q3_moment(r.acknowledge_due)
            ]
            ok = [r for r in rows if r.acknowledged_at and r.acknowledged_at <= r.acknowledge_due]
            return share(len(ok), len(rows))

        s = span()
        got = measure(KpiCode.FEEDBACK_ACKNOWLEDGED_ON_TIME, Subject(alice.unit, alice.user), s)
        assert got.actual == expected(lambda r: r.acknowledged_by_id == alice.user.pk) == Decimal("66.7")
        assert len(got.sources) == 3
        got = measure(KpiCode.FEEDBACK_ACKNOWLEDGED_ON_TIME, Subject(bob.unit), s)
        assert got.actual == expected(lambda r: under(bob.unit, r.department)) == Decimal("50.0")
        got = measure(KpiCode.FEEDBACK_ACKNOWLEDGED_ON_TIME, Subject(alice.unit), s)
        assert got.actual == expected(lambda r: under(alice.unit, r.department)) == Decimal("33.3")
        got = measure(KpiCode.FEEDBACK_ACKNOWLEDGED_ON_TIME, Subject(carol.unit), s)
        assert got.actual == expected(lambda r: under(carol.unit, r.department)) == Decimal("0.0")


class TestNps:
    def test_person_and_department_from_the_raw_answers(self, personas: dict) -> None:
        from apps.surveys.models import SurveyResponse
        from apps.surveys.tests.factories import make_campaign, make_invitation

        alice, bob, carol = personas["rep_alice"], personas["lead_bob"], personas["rep_carol"]
        campaign = make_campaign(carol.user)

        def answer(persona: Any, department: Any, when: dt.datetime, score: int | None) -> None:
            invitation = make_invitation(campaign, owner=persona.user, department=department)
            SurveyResponse.objects.create(invitation=invitation, campaign=campaign, submitted_at=when, nps_score=score)

        day = dt.date(2026, 8, 3)
        for score in (10, 9, 9, 8, 6, 3):  # carol's, for her department
            answer(carol, carol.unit, at(day), score)
        answer(carol, carol.unit, at(day), None)  # no NPS answer: not counted
        answer(carol, carol.unit, dt.datetime(2026, 9, 30, 16, 0, tzinfo=dt.UTC), 0)  # 1 Oct in Shanghai: outside
        answer(carol, carol.unit, dt.datetime(2026, 6, 30, 15, 59, tzinfo=dt.UTC), 0)  # 30 June: outside
        answer(alice, alice.unit, at(day), 2)  # another person, another department
        answer(bob, carol.unit, at(day), 10)  # bob's answer for carol's department

        def expected(keep: Any) -> Decimal:
            rows = [
                r
                for r in SurveyResponse.objects.select_related("invitation__department")
                if keep(r.invitation) and r.nps_score is not None and in_q3_moment(r.submitted_at)
            ]
            promoters = sum(1 for r in rows if r.nps_score >= 9)
            detractors = sum(1 for r in rows if r.nps_score <= 6)
            return (Decimal(promoters - detractors) * 100 / len(rows)).quantize(Decimal("1"), ROUND_HALF_UP)

        s = span()
        got = measure(KpiCode.NPS, Subject(carol.unit, carol.user), s)
        assert got.actual == expected(lambda i: i.owner_id == carol.user.pk) == Decimal("17")
        assert len(got.sources) == 6
        got = measure(KpiCode.NPS, Subject(carol.unit), s)
        assert got.actual == expected(lambda i: i.department and under(carol.unit, i.department)) == Decimal("29")
        assert measure(KpiCode.NPS, Subject(alice.unit, alice.user), s).actual == Decimal("-100")
        got = measure(KpiCode.NPS, Subject(personas["auditor_dave"].unit), s)  # the company: everyone's
        assert got.actual == expected(lambda i: i.department and under(personas["auditor_dave"].unit, i.department))
        assert measure(KpiCode.NPS, Subject(bob.unit, personas["auditor_dave"].user), s).actual is None


class TestCampaignConversion:
    def test_leads_of_the_subjects_campaigns_from_the_raw_leads(self, personas: dict) -> None:
        from apps.marketing.models import Lead
        from apps.marketing.tests.factories_plans import make_campaign, make_lead

        alice, bob, carol = personas["rep_alice"], personas["lead_bob"], personas["rep_carol"]
        ours = make_campaign(alice.user, start=dt.date(2026, 6, 20))
        bobs = make_campaign(bob.user, start=dt.date(2026, 7, 20))
        theirs = make_campaign(carol.user, start=dt.date(2026, 7, 20))
        aug, oct_1 = dt.date(2026, 8, 3), dt.date(2026, 10, 1)
        make_lead(alice.user, created=aug, campaign=ours, converted=dt.date(2026, 8, 20))  # converted
        make_lead(carol.user, created=aug, campaign=ours, converted=dt.date(2026, 9, 30))  # a colleague's lead
        make_lead(alice.user, created=aug, campaign=ours, converted=oct_1)  # converted after Q3: not yet
        make_lead(alice.user, created=aug, campaign=ours)  # open
        make_lead(alice.user, created=dt.date(2026, 6, 30), campaign=ours, converted=aug)  # came in before Q3
        make_lead(alice.user, created=oct_1, campaign=ours)  # came in after Q3
        make_lead(alice.user, created=aug, converted=aug)  # no campaign: not counted
        make_lead(bob.user, created=aug, campaign=bobs)  # bob's campaign: the department's
        make_lead(alice.user, created=aug, campaign=theirs, converted=aug)  # carol's campaign, carol's department

        def expected(keep: Any) -> Decimal:
            end = dt.datetime.combine(Q3[1] + dt.timedelta(days=1), dt.time.min, tzinfo=POLICY_TIME_ZONE)
            rows = [
                lead
                for lead in Lead.objects.select_related("campaign__owner_unit")
                if lead.campaign and keep(lead.campaign) and in_q3_moment(lead.created_at)
            ]
            done = [lead for lead in rows if lead.converted_at and lead.converted_at < end]
            return share(len(done), len(rows))

        s = span()
        got = measure(KpiCode.CAMPAIGN_CONVERSION, Subject(alice.unit, alice.user), s)
        assert got.actual == expected(lambda c: c.owner_id == alice.user.pk) == Decimal("50.0")
        assert len(got.sources) == 4
        got = measure(KpiCode.CAMPAIGN_CONVERSION, Subject(bob.unit), s)
        assert got.actual == expected(lambda c: under(bob.unit, c.owner_unit)) == Decimal("40.0")
        got = measure(KpiCode.CAMPAIGN_CONVERSION, Subject(carol.unit, carol.user), s)
        assert got.actual == expected(lambda c: c.owner_id == carol.user.pk) == Decimal("100.0")
        assert measure(KpiCode.CAMPAIGN_CONVERSION, Subject(bob.unit, personas["auditor_dave"].user), s).actual is None


class TestPlanGoalCompletion:
    def test_mean_of_the_plan_goal_lines_recomputed_from_raw_leads_and_visits(self, personas: dict) -> None:
        from apps.marketing.models import Lead, MarketPlan, PlanGoal, Visit
        from apps.marketing.tests.factories_plans import make_campaign, make_lead, make_visit

        alice, bob, carol = personas["rep_alice"], personas["lead_bob"], personas["rep_carol"]

        def plan(persona: Any, start: dt.date, end: dt.date, status: str, **goals: str) -> MarketPlan:
            made = MarketPlan.objects.create(
                title=f"计划{start}{persona.user.username}",
                period_start=start,
                period_end=end,
                strategic_goal="扩大市场",
                status=status,
                owner=persona.user,
                owner_unit=persona.unit,
                created_by=persona.user,
            )
            for metric, target in goals.items():
                PlanGoal.objects.create(plan=made, metric=metric, target_value=Decimal(target))
            return made

        jul_1, aug_1, aug_31, sep_30 = dt.date(2026, 7, 1), dt.date(2026, 8, 1), dt.date(2026, 8, 31), Q3[1]
        ours = plan(alice, jul_1, sep_30, "approved", new_leads="4", visits="2")
        plan(alice, jul_1, sep_30, "draft", new_leads="1")  # a draft: not counted
        plan(alice, jul_1, dt.date(2026, 10, 31), "executing", new_leads="1")  # ends after Q3: not counted
        plan(alice, dt.date(2026, 4, 1), dt.date(2026, 6, 30), "closed", new_leads="1")  # ended before Q3
        plan(bob, aug_1, aug_31, "executing", visits="10", market_share="20")  # bob's: the department's
        plan(carol, jul_1, sep_30, "approved", new_leads="2")  # another department
        lead = make_lead(alice.user, created=dt.date(2026, 7, 2), plan=ours)
        make_lead(alice.user, created=dt.date(2026, 8, 2), plan=ours)
        make_lead(alice.user, created=dt.date(2026, 9, 2), campaign=make_campaign(alice.user, start=jul_1, plan=ours))
        make_lead(alice.user, created=dt.date(2026, 6, 30), plan=ours)  # before the plan's period
        for day in (dt.date(2026, 7, 10), dt.date(2026, 8, 10), dt.date(2026, 8, 20), dt.date(2026, 10, 1)):
            make_visit(alice.user, on=day, lead=lead)
        make_visit(bob.user, on=dt.date(2026, 8, 5), lead=lead)
        make_visit(carol.user, on=dt.date(2026, 8, 5), lead=lead)  # another department's visit

        def raw_actual(p: MarketPlan, metric: str) -> int:
            def in_plan(day: dt.date) -> bool:
                return p.period_start <= day <= p.period_end

            if metric == "new_leads":
                return sum(
                    1
                    for x in Lead.objects.select_related("campaign")
                    if (x.plan_id or (x.campaign and x.campaign.plan_id)) == p.pk
                    and in_plan(x.created_at.astimezone(POLICY_TIME_ZONE).date())
                )
            assert metric == "visits"
            return sum(
                1
                for v in Visit.objects.select_related("owner_unit")
                if v.owner_unit.path.startswith(p.owner_unit.path) and in_plan(v.visited_on)
            )

        def expected(keep: Any) -> Decimal:
            found = []
            for p in MarketPlan.objects.select_related("owner_unit").order_by("pk"):
                if keep(p) and p.status in ("approved", "executing", "closed") and in_q3_day(p.period_end):
                    for g in p.goals.exclude(metric="market_share"):  # not measured: entered on an evaluation
                        found.append(Decimal(raw_actual(p, g.metric)) * 100 / g.target_value)
            found = [f.quantize(Decimal("0.1"), ROUND_HALF_UP) for f in found]
            return (sum(found) / len(found)).quantize(Decimal("0.1"), ROUND_HALF_UP)

        s = span()
        got = measure(KpiCode.PLAN_GOAL_COMPLETION, Subject(alice.unit, alice.user), s)
        assert got.actual == expected(lambda p: p.owner_id == alice.user.pk) == Decimal("112.5")  # (75 + 150) / 2
        assert len(got.sources) == 2
        got = measure(KpiCode.PLAN_GOAL_COMPLETION, Subject(bob.unit), s)
        assert got.actual == expected(lambda p: under(bob.unit, p.owner_unit)) == Decimal("85.0")  # (75+150+30)/3
        got = measure(KpiCode.PLAN_GOAL_COMPLETION, Subject(carol.unit), s)
        assert got.actual == expected(lambda p: under(carol.unit, p.owner_unit)) == Decimal("0.0")
        assert measure(KpiCode.PLAN_GOAL_COMPLETION, Subject(bob.unit, personas["auditor_dave"].user), s).actual is None


class TestSalesPlanActionsOnTime:
    def test_actions_of_approved_plans_from_the_raw_rows(self, personas: dict) -> None:
        from apps.sales.models import SalesPlan, SalesPlanAction

        alice, bob, carol = personas["rep_alice"], personas["lead_bob"], personas["rep_carol"]

        def plan(persona: Any, status: str) -> SalesPlan:
            return SalesPlan.objects.create(
                title=f"销售计划{status}{persona.user.username}",
                period_start=Q3[0],
                period_end=Q3[1],
                strategy="重点客户推进",
                status=status,
                owner=persona.user,
                owner_unit=persona.unit,
                created_by=persona.user,
            )

        def act(in_plan: SalesPlan, who: Any, due: dt.date, done: dt.datetime | None, status: str = "") -> None:
            SalesPlanAction.objects.create(
                plan=in_plan,
                title=f"行动{due}",
                responsible=who.user,
                start_date=min(due, Q3[0]),
                due_date=due,
                status=status or ("done" if done else "doing"),
                progress=100 if done else 40,
                done_at=done,
            )

        bobs, drafted, carols = plan(bob, "executing"), plan(bob, "draft"), plan(carol, "closed")
        sep_30 = Q3[1]
        act(bobs, alice, dt.date(2026, 7, 10), at(dt.date(2026, 7, 9)))  # on time
        act(bobs, alice, dt.date(2026, 8, 10), at(dt.date(2026, 8, 11)))  # a day late
        act(bobs, alice, sep_30, dt.datetime(2026, 9, 30, 15, 59, tzinfo=dt.UTC))  # 23:59 in Shanghai: on time
        act(bobs, alice, dt.date(2026, 9, 29), dt.datetime(2026, 9, 29, 16, 1, tzinfo=dt.UTC))  # the 30th: late
        act(bobs, alice, dt.date(2026, 9, 15), None)  # never done: late
        act(bobs, alice, dt.date(2026, 9, 16), at(dt.date(2026, 9, 1)), status="doing")  # reopened: not done
        act(bobs, alice, dt.date(2026, 10, 1), at(dt.date(2026, 9, 1)))  # due after Q3: not counted
        act(bobs, alice, dt.date(2026, 6, 30), at(dt.date(2026, 6, 30)))  # due before Q3: not counted
        act(drafted, alice, dt.date(2026, 8, 1), at(dt.date(2026, 8, 1)))  # a draft plan's: not counted
        act(bobs, bob, dt.date(2026, 8, 1), at(dt.date(2026, 8, 1)))  # bob's own: the department's
        act(carols, alice, dt.date(2026, 8, 2), at(dt.date(2026, 8, 1)))  # alice in carol's plan: carol's unit
        act(carols, carol, dt.date(2026, 8, 3), None)

        def expected(keep: Any) -> Decimal:
            rows = [
                a
                for a in SalesPlanAction.objects.select_related("plan__owner_unit")
                if keep(a) and in_q3_day(a.due_date) and a.plan.status in ("approved", "executing", "closed")
            ]
            done = [
                a
                for a in rows
                if a.status == "done" and a.done_at and a.done_at.astimezone(POLICY_TIME_ZONE).date() <= a.due_date
            ]
            return share(len(done), len(rows))

        s = span()
        code = KpiCode.SALES_PLAN_ACTIONS_ON_TIME
        got = measure(code, Subject(alice.unit, alice.user), s)
        assert got.actual == expected(lambda a: a.responsible_id == alice.user.pk) == Decimal("42.9")  # 3 of 7
        assert len(got.sources) == 7 and {r["model"] for r in got.sources} == {"sales.salesplanaction"}
        got = measure(code, Subject(bob.unit), s)
        assert got.actual == expected(lambda a: under(bob.unit, a.plan.owner_unit)) == Decimal("42.9")  # 3 of 7
        got = measure(code, Subject(carol.unit), s)
        assert got.actual == expected(lambda a: under(carol.unit, a.plan.owner_unit)) == Decimal("50.0")
        assert measure(code, Subject(carol.unit, carol.user), s).actual == Decimal("0.0")
        assert measure(code, Subject(bob.unit, personas["auditor_dave"].user), s).actual is None


NEW_KPIS = (
    KpiCode.CONTACTS_ON_TIME,
    KpiCode.FEEDBACK_ACKNOWLEDGED_ON_TIME,
    KpiCode.NPS,
    KpiCode.CAMPAIGN_CONVERSION,
    KpiCode.PLAN_GOAL_COMPLETION,
    KpiCode.SALES_PLAN_ACTIONS_ON_TIME,
)


def test_the_new_kpis_read_once_per_span_whatever_the_number_of_subjects(personas: dict) -> None:
    """A cycle measures everybody over one span: the queries do not grow with the people measured."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people = [Subject(p.unit, p.user) for p in personas.values()]
    units = [Subject(p.unit) for p in personas.values()]

    def queries(subjects: list[Subject]) -> int:
        s = span()
        with CaptureQueriesContext(connection) as ctx:
            for code in NEW_KPIS:
                for subject in subjects:
                    measure(code, subject, s)
        return len(ctx.captured_queries)

    one = queries(people[:1])
    assert one == queries(people + units)
    assert one <= 2 * len(NEW_KPIS)


def test_a_policy_version_may_put_the_new_kpis_in_a_scheme(personas: dict) -> None:
    """Not in version 1.0's schemes, but a later version may weigh them: the cycle then measures them."""
    from apps.performance import services
    from apps.performance.models import Assessment
    from apps.policy.selectors import policy_today
    from apps.policy.tests.factories import new_version

    carol, dave = personas["rep_carol"], personas["auditor_dave"].user
    customer = customer_of(carol.user)
    DueContact.objects.create(
        owner=carol.user,
        owner_unit=carol.unit,
        created_by=carol.user,
        customer=customer,
        reason=DueContactReason.CADENCE,
        due_on=dt.date(2026, 8, 3),
        done_at=at(dt.date(2026, 8, 3)),
        status=DueContactStatus.DONE,
    )
    new_version(
        personas["admin"].user,
        "1.1",
        policy_today(),
        assessment={
            "schemes": {
                "customer_service": {
                    "staff": {
                        "contacts_on_time": {"weight": 60, "target": "100"},
                        "nps": {"weight": 20, "target": "50"},
                        "manager_rating": {"weight": 20, "target": "100"},
                    }
                }
            }
        },
    )
    cycle = services.cycle_compute(actor=dave, cycle=services.cycle_create(actor=dave, period_key="2026-Q3"))
    card = Assessment.objects.get(cycle=cycle, owner=carol.user)
    items = {i.kpi.code: i for i in card.items.select_related("kpi")}
    assert items["contacts_on_time"].actual == Decimal("100.0")
    assert items["nps"].actual is None  # no answers: not measured
    assert items["contacts_on_time"].weight == 60
