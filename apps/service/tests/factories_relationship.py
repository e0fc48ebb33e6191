"""Set-up helpers for relationship maintenance tests (writes under test go through the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.customers.choices import FollowUpChannel
from apps.customers.tests.factories import CustomerFactory
from apps.service.choices import DueContactReason
from apps.service.models import DueContact, RelationshipContact


def serviced_customer(*, owner: Any, service_owner: Any, level: str = "B", **kwargs: Any) -> Any:
    return CustomerFactory(owner=owner, service_owner=service_owner, level=level, **kwargs)


def make_contact_record(
    *,
    customer: Any,
    owner: Any,
    unit: Any,
    content: str = "例行回访",
    occurred_at: dt.datetime | None = None,
    **kwargs: Any,
) -> RelationshipContact:
    return RelationshipContact.objects.create(
        customer=customer,
        owner=owner,
        owner_unit=unit,
        content=content,
        occurred_at=occurred_at or timezone.now(),
        channel=FollowUpChannel.PHONE,
        **kwargs,
    )


def make_due(
    *,
    customer: Any,
    owner: Any,
    unit: Any,
    due_on: dt.date | None = None,
    reason: str = DueContactReason.CADENCE,
    **kwargs: Any,
) -> DueContact:
    return DueContact.objects.create(
        customer=customer, owner=owner, owner_unit=unit, reason=reason, due_on=due_on or timezone.localdate(), **kwargs
    )
