"""API of campaigns (with their computed results), leads (with the handover, convert and mark-invalid actions),
visits and market intelligence (with the read receipt). Scoped like the pages; writes go through services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, ServiceWriteMixin, service_write_schema
from apps.core.api.workflow import AllowedActionsField
from apps.customers.models import Customer
from apps.marketing.choices import LeadStatus
from apps.marketing.filters import LeadFilterSet
from apps.marketing.models import Campaign, Lead, MarketIntel, Visit
from apps.marketing.models.leads import LEAD_ACTIONS
from apps.marketing.selectors import campaigns as campaign_selectors
from apps.marketing.selectors import intel as intel_selectors
from apps.marketing.selectors import leads as lead_selectors
from apps.marketing.services import campaigns as campaign_services
from apps.marketing.services import intel as intel_services
from apps.marketing.services import leads as lead_services
from apps.marketing.services import visits as visit_services
from apps.org.models import User

_METHODS = ["get", "post", "patch", "head", "options"]


class MarketingPersonSerializer(serializers.ModelSerializer):
    """A person on a marketing record (owner, handed-to sales person, visitor)."""

    class Meta:
        model = User
        fields = ["id", "username", "name"]


#
# Campaigns
#


class CampaignSerializer(serializers.ModelSerializer):
    owner = MarketingPersonSerializer(read_only=True)
    metrics = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "plan",
            "kind",
            "channel",
            "start_date",
            "end_date",
            "budget",
            "actual_cost",
            "target_segment",
            "status",
            "description",
            "owner",
            "owner_unit",
            "metrics",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                k: {"type": "string", "nullable": True}
                for k in ("leads", "qualified", "conversions", "revenue", "cost_per_lead", "roi", "conversion_rate")
            },
        }
    )
    def get_metrics(self, campaign: Campaign) -> dict[str, Any]:
        """Computed from the records; revenue and ROI are null until sales measures revenue."""
        m = campaign_selectors.campaign_metrics(campaign)
        return {
            "leads": m.leads,
            "qualified": m.qualified,
            "conversions": m.conversions,
            "revenue": as_text(m.revenue),
            "cost_per_lead": as_text(m.cost_per_lead),
            "roi": as_text(m.roi),
            "conversion_rate": as_text(m.conversion_rate),
        }


def as_text(value: Any) -> str | None:
    return None if value is None else str(value)


class CampaignWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = campaign_services.CAMPAIGN_FIELDS


@service_write_schema(
    listing=_("Campaigns in scope, with leads, conversions, cost per lead and ROI"),
    detail=_("One campaign (404 when out of scope)"),
    create=_("Plan a campaign"),
    update=_("Change a campaign"),
)
class CampaignViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    queryset = Campaign.objects.select_related("owner")
    serializer_class = CampaignSerializer
    write_serializer_class = CampaignWriteSerializer
    filterset_fields = ["status", "kind", "plan"]
    search_fields = ["name", "channel", "target_segment"]
    ordering_fields = ["start_date", "name", "budget", "actual_cost"]
    ordering = ["-start_date"]
    http_method_names = _METHODS

    def paginate_queryset(self, queryset: QuerySet) -> list[Campaign] | None:
        """The page's figures in a constant number of queries (not per campaign)."""
        page = super().paginate_queryset(queryset)
        return None if page is None else campaign_selectors.attach_metrics(page)

    def service_create(self, data: dict[str, Any]) -> Campaign:
        return campaign_services.campaign_create(actor=self.request.user, data=data)

    def service_update(self, instance: Campaign, data: dict[str, Any]) -> Campaign:  # type: ignore[override]
        return campaign_services.campaign_update(actor=self.request.user, campaign=instance, data=data)

    def _answer(self, instance: Campaign, code: int) -> Response:  # type: ignore[override]
        fresh = Campaign.objects.select_related("owner").get(pk=instance.pk)
        return Response(self.get_serializer(fresh).data, status=code)


#
# Leads
#


