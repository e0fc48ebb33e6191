from __future__ import annotations

from typing import Any

from django import template

from apps.core.history import history_entries

register = template.Library()


@register.inclusion_tag("components/history_panel.html")
def history_panel(obj: Any) -> dict[str, Any]:
    """Render the "history" panel for any record that keeps history."""
    return {"entries": history_entries(obj)}


@register.simple_tag(takes_context=True)
def query_string(context: Any, **changes: Any) -> str:
    """Return the current query string with ``changes`` applied (for sort and page links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
