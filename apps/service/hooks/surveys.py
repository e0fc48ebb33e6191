"""Start-up registrations of service into surveys: a detractor's answer opens a follow-up ticket (arts. 10, 12:
act on what the survey finds), and "customers with tickets closed in a period" is a survey segment."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.service.selectors.tickets import customers_with_tickets_closed
from apps.service.services.tickets import ticket_open_for_detractor
from apps.surveys.choices import NpsGroup, nps_group
from apps.surveys.registry import register_response_hook, register_segment_source

# On the five-point scale 1–2 is 不满意/非常不满意: as much a detractor as an NPS of 0–6.
DISSATISFIED_CSAT = Decimal("2")
SEGMENT_LABEL = _("Customers with tickets resolved in the period")


def is_detractor(response: Any) -> bool:
    if response.nps_score is not None and nps_group(response.nps_score) == NpsGroup.DETRACTOR:
        return True
    return response.csat is not None and response.csat <= DISSATISFIED_CSAT


def open_ticket_for_detractor(response: Any) -> None:
    if is_detractor(response):
        ticket_open_for_detractor(response=response)


def register() -> None:
    register_response_hook(open_ticket_for_detractor)
    register_segment_source("tickets_closed", SEGMENT_LABEL, customers_with_tickets_closed)
