"""The data-scope matrix of scorecards, appeals, rewards and penalties and violations (selector, page, API):
staff see their own, managers their department and below, senior management all."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from apps.core import testing as core_testing
from apps.core.testing import Persona
from apps.performance.models import Appeal, Assessment, AssessmentCycle, RewardPenalty, Violation


def _cycle() -> AssessmentCycle:
    cycle, _ = AssessmentCycle.objects.get_or_create(
        period_key="2026-Q3",
        defaults={"name": "2026年第3季度考核", "start": dt.date(2026, 7, 1), "end": dt.date(2026, 9, 30)},
    )
    return cycle


def _card(persona: Persona) -> Assessment:
    return Assessment.objects.create(
        cycle=_cycle(),
        owner=persona.user,
        owner_unit=persona.unit,
        subject_kind="person",
        department_kind="sales",
        level="staff",
    )


class AssessmentScopeTests(core_testing.ScopeMatrixTests):
    model = Assessment
    api_list_url = "/api/v1/assessments/"
    detail_route = "performance:assessment_detail"

    @property
    def list_url(self) -> str:  # type: ignore[override]
        return reverse("performance:cycle_detail", args=[_cycle().pk])

    def make(self, persona: Persona) -> Assessment:
        return _card(persona)

    def label(self, record: Assessment) -> str:
        return f'href="{self.detail_url(record)}"'


class AppealScopeTests(core_testing.ScopeMatrixTests):
    model = Appeal
    list_url = "/performance/appeals/"
    api_list_url = "/api/v1/appeals/"

    def make(self, persona: Persona) -> Appeal:
        return Appeal.objects.create(assessment=_card(persona), reason=f"申诉理由-{persona.key}")

    def detail_url(self, record: Appeal) -> str:
        return reverse("performance:assessment_detail", args=[record.assessment_id])

    def label(self, record: Appeal) -> str:
        return record.reason


class RewardPenaltyScopeTests(core_testing.ScopeMatrixTests):
    model = RewardPenalty
    list_url = "/performance/rewards-penalties/"
    api_list_url = "/api/v1/rewards-penalties/"
    detail_route = "performance:rewardpenalty_detail"

    def make(self, persona: Persona) -> RewardPenalty:
        return RewardPenalty.objects.create(
            action="commendation",
            is_reward=True,
            person=persona.user,
            department=persona.unit,
            reason=f"奖惩理由-{persona.key}",
        )

    def label(self, record: RewardPenalty) -> str:
        return record.reason


class ViolationScopeTests(core_testing.ScopeMatrixTests):
    model = Violation
    list_url = "/performance/violations/"
    api_list_url = "/api/v1/violations/"
    detail_route = "performance:violation_detail"

    def make(self, persona: Persona) -> Violation:
        return Violation.objects.create(
            owner=persona.user,
            owner_unit=persona.unit,
            article=13,
            happened_on=dt.date(2026, 8, 1),
            description=f"违规经过-{persona.key}",
            reported_by=persona.user,
        )

    def label(self, record: Violation) -> str:
        return record.description
