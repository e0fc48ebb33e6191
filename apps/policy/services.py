"""Writes to the policy: drafting a version, changing a draft's rules, putting a version in force.

(The amendment workflow with leadership decisions and read acknowledgements comes later; these are the
minimal services the seed, the demo and the tests use.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.history import change_sentence, record_actor
from apps.core.models import Notification
from apps.core.services import notification_topic, notifications_close, notify
from apps.org.choices import BuiltinRole
from apps.org.models import Employee
from apps.org.selectors import users_with_role
from apps.policy.choices import DecisionOutcome, InterpretationStatus, PolicyVersionStatus, ReviewOutcome, VoteChoice
from apps.policy.models import (
    INTERPRETATION_FLOW,
    SAME_EFFECTIVE_DATE,
    VERSION_FLOW,
    Article,
    Interpretation,
    Policy,
    PolicyAcknowledgement,
    PolicyDecision,
    PolicyReview,
    PolicyVersion,
    PolicyVote,
)
from apps.policy.review_evidence import review_evidence
from apps.policy.rules import DEFAULT_RULES, describe_changes, parse_rules
from apps.policy.selectors import (
    ARTICLE_FIELD_LABELS,
    PUBLISHED,
    NoPolicyInForce,
    acknowledgement_by_department,
    acknowledgement_deadline,
    acknowledgement_list,
    active_employees,
    decision_tally,
    is_leadership_member,
    leadership_members,
    policy_in_force,
    policy_in_force_id,
    policy_today,
    version_diff,
    versions_due_for_review,
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
    version.full_clean()
    record_actor(version, actor)
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
    record_actor(version, actor, "; ".join(change_sentence(*change) for change in changes))
    version.save(update_fields=["rules", "updated_at"])
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
    version.full_clean()
    record_actor(version, actor)
    version.save()
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
    version.full_clean()
    record_actor(version, actor, reason)
    version.save(update_fields=[*fields, "updated_at"] if fields else None)


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
    decision.full_clean()
    record_actor(decision, actor)
    decision.save()
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
    row.full_clean()
    record_actor(row, actor)
    row.save()
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
    decision.full_clean()
    record_actor(decision, actor)
    decision.save()
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
    decision.full_clean()
    record_actor(decision, actor)
    decision.save()
    for member, vote in votes.items():
        row = PolicyVote(decision=decision, member=member, vote=vote)
        row.full_clean()
        record_actor(row, actor)
        row.save()
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


# Acknowledgement, interpretation, review


NOT_IN_FORCE = _("Version %(label)s is not the version in force; only the version in force is confirmed.")
NOT_AN_EMPLOYEE = _("Only an employee in service confirms the policy.")
ARTICLE_NOT_PUBLISHED = _("Questions are asked about the articles of a version that is or was in force.")
QUESTION_REQUIRED = _("Write the question.")
ANSWER_REQUIRED = _("Write the answer.")
REASON_REQUIRED = _("Give the reason.")
MOVE_NOT_ALLOWED = _("An interpretation that is %(status)s cannot be %(action)s.")
REVIEW_NOT_IN_FORCE = _("Only the version in force is reviewed; version %(label)s is %(status)s.")
REVIEW_REASONS_REQUIRED = _("Give the reasons for the review's outcome.")
NEXT_REVIEW_NOT_FUTURE = _("The next review must be after today.")
INTERPRETATION_ACTIONS = {"answer": _("answered"), "publish": _("published"), "decline": _("declined")}


def _ack_topic(version: PolicyVersion) -> str:
    return notification_topic("policy-ack", version)


def _active_employees() -> Any:
    return Employee.objects.filter(is_active=True, user__is_active=True)


@transaction.atomic
def policy_acknowledgements_request(
    *, version: PolicyVersion | None = None, on: dt.date | None = None, send: bool = False
) -> int:
    """Ask every active employee to confirm the version in force (or ``version``): one row each, made once.
    Idempotent; return how many were asked. Run when a version takes effect (daily job) and by the reminders.

    The banner asks at once; ``send`` also notifies the newly asked (off by default: the publication itself
    notifies every employee, and the reminders follow)."""
    if version is None:
        try:
            version = policy_in_force(on)
        except NoPolicyInForce:
            return 0
    asked = set(PolicyAcknowledgement.objects.filter(version=version).values_list("user_id", flat=True))
    users = [e.user for e in _active_employees().select_related("user") if e.user_id not in asked]
    PolicyAcknowledgement.objects.bulk_create(
        [PolicyAcknowledgement(version=version, user=u) for u in users], ignore_conflicts=True
    )
    if send and users:
        notify(
            recipients=users,
            topic=_ack_topic(version),
            url=reverse("policy:acknowledge"),
            title=gettext("Policy %(label)s is in force: please read the changes and confirm")
            % {"label": version.label},
            body=gettext("Read the changed articles and confirm “I have read and understood” (我已阅读并知晓)."),
        )
    return len(users)


@transaction.atomic
def policy_acknowledgement_confirm(*, actor: Any, version: PolicyVersion) -> PolicyAcknowledgement:
    """The actor confirms having read the version in force (我已阅读并知晓): the time and version are kept; a second
    confirmation changes nothing. Only an employee in service, only for the version in force."""
    if not actor.has_perm("policy.view_policyacknowledgement"):
        raise PermissionDenied
    if not _active_employees().filter(user=actor).exists():
        raise ValidationError(NOT_AN_EMPLOYEE, code="not_an_employee")
    in_force = policy_in_force()
    if version.pk != in_force.pk:
        raise ValidationError(NOT_IN_FORCE, code="not_in_force", params={"label": version.label})
    if not PolicyAcknowledgement.objects.filter(version=version).exists():
        # The first confirmation of a version asks everyone else too, should the daily job not have run yet.
        policy_acknowledgements_request(version=version)
    ack, _created = PolicyAcknowledgement.objects.select_for_update().get_or_create(version=version, user=actor)
    if ack.confirmed_at is None:
        ack.confirmed_at = timezone.now()
        record_actor(ack, actor, gettext("Confirmed: I have read and understood"))
        ack.save(update_fields=["confirmed_at", "updated_at"])
    return ack


def _remind(acks: list[PolicyAcknowledgement], version: PolicyVersion, actor: Any = None) -> int:
    if not acks:
        return 0
    deadline = acknowledgement_deadline(version)
    body = gettext("Please read the changed articles of policy %(label)s and confirm by %(date)s.") % {
        "label": version.label,
        "date": deadline.isoformat() if deadline else "—",
    }
    notify(
        recipients=[a.user for a in acks],
        topic=_ack_topic(version),
        url=reverse("policy:acknowledge"),
        title=gettext("Reminder: confirm that you have read policy %(label)s") % {"label": version.label},
        body=body,
    )
    now = timezone.now()
    for ack in acks:
        ack.reminded_at = now
        ack.reminder_count += 1
        record_actor(ack, actor, gettext("Reminded"))
        ack.save(update_fields=["reminded_at", "reminder_count", "updated_at"])
    return len(acks)


@transaction.atomic
def policy_acknowledgements_remind(*, actor: Any, version: PolicyVersion) -> int:
    """One click: remind every unconfirmed employee of ``version`` within the actor's scope (managers their
    tree, senior management and the leadership group everyone); return how many were reminded."""
    if not actor.has_perm("policy.remind_policyacknowledgement"):
        raise PermissionDenied
    if version.pk == policy_in_force_id():
        policy_acknowledgements_request(version=version, send=False)  # whoever was not asked yet is reminded too
    acks = list(
        acknowledgement_list(user=actor, version=version)
        .filter(confirmed_at__isnull=True)
        .select_for_update(of=("self",))
    )
    return _remind(acks, version, actor)


@transaction.atomic
def policy_acknowledgements_remind_due(*, on: dt.date | None = None) -> int:
    """Periodic: ask whoever has not been asked yet, then remind the unconfirmed of the version in force every
    ``POLICY_ACK_REMIND_EVERY_DAYS`` days until the deadline (``POLICY_ACK_DEADLINE_DAYS`` after the effective
    date). Return how many were reminded."""
    on = on or policy_today()
    try:
        version = policy_in_force(on)
    except NoPolicyInForce:
        return 0
    policy_acknowledgements_request(version=version, on=on)
    deadline = acknowledgement_deadline(version)
    if deadline is not None and on > deadline:
        return 0
    every = getattr(settings, "POLICY_ACK_REMIND_EVERY_DAYS", 3)
    # The first reminder comes ``every`` days after the request, the next ones ``every`` days after the last.
    cutoff = timezone.now() - dt.timedelta(days=every) + dt.timedelta(hours=1)
    acks = list(
        PolicyAcknowledgement.objects.select_for_update()
        .select_related("user")
        .filter(version=version, confirmed_at__isnull=True, user__is_active=True, user__employee__is_active=True)
        .filter(Q(reminded_at__lte=cutoff) | Q(reminded_at__isnull=True, created_at__lte=cutoff))
    )
    return _remind(acks, version)


# Interpretations


def _require_answerer(actor: Any) -> None:
    _require(actor, "policy.answer_interpretation")


def _move_interpretation(interpretation: Interpretation, action: str) -> str:
    """Lock the row, read it again (a move racing this one may have changed it: the answer published and told is
    the one stored) and return the status ``action`` leads to, or refuse a move the flow does not allow."""
    Interpretation.objects.select_for_update().filter(pk=interpretation.pk).values_list("pk", flat=True).get()
    interpretation.refresh_from_db()
    status = interpretation.status
    target = INTERPRETATION_FLOW.get(status, {}).get(action)
    if target is None:
        raise ValidationError(
            MOVE_NOT_ALLOWED,
            code="not_allowed",
            params={"status": InterpretationStatus(status).label, "action": INTERPRETATION_ACTIONS.get(action, action)},
        )
    return target


def interpretation_allowed(user: Any, interpretation: Interpretation) -> list[str]:
    """The moves ``user`` may make on ``interpretation`` now (the buttons to show)."""
    if not user.has_perm("policy.answer_interpretation"):
        return []
    return list(INTERPRETATION_FLOW.get(interpretation.status, {}))


def _save(obj: Any, actor: Any, fields: list[str], reason: str = "") -> None:
    obj.full_clean()
    record_actor(obj, actor, reason)
    obj.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def interpretation_ask(*, actor: Any, article: Article, question: str) -> Interpretation:
    """Any employee asks a question about an article of a version in force (or that was); the leadership group
    is notified."""
    _require(actor, "policy.add_interpretation")
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": QUESTION_REQUIRED})
    version = article.version
    if version.status not in PUBLISHED:
        raise ValidationError({"article": ARTICLE_NOT_PUBLISHED})
    interpretation = Interpretation(version=version, article=article, question=question, asked_by=actor)
    interpretation.full_clean()
    record_actor(interpretation, actor)
    interpretation.save()
    notify(
        recipients=users_with_role(BuiltinRole.LEADERSHIP_GROUP),
        topic=notification_topic("interpretation", interpretation),
        url=reverse("policy:interpretation_detail", args=[interpretation.pk]),
        title=gettext("A question about %(article)s of policy %(label)s")
        % {"article": article.label_zh, "label": version.label},
        body=question[:500],
    )
    return interpretation


@transaction.atomic
def interpretation_answer(*, actor: Any, interpretation: Interpretation, answer: str) -> Interpretation:
    """A member of the leadership group writes (or revises) the answer; it is not yet shown to everyone."""
    _require_answerer(actor)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": ANSWER_REQUIRED})
    interpretation.status = _move_interpretation(interpretation, "answer")
    interpretation.answer = answer
    interpretation.answered_by = actor
    interpretation.answered_at = timezone.now()
    _save(interpretation, actor, ["status", "answer", "answered_by", "answered_at"])
    return interpretation


@transaction.atomic
def interpretation_publish(*, actor: Any, interpretation: Interpretation) -> Interpretation:
    """Publish the answer: it appears beside the article for everyone, and whoever asked about the article and
    is still waiting, the asker first, is notified."""
    _require_answerer(actor)
    interpretation.status = _move_interpretation(interpretation, "publish")
    interpretation.published_by = actor
    interpretation.published_at = timezone.now()
    _save(interpretation, actor, ["status", "published_by", "published_at"])
    waiting = Interpretation.objects.filter(
        article__number=interpretation.article.number,
        version__policy_id=interpretation.version.policy_id,
        status__in=(InterpretationStatus.ASKED, InterpretationStatus.ANSWERED),
    ).values_list("asked_by", flat=True)
    askers = get_user_model().objects.filter(Q(pk=interpretation.asked_by_id) | Q(pk__in=list(waiting)), is_active=True)
    notify(
        recipients=askers,
        topic=notification_topic("interpretation", interpretation),
        url=reverse("policy:interpretation_detail", args=[interpretation.pk]),
        title=gettext("The leadership group answered a question about %(article)s")
        % {"article": interpretation.article.label_zh},
        body=interpretation.answer[:500],
    )
    return interpretation


@transaction.atomic
def interpretation_decline(*, actor: Any, interpretation: Interpretation, reason: str) -> Interpretation:
    """Decline to interpret (a question the policy does not cover, already answered…), with the reason the asker
    is told."""
    _require_answerer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    interpretation.status = _move_interpretation(interpretation, "decline")
    interpretation.decline_reason = reason
    _save(interpretation, actor, ["status", "decline_reason"])
    notify(
        recipients=[interpretation.asked_by],
        topic=notification_topic("interpretation", interpretation),
        url=reverse("policy:interpretation_detail", args=[interpretation.pk]),
        title=gettext("Your question about %(article)s was declined") % {"article": interpretation.article.label_zh},
        body=reason[:500],
    )
    return interpretation


# Reviews (art. 15)


def _next_label(version: PolicyVersion) -> str:
    """1.0 → 1.1 (then 1.2… while taken); a label that is not "major.minor" gets "-r1", "-r2"…"""
    taken = set(PolicyVersion.objects.filter(policy_id=version.policy_id).values_list("label", flat=True))
    major, _dot, minor = version.label.partition(".")
    if major.isdigit() and (minor.isdigit() or not minor):
        n = int(minor or 0) + 1
        while f"{major}.{n}" in taken:
            n += 1
        return f"{major}.{n}"
    n = 1
    while f"{version.label}-r{n}" in taken:
        n += 1
    return f"{version.label}-r{n}"


def _policy_evidence(version: PolicyVersion, since: dt.date, until: dt.date) -> list[dict[str, str]]:
    """The policy's own figures: read acknowledgements of the version, questions asked and answered."""
    _rows, total = acknowledgement_by_department(
        PolicyAcknowledgement.objects.filter(version=version, user__employee__is_active=True)
    )
    asked = Interpretation.objects.filter(
        version__policy_id=version.policy_id, created_at__date__gte=since, created_at__date__lte=until
    )
    return [
        {
            "source": "policy",
            "label": gettext("Employees who confirmed the version"),
            "value": f"{total.confirmed} / {total.asked} ({total.share}%)",
        },
        {"source": "policy", "label": gettext("Questions asked about the policy"), "value": str(asked.count())},
        {
            "source": "policy",
            "label": gettext("Interpretations published"),
            "value": str(asked.filter(status=InterpretationStatus.PUBLISHED).count()),
        },
    ]


