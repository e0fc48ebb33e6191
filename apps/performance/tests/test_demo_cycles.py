"""The demo's finalised cycles recomputed from the raw records, not through the app's selectors (issue: performance
assessment, done when 1): for every person and department of the four finalised quarters, each computed KPI line
equals a recomputation from the rows, the sales lines equal the attainment page's figures for the same node and
period, and every weighted score and grade follows the rules of the version the cycle kept."""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.test import Client

from apps.improvements.models import ImprovementAction
from apps.marketing.models import Lead, Visit
from apps.org.models import User
from apps.performance import services
from apps.performance.models import Appeal, Assessment, AssessmentCycle, AssessmentItem, RewardPenalty
from apps.performance.services import cycle_rules
from apps.policy.choices import KpiCode
from apps.policy.selectors import POLICY_TIME_ZONE, policy_today
from apps.policy.tests.factories import new_version
from apps.sales.choices import ContractStatus, TargetStatus, TargetTier
from apps.sales.models import Contract, SalesPlanAction, TargetNode
from apps.sales.selectors.attainment import make_period, node_attainment
from apps.service.models import Ticket
from apps.surveys.models import SurveyResponse

pytestmark = pytest.mark.django_db(transaction=False)


def r1(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def r2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _mine(card: Assessment, rows: list[Any], owner: str, unit_path: str) -> list[Any]:
    """The rows of the person (by ``owner``) or of the department's subtree (by the unit's path)."""
    if card.owner_id:
        return [r for r in rows if getattr(r, f"{owner}_id") == card.owner_id]
    path = card.owner_unit.path
    return [r for r in rows if (unit_path_of(r, unit_path) or "").startswith(path)]


def unit_path_of(row: Any, lookup: str) -> str | None:
    value: Any = row
    for part in lookup.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _within(moment: dt.datetime | None, cycle: AssessmentCycle) -> bool:
    if moment is None:
        return False
    day = moment.astimezone(POLICY_TIME_ZONE).date()
    return cycle.start <= day <= cycle.end


def _share(part: int, whole: int) -> Decimal | None:
    return r1(Decimal(part) * 100 / whole) if whole else None


def expected(code: str, card: Assessment, cycle: AssessmentCycle, raw: dict[str, list[Any]]) -> Decimal | None:
    if code == KpiCode.LEADS_HANDED_OVER:
        return Decimal(
            len(_mine(card, [r for r in raw["leads"] if _within(r.handed_at, cycle)], "owner", "owner_unit__path"))
        )
    if code == KpiCode.VISITS_DONE:
        return Decimal(
            len(
                _mine(
                    card,
                    [v for v in raw["visits"] if cycle.start <= v.visited_on <= cycle.end],
                    "owner",
                    "owner_unit__path",
                )
            )
        )
    if code in (KpiCode.FIRST_RESPONSE_ON_TIME, KpiCode.RESOLUTION_ON_TIME):
        due, done = (
            ("first_response_due", "first_responded_at")
            if code == KpiCode.FIRST_RESPONSE_ON_TIME
            else ("resolution_due", "resolved_at")
        )
        rows = _mine(
            card, [t for t in raw["tickets"] if _within(getattr(t, due), cycle)], "assignee", "department__path"
        )
        return _share(sum(1 for t in rows if getattr(t, done) and getattr(t, done) <= getattr(t, due)), len(rows))
    if code == KpiCode.COMPLAINT_RESOLUTION:
        end = dt.datetime.combine(cycle.end + dt.timedelta(days=1), dt.time.min, tzinfo=POLICY_TIME_ZONE)
        rows = _mine(
            card,
            [t for t in raw["tickets"] if t.ticket_type == "complaint" and _within(t.created_at, cycle)],
            "assignee",
            "department__path",
        )
        return _share(sum(1 for t in rows if t.resolved_at and t.resolved_at < end), len(rows))
    if code == KpiCode.CSAT:
        tickets = {t.pk for t in _mine(card, raw["tickets"], "assignee", "department__path")}
        scores = [
            r.csat for r in raw["responses"] if r.invitation.source_id in tickets and _within(r.submitted_at, cycle)
        ]
        return r2(sum(scores, Decimal(0)) / len(scores)) if scores else None
    if code == KpiCode.IMPROVEMENTS_ON_TIME:
        rows = _mine(
            card,
            [a for a in raw["actions"] if cycle.start <= a.due_date <= cycle.end and a.status != "cancelled"],
            "owner",
            "owner_unit__path",
        )
        return _share(
            sum(1 for a in rows if a.completed_at and a.completed_at.astimezone(POLICY_TIME_ZONE).date() <= a.due_date),
            len(rows),
        )
    if code == KpiCode.SALES_PLAN_ACTIONS_ON_TIME:
        rows = _mine(
            card,
            [
                a
                for a in raw["plan_actions"]
                if cycle.start <= a.due_date <= cycle.end and a.plan.status in ("approved", "executing", "closed")
            ],
            "responsible",
            "plan__owner_unit__path",
        )
        return _share(sum(1 for a in rows if _plan_action_on_time(a)), len(rows))
    raise KeyError(code)


def _plan_action_on_time(action: SalesPlanAction) -> bool:
    return (
        action.status == "done"
        and action.done_at is not None
        and action.done_at.astimezone(POLICY_TIME_ZONE).date() <= action.due_date
    )


def line_score(kpi: Any, line: Any, actual: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    """(completion, score) of a line from its actual and the scheme line of the rules (written here from the
    rules' definitions, not through the app's scoring)."""
    if actual is None:
        return None, None
    cap = Decimal(kpi.score_cap)
    if line.scoring == "deduction":
        return None, r2(max(Decimal(0), line.start - line.points * actual))
    if kpi.direction == "lower":
        completion = cap if actual == 0 else r1(line.target * 100 / actual)
    else:
        completion = r1(actual * 100 / line.target) if line.target else cap
    if line.scoring == "bands":
        score = next((s for low, s in line.bands if completion >= low), Decimal(0))
    elif line.scoring == "threshold" and completion < line.threshold:
        score = Decimal(0)
    else:
        score = min(max(completion, Decimal(0)), cap)
    return completion, r2(score)


def frozen(cycles: list[AssessmentCycle]) -> list[Any]:
    """Every field of the cycles, their scorecards, lines, appeals and reward/penalty proposals."""
    state: list[Any] = []
    for cycle in cycles:
        cycle.refresh_from_db()
        state.append(model_to_dict(cycle))
        for card in Assessment.objects.filter(cycle=cycle).order_by("pk"):
            state.append(model_to_dict(card))
            state.extend(model_to_dict(i) for i in card.items.order_by("pk"))
            state.extend(model_to_dict(a) for a in Appeal.objects.filter(assessment=card))
        state.extend(model_to_dict(r) for r in RewardPenalty.objects.filter(assessment__cycle=cycle).order_by("pk"))
    return state


def check_scores(card: Assessment, items: list[AssessmentItem], rules: Any, department_totals: dict) -> None:
    """The lines are the scheme's of the rules the cycle kept; each score follows its line's scoring; the weighted
    total, the adjustment or the appeal's new score, and the grade follow the rules."""
    where = (card.cycle.period_key, card.subject_name)
    scheme = rules.assessment.scheme(card.department_kind, card.level)
    assert [(i.kpi.code, i.weight, i.target) for i in items] == [(ln.kpi, ln.weight, ln.target) for ln in scheme.lines]
    for item, line in zip(items, scheme.lines, strict=True):
        if item.kpi.code == KpiCode.MANAGER_RATING:
            assert item.score == item.actual, where  # scored by hand at the review
            assert (item.score is None) == (card.status == "computed"), where  # not reviewed yet: not scored
        else:
            if item.kpi.code == KpiCode.DEPARTMENT_SCORE:
                assert item.actual == department_totals[card.owner_unit_id], where
            assert (item.completion, item.score) == line_score(item.kpi, line, item.actual), (where, item.kpi.code)
        assert item.contribution == (None if item.score is None else r2(item.score * item.weight / 100))
    measured = [(i.weight, i.score) for i in items if i.score is not None]
    weights = sum(w for w, _ in measured)
    assert card.computed_total == (r2(sum(Decimal(w) * s for w, s in measured) / weights) if weights else 0), where
    appeal = Appeal.objects.filter(assessment=card).first()
    if appeal is not None and appeal.new_total is not None:
        assert card.total == appeal.new_total, where
    else:
        assert card.total == max(Decimal(0), card.computed_total + card.adjustment), where
    if card.grade_capped:  # the forced distribution lowered an excellent
        assert rules.grade_for(card.total) == "excellent" != card.grade, where
    else:
        assert card.grade == rules.grade_for(card.total), where


def test_the_demos_finalised_cycles_equal_a_recomputation_from_the_records() -> None:
    call_command("load_demo", stdout=io.StringIO())
    ticket_type = ContentType.objects.get_for_model(Ticket)
    raw = {
        "leads": list(Lead.objects.select_related("owner_unit")),
        "visits": list(Visit.objects.select_related("owner_unit")),
        "tickets": list(Ticket.objects.select_related("department")),
        "responses": list(
            SurveyResponse.objects.filter(csat__isnull=False, invitation__source_type=ticket_type).select_related(
                "invitation"
            )
        ),
        "actions": list(ImprovementAction.objects.select_related("owner_unit")),
        "plan_actions": list(SalesPlanAction.objects.select_related("plan__owner_unit")),
    }
    first: dict[int, Contract] = {}
    for contract in (
        Contract.objects.filter(status=ContractStatus.APPROVED).select_related("owner_unit").order_by("signed_on", "pk")
    ):
        first.setdefault(contract.customer_id, contract)  # a customer's first approved contract makes it new
    raw["first_contracts"] = list(first.values())
    attainment = Client()
    attainment.force_login(User.objects.get(username="ceo"))
    cycles = list(AssessmentCycle.objects.filter(status="published").order_by("start"))
    assert [c.period_key for c in cycles] == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    checked = 0
    for cycle in cycles:
        rules = cycle_rules(cycle)
        quarter = make_period("quarter", cycle.start.year, (cycle.start.month - 1) // 3 + 1)
        cards = list(Assessment.objects.filter(cycle=cycle).select_related("owner_unit", "owner", "cycle"))
        department_totals = {c.owner_unit_id: c.total for c in cards if c.owner_id is None}
        for card in cards:
            items = list(card.items.select_related("kpi").order_by("position"))
            check_scores(card, items, rules, department_totals)
            for item in items:
                code = item.kpi.code
                if code in (KpiCode.MANAGER_RATING, KpiCode.DEPARTMENT_SCORE):
                    continue
                if code == KpiCode.NEW_CUSTOMERS:
                    firsts = [c for c in raw["first_contracts"] if quarter.start <= c.signed_on <= quarter.end]
                    want = Decimal(len({c.customer_id for c in _mine(card, firsts, "owner", "owner_unit__path")}))
                elif code in (KpiCode.CONTRACT_AMOUNT_COMPLETION, KpiCode.PAYMENT_COMPLETION):
                    metric = "contract_amount" if code == KpiCode.CONTRACT_AMOUNT_COMPLETION else "payments"
                    nodes = TargetNode.objects.filter(
                        target_set__fiscal_year=quarter.year,
                        target_set__metric=metric,
                        target_set__tier=TargetTier.BASE,
                        target_set__status=TargetStatus.APPROVED,
                        **(
                            {"person": card.owner}
                            if card.owner_id
                            else {"department": card.owner_unit, "person__isnull": True}
                        ),
                    )
                    node = nodes.order_by("pk").first()
                    if node is None:  # no target for this node: nothing to measure against
                        assert item.actual is None
                        checked += 1
                        continue
                    figures = node_attainment(node, quarter, as_of=quarter.end)
                    want = r1(figures.actual * 100 / figures.target) if figures.target else None
                    # The attainment page's figures (its API) for the same node and period, to the cent.
                    page = attainment.get("/api/v1/attainment/", {"node": node.pk, "period": quarter.key}).json()
                    assert (Decimal(page["actual"]), Decimal(page["target"])) == (figures.actual, figures.target)
                else:
                    want = expected(code, card, cycle, raw)
                assert item.actual == want, (cycle.period_key, card.subject_name, code, item.actual, want)
                checked += 1
    # The sales plan actions KPI is measured for the sales people and departments of every finalised quarter, with
    # actions done on time and late among them (the demo's team plans), so its lines above were not all "nothing".
    plan_lines = AssessmentItem.objects.filter(
        assessment__cycle__in=cycles, kpi__code=KpiCode.SALES_PLAN_ACTIONS_ON_TIME, actual__isnull=False
    )
    assert {i.assessment.cycle.period_key for i in plan_lines.select_related("assessment__cycle")} == set(
        c.period_key for c in cycles
    )
    assert plan_lines.filter(actual=Decimal("100.0")).exists() and plan_lines.filter(actual__lt=100).exists()
    counted = [a for a in raw["plan_actions"] if cycles[0].start <= a.due_date <= cycles[-1].end]
    assert any(_plan_action_on_time(a) for a in counted) and not all(_plan_action_on_time(a) for a in counted)
    lines = (
        AssessmentItem.objects.filter(assessment__cycle__in=cycles)
        .exclude(kpi__code__in=[KpiCode.MANAGER_RATING, KpiCode.DEPARTMENT_SCORE])
        .count()
    )
    assert checked == lines > 0

    # A new version with other weights and bands (done when 2): the open 2026 Q4 cycle is computed by it, the four
    # finalised cycles stay exactly as they were, field by field, and cannot be computed again.
    before = frozen(cycles)
    ceo = User.objects.get(username="ceo")
    bands = {"excellent": 95, "good": 85, "pass": 70, "needs_improvement": 55, "fail": 0}
    sales_staff = {
        "contract_amount_completion": {"weight": 60, "target": "100"},
        "payment_completion": {"weight": 20, "target": "100"},
        "sales_plan_actions_on_time": {"weight": 10, "target": "90", "scoring": "threshold", "threshold": "50"},
        "manager_rating": {"weight": 10, "target": "100"},
    }
    version = new_version(
        User.objects.get(username="admin"),
        "2.0",
        policy_today(),
        grade_bands=bands,
        assessment={"schemes": {"sales": {"staff": sales_staff}}},
    )
    q4 = AssessmentCycle.objects.get(period_key="2026-Q4")
    services.cycle_compute(actor=ceo, cycle=q4)
    q4.refresh_from_db()
    assert q4.rules_version_id == version.pk != cycles[-1].rules_version_id
    new_rules = cycle_rules(q4)
    assert [(b.grade, b.min_score) for b in new_rules.grade_bands] == list(bands.items())
    cards = list(Assessment.objects.filter(cycle=q4).select_related("owner_unit", "owner", "cycle"))
    department_totals = {c.owner_unit_id: c.total for c in cards if c.owner_id is None}
    sales_people = [c for c in cards if c.department_kind == "sales" and c.level == "staff"]
    assert sales_people
    for card in cards:
        check_scores(card, list(card.items.select_related("kpi").order_by("position")), new_rules, department_totals)
    for card in sales_people:
        weights = {i.kpi.code: i.weight for i in card.items.select_related("kpi")}
        assert weights == {code: line["weight"] for code, line in sales_staff.items()}
    for cycle in cycles:
        with pytest.raises(ValidationError):
            services.cycle_compute(actor=ceo, cycle=cycle)
    assert frozen(cycles) == before
