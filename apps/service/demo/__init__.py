"""The demo company's customer service: two years of tickets and complaints, feedback routed to sales and
marketing, relationship contacts with today's due list, and the satisfaction surveys with their answers (the survey
answers are loaded here because they need the tickets — the surveys app loads before sales and service — and are
written through the surveys' bulk path, ``apps.surveys.services.history``).
Each part is idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.core.workdays import calendar_preloaded
from apps.service.demo import feedback as demo_feedback
from apps.service.demo import relationship as demo_relationship
from apps.service.demo import surveys as demo_surveys
from apps.service.demo import tickets as demo_tickets


def load(stdout: Any) -> None:
    today = timezone.localdate()
    with calendar_preloaded(demo_tickets.START - dt.timedelta(days=7), today + dt.timedelta(days=400)):
        demo_tickets.load(stdout)
        ctx = demo_tickets.demo_context(seed=demo_tickets.SEED + 1)
        if ctx is None or not ctx.customers:
            return
        demo_feedback.load(stdout, ctx)
        demo_relationship.load(stdout, ctx)
        demo_surveys.load(stdout, ctx)
