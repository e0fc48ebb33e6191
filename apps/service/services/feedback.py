"""Writes of customer feedback (art. 6 "向相关部门提供客户反馈"): record it from a ticket, a visit, a follow-up, a
survey answer or by hand and route it to the departments concerned; those departments acknowledge and reply; an
acknowledgement overdue escalates once to the manager above (or senior management)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.scoping import can, user_scope
from apps.core.services import model_save, notify
from apps.core.workdays import TZ, add_working_hours, calendar_preloaded
from apps.org.models import User
from apps.policy.selectors import rules_in_force
from apps.service.choices import FeedbackCategory, FeedbackSource, RoutingStatus
from apps.service.models import Feedback, FeedbackRouting
from apps.service.models.feedback import ROUTING_WORKFLOW, RoutingRole
from apps.service.selectors.feedback import (
    department_manager,
    escalation_recipients,
    routing_roles,
    routings_overdue_unescalated,
)

FEEDBACK_NEEDS_DEPARTMENT = gettext_lazy("Choose at least one department to pass the feedback to.")
FEEDBACK_CUSTOMER_OUT_OF_SCOPE = gettext_lazy("You may not record feedback for this customer.")
FEEDBACK_NEEDS_CONTENT = gettext_lazy("Write down what the customer said.")
FEEDBACK_SOURCE_MISMATCH = gettext_lazy("The source belongs to another customer.")
FEEDBACK_NO_UNIT = gettext_lazy("You belong to no department, so feedback cannot be recorded in your name.")
ROUTING_NOT_PENDING = gettext_lazy("This feedback has already been acknowledged.")
ROUTING_ALREADY_REPLIED = gettext_lazy("This department has already replied.")
ROUTING_NEEDS_REPLY = gettext_lazy("Write the department's reply.")

NEW_FEEDBACK_TITLE = gettext_lazy("Customer feedback for %(department)s: %(customer)s")
REPLY_TITLE = gettext_lazy("%(department)s replied to the feedback of %(customer)s")
ESCALATION_TITLE = gettext_lazy("Feedback not acknowledged in time by %(department)s: %(customer)s")
ESCALATION_BODY = gettext_lazy("It was due for acknowledgement by %(due)s.")


def _routing_url(routing: FeedbackRouting) -> str:
    return reverse("service:routing_detail", args=[routing.pk])


def _feedback_url(feedback: Feedback) -> str:
    return reverse("service:feedback_detail", args=[feedback.pk])


def _source_customer_id(source: Any) -> int | None:
    """The customer a visit, follow-up or survey answer belongs to (None when it names none)."""
    if hasattr(source, "customer_id"):
        return source.customer_id
    invitation = getattr(source, "invitation", None)
    return getattr(invitation, "customer_id", None)


@transaction.atomic
def feedback_record(
    *,
    actor: User,
    customer: Any,
    category: str,
    content: str,
    departments: Iterable[Any],
    source_kind: str = FeedbackSource.MANUAL,
    ticket: Any = None,
    source: Any = None,
) -> Feedback:
    """Record what the customer said and route it to each department (each must acknowledge within the working
    hours of the rules in force); each department's manager is told."""
    if not actor.has_perm("service.add_feedback"):
        raise PermissionDenied
    departments = list({d.pk: d for d in departments}.values())
    if not departments:
        raise ValidationError({"departments": FEEDBACK_NEEDS_DEPARTMENT})
    if not (content or "").strip():
        raise ValidationError({"content": FEEDBACK_NEEDS_CONTENT})
    if not can(actor, "view", customer):
        raise ValidationError({"customer": FEEDBACK_CUSTOMER_OUT_OF_SCOPE})
    if ticket is not None and ticket.customer_id and ticket.customer_id != customer.pk:
        raise ValidationError({"customer": FEEDBACK_SOURCE_MISMATCH})
    if source is not None and _source_customer_id(source) not in (None, customer.pk):
        raise ValidationError({"customer": FEEDBACK_SOURCE_MISMATCH})
    unit_id = user_scope(actor).unit_id or customer.owner_unit_id
    if unit_id is None:
        raise ValidationError(FEEDBACK_NO_UNIT)
    if ticket is not None and source_kind == FeedbackSource.MANUAL:
        source_kind = FeedbackSource.TICKET
    feedback = Feedback(
        customer=customer,
        category=category or FeedbackCategory.OTHER,
        content=content.strip(),
        source_kind=source_kind,
        ticket=ticket,
        created_by=actor,
        owner_unit_id=unit_id,
    )
    if source is not None:
        feedback.source_type = ContentType.objects.get_for_model(source)
        feedback.source_id = source.pk
    model_save(feedback, actor=actor)
    now = timezone.now()
    hours = rules_in_force(timezone.localdate(now)).rules.service_escalation.feedback_acknowledge_hours
    due = add_working_hours(now, hours)
    for department in departments:
        routing = FeedbackRouting(feedback=feedback, department=department, acknowledge_due=due)
        record_actor(routing, actor)
        routing.save()
        manager = department_manager(department)
        if manager is not None:
            notify(
                recipients=[manager],
                url=_routing_url(routing),
                kind="feedback",
                title=str(NEW_FEEDBACK_TITLE % {"department": department.name, "customer": customer.name}),
                body=feedback.content[:500],
            )
    return feedback


