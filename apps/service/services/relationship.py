"""Writes of relationship maintenance (art. 10 "客户关系维护"): the daily job that puts due contacts on each service
owner's list (the cadence of the customer's level in the rules in force, contacts' birthdays, contract
anniversaries), the contact record (回访) that answers them, and skipping one."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from apps.core.scoping import can, user_scope
from apps.core.services import model_save, notify
from apps.org.models import User
from apps.policy.selectors import rules_in_force
from apps.service.choices import DueContactReason, DueContactStatus
from apps.service.models import DueContact, RelationshipContact
from apps.service.selectors import relationship as selectors

CONTACT_FIELDS = ["contact", "channel", "occurred_at", "content", "satisfaction", "personal_notes", "next_contact_on"]

CONTACT_CUSTOMER_OUT_OF_SCOPE = gettext_lazy("You may not record contacts with this customer.")
CONTACT_PERSON_MISMATCH = gettext_lazy("This person is not a contact of the customer.")
CONTACT_IN_FUTURE = gettext_lazy("A contact cannot be recorded in the future.")
NEXT_CONTACT_IN_PAST = gettext_lazy("The next contact must be after this one.")
DUE_CONTACT_MISMATCH = gettext_lazy("This due contact belongs to another customer.")
DUE_CONTACT_NOT_OPEN = gettext_lazy("This due contact has already been dealt with.")
SKIP_NEEDS_REASON = gettext_lazy("Say why the contact is skipped.")
CONTACT_NO_UNIT = gettext_lazy("You belong to no department, so the contact cannot be recorded in your name.")

DIGEST_TITLE = gettext_lazy("%(count)s new customer contacts due")
DIGEST_BODY = gettext_lazy("Regular contacts, birthdays and contract anniversaries: see your list of due contacts.")
BIRTHDAY_NOTE = gettext_lazy("Birthday of %(name)s")
ANNIVERSARY_NOTE = gettext_lazy("%(years)s years since contract %(number)s")
NEXT_CONTACT_NOTE = gettext_lazy("Planned at the last contact")


def _unit_of(user: Any) -> int | None:
    employee = getattr(user, "employee", None)
    return employee.department_id if employee else user_scope(user).unit_id


def _as_local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _this_occurrence(month_day: dt.date, on: dt.date) -> dt.date:
    """The next date on or after ``on`` with the month and day of ``month_day`` (29 Feb → 28 Feb if need be)."""
    for year in (on.year, on.year + 1):
        try:
            candidate = month_day.replace(year=year)
        except ValueError:
            candidate = dt.date(year, 2, 28)
        if candidate >= on:
            return candidate
    return candidate


def due_contacts_generate(on: dt.date | None = None) -> dict[str, int]:
    """Put on each service owner's list the contacts falling due: the regular contact by the cadence of the
    customer's level (a few days ahead or overdue, one open at a time), contacts' birthdays and contract
    anniversaries in the coming week. Idempotent: a (customer, reason, date) is made once. One digest
    notification per owner with the number new. Returns the counts made per reason and the owners told."""
    on = on or timezone.localdate()
    rules = rules_in_force(on).rules
    planned: list[DueContact] = []
    open_cadence = selectors.open_cadence_customer_ids()

    for customer in selectors.serviced_customers():
        if customer.pk in open_cadence:
            continue
        last = getattr(customer, "last_contact_at", None) or customer.last_follow_up_at or customer.created_at
        due_on = _as_local_date(last) + dt.timedelta(days=rules.contact_cadence_days(customer.level))
        if due_on <= on + dt.timedelta(days=selectors.CADENCE_LOOKAHEAD_DAYS):
            planned.append(
                DueContact(
                    customer=customer, reason=DueContactReason.CADENCE, due_on=due_on, owner=customer.service_owner
                )
            )

    horizon = on + dt.timedelta(days=selectors.OCCASION_LOOKAHEAD_DAYS)
    for contact in selectors.birthday_contacts():
        if contact.birthday is None:  # the selector gives only contacts with a birthday
            continue
        day = _this_occurrence(contact.birthday, on)
        if day <= horizon:
            planned.append(
                DueContact(
                    customer=contact.customer,
                    reason=DueContactReason.BIRTHDAY,
                    due_on=day,
                    owner=contact.customer.service_owner,
                    note=str(BIRTHDAY_NOTE % {"name": contact.name})[:200],
                )
            )

    for contract in selectors.anniversary_contracts(before=on - dt.timedelta(days=365 - 8)):
        day = _this_occurrence(contract.signed_on, on)
        years = day.year - contract.signed_on.year
        if day <= horizon and years >= 1:
            planned.append(
                DueContact(
                    customer=contract.customer,
                    reason=DueContactReason.CONTRACT_ANNIVERSARY,
                    due_on=day,
                    owner=contract.customer.service_owner,
                    note=str(ANNIVERSARY_NOTE % {"years": years, "number": contract.number})[:200],
                )
            )

    since = min((d.due_on for d in planned), default=on)
    existing = selectors.existing_due_keys(since=since)
    counts: Counter[str] = Counter()
    new_per_owner: dict[Any, int] = defaultdict(int)
    owners: dict[int, Any] = {}
    for due in planned:
        key = (due.customer.pk, due.reason, due.due_on)
        if key in existing:
            continue
        existing.add(key)
        due.owner_unit_id = _unit_of(due.owner)  # type: ignore[assignment]  # None: checked next
        if due.owner_unit_id is None:
            continue
        try:
            with transaction.atomic():
                due.save()
        except IntegrityError:  # made by a concurrent run
            continue
        counts[due.reason] += 1
        new_per_owner[due.owner.pk] += 1
        owners[due.owner.pk] = due.owner
    url = reverse("service:due_contact_list")
    for owner_id, count in new_per_owner.items():
        notify(
            recipients=[owners[owner_id]],
            title=str(DIGEST_TITLE % {"count": count}),
            body=str(DIGEST_BODY),
            url=url,
            kind="due_contact",
        )
    result = {reason: counts.get(reason, 0) for reason in DueContactReason.values}
    result["owners_notified"] = len(new_per_owner)
    return result


def _check_due(actor: User, due_contact: DueContact) -> None:
    if not can(actor, "change", due_contact):
        raise PermissionDenied
    if due_contact.status != DueContactStatus.OPEN:
        raise ValidationError(DUE_CONTACT_NOT_OPEN)


@transaction.atomic
def relationship_contact_record(
    *, actor: User, customer: Any, data: dict[str, Any], due_contact: DueContact | None = None
) -> RelationshipContact:
    """Record a contact (回访) with the customer: channel, content, satisfaction on the five-level scale,
    personalised-service notes, next contact. Closes the due contact answered and any open regular contact of the
    customer; a next contact date puts a regular contact on the service owner's list for that day."""
    if not actor.has_perm("service.add_relationshipcontact"):
        raise PermissionDenied
    if not can(actor, "view", customer):
        raise ValidationError({"customer": CONTACT_CUSTOMER_OUT_OF_SCOPE})
    if due_contact is not None:
        _check_due(actor, due_contact)
        if due_contact.customer_id != customer.pk:
            raise ValidationError(DUE_CONTACT_MISMATCH)
    unit_id = _unit_of(actor)
    if unit_id is None:
        raise ValidationError(CONTACT_NO_UNIT)
    now = timezone.now()
    record = RelationshipContact(
        customer=customer,
        owner=actor,
        owner_unit_id=unit_id,
        created_by=actor,
        **{k: v for k, v in data.items() if k in CONTACT_FIELDS},
    )
    record.occurred_at = record.occurred_at or now
    record.personal_notes = record.personal_notes or ""
    if record.contact is not None and record.contact.customer_id != customer.pk:
        raise ValidationError({"contact": CONTACT_PERSON_MISMATCH})
    if record.occurred_at > now + dt.timedelta(minutes=5):
        raise ValidationError({"occurred_at": CONTACT_IN_FUTURE})
    if record.next_contact_on and record.next_contact_on <= _as_local_date(record.occurred_at):
        raise ValidationError({"next_contact_on": NEXT_CONTACT_IN_PAST})
    model_save(record, actor=actor)

    to_close = Q(customer=customer, status=DueContactStatus.OPEN, reason=DueContactReason.CADENCE)
    if due_contact is not None:
        to_close |= Q(pk=due_contact.pk, status=DueContactStatus.OPEN)
    DueContact.objects.filter(to_close).update(status=DueContactStatus.DONE, done_at=now, record=record, updated_at=now)

    if record.next_contact_on:
        owner = customer.service_owner or actor
        owner_unit = _unit_of(owner) or unit_id
        DueContact.objects.update_or_create(
            customer=customer,
            reason=DueContactReason.CADENCE,
            due_on=record.next_contact_on,
            defaults={
                "owner": owner,
                "owner_unit_id": owner_unit,
                "status": DueContactStatus.OPEN,
                "note": str(NEXT_CONTACT_NOTE),
                "done_at": None,
                "record": None,
                "created_by": actor,
            },
        )
    return record


@transaction.atomic
def due_contact_skip(*, actor: User, due_contact: DueContact, reason: str) -> DueContact:
    """Set a due contact aside with the reason (the customer asked not to be called, a duplicate …)."""
    _check_due(actor, due_contact)
    if not (reason or "").strip():
        raise ValidationError({"reason": SKIP_NEEDS_REASON})
    due_contact.status = DueContactStatus.SKIPPED
    due_contact.note = reason.strip()[:200]
    due_contact.done_at = timezone.now()
    due_contact.save(update_fields=["status", "note", "done_at", "updated_at"])
    return due_contact
