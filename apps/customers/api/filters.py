"""Query filters of the customer API's other lists (django-filter); the customers' own is ``customers.filters``,
shared with the list page and the export."""

from __future__ import annotations

import django_filters

from apps.customers.models import Contact, FollowUp


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