@transaction.atomic
def policy_review_record(
    *,
    actor: Any,
    version: PolicyVersion,
    outcome: str,
    reasons: str,
    next_review_on: dt.date | None = None,
) -> PolicyReview:
    """Record the review of the version in force: the outcome (keep as it is / amend), the reasons and the figures
    considered (computed now, over the period since the last review or the effective date); the version's next
    review moves to ``next_review_on`` (default a year from today). "Amend" opens a draft based on the version."""
    _require(actor, "policy.add_policyreview")
    locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    today = policy_today()
    if locked.status != PolicyVersionStatus.IN_FORCE or (locked.effective_from or today) > today:
        raise ValidationError(
            REVIEW_NOT_IN_FORCE,
            code="not_in_force",
            params={"label": locked.label, "status": PolicyVersionStatus(locked.status).label},
        )
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": REVIEW_REASONS_REQUIRED})
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": ValidationError(_("Choose keep or amend."), code="invalid")})
    next_review_on = next_review_on or _one_year_after(today)
    if next_review_on <= today:
        raise ValidationError({"next_review_on": NEXT_REVIEW_NOT_FUTURE})
    last = locked.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True).first()
    since = last or locked.effective_from or today
    evidence = _policy_evidence(locked, since, today) + review_evidence(since, today)
    draft = None
    if outcome == ReviewOutcome.AMEND:
        draft = policy_version_create_draft(
            actor=actor, policy=locked.policy, label=_next_label(locked), based_on=locked
        )
    review = PolicyReview(
        version=locked,
        reviewed_on=today,
        outcome=outcome,
        reasons=reasons,
        evidence=evidence,
        reviewed_by=actor,
        next_review_on=next_review_on,
        draft=draft,
    )
    review.full_clean()
    record_actor(review, actor)
    review.save()
    locked.next_review_on = next_review_on
    record_actor(
        locked,
        actor,
        gettext("Reviewed on %(date)s: %(outcome)s")
        % {"date": today.isoformat(), "outcome": ReviewOutcome(outcome).label},
    )
    locked.save(update_fields=["next_review_on", "updated_at"])
    version.next_review_on = next_review_on
    notifications_for_topic_close(locked)
    return review


