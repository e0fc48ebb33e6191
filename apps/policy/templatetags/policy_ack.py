"""Published interpretations beside each article (art. 14), loaded once per page whatever the number of articles."""

from __future__ import annotations

from typing import Any

from django import template

from apps.policy.choices import PolicyVersionStatus
from apps.policy.models import Article, PolicyVersion
from apps.policy.selectors import published_interpretations

register = template.Library()


def _version(context: Any, article: Article) -> PolicyVersion:
    """The page's version (``version`` in the context) when it is the article's, so no query is made for it."""
    version = context.get("version")
    if isinstance(version, PolicyVersion) and version.pk == article.version_id:
        return version
    return article.version


@register.simple_tag(takes_context=True)
def article_interpretations(context: Any, article: Article) -> dict[str, Any]:
    """The published answers about ``article`` and whether one may ask about it (the version is in force); one
    query for the whole page, cached while it renders."""
    cache = context.dicts[0]  # the page's bottom layer: shared by every include, unlike ``render_context``
    key = ("policy_ack_interpretations", article.version_id)
    if key not in cache:
        version = _version(context, article)
        cache[key] = (published_interpretations(version), version.status == PolicyVersionStatus.IN_FORCE)
    by_number, in_force = cache[key]
    return {"answers": by_number.get(article.number, []), "may_ask": in_force}
