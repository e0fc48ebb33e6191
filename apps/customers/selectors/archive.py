"""Reads of the customer archive: the list with its scenes and filters, one customer with everything around it,
the timeline, and the contacts due for the workbench. Every read starts from ``visible_to(user)`` and runs a
bounded number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Count, Field, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.scoping import can, can_expression, user_scope, users_assignable
from apps.customers.models import Contact, Customer, CustomerNeed, FollowUp, OwnershipLog
from apps.customers.selectors.dedupe import mask_mobile
from apps.customers.selectors.search import customer_search_q
from apps.customers.selectors.timeline import timeline_events
from apps.customers.timeline import TimelineEvent

# List scenes (列表场景, CONVENTIONS-CN row 5) and quick filters.
SCENE_MINE = "mine"
SCENE_TEAM = "team"
SCENE_SERVICED = "serviced"
SCENE_ALL = "all"
SCENES = (SCENE_MINE, SCENE_TEAM, SCENE_SERVICED, SCENE_ALL)
QUICK_TODAY = "today"
QUICK_OVERDUE = "overdue"
QUICK_NEVER = "never"
QUICK_LOCKED = "locked"
QUICK_FILTERS = (QUICK_TODAY, QUICK_OVERDUE, QUICK_NEVER, QUICK_LOCKED)
SORT_FIELDS = (
    "name",
    "level",
    "last_follow_up_at",
    "next_contact_at",
    "created_at",
    "updated_at",
    "owner__name",
    "contact_count",
    "province",
)
DETAIL_ROWS = 20  # follow-ups, ownership changes shown on the detail page
TIMELINE_SOURCE_LIMIT = 50  # rows each built-in timeline source reads at most


def _today_bounds() -> tuple[dt.datetime, dt.datetime]:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + dt.timedelta(days=1)


def scene_q(scene: str, user: Any) -> Q:
    """我负责的: owned by the user; 下属负责的: owned by others in the user's department tree; 我服务的: the user is
    the service owner; anything else: everything in scope."""
    if scene == SCENE_MINE:
        return Q(owner=user)
    if scene == SCENE_TEAM:
        path = user_scope(user).unit_path
        if not path:
            return Q(pk__in=[])
        return Q(owner_unit__path__startswith=path) & ~Q(owner=user) & Q(owner__isnull=False)
    if scene == SCENE_SERVICED:
        return Q(service_owner=user)
    return Q()


def quick_q(quick: str) -> Q:
    """今日需联系: next contact today; 已逾期: next contact before today; 从未跟进: no follow-up; 锁定: locked."""
    start, end = _today_bounds()
    return {
        QUICK_TODAY: Q(next_contact_at__gte=start, next_contact_at__lt=end),
        QUICK_OVERDUE: Q(next_contact_at__lt=start),
        QUICK_NEVER: Q(last_follow_up_at__isnull=True),
        QUICK_LOCKED: Q(is_locked=True),
    }.get(quick, Q())


def contact_count() -> Coalesce:
    """The number of a customer's contacts as a subquery, so that joins of filters and searches cannot inflate it."""
    counted = (
        Contact.objects.filter(customer=OuterRef("pk"))
        .order_by()
        .values("customer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def with_list_data(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """Owner, department, service owner, tags, the primary contact and the contact count, for list rows."""
    qs = qs.select_related("owner", "owner_unit", "service_owner").annotate(contact_count=contact_count())
    return qs.prefetch_related(
        "tags", Prefetch("contacts", queryset=Contact.objects.filter(is_primary=True), to_attr="primary_contacts")
    )


def search_q(term: str) -> Q:
    """Search the name, the USCC, the name's pinyin initials (rfkj → 瑞丰科技), and contacts by name or mobile
    (any spelling of the number). On PostgreSQL one BitmapOr of index lookups (``search.customer_search_q``)."""
    return customer_search_q(term, connections[Customer.objects.db].vendor)


def customer_list(
    *,
    user: Any,
    scene: str = SCENE_ALL,
    quick: str = "",
    q: str = "",
    sort: str = "",
    level: str = "",
    lifecycle: str = "",
    source: str = "",
    industry: str = "",
    province: str = "",
    tag: str = "",
    owner: Any = None,
) -> QuerySet[Customer]:
    """Return the customers the user may see in the scene, filtered, searched and sorted, with the primary
    contact, tags and the number of contacts (four queries for a page, whatever its size)."""
    qs: QuerySet[Customer] = Customer.objects.visible_to(user).filter(scene_q(scene, user), quick_q(quick))
    exact = {"level": level, "lifecycle": lifecycle, "source": source, "industry": industry, "province": province}
    qs = qs.filter(**{k: v for k, v in exact.items() if v})
    if tag:
        qs = qs.filter(pk__in=Customer.tags.through.objects.filter(tag__name=tag).values("customer_id"))
    if owner:
        qs = qs.filter(owner=owner)
    term = (q or "").strip()
    if term:
        qs = qs.filter(search_q(term))
    qs = with_list_data(qs)
    order = sort if sort.lstrip("-") in SORT_FIELDS else "-updated_at"
    return qs.order_by(order, "-pk")


def mobile_for(*, user: Any, customer: Customer, mobile: str | None, can_see_full: bool | None = None) -> str:
    """The mobile as ``user`` may see it: in full for the owner (or ``can_see_full``), masked otherwise (PIPL)."""
    if not mobile:
        return ""
    full = can_see_full if can_see_full is not None else customer.owner_id == user.pk
    return mobile if full else mask_mobile(mobile)


def with_page_rows(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """``with_list_data`` for the list page's rows (``decorate_rows``): the owner alone (the row shows no department
    or service owner) and the tags as a plain list (``tag_list``), without a related manager per row."""
    qs = qs.select_related("owner").annotate(contact_count=contact_count())
    return qs.prefetch_related(
        Prefetch("tags", to_attr="tag_list"),
        Prefetch("contacts", queryset=Contact.objects.filter(is_primary=True), to_attr="primary_contacts"),
    )


def _choice_labels(field_name: str) -> dict[Any, str]:
    """A field's choice labels in the current language, looked up once for a page of rows (``get_FOO_display``
    translates every label of the field on each call)."""
    field = Customer._meta.get_field(field_name)
    assert isinstance(field, Field)
    return {value: str(label) for value, label in field.flatchoices}


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


def decorate_rows(*, user: Any, customers: list[Customer]) -> list[Customer]:
    """Give each listed customer ``primary`` (its primary contact), ``primary_mobile`` (masked unless mine),
    ``detail_url``, the labels of its lifecycle stage and industry (what ``get_FOO_display`` gives), the local days
    of its last follow-up and next contact (``YYYY-MM-DD``) and whether that contact is ``overdue`` or ``today``."""
    lifecycles, industries = _choice_labels("lifecycle"), _choice_labels("industry")
    today = timezone.localdate()
    for customer in customers:
        last, due = _local_day(customer.last_follow_up_at), _local_day(customer.next_contact_at)
        customer.last_follow_up_day = last.isoformat() if last else ""  # type: ignore[attr-defined]
        customer.next_contact_day = due.isoformat() if due else ""  # type: ignore[attr-defined]
        customer.next_contact_due = (  # type: ignore[attr-defined]
            "" if due is None else "overdue" if due < today else "today" if due == today else ""
        )
        primary = (getattr(customer, "primary_contacts", None) or [None])[0]
        customer.primary = primary  # type: ignore[attr-defined]
        customer.primary_mobile = mobile_for(  # type: ignore[attr-defined]
            user=user, customer=customer, mobile=primary.mobile if primary else ""
        )
        customer.detail_url = reverse("customers:customer_detail", args=[customer.pk])  # type: ignore[attr-defined]
        customer.lifecycle_label = lifecycles.get(customer.lifecycle, customer.lifecycle)  # type: ignore[attr-defined]
        customer.industry_label = industries.get(customer.industry, customer.industry)  # type: ignore[attr-defined]
    return customers


def customer_get(*, user: Any, pk: Any, action: str = "view", with_change: bool = False) -> Customer:
    """One customer the user may ``action``, with its owner, department and service owner; 404 otherwise. With
    ``with_change`` it also carries ``may_change`` (``can(user, "change", customer)``) from the same query."""
    related = ("owner", "owner_unit", "service_owner", "previous_owner", "created_by")
    qs = Customer.objects.select_related(*related).visible_to(user, action)
    if with_change:
        qs = qs.annotate(may_change=can_expression(Customer, user, "change"))
    try:  # one query: the scope's filter and the related rows together (``get_visible_or_404``'s rule)
        return qs.get(pk=pk)
    except (Customer.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def customer_detail_context(*, customer: Customer, user: Any) -> dict[str, Any]:
    """Everything the detail page shows, in a bounded number of queries: contacts (mobiles masked for those who
    may only look), needs, the latest follow-ups and ownership changes, tags and the timeline."""
    may_change = getattr(customer, "may_change", None)
    if may_change is None:
        may_change = can(user, "change", customer)
    see_full = may_change or customer.owner_id == user.pk
    # Read once for the panels and the archive's own timeline sources (which read these rows from the customer).
    rows = _timeline_rows(customer)
    contacts = rows["contacts"]
    for contact in contacts:
        contact.mobile_display = mobile_for(  # type: ignore[attr-defined]
            user=user, customer=customer, mobile=contact.mobile, can_see_full=see_full
        )
    return {
        "can_change": may_change,
        "contacts": contacts,
        "needs": rows["needs"],
        "follow_ups": rows["follow_ups"][:DETAIL_ROWS],
        "ownership_logs": rows["ownership_logs"][:DETAIL_ROWS],
        "tags": list(customer.tags.all()),
        "timeline": customer_timeline(customer=customer, user=user),
    }


_ROWS_ATTR = "_archive_rows"


def _timeline_rows(customer: Customer) -> dict[str, list[Any]]:
    """The customer's contacts, needs, latest follow-ups and ownership changes, read once per customer object (four
    queries) for the detail page's panels and the archive's timeline sources."""
    rows: dict[str, list[Any]] | None = getattr(customer, _ROWS_ATTR, None)
    if rows is None:
        rows = {
            "contacts": list(customer.contacts.all()),
            "needs": list(customer.needs.select_related("recorded_by")),
            "follow_ups": list(customer.follow_ups.select_related("author", "contact")[:TIMELINE_SOURCE_LIMIT]),
            "ownership_logs": list(
                customer.ownership_logs.select_related("from_owner", "to_owner", "actor")[:TIMELINE_SOURCE_LIMIT]
            ),
        }
        setattr(customer, _ROWS_ATTR, rows)
    return rows


def customer_timeline(*, customer: Customer, user: Any, limit: int = 50) -> list[TimelineEvent]:
    """Everything that touched the customer, from every registered source, newest first: the sources that
    declare their rows in one query (``selectors.timeline``), the archive's own from the rows read above."""
    return timeline_events(customer=customer, user=user, limit=limit)


