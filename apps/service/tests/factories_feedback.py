"""Set-up helpers for feedback tests (writes under test go through the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.service.choices import FeedbackCategory, FeedbackSource
from apps.service.models import Feedback, FeedbackRouting


def make_feedback(
    *,
    customer: Any,
    created_by: Any,
    unit: Any,
    content: str = "客户反馈交货太慢",
    category: str = FeedbackCategory.DELIVERY,
    departments: tuple = (),
) -> Feedback:
    feedback = Feedback.objects.create(
        customer=customer,
        created_by=created_by,
        owner_unit=unit,
        content=content,
        category=category,
        source_kind=FeedbackSource.MANUAL,
    )
    for department in departments:
        make_routing(feedback=feedback, department=department)
    return feedback


def make_routing(*, feedback: Feedback, department: Any, due: dt.datetime | None = None) -> FeedbackRouting:
    return FeedbackRouting.objects.create(
        feedback=feedback, department=department, acknowledge_due=due or timezone.now() + dt.timedelta(hours=8)
    )
