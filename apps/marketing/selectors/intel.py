"""Reads of market intelligence (市场情报) and who has read it.

Art. 5 says sales builds its strategy "from the market intelligence that market development supplies", so
intelligence must reach the sales department, whose staff would otherwise see only their own records. Published
intelligence is therefore visible to everyone in departments of kind sales and market development, in addition
to the usual scope (the author, their manager, senior management). Drafts stay within the usual scope.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from apps.core.scoping import scope_q
from apps.marketing.choices import IntelStatus
from apps.marketing.models import IntelRead, MarketIntel
from apps.org.choices import DepartmentKind
from apps.org.models import Employee, User

AUDIENCE_KINDS = (DepartmentKind.SALES, DepartmentKind.MARKET_DEVELOPMENT)


def in_intel_audience(user: Any) -> bool:
    """Whether the user works in a sales or market development department (one query)."""
    return Employee.objects.filter(user_id=user.pk, is_active=True, department__kind__in=AUDIENCE_KINDS).exists()


def intel_list(*, user: Any, category: str = "", status: str = "", importance: str = "", q: str = "") -> QuerySet:
    """Return ``visible_to(user)`` plus published intelligence when the user is in sales or market development;
    annotated with whether the user has read each item. Usable as a picker (sales plans cite intelligence)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("marketing.view_marketintel"):
        return MarketIntel.objects.none()
    if getattr(user, "is_superuser", False):
        qs = MarketIntel.objects.all()
    else:
        own = scope_q(MarketIntel, user)
        published = Q(status=IntelStatus.PUBLISHED) if in_intel_audience(user) else None
        conditions = [c for c in (own, published) if c is not None]
        if not conditions:
            return MarketIntel.objects.none()
        combined = conditions[0] if len(conditions) == 1 else conditions[0] | conditions[1]
        qs = MarketIntel.objects.filter(combined)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if importance:
        qs = qs.filter(importance=importance)
    term = (q or "").strip()
    if term:
        qs = qs.filter(Q(title__icontains=term) | Q(content__icontains=term) | Q(source__icontains=term))
    is_read = Exists(IntelRead.objects.filter(intel=OuterRef("pk"), reader_id=user.pk))
    return qs.annotate(is_read=is_read).select_related("owner", "owner_unit")


def intel_get(*, user: Any, pk: Any) -> MarketIntel:
    """One piece of intelligence the user may see (404 otherwise)."""
    try:
        return intel_list(user=user).get(pk=pk)
    except (MarketIntel.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def intel_audience() -> QuerySet[User]:
    """The people intelligence is supplied to on publication: active employees of sales departments."""
    return User.objects.filter(
        is_active=True, employee__is_active=True, employee__department__kind=DepartmentKind.SALES
    )


def intel_readers(*, intel: MarketIntel) -> QuerySet[IntelRead]:
    return intel.reads.select_related("reader__employee__department").order_by("read_at")


def intel_unread_in_sales(*, intel: MarketIntel) -> QuerySet[User]:
    """The sales people who have not read the intelligence yet."""
    read = IntelRead.objects.filter(intel=intel).values("reader_id")
    return (
        intel_audience()
        .exclude(pk__in=read)
        .select_related("employee__department")
        .order_by("employee__department__path", "name")
    )


def intel_unread_for(*, user: Any) -> QuerySet[MarketIntel]:
    """Published intelligence the user may see and has not read."""
    return intel_list(user=user, status=IntelStatus.PUBLISHED).filter(is_read=False)