#
# The archive's own timeline sources (registered in hooks/archive.py)
#


def follow_up_events(customer: Customer, user: Any) -> list[TimelineEvent]:
    rows = _timeline_rows(customer)["follow_ups"]
    return [
        TimelineEvent(
            when=f.occurred_at,
            kind="follow_up",
            icon="bi-chat-dots",
            title=_("Follow-up by %(channel)s") % {"channel": f.get_channel_display()},
            body=f.content,
            actor_name=str(f.author),
        )
        for f in rows
    ]


def need_events(customer: Customer, user: Any) -> list[TimelineEvent]:
    rows = _timeline_rows(customer)["needs"][:TIMELINE_SOURCE_LIMIT]
    return [
        TimelineEvent(
            when=n.created_at,
            kind="need",
            icon="bi-lightbulb",
            title=_("Need recorded"),
            body=n.content,
            actor_name=str(n.recorded_by),
        )
        for n in rows
    ]


def ownership_events(customer: Customer, user: Any) -> list[TimelineEvent]:
    rows = _timeline_rows(customer)["ownership_logs"]
    events = []
    for log in rows:
        to = str(log.to_owner) if log.to_owner else _("the public pool")
        body = _("%(old)s → %(new)s") % {"old": log.from_owner or "—", "new": to}
        if log.reason:
            body = f"{body} · {log.reason}"
        events.append(
            TimelineEvent(
                when=log.at,
                kind="ownership",
                icon="bi-person-check",
                title=log.get_action_display(),
                body=body,
                actor_name=str(log.actor) if log.actor else "",
            )
        )
    return events


