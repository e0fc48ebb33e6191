"""The audit log of exports (CONVENTIONS-CN §1 row 29): every export of records — a list's Excel file, a report, a
cycle's scores — writes one ``core.ExportLog`` row through ``export_logged``: who exported, what, with which filter,
how many rows. The lists' exports (``core.views.ListExportMixin``) call it themselves after the file is built, so a
list export cannot leave it out; the other exports call it where they build their file."""

from __future__ import annotations

from typing import Any

from apps.core.models import ExportLog

EXPORT_SCOPES = ("selected", "filtered", "all")


def export_logged(
    *, actor: Any, resource: str, row_count: int, scope: str = "filtered", filters: str = ""
) -> ExportLog:
    """Log one export by ``actor``: ``resource`` (``app_label.model``, or a report's key), ``scope`` (the selected
    rows, the list as filtered, or all of it), ``filters`` (the filter and search as ``name=value; …``) and the
    number of rows written."""
    return ExportLog.objects.create(
        user=actor,
        resource=resource[:100],
        scope=scope if scope in EXPORT_SCOPES else "filtered",
        filters=(filters or "")[:500],
        row_count=max(0, int(row_count)),
    )
