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
