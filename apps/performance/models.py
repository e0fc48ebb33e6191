"""Performance assessment (绩效考核, policy arts. 11–13).

The KPI library says what each indicator means; a cycle (考核周期) assesses every person and department of the
market development, sales and customer service departments for a period, by the schemes of the policy version in
force when it was computed. Computing snapshots every input with the records it came from, so a finalised result
never changes when the data does. Grades propose rewards and penalties that senior management decides;
violations (违规记录) lead to penalties whatever the score.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel, TimeStampedModel, optional_fk
from apps.core.scoping import ScopedQuerySet, ScopeFields
from apps.performance.choices import (
    AppealStatus,
    AssessmentStatus,
    CycleStatus,
    Direction,
    KpiMethod,
    KpiUnit,
    ProposalStatus,
    SubjectKind,
    ViolationStatus,
)
from apps.policy.choices import AssessedKind, AssessmentLevel, Grade, KpiCode, RewardPenaltyAction


class Kpi(models.Model):
    """A KPI definition (考核指标): what is measured, how, and how it is scored against its target."""

    code = models.CharField(_("code"), max_length=40, unique=True, choices=KpiCode.choices)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    unit = models.CharField(_("unit"), max_length=10, choices=KpiUnit.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    method = models.CharField(_("measured"), max_length=10, choices=KpiMethod.choices, default=KpiMethod.COMPUTED)
    article = models.PositiveSmallIntegerField(_("policy article"))
    description = models.TextField(_("how it is measured"), blank=True)
    description_en = models.TextField(_("how it is measured (English)"), blank=True)
    # Score = completion of the target in %, linear, capped (a KPI cannot carry the whole scorecard).
    score_cap = models.PositiveSmallIntegerField(_("score cap"), default=120)

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["article", "code"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") and self.name_en else self.name

    @property
    def display_description(self) -> str:
        if (get_language() or "").startswith("en") and self.description_en:
            return self.description_en
        return self.description


class AssessmentCycle(TimeStampedModel):
    """One assessment period (2026-Q4) for every person and department assessed; keeps the policy version whose
    schemes it was computed with."""

    name = models.CharField(_("name"), max_length=100)
    period_key = models.CharField(_("period"), max_length=10, unique=True)  # 2026-Q4, 2026-05, 2026
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    status = models.CharField(_("status"), max_length=20, choices=CycleStatus.choices, default=CycleStatus.OPEN)
    rules_version = optional_fk("policy.PolicyVersion", _("policy version"), on_delete=models.PROTECT, related_name="+")
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = optional_fk(settings.AUTH_USER_MODEL, _("created by"), on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")
        ordering = ["-start"]
        permissions = [
            ("compute_assessmentcycle", _("Can compute assessment cycles")),
            ("finalise_assessmentcycle", _("Can finalise and publish assessment cycles")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_final(self) -> bool:
        return self.status in (CycleStatus.FINALISED, CycleStatus.PUBLISHED)


class Assessment(OwnedModel):
    """The scorecard of one person (``owner``) or one department (``owner`` None) in a cycle. ``owner_unit`` is the
    person's department at computing time, or the department assessed."""

    cycle = models.ForeignKey(
        AssessmentCycle, verbose_name=_("assessment cycle"), on_delete=models.CASCADE, related_name="assessments"
    )
    subject_kind = models.CharField(_("assessed"), max_length=12, choices=SubjectKind.choices)
    department_kind = models.CharField(_("department kind"), max_length=30, choices=AssessedKind.choices)
    level = models.CharField(_("level"), max_length=12, choices=AssessmentLevel.choices)
    # Optional here (a department's assessment has no person): narrowing OwnedModel's field is Django's way.
    owner = optional_fk(settings.AUTH_USER_MODEL, _("person assessed"), on_delete=models.PROTECT, related_name="+")
    computed_total = models.DecimalField(_("computed score"), max_digits=6, decimal_places=2, default=Decimal("0"))
    adjustment = models.DecimalField(_("manager's adjustment"), max_digits=5, decimal_places=2, default=Decimal("0"))
    adjustment_reason = models.CharField(_("reason for the adjustment"), max_length=300, blank=True)
    total = models.DecimalField(_("score"), max_digits=6, decimal_places=2, default=Decimal("0"))
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices, blank=True)
    # True when senior management applied the forced distribution: the score earns a better grade than given.
    grade_capped = models.BooleanField(_("grade set by the forced distribution"), default=False)
    rank_in_department = models.PositiveIntegerField(_("rank in department"), null=True, blank=True)
    rank_in_company = models.PositiveIntegerField(_("rank in company"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.COMPUTED
    )
    manager_comment = models.TextField(_("manager's comment"), blank=True)
    reviewed_by = optional_fk(settings.AUTH_USER_MODEL, _("reviewed by"), on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    history = HistoricalRecords()

    scope_fields = ScopeFields(owner="owner", unit="owner_unit")

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["cycle", "-total", "pk"]
        permissions = [("review_assessment", _("Can review the assessments of the department"))]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "owner"],
                condition=models.Q(subject_kind="person"),
                name="performance_one_assessment_per_person",
            ),
            models.UniqueConstraint(
                fields=["cycle", "owner_unit"],
                condition=models.Q(subject_kind="department"),
                name="performance_one_assessment_per_department",
            ),
        ]
        indexes = [models.Index(fields=["cycle", "owner_unit", "total"])]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.subject_name}"

    @property
    def subject_name(self) -> str:
        if self.subject_kind == SubjectKind.PERSON and self.owner_id:
            owner = self.owner
            assert owner is not None  # owner_id is set
            return owner.name or owner.username
        return self.owner_unit.name