def contact_events(customer: Customer, user: Any) -> list[TimelineEvent]:
    newest = sorted(_timeline_rows(customer)["contacts"], key=lambda c: (c.created_at, c.pk), reverse=True)
    rows = newest[:TIMELINE_SOURCE_LIMIT]
    return [
        TimelineEvent(
            when=c.created_at,
            kind="contact",
            icon="bi-person-plus",
            title=_("Contact added: %(name)s") % {"name": c.name},
            body=c.title,
        )
        for c in rows
    ]


#
# Due contacts (workbench)
#


@dataclass(frozen=True)
class DueCounts:
    today: int
    overdue: int


def customer_due_counts(*, user: Any) -> DueCounts:
    """How many of the user's own customers are due for contact today, and how many are overdue (one query)."""
    start, end = _today_bounds()
    counts = Customer.objects.filter(owner=user).aggregate(
        today=Count("pk", filter=Q(next_contact_at__gte=start, next_contact_at__lt=end)),
        overdue=Count("pk", filter=Q(next_contact_at__lt=start)),
    )
    return DueCounts(today=counts["today"] or 0, overdue=counts["overdue"] or 0)


def follow_up_list(*, user: Any) -> QuerySet[FollowUp]:
    """Follow-ups the user may see, with customer, author and contact."""
    return FollowUp.objects.visible_to(user).select_related("customer", "author", "contact")