class LeadSerializer(serializers.ModelSerializer):
    owner = MarketingPersonSerializer(read_only=True, allow_null=True)
    handed_to = MarketingPersonSerializer(read_only=True, allow_null=True)
    mobile = serializers.SerializerMethodField()
    allowed_actions = AllowedActionsField(
        lead_selectors.lead_allowed,
        choices=LEAD_ACTIONS,
        help_text=_(
            "The steps of the lead workflow the requesting user may take now (the page's controls); null in lists"
        ),
    )

    class Meta:
        model = Lead
        fields = [
            "id",
            *lead_services.LEAD_FIELDS,
            "status",
            "qualified_at",
            "invalid_reason",
            "owner",
            "owner_unit",
            "handed_to",
            "handed_at",
            "handover_note",
            "customer",
            "converted_at",
            "allowed_actions",
            "created_at",
        ]
        read_only_fields = fields

    def get_mobile(self, lead: Lead) -> str:
        """Masked unless the requester owns the lead or it was handed to them."""
        user = self.context["request"].user
        if not lead.mobile or lead_selectors.lead_sees_personal_data(lead, user):
            return lead.mobile
        return f"{lead.mobile[:3]}****{lead.mobile[-4:]}"


class LeadWriteSerializer(serializers.ModelSerializer):
    to_pool = serializers.BooleanField(required=False, default=False, write_only=True)
    # A customer in the archive with a similar name answers 400 unless this confirms it is another company.
    allow_similar_name = serializers.BooleanField(required=False, default=False, write_only=True)
    campaign = ScopedPrimaryKeyRelatedField(queryset=Campaign.objects.all(), required=False, allow_null=True)
    # Normalised ("+86 139-0000-1234" → "13900001234") and validated by the service.
    mobile = serializers.CharField(required=False, allow_blank=True, max_length=20)

    class Meta:
        model = Lead
        fields = [*lead_services.LEAD_FIELDS, "to_pool", "allow_similar_name"]


class HandoverSerializer(serializers.Serializer):
    to_user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ConvertSerializer(serializers.Serializer):
    merge_into = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.all(), required=False, allow_null=True, default=None
    )
    allow_similar_name = serializers.BooleanField(required=False, default=False)


class InvalidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


@service_write_schema(
    listing=_("Leads in scope (and the lead pool); mobiles masked for non-owners"),
    detail=_("One lead (404 when out of scope)"),
    create=_("Record a lead"),
    update=_("Change a lead's details"),
)
class LeadViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    queryset = Lead.objects.select_related("owner", "handed_to")
    serializer_class = LeadSerializer
    write_serializer_class = LeadWriteSerializer
    filterset_class = LeadFilterSet  # the list page's and the export's filters
    search_fields = ["company_name", "contact_name", "mobile"]
    ordering_fields = ["created_at", "company_name", "status", "handed_at"]
    ordering = ["-created_at"]
    http_method_names = _METHODS

    def get_queryset(self) -> QuerySet:
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return lead_selectors.lead_visible(user=self.request.user).select_related("owner", "handed_to")
        return super().get_queryset()

    def service_create(self, data: dict[str, Any]) -> Lead:
        to_pool = data.pop("to_pool", False)
        allow = data.pop("allow_similar_name", False)
        return lead_services.lead_create(actor=self.request.user, data=data, to_pool=to_pool, allow_similar_name=allow)

    def service_update(self, instance: Lead, data: dict[str, Any]) -> Lead:  # type: ignore[override]
        data.pop("to_pool", None)
        allow = data.pop("allow_similar_name", False)
        return lead_services.lead_update(actor=self.request.user, lead=instance, data=data, allow_similar_name=allow)

    def _action_target(self, pk: Any) -> Lead:
        return get_object_or_404(lead_selectors.lead_visible(user=self.request.user, action="change"), pk=pk)

    def _body(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(
        summary=_("Hand the lead over to a sales person"), request=HandoverSerializer, responses=LeadSerializer
    )
    @action(detail=True, methods=["post"])
    def handover(self, request: Request, pk: Any = None) -> Response:
        lead = self._action_target(pk)
        lead_services.lead_handover(actor=request.user, lead=lead, **self._body(HandoverSerializer))
        return Response(LeadSerializer(lead, context={"request": request}).data)

    @extend_schema(
        summary=_("Convert the lead into a customer (once), or merge it into a duplicate"),
        request=ConvertSerializer,
        responses={201: LeadSerializer},
    )
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: Any = None) -> Response:
        lead = get_object_or_404(lead_selectors.lead_visible(user=request.user), pk=pk)  # the service checks
        lead_services.lead_convert(actor=request.user, lead=lead, **self._body(ConvertSerializer))
        return Response(LeadSerializer(lead, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Mark the lead invalid, with the reason"), request=InvalidSerializer, responses=LeadSerializer
    )
    @action(detail=True, methods=["post"], url_path="mark-invalid")
    def mark_invalid(self, request: Request, pk: Any = None) -> Response:
        lead = self._action_target(pk)
        lead_services.lead_set_status(
            actor=request.user, lead=lead, status=LeadStatus.INVALID, reason=self._body(InvalidSerializer)["reason"]
        )
        return Response(LeadSerializer(lead, context={"request": request}).data)


#
# Visits
#


class VisitSerializer(serializers.ModelSerializer):
    visitors = MarketingPersonSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "customer",
            "lead",
            "visited_on",
            "visitors",
            "purpose",
            "outcome",
            "next_step",
            "next_step_on",
            "owner",
            "created_at",
        ]
        read_only_fields = fields


