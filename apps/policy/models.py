"""The policy as a versioned document (arts. 14, 15): its versions, their articles and their tunable rules."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel, optional_fk
from apps.core.scoping import ScopedQuerySet, ScopeFields
from apps.policy.choices import DecisionOutcome, InterpretationStatus, PolicyVersionStatus, ReviewOutcome, VoteChoice
from apps.policy.rules import default_rules_json, validate_rules

REVIEW_BEFORE_EFFECTIVE = _("The next review must come after the date the version takes effect.")
PUBLISHED_WITHOUT_DATE = _("A version that is or was in force needs the date it takes effect.")
SAME_EFFECTIVE_DATE = _("Another version of this policy is already published to take effect on that date.")

_S = PolicyVersionStatus
# Versions that are or will be in force on their date; withdrawn ones and drafts never are.
PUBLISHED_STATUSES = (_S.PUBLISHED, _S.IN_FORCE, _S.SUPERSEDED)

# The amendment flow (art. 14): per status, each move with the status it leads to and who may make it —
# ``editor`` (policy.change_policyversion), ``member`` (a member of the leadership group), ``publisher``
# (policy.publish_policyversion) or ``system`` (the daily job). Services, pages and the API read it.
VERSION_FLOW: dict[str, dict[str, tuple[str, str]]] = {
    _S.DRAFT: {"edit": (_S.DRAFT, "editor"), "submit": (_S.SUBMITTED, "editor")},
    _S.SUBMITTED: {
        "vote": (_S.SUBMITTED, "member"),
        "approve": (_S.APPROVED, "member"),
        "reject": (_S.DRAFT, "member"),
        "no_quorum": (_S.DRAFT, "member"),
    },
    _S.APPROVED: {"publish": (_S.PUBLISHED, "publisher")},
    _S.PUBLISHED: {"withdraw": (_S.WITHDRAWN, "publisher"), "take_effect": (_S.IN_FORCE, "system")},
    _S.IN_FORCE: {"supersede": (_S.SUPERSEDED, "system")},
    _S.SUPERSEDED: {},
    _S.WITHDRAWN: {},
}

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """Write 1–99 the way Chinese documents number chapters and articles: 十五, 二十一."""
    tens, ones = divmod(n, 10)
    if not 0 < n < 100:
        return str(n)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def _chinese_active() -> bool:
    return (translation.get_language() or settings.LANGUAGE_CODE).startswith("zh")


class Policy(TimeStampedModel):
    """A company policy (制度), e.g. 公司市场开发及销售管理制度. Its content lives in its versions."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("policy name"), max_length=100)
    name_en = models.CharField(_("policy name (English)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("policy")
        verbose_name_plural = _("policies")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.name if _chinese_active() or not self.name_en else self.name_en


class PolicyVersion(TimeStampedModel):
    """One version of a policy: its articles and rules, and when it is in force.

    A draft may change; once put in force it is fixed, and it stays the version in force from
    ``effective_from`` until a later version takes effect (then it is superseded).
    """

    policy = models.ForeignKey(Policy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(_("version"), max_length=20)
    status = models.CharField(
        _("status"), max_length=20, choices=PolicyVersionStatus.choices, default=PolicyVersionStatus.DRAFT
    )
    based_on = optional_fk("self", _("based on"), on_delete=models.SET_NULL, related_name="+")
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = optional_fk(settings.AUTH_USER_MODEL, _("published by"), on_delete=models.PROTECT, related_name="+")
    decided_by = models.CharField(_("decided by"), max_length=100, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
    next_review_on = models.DateField(_("next review on"), null=True, blank=True)
    rules = models.JSONField(_("rules"), default=default_rules_json, validators=[validate_rules])
    # The rules are left out of the field-by-field history: they change only in drafts, and each change
    # is recorded as a change reason in plain words instead of a JSON dump.
    history = HistoricalRecords(excluded_fields=["rules"])

    class Meta:
        verbose_name = _("policy version")
        verbose_name_plural = _("policy versions")
        ordering = ["policy_id", F("effective_from").desc(nulls_first=True), "-id"]
        permissions = [("publish_policyversion", _("Can put a policy version in force"))]
        constraints = [
            models.UniqueConstraint(fields=["policy", "label"], name="policy_version_unique_label"),
            models.CheckConstraint(
                condition=~Q(status__in=PUBLISHED_STATUSES) | Q(effective_from__isnull=False),
                name="policy_version_published_has_date",
                violation_error_message=PUBLISHED_WITHOUT_DATE,
            ),
            # The version in force on any date is unambiguous: one published version per policy and date.
            models.UniqueConstraint(
                fields=["policy", "effective_from"],
                condition=Q(status__in=PUBLISHED_STATUSES),
                name="policy_version_one_per_effective_date",
                violation_error_message=SAME_EFFECTIVE_DATE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.label}"

    def clean(self) -> None:
        if self.effective_from and self.next_review_on and self.next_review_on <= self.effective_from:
            raise ValidationError({"next_review_on": REVIEW_BEFORE_EFFECTIVE})

    @property
    def is_draft(self) -> bool:
        return self.status == PolicyVersionStatus.DRAFT


class PolicyDecision(TimeStampedModel):
    """The leadership group's decision on a submitted version (art. 14: 领导小组讨论决议).

    Members vote one by one (each vote is a ``PolicyVote``; a member who votes is present); closing the
    meeting counts them against the quorum and majority of the settings and records the outcome.
    """

    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("policy version"), on_delete=models.CASCADE, related_name="decisions"
    )
    meeting_date = models.DateField(_("meeting date"))
    minutes = models.TextField(_("minutes"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=DecisionOutcome.choices, default=DecisionOutcome.PENDING
    )
    group_size = models.PositiveSmallIntegerField(_("members of the leadership group"), default=0)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    closed_by = optional_fk(settings.AUTH_USER_MODEL, _("closed by"), on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("policy decision")
        verbose_name_plural = _("policy decisions")
        ordering = ["-meeting_date", "-id"]

    def __str__(self) -> str:
        return f"{self.version} {self.meeting_date:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.outcome == DecisionOutcome.PENDING


class PolicyVote(TimeStampedModel):
    """One leadership-group member's vote in a decision (赞成 / 反对 / 弃权); a member who votes is present."""

    decision = models.ForeignKey(
        PolicyDecision, verbose_name=_("policy decision"), on_delete=models.CASCADE, related_name="votes"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.PROTECT, related_name="+"
    )
    vote = models.CharField(_("vote"), max_length=10, choices=VoteChoice.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["decision_id", "id"]
        constraints = [models.UniqueConstraint(fields=["decision", "member"], name="policy_vote_one_per_member")]

    def __str__(self) -> str:
        return f"{self.member} {self.get_vote_display()}"


class Article(models.Model):
    """One article (条) of a policy version, in the Chinese original and an English rendering."""

    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("policy version"), on_delete=models.CASCADE, related_name="articles"
    )
    chapter_number = models.PositiveSmallIntegerField(_("chapter"))
    chapter_title_zh = models.CharField(_("chapter title (Chinese)"), max_length=100)
    chapter_title_en = models.CharField(_("chapter title (English)"), max_length=100, blank=True)
    number = models.PositiveSmallIntegerField(_("article"))
    title_zh = models.CharField(_("title (Chinese)"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=100, blank=True)
    text_zh = models.TextField(_("text (Chinese original)"))
    text_en = models.TextField(_("text (English rendering)"), blank=True)
    order = models.PositiveIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["version_id", "order", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="policy_article_unique_number")]

    def __str__(self) -> str:
        return f"{self.label_zh} {self.title_zh}"

    @property
    def label_zh(self) -> str:
        return f"第{chinese_number(self.number)}条"

    @property
    def chapter_label_zh(self) -> str:
        return f"第{chinese_number(self.chapter_number)}章"

    @property
    def label(self) -> str:
        """第十五条 in Chinese, "Article 15" in English."""
        return self.label_zh if _chinese_active() else gettext("Article %(number)s") % {"number": self.number}

    @property
    def chapter_label(self) -> str:
        if _chinese_active():
            return self.chapter_label_zh
        return gettext("Chapter %(number)s") % {"number": self.chapter_number}

    # The article texts are data in two languages, not gettext strings: pick the one of the interface
    # language, falling back to the Chinese original where there is no English.
    @property
    def title(self) -> str:
        return self.title_zh if _chinese_active() or not self.title_en else self.title_en

    @property
    def text(self) -> str:
        return self.text_zh if _chinese_active() or not self.text_en else self.text_en

    @property
    def alternate_title(self) -> str:
        return self.title_en if _chinese_active() else self.title_zh

    @property
    def alternate_text(self) -> str:
        """The text in the other language (shown on demand)."""
        return self.text_en if _chinese_active() else self.text_zh

    @property
    def chapter_title(self) -> str:
        return self.chapter_title_zh if _chinese_active() or not self.chapter_title_en else self.chapter_title_en


# Acknowledgement, interpretation, review
# (policy arts. 14, 15: amendments and interpretations are notified and explained to every employee, who confirms
# having read them; each version is evaluated from time to time.)


class PolicyAcknowledgement(TimeStampedModel):
    """One employee's read confirmation (我已阅读并知晓) of one version in force.

    A row is asked for every active employee when the version is in force; ``confirmed_at`` is set when they
    confirm. A new version needs a new row, so it resets the confirmation. Scoped by the employee's department:
    staff see their own, managers their tree, senior management and the leadership group all.
    """

    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("policy version"), on_delete=models.CASCADE, related_name="acknowledgements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="policy_acknowledgements",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    history = HistoricalRecords()

    scope_fields = ScopeFields(owner="user", unit="user__employee__department")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy acknowledgement")
        verbose_name_plural = _("policy acknowledgements")
        ordering = ["version_id", "user_id"]
        permissions = [("remind_policyacknowledgement", _("Can remind employees to confirm the policy"))]
        constraints = [models.UniqueConstraint(fields=["version", "user"], name="policy_ack_unique_version_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.version.label}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Interpretation(TimeStampedModel):
    """A question about an article (解释) and the leadership group's answer (art. 14).

    Not scoped by department: a published answer is for everyone; the asker sees their own question, the
    leadership group all (``selectors.interpretation_list``)."""

    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("policy version"), on_delete=models.PROTECT, related_name="interpretations"
    )
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.PROTECT, related_name="interpretations"
    )
    question = models.TextField(_("question"))
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("asked by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=InterpretationStatus.choices, default=InterpretationStatus.ASKED
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_by = optional_fk(settings.AUTH_USER_MODEL, _("answered by"), on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    published_by = optional_fk(settings.AUTH_USER_MODEL, _("published by"), on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("interpretation")
        verbose_name_plural = _("interpretations")
        ordering = ["-created_at", "-id"]
        permissions = [("answer_interpretation", _("Can answer and publish interpretations of the policy"))]

    def __str__(self) -> str:
        return f"{self.article.label_zh} · {self.question[:40]}"


class PolicyReview(TimeStampedModel):
    """A periodic review of a version (art. 15: 适时进行评估和调整): keep it as it is, or amend it.

    ``evidence`` keeps the figures considered, computed when the review was recorded (a list of
    ``{"label": …, "value": …}``), so the record does not change when the data does."""

    version = models.ForeignKey(
        PolicyVersion, verbose_name=_("policy version"), on_delete=models.PROTECT, related_name="reviews"
    )
    reviewed_on = models.DateField(_("reviewed on"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=ReviewOutcome.choices)
    reasons = models.TextField(_("reasons"))
    evidence = models.JSONField(_("evidence considered"), default=list, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    next_review_on = models.DateField(_("next review on"), null=True, blank=True)
    draft = optional_fk(PolicyVersion, _("draft opened"), on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("policy review")
        verbose_name_plural = _("policy reviews")
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.version} · {self.reviewed_on.isoformat()}"


# The interpretation flow (art. 14, "lighter than an amendment"): one member of the leadership group answers,
# revises, publishes or declines. status → action → the status it leads to; every move needs
# ``policy.answer_interpretation``. The services refuse any other move; the pages show only these buttons.
INTERPRETATION_FLOW: dict[str, dict[str, str]] = {
    InterpretationStatus.ASKED: {"answer": InterpretationStatus.ANSWERED, "decline": InterpretationStatus.DECLINED},
    InterpretationStatus.ANSWERED: {
        "answer": InterpretationStatus.ANSWERED,
        "publish": InterpretationStatus.PUBLISHED,
        "decline": InterpretationStatus.DECLINED,
    },
    InterpretationStatus.PUBLISHED: {},
    InterpretationStatus.DECLINED: {},
}
