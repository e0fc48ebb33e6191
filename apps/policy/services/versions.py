"""Writes to the policy's versions: drafting, changing a draft's rules and articles, putting a version in force, and
the amendment flow (art. 14): submission, the leadership group's vote and decision, publication, withdrawal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.history import change_sentence, record_actor
from apps.core.services import model_save, notification_topic, notifications_close, notify
from apps.policy.choices import DecisionOutcome, PolicyVersionStatus, VoteChoice
from apps.policy.models import (
    SAME_EFFECTIVE_DATE,
    VERSION_FLOW,
    Article,
    Policy,
    PolicyDecision,
    PolicyVersion,
    PolicyVote,
)
from apps.policy.rules import DEFAULT_RULES, describe_changes, parse_rules
from apps.policy.selectors import (
    ARTICLE_FIELD_LABELS,
    PUBLISHED,
    active_employees,
    decision_tally,
    is_leadership_member,
    leadership_members,
    policy_in_force,
    policy_today,
    version_diff,
)

VERSION_NOT_DRAFT = _("Only a draft can be changed; version %(label)s is %(status)s.")
LABEL_TAKEN = _("The policy already has a version %(label)s.")
BASED_ON_OTHER_POLICY = _("A draft can only be based on a version of the same policy.")
EFFECTIVE_NOT_AFTER_LATEST = _(
    "A new version must take effect after version %(label)s, which takes effect on %(date)s."
)
NO_ARTICLES = _("A version without articles cannot be put in force.")

ARTICLE_FIELDS = (
    "chapter_number",
    "chapter_title_zh",
    "chapter_title_en",
    "number",
    "title_zh",
    "title_en",
    "text_zh",
    "text_en",
    "order",
)


# Publication is for everyone: by the company robots too (WeCom, DingTalk) unless a person chose otherwise.
POLICY_KIND = "policy"


def _require(actor: Any, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


def _lock_draft(version: PolicyVersion) -> None:
    """Raise unless the version is (still, in the database) a draft; lock its row for the transaction."""
    status = PolicyVersion.objects.select_for_update().values_list("status", flat=True).get(pk=version.pk)
    if status != PolicyVersionStatus.DRAFT:
        raise ValidationError(
            VERSION_NOT_DRAFT,
            code="not_draft",
            params={"label": version.label, "status": PolicyVersionStatus(status).label},
        )


@transaction.atomic
def policy_version_create_draft(
    *,
    actor: Any,
    policy: Policy,
    label: str,
    rules: dict[str, Any] | None = None,
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
    version = PolicyVersion(
        policy=policy, label=label, based_on=based_on, rules=parse_rules(rules, base=base).to_json()
    )
    model_save(version, actor=actor)
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
    model_save(
        version,
        actor=actor,
        reason="; ".join(change_sentence(*change) for change in changes),
        update_fields=["rules", "updated_at"],
    )
    return version


def _one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _check_effective_date(version: PolicyVersion, effective_from: dt.date) -> None:
    """A new version takes effect after every version already published, so the past is never rewritten."""
    latest = (
        PolicyVersion.objects.filter(policy_id=version.policy_id, effective_from__isnull=False, status__in=PUBLISHED)
        .exclude(pk=version.pk)
        .order_by("-effective_from")
        .first()
    )
    if latest is not None and latest.effective_from is not None and effective_from <= latest.effective_from:
        raise ValidationError(
            {
                "effective_from": ValidationError(
                    EFFECTIVE_NOT_AFTER_LATEST,
                    code="effective_not_after_latest",
                    params={"label": latest.label, "date": latest.effective_from.isoformat()},
                )
            }
        )
    if not version.articles.exists():
        raise ValidationError(NO_ARTICLES, code="no_articles")


@transaction.atomic
def policy_version_put_in_force(
    *,
    actor: Any,
    version: PolicyVersion,
    effective_from: dt.date,
    next_review_on: dt.date | None = None,
    decided_by: str = "",
    decision_note: str = "",
) -> PolicyVersion:
    """Publish a draft: it is in force from ``effective_from`` (after every published version) and due for
    review a year later unless told otherwise (art. 15). Needs ``policy.publish_policyversion``.

    This skips the leadership group's decision: it is for the seed, set-up and tests only. Pages and the API
    publish through ``policy_version_publish`` (draft → submitted → decided → published)."""
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
    model_save(version, actor=actor)
    policy_version_supersede_due(actor=actor)
    return version


#
# The amendment flow (art. 14): draft → submitted → decided by the leadership group → published → in force
#

NOT_ALLOWED_NOW = _("Version %(label)s is %(status)s: it cannot be %(action)s now.")
NOT_A_MEMBER = _("Only members of the leadership group vote on amendments and record their decisions.")
NOTHING_CHANGED = _("The draft changes nothing against version %(label)s; there is nothing to decide.")
DECISION_CLOSED = _("The leadership group has already decided on this version.")
MINUTES_REQUIRED = _("Record the minutes of the meeting (for a rejection: the reasons).")
NOT_DECIDED = _(
    "Version %(label)s has no decision of the leadership group with a quorum and a majority in favour; "
    "it cannot be published."
)
EFFECTIVE_IN_PAST = _("A version takes effect today or later, not on %(date)s.")
WITHDRAW_TOO_LATE = _("Version %(label)s has already taken effect on %(date)s; it can no longer be withdrawn.")
NO_QUORUM_NOTE = _("No quorum: %(present)s of %(size)s members of the leadership group voted.")
SUBMITTED_TITLE = _("Policy version %(label)s is submitted for your decision")
PUBLISHED_TITLE = _("The policy has changed: version %(label)s takes effect on %(date)s")
PUBLISHED_BODY = _("Please read the changed articles of version %(label)s.")
WITHDRAWN_TITLE = _("Policy version %(label)s has been withdrawn and will not take effect")
ACTION_WORDS = {
    "edit": _("changed"),
    "submit": _("submitted"),
    "vote": _("voted on"),
    "approve": _("approved"),
    "reject": _("rejected"),
    "no_quorum": _("decided"),
    "publish": _("published"),
    "withdraw": _("withdrawn"),
    "take_effect": _("put in force"),
    "supersede": _("superseded"),
}
ARTICLE_EDIT_FIELDS = ("title_zh", "title_en", "text_zh", "text_en")


def _check_move(actor: Any, version: PolicyVersion, action: str) -> str:
    """Lock the version's row and return the status ``action`` leads to; refuse a move ``VERSION_FLOW`` does not
    allow from the status in the database (ValidationError) or a person it does not name (PermissionDenied)."""
    status = PolicyVersion.objects.select_for_update().values_list("status", flat=True).get(pk=version.pk)
    version.status = status
    move = VERSION_FLOW.get(status, {}).get(action)
    if move is None:
        raise ValidationError(
            NOT_ALLOWED_NOW,
            code="not_allowed_now",
            params={
                "label": version.label,
                "status": PolicyVersionStatus(status).label,
                "action": ACTION_WORDS[action],
            },
        )
    target, who = move
    if who == "editor":
        _require(actor, "policy.change_policyversion")
    elif who == "publisher":
        _require(actor, "policy.publish_policyversion")
    elif who == "member" and not is_leadership_member(actor):
        raise PermissionDenied(NOT_A_MEMBER)
    return target


def _save_version(version: PolicyVersion, actor: Any, reason: str = "", fields: list[str] | None = None) -> None:
    model_save(version, actor=actor, reason=reason, update_fields=[*fields, "updated_at"] if fields else None)


@transaction.atomic
def policy_version_draft_from_in_force(*, actor: Any, label: str) -> PolicyVersion:
    """Start an amendment: a draft copying the articles and rules of the version in force today."""
    base = policy_in_force()
    return policy_version_create_draft(actor=actor, policy=base.policy, label=label, based_on=base)


@transaction.atomic
def policy_article_update(*, actor: Any, article: Article, data: dict[str, Any]) -> Article:
    """Change an article's title and text (Chinese and English) in a draft; the version's history says which."""
    _require(actor, "policy.change_article")
    version = article.version
    _check_move(actor, version, "edit")
    changed = [name for name in ARTICLE_EDIT_FIELDS if name in data and data[name] != getattr(article, name)]
    if not changed:
        return article
    for name in changed:
        setattr(article, name, data[name])
    article.full_clean()
    article.save(update_fields=changed)
    _save_version(
        version,
        actor,
        reason=str(
            ARTICLE_CHANGED
            % {"article": article.label_zh, "fields": "、".join(str(ARTICLE_FIELD_LABELS[n]) for n in changed)}
        ),
        fields=[],
    )
    return article


ARTICLE_CHANGED = _("%(article)s: %(fields)s changed")


@transaction.atomic
def policy_version_submit(*, actor: Any, version: PolicyVersion, meeting_date: dt.date | None = None) -> PolicyDecision:
    """Submit a draft to the leadership group: its rules are checked again (every problem named, nothing
    changes), a decision is opened for the meeting and the members are notified."""
    target = _check_move(actor, version, "submit")
    version.refresh_from_db()
    parse_rules(version.rules)  # raises, naming each rule that is wrong
    if not version.articles.exists():
        raise ValidationError(NO_ARTICLES, code="no_articles")
    diff = version_diff(version)
    if diff.is_empty and diff.base is not None:
        raise ValidationError(NOTHING_CHANGED, code="nothing_changed", params={"label": diff.base.label})
    version.status = target
    _save_version(version, actor, fields=["status"])
    decision = PolicyDecision(
        version=version,
        meeting_date=meeting_date or policy_today(),
        opened_by=actor,
        group_size=leadership_members().count(),
    )
    model_save(decision, actor=actor)
    notify(
        recipients=leadership_members(),
        title=str(SUBMITTED_TITLE % {"label": version.label}),
        url=reverse("policy:version_detail", kwargs={"pk": version.pk}),
        topic=notification_topic("policy_decision", decision),
    )
    return decision


def _open_decision(version: PolicyVersion) -> PolicyDecision:
    decision = (
        PolicyDecision.objects.select_for_update()
        .filter(version=version, outcome=DecisionOutcome.PENDING)
        .order_by("-id")
        .first()
    )
    if decision is None:
        raise ValidationError(DECISION_CLOSED, code="decision_closed")
    return decision


@transaction.atomic
def policy_vote_cast(*, actor: Any, decision: PolicyDecision, vote: str) -> PolicyVote:
    """A member of the leadership group votes (赞成 / 反对 / 弃权) and is thereby present; voting again changes the
    vote while the decision is open. Anyone else is refused."""
    _check_move(actor, decision.version, "vote")
    decision = PolicyDecision.objects.select_for_update().get(pk=decision.pk)
    if not decision.is_open:
        raise ValidationError(DECISION_CLOSED, code="decision_closed")
    if vote not in VoteChoice.values:
        raise ValidationError({"vote": ValidationError(_("Choose in favour, against or abstain."), code="vote")})
    row = PolicyVote.objects.filter(decision=decision, member=actor).first() or PolicyVote(
        decision=decision, member=actor
    )
    row.vote = vote
    model_save(row, actor=actor)
    return row


@transaction.atomic
def policy_decision_close(
    *, actor: Any, decision: PolicyDecision, minutes: str, meeting_date: dt.date | None = None
) -> PolicyDecision:
    """Close the meeting: count the votes against the quorum and majority of the settings. With both the version
    is approved; with a quorum but no majority it is rejected and goes back to draft with the minutes as the
    reasons; without a quorum it goes back to draft too (submit it again for another meeting)."""
    version = decision.version
    _check_move(actor, version, "approve")
    decision = _open_decision(version)
    if not minutes.strip():
        raise ValidationError({"minutes": ValidationError(MINUTES_REQUIRED, code="minutes_required")})
    size = leadership_members().count()
    tally = decision_tally(decision, group_size=size)
    if not tally.quorum:
        outcome, action = DecisionOutcome.NO_QUORUM, "no_quorum"
        note = f"{NO_QUORUM_NOTE % {'present': tally.present, 'size': size}} {minutes}"
    elif tally.majority:
        outcome, action, note = DecisionOutcome.APPROVED, "approve", minutes
    else:
        outcome, action, note = DecisionOutcome.REJECTED, "reject", minutes
    target = VERSION_FLOW[PolicyVersionStatus.SUBMITTED][action][0]
    decision.outcome = outcome
    decision.minutes = minutes
    decision.meeting_date = meeting_date or decision.meeting_date
    decision.group_size = size
    decision.closed_by = actor
    decision.closed_at = timezone.now()
    model_save(decision, actor=actor)
    version.status = target
    version.decided_by = str(_("Leadership group, meeting of %(date)s") % {"date": decision.meeting_date.isoformat()})
    version.decision_note = note
    _save_version(
        version, actor, reason=str(DecisionOutcome(outcome).label), fields=["status", "decided_by", "decision_note"]
    )
    notifications_close(topic=notification_topic("policy_decision", decision))
    return decision


def _passed_decision(version: PolicyVersion) -> PolicyDecision | None:
    decision = version.decisions.exclude(outcome=DecisionOutcome.PENDING).order_by("-closed_at", "-id").first()
    if decision is None or decision.outcome != DecisionOutcome.APPROVED:
        return None
    return decision if decision_tally(decision).passes else None


@transaction.atomic
def policy_version_publish(
    *,
    actor: Any,
    version: PolicyVersion,
    effective_from: dt.date,
    next_review_on: dt.date | None = None,
) -> PolicyVersion:
    """Publish an approved version to take effect on ``effective_from`` (today or later, after every published
    version; never two on one date); it is in force from that day and every active employee is told."""
    target = _check_move(actor, version, "publish")
    version.refresh_from_db()
    if _passed_decision(version) is None:
        raise ValidationError(NOT_DECIDED, code="not_decided", params={"label": version.label})
    if effective_from < policy_today():
        raise ValidationError(
            {
                "effective_from": ValidationError(
                    EFFECTIVE_IN_PAST, code="effective_in_past", params={"date": effective_from.isoformat()}
                )
            }
        )
    _check_effective_date(version, effective_from)
    version.status = target
    version.effective_from = effective_from
    version.next_review_on = next_review_on or _one_year_after(effective_from)
    version.published_at = timezone.now()
    version.published_by = actor
    try:
        with transaction.atomic():
            _save_version(version, actor)
    except IntegrityError as exc:  # another version published for the same date at the same moment
        raise ValidationError({"effective_from": ValidationError(SAME_EFFECTIVE_DATE, code="same_date")}) from exc
    policy_versions_take_effect(actor=actor)
    notify(
        recipients=active_employees(),
        title=str(PUBLISHED_TITLE % {"label": version.label, "date": effective_from.isoformat()}),
        body=str(PUBLISHED_BODY % {"label": version.label}),
        url=reverse("policy:version_diff", kwargs={"pk": version.pk}),
        topic=notification_topic("policy_published", version),
        kind=POLICY_KIND,
    )
    return version


@transaction.atomic
def policy_version_withdraw(*, actor: Any, version: PolicyVersion) -> PolicyVersion:
    """Withdraw a published version before its effective date; the version in force stays in force."""
    target = _check_move(actor, version, "withdraw")
    version.refresh_from_db()
    if version.effective_from is not None and version.effective_from <= policy_today():
        raise ValidationError(
            WITHDRAW_TOO_LATE,
            code="too_late",
            params={"label": version.label, "date": version.effective_from.isoformat()},
        )
    version.status = target
    _save_version(version, actor, fields=["status"])
    notifications_close(topic=notification_topic("policy_published", version))
    notify(
        recipients=active_employees(),
        title=str(WITHDRAWN_TITLE % {"label": version.label}),
        url=reverse("policy:version_detail", kwargs={"pk": version.pk}),
        topic=notification_topic("policy_withdrawn", version),
    )
    return version


ALREADY_RECORDED = _("Version %(label)s already has a decision of the leadership group.")
NOT_PUBLISHED_YET = _("Only the decision on a version already published can be recorded afterwards.")


@transaction.atomic
def policy_decision_record_past(
    *, actor: Any, version: PolicyVersion, meeting_date: dt.date, votes: dict[Any, str], minutes: str
) -> PolicyDecision:
    """Record the leadership group's decision on a version published before the system kept decisions (the
    seeded 1.0, decided on paper): the members' votes as they were cast, counted like any decision."""
    if not is_leadership_member(actor):
        raise PermissionDenied(NOT_A_MEMBER)
    if version.status not in PUBLISHED:
        raise ValidationError(NOT_PUBLISHED_YET, code="not_published")
    if version.decisions.exists():
        raise ValidationError(ALREADY_RECORDED, code="already_recorded", params={"label": version.label})
    members = set(leadership_members().values_list("pk", flat=True))
    if any(member.pk not in members for member in votes):
        raise PermissionDenied(NOT_A_MEMBER)
    decision = PolicyDecision(
        version=version,
        meeting_date=meeting_date,
        minutes=minutes,
        opened_by=actor,
        closed_by=actor,
        closed_at=timezone.now(),
        group_size=len(members),
    )
    model_save(decision, actor=actor)
    for member, vote in votes.items():
        row = PolicyVote(decision=decision, member=member, vote=vote)
        model_save(row, actor=actor)
    tally = decision_tally(decision)
    decision.outcome = (
        DecisionOutcome.APPROVED
        if tally.passes
        else DecisionOutcome.REJECTED
        if tally.quorum
        else DecisionOutcome.NO_QUORUM
    )
    decision.save(update_fields=["outcome", "updated_at"])
    return decision


