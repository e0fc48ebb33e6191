"""The filters of the customer lists, one FilterSet per list, read by the page, the API and the Excel export."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.core.filters import ListFilterSet
from apps.customers.choices import CustomerLevel, CustomerSource, Industry, Lifecycle
from apps.customers.models import Customer
from apps.customers.selectors import archive as selectors


class CustomerFilterSet(ListFilterSet):
    """客户档案: scene (mine, my team's, I serve, all), quick filter (to contact today, overdue, never followed up,
    locked), level, lifecycle, source, industry, kind, province, tag, owner, service owner, in the pool, locked,
    deal status; ``q`` (the page's name) and ``search`` (the API's) over name, contacts, mobiles and credit code."""

    search_placeholder = _("Name, contact, mobile or credit code")
    shared_form_class = True  # no filter depends on the request (the scene reads the user when filtering)

    search = django_filters.CharFilter(method="filter_q", label=_("name, contact name, mobile or credit code"))
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
    level = django_filters.ChoiceFilter(choices=CustomerLevel.choices, empty_label=_("All levels"))
    lifecycle = django_filters.ChoiceFilter(choices=Lifecycle.choices, empty_label=_("All stages"))
    source = django_filters.ChoiceFilter(choices=CustomerSource.choices, empty_label=_("All sources"))
    industry = django_filters.ChoiceFilter(choices=Industry.choices, empty_label=_("All industries"))
    tag = django_filters.CharFilter(method="filter_tag", label=_("tag name"))
    province = django_filters.CharFilter()
    in_pool = django_filters.BooleanFilter(field_name="owner", lookup_expr="isnull", label=_("in the public pool"))

    class Meta:
        model = Customer
        fields = ["kind", "owner", "is_locked", "deal_status", "service_owner"]

    def search_q(self, term: str) -> Q:
        return selectors.search_q(term)

    def filter_scene(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(selectors.scene_q(value, self.user))

    def filter_quick(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(selectors.quick_q(value))

    def filter_tag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        tagged = Customer.tags.through.objects.filter(tag__name=value.strip()).values("customer_id")
        return queryset.filter(pk__in=tagged) if value.strip() else queryset