def notifications_for_topic_close(version: PolicyVersion) -> None:
    """Close the review reminders of ``version`` once it has been reviewed."""
    Notification.objects.filter(topic__startswith=f"policy-review:{version.pk}:", read_at__isnull=True).update(
        read_at=timezone.now(), updated_at=timezone.now()
    )


def policy_reviews_remind_due(*, on: dt.date | None = None) -> int:
    """Daily: remind the leadership group of each version in force whose review is due within
    ``POLICY_REVIEW_REMIND_DAYS`` days (or overdue) — once a day, however often the job runs. Return how many
    versions were reminded about."""
    on = on or policy_today()
    days = getattr(settings, "POLICY_REVIEW_REMIND_DAYS", 30)
    members = list(users_with_role(BuiltinRole.LEADERSHIP_GROUP))
    count = 0
    for version in versions_due_for_review(on, days):
        topic = f"policy-review:{version.pk}:{on.isoformat()}"
        if not members or Notification.objects.filter(topic=topic).exists():
            continue
        assert version.next_review_on is not None
        overdue = version.next_review_on < on
        title = (
            gettext("The review of policy %(label)s is overdue (due %(date)s)")
            if overdue
            else gettext("The review of policy %(label)s is due on %(date)s")
        )
        notify(
            recipients=members,
            topic=topic,
            url=reverse("policy:review_create", args=[version.pk]),
            title=title % {"label": version.label, "date": version.next_review_on.isoformat()},
            body=gettext("Art. 15: evaluate the policy and record whether it is kept as it is or amended."),
        )
        count += 1
    return count
