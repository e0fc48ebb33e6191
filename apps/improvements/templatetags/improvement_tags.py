"""``{% raised_improvements source "market_evaluation" %}``: any source page lists the improvement actions it raised
and offers to raise another (the ``improvements/_raised_by.html`` partial)."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.contenttypes.models import ContentType
from django.utils.http import urlencode

from apps.improvements.selectors import improvements_for

register = template.Library()


@register.inclusion_tag("improvements/_raised_by.html", takes_context=True)
def raised_improvements(context: Any, source: Any, source_kind: str = "other", can_raise: bool = True) -> dict:
    """The actions ``source`` raised (within the viewer's scope) and the link that raises one from it."""
    request = context["request"]
    user = request.user
    content_type = ContentType.objects.get_for_model(source)
    query = urlencode(
        {
            "source_type": content_type.pk,
            "source_id": source.pk,
            "source_kind": source_kind,
            "next": request.get_full_path(),
        }
    )
    return {
        "actions": list(improvements_for(user=user, source=source)),
        "raise_query": query,
        "can_raise": can_raise and user.has_perm("improvements.add_improvementaction"),
        "request": request,
    }
