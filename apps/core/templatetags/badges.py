"""``{% status_badge obj %}``: a record's status as a coloured badge, one table of colours for every workflow.

``{% load badges %}`` then ``{% status_badge contract %}`` renders
``<span class="badge text-bg-success" data-status="approved">已批准</span>``: the kind comes from the model
(``sales.contract``), the value from ``obj.status`` and the label from ``obj.get_status_display()``. A value that is
not a model instance needs its kind and label: ``{% status_badge row.status "sales.contract" label=row.label %}``.
``tone=`` and ``label=`` override the table for one badge (e.g. an overdue routing shows in red).

To give a new workflow badges, add its model to ``STATUS_BADGES`` (and a test id to ``TEST_IDS`` if a browser test
looks for it); a status the table does not name takes the kind's ``"*"`` tone.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.db import models
from django.utils.html import format_html

register = template.Library()

# Bootstrap's text-bg-* colour of each status, per model (``app_label.model_name``); a pair adds an icon before the
# label; "*" is the tone of every status not named.
STATUS_BADGES: dict[str, dict[str, str | tuple[str, str]]] = {
    "improvements.improvementaction": {
        "open": "light",
        "in_progress": "primary",
        "done": "warning",
        "verified": "success",
        "ineffective": "danger",
        "*": "secondary",
    },
    "reports.departmentreport": {
        "draft": "light",
        "submitted": "primary",
        "returned": "danger",
        "reviewed": "success",
        "*": "secondary",
    },
    "marketing.campaign": {"planned": "secondary", "running": "primary", "finished": "success", "*": "dark"},
    "marketing.lead": {
        "new": "secondary",
        "contacting": "info",
        "qualified": "primary",
        "handed_over": "warning",
        "converted": "success",
        "*": "dark",
    },
    "marketing.marketplan": {
        "draft": "light",
        "submitted": "warning",
        "approved": "info",
        "executing": "primary",
        "*": "secondary",
    },
    "sales.contract": {
        "approved": "success",
        "pending": "warning",
        "rejected": "danger",
        "voided": "dark",
        "*": "secondary",
    },
    "sales.salesplan": {
        "draft": "secondary",
        "submitted": "warning",
        "approved": "info",
        "executing": "primary",
        "*": "dark",
    },
    "sales.targetset": {
        "draft": "light",
        "submitted": "warning",
        "approved": ("success", "bi-lock-fill"),
        "*": "success",
    },
    "service.feedbackrouting": {"pending": "warning", "acknowledged": "info", "*": "success"},
    "service.ticket": {
        "new": "info",
        "assigned": "primary",
        "in_progress": "warning",
        "waiting_customer": "secondary",
        "resolved": "success",
        "*": "light",
    },
    "surveys.surveycampaign": {"sent": "success", "scheduled": "info", "closed": "secondary", "*": "light"},
}
# The data-testid of the badges that browser tests look for.
TEST_IDS = {
    "marketing.lead": "lead-status",
    "service.feedbackrouting": "routing-status",
    "service.ticket": "ticket-status",
    "surveys.surveycampaign": "campaign-status",
}
# "light" is white on white without a border.
_TONE_CLASSES = {"light": "text-bg-light border"}


def _tone(kind: str, status: str) -> tuple[str, str]:
    tones = STATUS_BADGES.get(kind, {})
    tone = tones.get(status, tones.get("*", "secondary"))
    return (tone, "") if isinstance(tone, str) else tone


@register.simple_tag
def status_badge(obj: Any, kind: str = "", *, label: Any = None, tone: str = "") -> str:
    """Render the status badge of ``obj`` (a model instance with a ``status`` field, or a bare status value)."""
    if obj is None or obj == "":
        return ""
    if isinstance(obj, models.Model):
        record: Any = obj  # a model with a status field (choices): get_status_display() exists
        kind = kind or obj._meta.label_lower
        status = str(record.status)
        label = record.get_status_display() if label is None else label
    else:
        status = str(obj)
        label = status if label is None else label
    table_tone, icon = _tone(kind, status)
    tone = tone or table_tone
    test_id = TEST_IDS.get(kind)
    return format_html(
        '<span class="badge {}" data-status="{}"{}>{}{}</span>',
        _TONE_CLASSES.get(tone, f"text-bg-{tone}"),
        status,
        format_html(' data-testid="{}"', test_id) if test_id else "",
        format_html('<i class="bi {}"></i> ', icon) if icon else "",
        label,
    )
