"""Query filters of the customer archive API (django-filter); the same scenes and quick filters as the pages."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.customers.models import Contact, Customer, FollowUp
from apps.customers.selectors import archive as selectors


class CustomerFilterSet(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", label=_("name, contact name, mobile or credit code"))
    scene = django_filters.ChoiceFilter(
        choices=[(s, s) for s in selectors.SCENES],
        method="filter_scene",
        label=_("list scene: mine, team, serviced, all"),
    )
    quick = django_filters.ChoiceFilter(
        choices=[(q, q) for q in selectors.QUICK_FILTERS],
        method="filter_quick",
        label=_("quick filter: today, overdue, never, locked"),
    )
    tag = django_filters.CharFilter(field_name="tags__name", label=_("tag name"), distinct=True)
    province = django_filters.CharFilter()
    in_pool = django_filters.BooleanFilter(field_name="owner", lookup_expr="isnull", label=_("in the public pool"))

    class Meta:
        model = Customer
        fields = [
            "level",
            "lifecycle",
            "source",
            "industry",
            "kind",
            "owner",
            "is_locked",
            "deal_status",
            "service_owner",
        ]

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(selectors.search_q(value.strip())) if value.strip() else queryset

    def filter_scene(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(selectors.scene_q(value, self.request.user))

    def filter_quick(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(selectors.quick_q(value))


class ContactFilterSet(django_filters.FilterSet):
    class Meta:
        model = Contact
        fields = ["customer", "is_primary", "is_decision_maker"]


class FollowUpFilterSet(django_filters.FilterSet):
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = FollowUp
        fields = ["customer", "channel", "author", "contact"]