def _check_may_answer(actor: User, routing: FeedbackRouting) -> None:
    """The person ``ROUTING_WORKFLOW`` names for its steps (the department's answerer), else 403."""
    if RoutingRole.ANSWERER not in routing_roles(actor, routing):
        raise PermissionDenied


@transaction.atomic
def routing_acknowledge(*, actor: User, routing: FeedbackRouting) -> FeedbackRouting:
    """The receiving department (its manager, or anyone above who may) confirms it has taken the feedback in."""
    _check_may_answer(actor, routing)
    routing = FeedbackRouting.objects.select_for_update().get(pk=routing.pk)
    step = ROUTING_WORKFLOW[routing.status].get("acknowledge")
    if step is None:
        raise ValidationError(ROUTING_NOT_PENDING)
    routing.status = step.target
    routing.acknowledged_by = actor
    routing.acknowledged_at = timezone.now()
    record_actor(routing, actor)
    routing.save()
    return routing


@transaction.atomic
def routing_reply(*, actor: User, routing: FeedbackRouting, reply: str) -> FeedbackRouting:
    """The department answers (acknowledging it too if it had not); who recorded the feedback and the customer's
    service owner are told."""
    _check_may_answer(actor, routing)
    if not (reply or "").strip():
        raise ValidationError({"reply": ROUTING_NEEDS_REPLY})
    routing = (
        FeedbackRouting.objects.select_for_update(of=("self",))
        .select_related("feedback__customer", "department")
        .get(pk=routing.pk)
    )
    step = ROUTING_WORKFLOW[routing.status].get("reply")
    if step is None:
        raise ValidationError(ROUTING_ALREADY_REPLIED)
    now = timezone.now()
    if routing.status == RoutingStatus.PENDING:
        routing.acknowledged_by = actor
        routing.acknowledged_at = now
    routing.status = step.target
    routing.reply = reply.strip()
    routing.replied_by = actor
    routing.replied_at = now
    record_actor(routing, actor)
    routing.save()
    feedback = routing.feedback
    recipients = [u for u in (feedback.created_by, feedback.customer.service_owner) if u is not None and u != actor]
    if recipients:
        notify(
            recipients=recipients,
            url=_feedback_url(feedback),
            body=routing.reply[:500],
            kind="feedback",
            title=str(REPLY_TITLE % {"department": routing.department.name, "customer": feedback.customer.name}),
        )
    return routing


@transaction.atomic
def feedback_escalate_overdue(now: dt.datetime | None = None) -> int:
    """Tell the manager above (or senior management) of each acknowledgement overdue, once; return how many."""
    now = now or timezone.now()
    count = 0
    for routing in routings_overdue_unescalated(now=now).select_for_update(of=("self",)):
        recipients = escalation_recipients(routing.department)
        due = timezone.localtime(routing.acknowledge_due).strftime("%Y-%m-%d %H:%M")
        notify(
            recipients=recipients,
            url=_routing_url(routing),
            body=str(ESCALATION_BODY % {"due": due}),
            kind="escalation",
            title=str(
                ESCALATION_TITLE % {"department": routing.department.name, "customer": routing.feedback.customer.name}
            ),
        )
        FeedbackRouting.objects.filter(pk=routing.pk).update(escalated_at=now, updated_at=now)
        count += 1
    return count


def routings_follow_calendar(change: Any) -> int:
    """Recompute the acknowledgement deadlines not yet met on the changed calendar (each keeps the working hours it
    lay after the first changed day); acknowledged routings stay as they are. Each moved routing gets a history row
    saying why. Returns how many moved."""
    start = dt.datetime.combine(change.first_day, dt.time(0), TZ)
    routings = list(
        FeedbackRouting.objects.select_for_update().filter(
            status=RoutingStatus.PENDING, acknowledged_at__isnull=True, acknowledge_due__gt=start
        )
    )
    if not routings:
        return 0
    latest = max(r.acknowledge_due for r in routings).astimezone(TZ).date()
    moved = 0
    with calendar_preloaded(change.first_day, latest + dt.timedelta(days=120)):
        for routing in routings:
            due = change.moved_deadline(routing.created_at, routing.acknowledge_due)
            if due == routing.acknowledge_due:
                continue
            routing.acknowledge_due = due
            record_actor(routing, change.actor, change.reason)
            routing.save(update_fields=["acknowledge_due", "updated_at"])
            moved += 1
    return moved
