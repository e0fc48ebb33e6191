"""The filters of the sales lists, one FilterSet per list, read by the page, the API and the Excel export."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.core.filters import ListFilterSet, MonthFilter
from apps.core.selectors import people_in_view
from apps.org.models import User
from apps.sales.choices import CLOSED_STAGES, OPEN_STAGES, ContractStatus, OpportunityStage
from apps.sales.models import Contract, Opportunity
from apps.sales.selectors import contracts as contract_selectors
from apps.sales.selectors import opportunities as opportunity_selectors


def owners_in_view(model: Any, order: str, probe_order: str) -> Any:
    """The owners of the records of ``model`` the request's user sees (an owner filter's choices); for a wide scope
    one probe per person on the index (owner, ``probe_order``) (``core.selectors.people_in_view``)."""

    def owners(request: Any) -> QuerySet:
        if request is None or not getattr(request, "user", None):
            return User.objects.none()
        rows = model.objects.visible_to(request.user)
        return people_in_view(rows, "owner", user=request.user, probe_order=probe_order).order_by(order)

    return owners


class ContractFilterSet(ListFilterSet):
    """合同列表: status, owner (a person whose contracts one sees), customer, opportunity, signed month (YYYY-MM),
    and ``q`` over number, title and customer."""

    search_placeholder = _("Number, title or customer")

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ContractStatus.choices, empty_label=_("All statuses")
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"), queryset=owners_in_view(Contract, "username", "status"), empty_label=_("All owners")
    )
    customer = django_filters.NumberFilter(label=_("Customer"), field_name="customer")
    opportunity = django_filters.NumberFilter(label=_("Opportunity"), field_name="opportunity")
    month = MonthFilter(label=_("Signed month"), field_name="signed_on")

    class Meta:
        model = Contract
        fields: list[str] = []

    def search_q(self, term: str) -> Q:
        return contract_selectors.search_q(term)


OPPORTUNITY_SCENES = [("all", _("All in my scope")), ("mine", _("Mine")), ("team", _("My team"))]
OPPORTUNITY_STAGES = [("open", _("Open (in progress)")), ("closed", _("Closed")), *OpportunityStage.choices]


class OpportunityFilterSet(ListFilterSet):
    """商机列表: scene (mine / my team / all in scope), stage (a stage, ``open`` or ``closed``), customer, owner,
    expected close month (YYYY-MM), and ``q`` over name, customer and owner."""

    search_placeholder = _("Opportunity, customer or owner")

    search_fields = ("name", "customer__name", "owner__name")

    scene = django_filters.ChoiceFilter(
        label=_("Scene"), choices=OPPORTUNITY_SCENES, empty_label=None, method="filter_scene"
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=OPPORTUNITY_STAGES, empty_label=_("All stages"), method="filter_stage"
    )
    customer = django_filters.NumberFilter(label=_("Customer"), field_name="customer")
    owner = django_filters.ModelChoiceFilter(
        label=_("Owner"), queryset=owners_in_view(Opportunity, "name", "stage"), empty_label=_("All owners")
    )
    month = MonthFilter(label=_("Expected close month"), field_name="expected_close_date")

    class Meta:
        model = Opportunity
        fields: list[str] = []

    def filter_scene(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return opportunity_selectors.apply_scene(qs, self.user, value)

    def filter_stage(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        if value == "open":
            return qs.filter(stage__in=OPEN_STAGES)
        if value == "closed":
            return qs.filter(stage__in=CLOSED_STAGES)
        return qs.filter(stage=value)
