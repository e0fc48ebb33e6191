"""Reads of the policy. ``rules_in_force`` is the one way the rest of the system reads the tunable rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import groupby
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.org.choices import BuiltinRole
from apps.org.models import Employee
from apps.org.selectors import users_with_role
from apps.policy.choices import InterpretationStatus, PolicyVersionStatus, VoteChoice
from apps.policy.models import (
    PUBLISHED_STATUSES,
    VERSION_FLOW,
    Article,
    Interpretation,
    PolicyAcknowledgement,
    PolicyDecision,
    PolicyReview,
    PolicyVersion,
)
from apps.policy.registry import ImpactQuestion, impact_sources
from apps.policy.rules import DEFAULT_RULES, SECTION_LABELS, RuleChange, Rules, parse_rules, rule_changes
from apps.policy.seed_data import POLICY_CODE

# The policy whose versions carry the rules the system runs by (公司市场开发及销售管理制度).
RULES_POLICY_CODE = POLICY_CODE
POLICY_TIME_ZONE = ZoneInfo("Asia/Shanghai")
NOTHING_IN_FORCE = _("No version of the policy is in force on %(date)s.")
PUBLISHED = PUBLISHED_STATUSES


class NoPolicyInForce(LookupError):
    """Raised when no version of the policy has taken effect on the date asked about."""

    def __init__(self, on: dt.date) -> None:
        self.on = on
        super().__init__(str(NOTHING_IN_FORCE % {"date": on.isoformat()}))


@dataclass(frozen=True)
class RulesInForce:
    """The rules in force on a date and the version they came from; a result keeps ``version_id``."""

    rules: Rules
    version_id: int
    version_label: str
    effective_from: dt.date


@dataclass
class Chapter:
    number: int
    label: str
    title: str
    articles: list[Article] = field(default_factory=list)


def policy_today() -> dt.date:
    """Today in the company's time zone (a version takes effect at midnight in Shanghai)."""
    return timezone.localdate(timezone=POLICY_TIME_ZONE)


def _published_on(on: dt.date | None) -> QuerySet[PolicyVersion]:
    """Versions of the rules policy that had taken effect by ``on``, the one in force first.

    The effective date decides, not the status flag, so a version takes effect on its date even before the
    job that marks the previous one superseded has run.
    """
    return PolicyVersion.objects.filter(
        policy__code=RULES_POLICY_CODE, status__in=PUBLISHED, effective_from__lte=on or policy_today()
    ).order_by("-effective_from", "-id")


def rules_in_force(on: dt.date | None = None) -> RulesInForce:
    """Return the rules in force on ``on`` (default: today in Shanghai) with the version they belong to.

    One query. Raise ``NoPolicyInForce`` when no version had taken effect by then.
    """
    on = on or policy_today()
    row = _published_on(on).values_list("id", "label", "effective_from", "rules").first()
    if row is None:
        raise NoPolicyInForce(on)
    version_id, label, effective_from, data = row
    return RulesInForce(parse_rules(data), version_id, label, cast(dt.date, effective_from))


def policy_in_force(on: dt.date | None = None) -> PolicyVersion:
    """Return the version of the policy in force on ``on`` (default today), with its policy; one query."""
    version = _published_on(on).select_related("policy").first()
    if version is None:
        raise NoPolicyInForce(on or policy_today())
    return version


def version_list(*, user: Any) -> QuerySet[PolicyVersion]:
    """Return the versions the user may see: the published ones, and drafts for those who may edit them."""
    if not user.has_perm("policy.view_policyversion"):
        return PolicyVersion.objects.none()
    qs = PolicyVersion.objects.select_related("policy", "published_by")
    if not user.has_perm("policy.change_policyversion"):  # drafts and undecided amendments stay with the group
        qs = qs.filter(status__in=[*PUBLISHED, PolicyVersionStatus.WITHDRAWN])
    return qs


