"""Reads of the policy. ``rules_in_force`` is the one way the rest of the system reads the tunable rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.policy.choices import PolicyVersionStatus
from apps.policy.models import Article, PolicyVersion
from apps.policy.rules import Rules, parse_rules
from apps.policy.seed_data import POLICY_CODE

# The policy whose versions carry the rules the system runs by (公司市场开发及销售管理制度).
RULES_POLICY_CODE = POLICY_CODE
POLICY_TIME_ZONE = ZoneInfo("Asia/Shanghai")
NOTHING_IN_FORCE = _("No version of the policy is in force on %(date)s.")
PUBLISHED = (PolicyVersionStatus.IN_FORCE, PolicyVersionStatus.SUPERSEDED)


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
    if not user.has_perm("policy.change_policyversion"):
        qs = qs.exclude(status=PolicyVersionStatus.DRAFT)
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


def version_rules(version: PolicyVersion) -> Rules:
    """Return the parsed rules of one version (no query)."""
    return parse_rules(version.rules)


def policy_in_force_id(on: dt.date | None = None) -> int | None:
    """Return the id of the version in force on ``on`` (default today), or None; one query."""
    return _published_on(on).values_list("id", flat=True).first()


# Acknowledgement, interpretation, review

from collections import defaultdict  # noqa: E402
from decimal import ROUND_HALF_UP, Decimal  # noqa: E402

from django.db.models import Count, Exists, OuterRef, Q  # noqa: E402

from apps.org.models import Employee  # noqa: E402
from apps.policy.choices import InterpretationStatus  # noqa: E402
from apps.policy.models import Interpretation, PolicyAcknowledgement, PolicyReview  # noqa: E402


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
    row = (_published_on(None).annotate(confirmed=Exists(confirmed), employed=Exists(employed))
           .values_list("id", "label", "confirmed", "employed").first())
    if row is None or row[2] or not row[3]:
        return None
    return PendingAcknowledgement(row[0], row[1])


def previous_version(version: PolicyVersion) -> PolicyVersion | None:
    """The version this one replaces: the latest published one of the same policy taking effect before it (or the
    one it was drafted from)."""
    if version.effective_from is not None:
        earlier = (PolicyVersion.objects.filter(policy_id=version.policy_id, status__in=PUBLISHED,
                                                effective_from__lt=version.effective_from)
                   .exclude(pk=version.pk).order_by("-effective_from", "-id").first())
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


def acknowledgement_by_department(qs: QuerySet[PolicyAcknowledgement]) -> tuple[list[AcknowledgementRow],
                                                                                 AcknowledgementRow]:
    """Per department (by the tree's order) and in total: asked, confirmed, share; one query."""
    rows = (qs.order_by().values("user__employee__department", "user__employee__department__name",
                                 "user__employee__department__path")
            .annotate(asked=Count("id"), confirmed=Count("id", filter=Q(confirmed_at__isnull=False))))
    result = [AcknowledgementRow(r["user__employee__department"], r["user__employee__department__name"] or "—",
                                 r["asked"], r["confirmed"])
              for r in sorted(rows, key=lambda r: r["user__employee__department__path"] or "")]
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
    rows = (Interpretation.objects.filter(version__policy_id=version.policy_id, status=InterpretationStatus.PUBLISHED)
            .filter(when).select_related("article", "version").order_by("published_at", "id"))
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
    return (PolicyVersion.objects.filter(status=PolicyVersionStatus.IN_FORCE, effective_from__lte=on,
                                         next_review_on__isnull=False,
                                         next_review_on__lte=on + dt.timedelta(days=days_before))
            .select_related("policy"))