@transaction.atomic
def policy_versions_take_effect(*, actor: Any = None, on: dt.date | None = None) -> tuple[int, int]:
    """Put in force the published versions whose day has come and mark superseded those they replace.

    Run at the start of each day (Asia/Shanghai) and after a publication; running it again changes nothing.
    Return (versions put in force, versions superseded)."""
    on = on or policy_today()
    started = 0
    for version in PolicyVersion.objects.select_for_update().filter(
        status=PolicyVersionStatus.PUBLISHED, effective_from__lte=on
    ):
        version.status = PolicyVersionStatus.IN_FORCE
        _save_version(version, actor, fields=["status"])
        started += 1
    return started, policy_version_supersede_due(actor=actor, on=on)


@transaction.atomic
def policy_version_supersede_due(*, actor: Any = None, on: dt.date | None = None) -> int:
    """Mark superseded every in-force version that a later version has replaced by ``on`` (default today).

    Reading the rules never depends on this (``rules_in_force`` goes by the dates); it keeps the status
    shown to people true. Run daily, and after a version is put in force. Return how many changed.
    """
    on = on or policy_today()
    current: dict[int, int] = {}
    for pk, policy_id in (
        PolicyVersion.objects.filter(status__in=PUBLISHED, effective_from__lte=on)
        .order_by("policy_id", "-effective_from", "-id")
        .values_list("id", "policy_id")
    ):
        current.setdefault(policy_id, pk)
    replaced = PolicyVersion.objects.filter(status=PolicyVersionStatus.IN_FORCE, effective_from__lte=on).exclude(
        pk__in=current.values()
    )
    count = 0
    for version in replaced:
        version.status = PolicyVersionStatus.SUPERSEDED
        record_actor(version, actor)
        version.save(update_fields=["status", "updated_at"])
        count += 1
    return count