class AssessmentItem(models.Model):
    """One KPI line of a scorecard, frozen when computed: actual, target, completion, score, weight, contribution,
    and the records the actual came from (``sources``: [{"model", "pk", "label", "value"}])."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="items")
    kpi = models.ForeignKey(Kpi, verbose_name=_("KPI"), on_delete=models.PROTECT, related_name="+")
    weight = models.PositiveSmallIntegerField(_("weight (%)"))
    target = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    actual = models.DecimalField(_("actual"), max_digits=16, decimal_places=2, null=True, blank=True)
    completion = models.DecimalField(_("completion (%)"), max_digits=8, decimal_places=1, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    contribution = models.DecimalField(_("contribution"), max_digits=6, decimal_places=2, null=True, blank=True)
    # What the actual counts, in words (e.g. "12 of 14 tickets"), and the records behind it.
    basis = models.CharField(_("basis"), max_length=200, blank=True)
    sources = models.JSONField(_("records counted"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("KPI result")
        verbose_name_plural = _("KPI results")
        ordering = ["assessment", "position"]
        constraints = [models.UniqueConstraint(fields=["assessment", "kpi"], name="performance_one_line_per_kpi")]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.kpi}"


class Appeal(TimeStampedModel):
    """申诉: the person assessed disagrees, once per assessment; the manager's manager or senior management decides."""

    assessment = models.OneToOneField(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="appeal"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.PENDING)
    decision = models.TextField(_("decision"), blank=True)
    new_total = models.DecimalField(_("score after the appeal"), max_digits=6, decimal_places=2, null=True, blank=True)
    decided_by = optional_fk(settings.AUTH_USER_MODEL, _("decided by"), on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    scope_fields = ScopeFields(owner="assessment__owner", unit="assessment__owner_unit")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at"]
        permissions = [("decide_appeal", _("Can decide appeals"))]

    def __str__(self) -> str:
        return f"{self.assessment}"


class Violation(OwnedModel):
    """违规记录: a breach of the policy by a person (``owner``); it can lead to a penalty whatever the score."""

    article = models.PositiveSmallIntegerField(_("article broken"))
    happened_on = models.DateField(_("happened on"))
    description = models.TextField(_("what happened"))
    evidence = models.FileField(_("evidence"), upload_to="violations/%Y/", blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ViolationStatus.choices, default=ViolationStatus.REPORTED
    )
    decision = models.TextField(_("decision"), blank=True)
    decided_by = optional_fk(settings.AUTH_USER_MODEL, _("decided by"), on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # 申诉: the person may appeal a confirmed violation once; senior management or the leadership group decides.
    appeal_reason = models.TextField(_("reason for the appeal"), blank=True)
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True)
    appeal_decision = models.TextField(_("decision on the appeal"), blank=True)
    appeal_decided_by = optional_fk(
        settings.AUTH_USER_MODEL, _("appeal decided by"), on_delete=models.SET_NULL, related_name="+"
    )
    appeal_decided_at = models.DateTimeField(_("appeal decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-happened_on", "-pk"]
        permissions = [("decide_violation", _("Can decide violations"))]

    def __str__(self) -> str:
        return f"{self.owner} · {self.happened_on}"


class RewardPenalty(TimeStampedModel):
    """奖惩: proposed by the system after a cycle is finalised (from the grade) or raised from a violation; decided
    by senior management; recorded on the person's or the department's record."""

    action = models.CharField(_("action"), max_length=20, choices=RewardPenaltyAction.choices)
    is_reward = models.BooleanField(_("reward"))
    person = optional_fk(settings.AUTH_USER_MODEL, _("person"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    assessment = optional_fk(Assessment, _("assessment"), on_delete=models.PROTECT, related_name="proposals")
    violation = optional_fk(Violation, _("violation"), on_delete=models.PROTECT, related_name="proposals")
    reason = models.CharField(_("reason"), max_length=300)
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    decision_note = models.CharField(_("decision"), max_length=300, blank=True)
    decided_by = optional_fk(settings.AUTH_USER_MODEL, _("decided by"), on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    scope_fields = ScopeFields(owner="person", unit="department")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reward or penalty")
        verbose_name_plural = _("rewards and penalties")
        ordering = ["-created_at", "-pk"]
        permissions = [("decide_rewardpenalty", _("Can decide rewards and penalties"))]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=models.Q(assessment__isnull=False),
                name="performance_one_proposal_per_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.person or self.department}"