def version_get(*, user: Any, pk: Any) -> PolicyVersion:
    """Return one version the user may see; 404 otherwise, so drafts are not revealed."""
    try:
        return version_list(user=user).get(pk=pk)
    except (PolicyVersion.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def article_list(version: PolicyVersion) -> list[Article]:
    """Return the version's articles in order; one query."""
    return list(version.articles.order_by("order", "number"))


def chapter_list(articles: list[Article]) -> list[Chapter]:
    """Group ordered articles into their chapters (no queries)."""
    chapters = []
    for number, group in groupby(articles, key=lambda a: a.chapter_number):
        members = list(group)
        chapters.append(Chapter(number, members[0].chapter_label, members[0].chapter_title, members))
    return chapters


# Which article of the policy each section of the rules carries out (for the diff in plain words).
SECTION_ARTICLES = {
    "kpi_weights": 11,
    "assessment": 11,
    "grade_bands": 13,
    "evaluation_frequencies": 12,
    "service_deadlines": 10,
    "service_escalation": 10,
    "contact_cadence_days": 10,
    "public_pool": 8,
    "approval_thresholds": 9,
}
ARTICLE_FIELD_LABELS = {
    "title_zh": _("title (Chinese)"),
    "title_en": _("title (English)"),
    "text_zh": _("text (Chinese original)"),
    "text_en": _("text (English rendering)"),
}


def leadership_members() -> QuerySet[Any]:
    """The active members of the leadership group (领导小组), who decide amendments (art. 14)."""
    return users_with_role(BuiltinRole.LEADERSHIP_GROUP)


def is_leadership_member(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and leadership_members().filter(pk=user.pk).exists()


def active_employees() -> QuerySet[Any]:
    """Every active employee, whom a publication reaches (art. 14: 及时向全体员工进行通知)."""
    return get_user_model().objects.filter(is_active=True, employee__is_active=True).distinct()


@dataclass(frozen=True)
class DecisionRule:
    """Quorum and majority, as shares that must be exceeded (default: more than half, more than half)."""

    quorum: Fraction
    majority: Fraction

    def has_quorum(self, present: int, group_size: int) -> bool:
        return group_size > 0 and Fraction(present, group_size) > self.quorum

    def has_majority(self, in_favour: int, present: int) -> bool:
        return present > 0 and Fraction(in_favour, present) > self.majority


def decision_rule() -> DecisionRule:
    """The quorum and majority of the settings (``POLICY_DECISION_QUORUM`` / ``POLICY_DECISION_MAJORITY``)."""
    return DecisionRule(
        Fraction(str(getattr(settings, "POLICY_DECISION_QUORUM", "0.5"))),
        Fraction(str(getattr(settings, "POLICY_DECISION_MAJORITY", "0.5"))),
    )


@dataclass(frozen=True)
class Tally:
    group_size: int
    present: int
    in_favour: int
    against: int
    abstain: int
    quorum: bool
    majority: bool

    @property
    def passes(self) -> bool:
        return self.quorum and self.majority


def decision_tally(decision: PolicyDecision, group_size: int | None = None) -> Tally:
    """Count a decision's votes against the quorum and majority rule; one query, none with the votes prefetched
    (one more while it is open: the size of the group)."""
    counts = dict.fromkeys(VoteChoice.values, 0)
    for vote in decision.votes.all():  # the prefetched votes in lists (no query per decision)
        counts[vote.vote] += 1
    size = (
        group_size
        if group_size is not None
        else (decision.group_size if not decision.is_open else leadership_members().count())
    )
    present = sum(counts.values())
    rule = decision_rule()
    return Tally(
        size,
        present,
        counts[VoteChoice.IN_FAVOUR],
        counts[VoteChoice.AGAINST],
        counts[VoteChoice.ABSTAIN],
        rule.has_quorum(present, size),
        rule.has_majority(counts[VoteChoice.IN_FAVOUR], present),
    )


def decision_list(*, user: Any) -> QuerySet[PolicyDecision]:
    """Decisions on the versions the user may see."""
    return (
        PolicyDecision.objects.filter(version__in=version_list(user=user))
        .select_related("version", "opened_by", "closed_by")
        .prefetch_related("votes__member")
    )


def version_allowed(user: Any, version: PolicyVersion) -> list[str]:
    """The moves of ``VERSION_FLOW`` the user may make on the version now (the buttons shown)."""
    member = None
    allowed = []
    for action, (_target, who) in VERSION_FLOW.get(version.status, {}).items():
        if who == "editor" and user.has_perm("policy.change_policyversion"):
            allowed.append(action)
        elif who == "publisher" and user.has_perm("policy.publish_policyversion"):
            if action == "withdraw" and (version.effective_from is None or version.effective_from <= policy_today()):
                continue
            allowed.append(action)
        elif who == "member":
            member = is_leadership_member(user) if member is None else member
            if member:
                allowed.append(action)
    return allowed


@dataclass(frozen=True)
class ArticleChange:
    number: int
    label: str
    title: str
    kind: str  # "added", "removed", "changed"
    fields: list[str]
    old_text: str
    new_text: str


@dataclass(frozen=True)
class RuleChangeLine:
    article: str
    change: RuleChange

    @property
    def sentence(self) -> str:
        return str(
            RULE_CHANGE_SENTENCE
            % {"article": self.article, "rule": self.change.label, "old": self.change.old, "new": self.change.new}
        )


RULE_CHANGE_SENTENCE = _("%(article)s … %(rule)s: from %(old)s to %(new)s")


@dataclass
class VersionDiff:
    base: PolicyVersion | None
    articles: list[ArticleChange]
    rules: list[RuleChangeLine]

    @property
    def is_empty(self) -> bool:
        return not self.articles and not self.rules


def diff_base(version: PolicyVersion) -> PolicyVersion | None:
    """What a version is compared with: the version it was drafted from, else the one in force."""
    if version.based_on_id:
        return version.based_on
    try:
        base = policy_in_force()
    except NoPolicyInForce:
        return None
    return base if base.pk != version.pk else None


def version_diff(version: PolicyVersion, base: PolicyVersion | None = None) -> VersionDiff:
    """Article by article and rule by rule, what ``version`` changes against ``base``; three queries."""
    base = base if base is not None else diff_base(version)
    new_articles = {a.number: a for a in article_list(version)}
    old_articles = {a.number: a for a in article_list(base)} if base is not None else {}
    changes = []
    for number in sorted(set(new_articles) | set(old_articles)):
        new, old = new_articles.get(number), old_articles.get(number)
        shown = new or old
        assert shown is not None
        fields: list[str]
        if old is None:
            kind, fields = "added", []
        elif new is None:
            kind, fields = "removed", []
        else:
            fields = [
                str(label) for name, label in ARTICLE_FIELD_LABELS.items() if getattr(old, name) != getattr(new, name)
            ]
            if not fields:
                continue
            kind = "changed"
        changes.append(
            ArticleChange(
                number, shown.label, shown.title, kind, fields, old.text if old else "", new.text if new else ""
            )
        )
    old_rules = parse_rules(base.rules) if base is not None else DEFAULT_RULES
    labels = {n: f"{a.label} {a.title}" for n, a in {**old_articles, **new_articles}.items()}
    lines = [
        RuleChangeLine(labels.get(SECTION_ARTICLES.get(c.section, 0), ""), c)
        for c in rule_changes(old_rules, parse_rules(version.rules))
    ]
    return VersionDiff(base, changes, lines)


@dataclass
class SectionImpact:
    section: str
    title: str
    changes: list[RuleChangeLine]
    effects: list[str]


IMPACT_NEW_WORK = _("Applies to work started from %(date)s; work started earlier keeps version %(label)s.")


def version_impact(version: PolicyVersion, effective_from: dt.date | None = None) -> list[SectionImpact]:
    """Per changed section of the rules, what it will touch, counted from the records by the sources the apps
    registered (``policy.registry``); the draft is assumed to take effect tomorrow unless it has a date."""
    on = effective_from or version.effective_from or policy_today() + dt.timedelta(days=1)
    diff = version_diff(version)
    try:
        in_force = rules_in_force()
        label, in_force_id = in_force.version_label, in_force.version_id
    except NoPolicyInForce:
        label, in_force_id = "", None
    old = parse_rules(diff.base.rules) if diff.base is not None else DEFAULT_RULES
    new = parse_rules(version.rules)
    sections: dict[str, list[RuleChangeLine]] = {}
    for line in diff.rules:
        sections.setdefault(line.change.section, []).append(line)
    impacts = []
    for section, lines in sections.items():
        question = ImpactQuestion(section, old, new, on, label, in_force_id)
        effects = [str(IMPACT_NEW_WORK % {"date": on.isoformat(), "label": label})]
        for source in impact_sources(section):
            effects.extend(source(question))
        impacts.append(SectionImpact(section, str(SECTION_LABELS.get(section, section)), lines, effects))
    return impacts


def version_rules(version: PolicyVersion) -> Rules:
    """Return the parsed rules of one version (no query)."""
    return parse_rules(version.rules)


def policy_in_force_id(on: dt.date | None = None) -> int | None:
    """Return the id of the version in force on ``on`` (default today), or None; one query."""
    return _published_on(on).values_list("id", flat=True).first()


# Acknowledgement, interpretation, review


@dataclass(frozen=True)
class PendingAcknowledgement:
    version_id: int
    label: str


def acknowledgement_pending(user: Any) -> PendingAcknowledgement | None:
    """The version in force the user (an active employee) has not yet confirmed, or None; one query.

    Read by the banner on every page."""
    if not getattr(user, "is_authenticated", False):
        return None
    confirmed = PolicyAcknowledgement.objects.filter(version=OuterRef("pk"), user=user, confirmed_at__isnull=False)
    employed = Employee.objects.filter(user=user, is_active=True)
    row = (
        _published_on(None)
        .annotate(confirmed=Exists(confirmed), employed=Exists(employed))
        .values_list("id", "label", "confirmed", "employed")
        .first()
    )
    if row is None or row[2] or not row[3]:
        return None
    return PendingAcknowledgement(row[0], row[1])


def previous_version(version: PolicyVersion) -> PolicyVersion | None:
    """The version this one replaces: the latest published one of the same policy taking effect before it (or the
    one it was drafted from)."""
    if version.effective_from is not None:
        earlier = (
            PolicyVersion.objects.filter(
                policy_id=version.policy_id, status__in=PUBLISHED, effective_from__lt=version.effective_from
            )
            .exclude(pk=version.pk)
            .order_by("-effective_from", "-id")
            .first()
        )
        if earlier is not None:
            return earlier
    if version.based_on_id:
        return PolicyVersion.objects.filter(pk=version.based_on_id).first()
    return None


def changed_articles(version: PolicyVersion) -> list[Article]:
    """The articles of ``version`` whose title or text differ from the version it replaces (all for a first
    version); two queries."""
    articles = article_list(version)
    before = previous_version(version)
    if before is None:
        return articles
    old = {a.number: (a.title_zh, a.text_zh, a.title_en, a.text_en) for a in before.articles.all()}
    return [a for a in articles if old.get(a.number) != (a.title_zh, a.text_zh, a.title_en, a.text_en)]


def acknowledgement_list(*, user: Any, version: PolicyVersion | int | None) -> QuerySet[PolicyAcknowledgement]:
    """The acknowledgements of ``version`` the user may see, of employees still in service."""
    qs = PolicyAcknowledgement.objects.visible_to(user).filter(user__employee__is_active=True)
    return qs.filter(version=version).select_related("user", "user__employee__department", "version")


@dataclass(frozen=True)
class AcknowledgementRow:
    """The acknowledgements of one department: asked, confirmed, and the share confirmed in per cent."""

    department_id: int | None
    department: str
    asked: int
    confirmed: int

    @property
    def pending(self) -> int:
        return self.asked - self.confirmed

    @property
    def share(self) -> Decimal:
        if not self.asked:
            return Decimal("0.0")
        return (Decimal(self.confirmed) * 100 / self.asked).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def acknowledgement_by_department(
    qs: QuerySet[PolicyAcknowledgement],
) -> tuple[list[AcknowledgementRow], AcknowledgementRow]:
    """Per department (by the tree's order) and in total: asked, confirmed, share; one query."""
    rows = (
        qs.order_by()
        .values("user__employee__department", "user__employee__department__name", "user__employee__department__path")
        .annotate(asked=Count("id"), confirmed=Count("id", filter=Q(confirmed_at__isnull=False)))
    )
    result = [
        AcknowledgementRow(
            r["user__employee__department"], r["user__employee__department__name"] or "—", r["asked"], r["confirmed"]
        )
        for r in sorted(rows, key=lambda r: r["user__employee__department__path"] or "")
    ]
    total = AcknowledgementRow(None, "", sum(r.asked for r in result), sum(r.confirmed for r in result))
    return result, total


def acknowledgement_deadline(version: PolicyVersion) -> dt.date | None:
    """The day until which the unconfirmed are reminded: ``POLICY_ACK_DEADLINE_DAYS`` after the effective date."""
    from django.conf import settings

    if version.effective_from is None:
        return None
    return version.effective_from + dt.timedelta(days=getattr(settings, "POLICY_ACK_DEADLINE_DAYS", 14))


def interpretation_list(*, user: Any) -> QuerySet[Interpretation]:
    """The interpretations the user may see: the published ones; also their own questions; all for those who
    answer them (the leadership group)."""
    if not user.has_perm("policy.view_interpretation"):
        return Interpretation.objects.none()
    qs = Interpretation.objects.select_related("article", "version", "asked_by", "answered_by")
    if user.has_perm("policy.answer_interpretation"):
        return qs
    return qs.filter(Q(status=InterpretationStatus.PUBLISHED) | Q(asked_by=user))


def published_interpretations(version: PolicyVersion) -> dict[int, list[Interpretation]]:
    """Published answers by article number, for the articles of ``version`` (those asked under an earlier version
    of the same policy included, while the article keeps its number); one query."""
    by_number: dict[int, list[Interpretation]] = defaultdict(list)
    when = Q(version=version)
    if version.effective_from is not None:
        when |= Q(version__effective_from__lte=version.effective_from)
    rows = (
        Interpretation.objects.filter(version__policy_id=version.policy_id, status=InterpretationStatus.PUBLISHED)
        .filter(when)
        .select_related("article", "version")
        .order_by("published_at", "id")
    )
    for row in rows:
        by_number[row.article.number].append(row)
    return dict(by_number)


def article_choices(version: PolicyVersion) -> QuerySet[Article]:
    return version.articles.order_by("order", "number")


def review_list(*, user: Any) -> QuerySet[PolicyReview]:
    if not user.has_perm("policy.view_policyreview"):
        return PolicyReview.objects.none()
    return PolicyReview.objects.select_related("version", "version__policy", "reviewed_by", "draft")


def versions_due_for_review(on: dt.date, days_before: int) -> QuerySet[PolicyVersion]:
    """Versions in force whose next review falls within ``days_before`` days of ``on`` or has passed."""
    return PolicyVersion.objects.filter(
        status=PolicyVersionStatus.IN_FORCE,
        effective_from__lte=on,
        next_review_on__isnull=False,
        next_review_on__lte=on + dt.timedelta(days=days_before),
    ).select_related("policy")
