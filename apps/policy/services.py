"""Writes to the policy: drafting a version, changing a draft's rules, putting a version in force.

(The amendment workflow with leadership decisions and read acknowledgements comes later; these are the
minimal services the seed, the demo and the tests use.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.history import change_sentence
from apps.policy.choices import PolicyVersionStatus
from apps.policy.models import Article, Policy, PolicyVersion
from apps.policy.rules import DEFAULT_RULES, describe_changes, parse_rules
from apps.policy.selectors import PUBLISHED, policy_today

VERSION_NOT_DRAFT = _("Only a draft can be changed; version %(label)s is %(status)s.")
LABEL_TAKEN = _("The policy already has a version %(label)s.")
BASED_ON_OTHER_POLICY = _("A draft can only be based on a version of the same policy.")
EFFECTIVE_NOT_AFTER_LATEST = _(
    "A new version must take effect after version %(label)s, which takes effect on %(date)s."
)
NO_ARTICLES = _("A version without articles cannot be put in force.")

ARTICLE_FIELDS = ("chapter_number", "chapter_title_zh", "chapter_title_en", "number", "title_zh", "title_en",
                  "text_zh", "text_en", "order")


def _require(actor: Any, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


def _lock_draft(version: PolicyVersion) -> None:
    """Raise unless the version is (still, in the database) a draft; lock its row for the transaction."""
    status = PolicyVersion.objects.select_for_update().values_list("status", flat=True).get(pk=version.pk)
    if status != PolicyVersionStatus.DRAFT:
        raise ValidationError(VERSION_NOT_DRAFT, code="not_draft",
                              params={"label": version.label, "status": PolicyVersionStatus(status).label})


@transaction.atomic
def policy_version_create_draft(
    *, actor: Any, policy: Policy, label: str, rules: dict[str, Any] | None = None,
    based_on: PolicyVersion | None = None,
) -> PolicyVersion:
    """Start a draft version: a copy of ``based_on``'s articles and rules (or the default rules), with
    ``rules`` applied over them. Labels are unique per policy."""
    _require(actor, "policy.add_policyversion")
    if based_on is not None and based_on.policy_id != policy.pk:
        raise ValidationError({"based_on": BASED_ON_OTHER_POLICY})
    if PolicyVersion.objects.filter(policy=policy, label=label).exists():
        raise ValidationError({"label": ValidationError(LABEL_TAKEN, code="label_taken", params={"label": label})})
    base = parse_rules(based_on.rules) if based_on is not None else DEFAULT_RULES
    version = PolicyVersion(policy=policy, label=label, based_on=based_on,
                            rules=parse_rules(rules, base=base).to_json())
    version.full_clean()
    version._history_user = actor  # type: ignore[attr-defined]
    version.save()
    if based_on is not None:
        Article.objects.bulk_create(
            Article(version=version, **{name: getattr(a, name) for name in ARTICLE_FIELDS})
            for a in based_on.articles.all()
        )
    return version


@transaction.atomic
def policy_version_update_rules(*, actor: Any, version: PolicyVersion, rules: dict[str, Any]) -> PolicyVersion:
    """Change a draft's rules; ``rules`` may give only what changes. Refuse a version that is not a draft;
    on bad input raise ``ValidationError`` naming every problem, and change nothing."""
    _require(actor, "policy.change_policyversion")
    _lock_draft(version)
    old = parse_rules(version.rules)
    new = parse_rules(rules, base=old)
    changes = describe_changes(old, new)
    if not changes:
        return version
    version.rules = new.to_json()
    version.full_clean()
    version._history_user = actor  # type: ignore[attr-defined]
    version._change_reason = "; ".join(change_sentence(*change) for change in changes)  # type: ignore[attr-defined]
    version.save(update_fields=["rules", "updated_at"])
    return version


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _check_effective_date(version: PolicyVersion, effective_from: dt.date) -> None:
    """A new version takes effect after every version already published, so the past is never rewritten."""
    latest = (PolicyVersion.objects.filter(policy_id=version.policy_id, effective_from__isnull=False)
              .exclude(status=PolicyVersionStatus.DRAFT).order_by("-effective_from").first())
    if latest is not None and latest.effective_from is not None and effective_from <= latest.effective_from:
        raise ValidationError({"effective_from": ValidationError(
            EFFECTIVE_NOT_AFTER_LATEST, code="effective_not_after_latest",
            params={"label": latest.label, "date": latest.effective_from.isoformat()})})
    if not version.articles.exists():
        raise ValidationError(NO_ARTICLES, code="no_articles")


@transaction.atomic
def policy_version_put_in_force(
    *, actor: Any, version: PolicyVersion, effective_from: dt.date, next_review_on: dt.date | None = None,
    decided_by: str = "", decision_note: str = "",
) -> PolicyVersion:
    """Publish a draft: it is in force from ``effective_from`` (after every published version) and due for
    review a year later unless told otherwise (art. 15). Needs ``policy.publish_policyversion``."""
    _require(actor, "policy.publish_policyversion")
    _lock_draft(version)
    _check_effective_date(version, effective_from)
    version.status = PolicyVersionStatus.IN_FORCE
    version.effective_from = effective_from
    version.next_review_on = next_review_on or _one_year_after(effective_from)
    version.published_at = timezone.now()
    version.published_by = actor
    version.decided_by = decided_by
    version.decision_note = decision_note
    version.full_clean()
    version._history_user = actor  # type: ignore[attr-defined]
    version.save()
    policy_version_supersede_due(actor=actor)
    return version


@transaction.atomic
def policy_version_supersede_due(*, actor: Any = None, on: dt.date | None = None) -> int:
    """Mark superseded every in-force version that a later version has replaced by ``on`` (default today).

    Reading the rules never depends on this (``rules_in_force`` goes by the dates); it keeps the status
    shown to people true. Run daily, and after a version is put in force. Return how many changed.
    """
    on = on or policy_today()
    current: dict[int, int] = {}
    for pk, policy_id in (PolicyVersion.objects.filter(status__in=PUBLISHED, effective_from__lte=on)
                          .order_by("policy_id", "-effective_from", "-id").values_list("id", "policy_id")):
        current.setdefault(policy_id, pk)
    replaced = (PolicyVersion.objects.filter(status=PolicyVersionStatus.IN_FORCE, effective_from__lte=on)
                .exclude(pk__in=current.values()))
    count = 0
    for version in replaced:
        version.status = PolicyVersionStatus.SUPERSEDED
        version._history_user = actor  # type: ignore[attr-defined]
        version.save(update_fields=["status", "updated_at"])
        count += 1
    return count