class VisitWriteSerializer(serializers.ModelSerializer):
    visitors = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), many=True, required=False
    )

    class Meta:
        model = Visit
        fields = [*visit_services.VISIT_FIELDS, "visitors"]


@service_write_schema(
    listing=_("Visits in scope"),
    detail=_("One visit (404 when out of scope)"),
    create=_("Record a visit to a customer or a lead"),
    update=_("Change a visit"),
)
class VisitViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    queryset = Visit.objects.select_related("owner").prefetch_related("visitors")
    serializer_class = VisitSerializer
    write_serializer_class = VisitWriteSerializer
    filterset_fields = ["customer", "lead", "visited_on"]
    search_fields = ["purpose", "outcome"]
    ordering_fields = ["visited_on", "next_step_on"]
    ordering = ["-visited_on"]
    http_method_names = _METHODS

    def service_create(self, data: dict[str, Any]) -> Visit:
        visitors = data.pop("visitors", [])
        return visit_services.visit_create(actor=self.request.user, data=data, visitors=visitors)

    def service_update(self, instance: Visit, data: dict[str, Any]) -> Visit:  # type: ignore[override]
        visitors = data.pop("visitors", None)
        return visit_services.visit_update(actor=self.request.user, visit=instance, data=data, visitors=visitors)


#
# Market intelligence
#


class IntelSerializer(serializers.ModelSerializer):
    owner = MarketingPersonSerializer(read_only=True)
    is_read = serializers.BooleanField(read_only=True, default=False)

    class Meta:
        model = MarketIntel
        fields = [
            "id",
            "title",
            "category",
            "content",
            "source",
            "importance",
            "status",
            "published_at",
            "owner",
            "owner_unit",
            "is_read",
            "created_at",
        ]
        read_only_fields = fields


class IntelWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = MarketIntel
        fields = intel_services.INTEL_FIELDS


@service_write_schema(
    listing=_("Intelligence in scope, plus published intelligence for sales and market development"),
    detail=_("One piece of intelligence (404 when not visible)"),
    create=_("Write a draft"),
    update=_("Change intelligence"),
)
class IntelViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    queryset = MarketIntel.objects.select_related("owner")
    serializer_class = IntelSerializer
    write_serializer_class = IntelWriteSerializer
    filterset_fields = ["category", "importance", "status"]
    search_fields = ["title", "content", "source"]
    ordering_fields = ["published_at", "created_at", "title"]
    ordering = ["-published_at", "-id"]
    http_method_names = _METHODS

    def get_queryset(self) -> QuerySet:
        if self.request.method in ("GET", "HEAD", "OPTIONS"):
            return intel_selectors.intel_list(user=self.request.user)
        return super().get_queryset()

    def service_create(self, data: dict[str, Any]) -> MarketIntel:
        return intel_services.intel_create(actor=self.request.user, data=data)

    def service_update(self, instance: MarketIntel, data: dict[str, Any]) -> MarketIntel:  # type: ignore[override]
        return intel_services.intel_update(actor=self.request.user, intel=instance, data=data)

    @extend_schema(summary=_("Record that I have read it (once)"), request=None, responses=IntelSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: Any = None) -> Response:
        intel = intel_selectors.intel_get(user=request.user, pk=pk)
        intel_services.intel_mark_read(actor=request.user, intel=intel)
        return Response(IntelSerializer(intel_selectors.intel_get(user=request.user, pk=pk)).data)

    @extend_schema(summary=_("Publish to sales (managers)"), request=None, responses=IntelSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: Any = None) -> Response:
        intel = get_object_or_404(MarketIntel.objects.visible_to(request.user, "change"), pk=pk)
        intel_services.intel_publish(actor=request.user, intel=intel)
        return Response(IntelSerializer(intel).data)