def contact_list(*, user: Any) -> QuerySet[Contact]:
    """Contacts the user may see, with their customer."""
    return Contact.objects.visible_to(user).select_related("customer", "customer__owner")


def need_list(*, user: Any) -> QuerySet[CustomerNeed]:
    return CustomerNeed.objects.visible_to(user).select_related("customer", "recorded_by")


def ownership_log_list(*, customer: Customer) -> QuerySet[OwnershipLog]:
    return customer.ownership_logs.select_related("from_owner", "to_owner", "actor")


def customer_choices(*, user: Any, action: str = "view") -> QuerySet[Customer]:
    """Customers a form may offer the user for a related record: those in the user's scope, by name."""
    return Customer.objects.visible_to(user, action).order_by("name")


def contact_choices(*, user: Any, customer_id: Any) -> QuerySet[Contact]:
    """The contact persons of one customer the user may see, for a drop-down; none when the customer is out of
    scope or not a number (a ``?customer=`` naming someone else's customer reveals nothing)."""
    if not str(customer_id or "").isdigit():
        return Contact.objects.none()
    customer = customer_choices(user=user).filter(pk=customer_id).first()
    if customer is None:
        return Contact.objects.none()
    return customer.contacts.all()


def service_owner_settable(*, user: Any) -> QuerySet[Customer]:
    """The customers whose service owner ``user`` may name (customer service managers, art. 6–7): the ones they see,
    the ones nobody serves yet (else a first service owner could only be named by the administrator — the customers
    of the sales department are outside their scope) and the ones served by people they may assign. Without the
    permission, none."""
    if not user.has_perm("customers.set_service_owner"):
        return Customer.objects.none()
    served_by_mine = Q(service_owner__in=users_assignable(user, "service").values("pk"))
    return Customer.objects.filter(
        Q(pk__in=Customer.objects.visible_to(user).values("pk")) | Q(service_owner__isnull=True) | served_by_mine
    )


def customers_without_service_owner(*, user: Any) -> QuerySet[Customer]:
    """The customers (owned by a salesperson, not in the pool) nobody serves yet, for whoever names service owners."""
    return (
        service_owner_settable(user=user)
        .filter(service_owner__isnull=True, owner__isnull=False)
        .select_related("owner", "owner_unit")
        .order_by("name", "pk")
    )
