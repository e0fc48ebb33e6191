"""The filters of the marketing lists, one FilterSet per list, read by the page, the API and the Excel export."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.core.filters import ListFilterSet
from apps.marketing.choices import LeadSource, LeadStatus
from apps.marketing.models import Lead
from apps.marketing.selectors import leads as lead_selectors
from apps.marketing.selectors.campaigns import campaign_choices

LEAD_SCENES = [
    ("all", _("All leads")),
    ("mine", _("My leads")),
    ("handed_to_me", _("Handed to me")),
    ("department", _("My department")),
    ("pool", _("Lead pool")),
]


def _campaigns(request: Any) -> QuerySet:
    return campaign_choices(user=request.user)


class LeadFilterSet(ListFilterSet):
    """线索列表: scene (all, mine, handed to me, my department, the pool), status, source, campaign (one the user
    may attribute leads to), plan, and ``q`` over company, contact and mobile."""

    search_placeholder = _("Company, contact or mobile")

    search_fields = ("company_name", "contact_name", "mobile")

    scene = django_filters.ChoiceFilter(
        label=_("scene: all, mine, pool, handed_to_me, department"),
        choices=LEAD_SCENES,
        empty_label=None,
        method="filter_scene",
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=LeadStatus.choices, empty_label=_("All statuses"))
    source = django_filters.ChoiceFilter(label=_("Source"), choices=LeadSource.choices, empty_label=_("All sources"))
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"), queryset=_campaigns, empty_label=_("All campaigns")
    )
    plan = django_filters.NumberFilter(label=_("Plan"), field_name="plan")

    class Meta:
        model = Lead
        fields: list[str] = []

    def filter_scene(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return lead_selectors.apply_scene(qs, self.user, value)
