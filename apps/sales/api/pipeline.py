"""API of products (the catalogue), opportunities (scoped; with the move-stage action) and sales plans (scoped;
with submit and approve). Writes go through the services."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import (
    ScopedPrimaryKeyRelatedField,
    ScopedViewSetMixin,
    ServiceErrorsMixin,
    ServiceWriteMixin,
    service_write_schema,
)
from apps.core.api.workflow import AllowedActionsField
from apps.customers.models import Customer
from apps.org.models import User
from apps.sales.choices import OpportunityStage
from apps.sales.filters import OpportunityFilterSet
from apps.sales.models import Opportunity, OpportunityLine, Product, SalesPlan, SalesPlanAction
from apps.sales.models.plans import PLAN_MOVES
from apps.sales.selectors import opportunities as opp_selectors
from apps.sales.selectors import plans as plan_selectors
from apps.sales.services import opportunities as opp_services
from apps.sales.services import plans as plan_services
from apps.sales.services import products as product_services

_METHODS = ["get", "post", "patch", "head", "options"]
# The API's plan moves (viewset action → workflow move); who may make them is PLAN_WORKFLOW's answer.
PLAN_API_MOVES = {"submit": "submit", "approve": "approve", "send_back": "return", "start": "start", "close": "close"}


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "code", "name", "category", "unit", "list_price", "is_active", "description"]


class ProductPermission(permissions.DjangoModelPermissions):
    perms_map = {**permissions.DjangoModelPermissions.perms_map, "GET": ["%(app_label)s.view_%(model_name)s"]}


@extend_schema_view(
    list=extend_schema(summary=_("The product catalogue (search by code or name)")),
    create=extend_schema(summary=_("Add a product (sales managers)")),
)
class ProductViewSet(ServiceErrorsMixin, viewsets.ModelViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    permission_classes = [permissions.IsAuthenticated, ProductPermission]
    search_fields = ["code", "name"]
    filterset_fields = ["category", "is_active"]
    http_method_names = _METHODS

    def perform_create(self, serializer: serializers.Serializer) -> None:
        serializer.instance = product_services.product_create(
            actor=self.request.user, data=dict(serializer.validated_data)
        )

    def perform_update(self, serializer: serializers.Serializer) -> None:
        product_services.product_update(
            actor=self.request.user, product=serializer.instance, data=dict(serializer.validated_data)
        )


class LineSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = OpportunityLine
        fields = ["product", "quantity", "unit_price", "discount_pct", "amount"]
        extra_kwargs = {"unit_price": {"required": False, "allow_null": True}}


class OpportunitySerializer(serializers.ModelSerializer):
    lines = LineSerializer(many=True, read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    weighted_amount = serializers.SerializerMethodField()

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "name",
            "customer",
            "customer_name",
            "contact",
            "amount",
            "weighted_amount",
            "stage",
            "stage_changed_at",
            "expected_close_date",
            "closed_on",
            "close_reason",
            "source_lead",
            "campaign",
            "next_action",
            "next_action_on",
            "description",
            "owner",
            "owner_name",
            "owner_unit",
            "lines",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_weighted_amount(self, opp: Opportunity) -> str:
        return str(opp_selectors.weighted_amount(opp, self.context.get("probabilities")))


class OpportunityWriteSerializer(serializers.ModelSerializer):
    """The opportunity's fields as the model declares them, with its product lines; the service checks the
    customer and the contact."""

    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    lines = LineSerializer(many=True, required=False)

    class Meta:
        model = Opportunity
        fields = [
            "name",
            "customer",
            "contact",
            "amount",
            "expected_close_date",
            "next_action",
            "next_action_on",
            "description",
            "lines",
        ]
        extra_kwargs = {"amount": {"min_value": 0}}


class MoveStageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=OpportunityStage.choices)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@service_write_schema(
    listing=_("Opportunities in scope (filter by stage, customer, owner; scene mine/team/all)"),
    detail=_("One opportunity with its lines (404 when out of scope)"),
    create=_("Create an opportunity"),
    update=_("Edit an open opportunity"),
)
class OpportunityViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    queryset = Opportunity.objects.select_related("owner", "customer").prefetch_related("lines")
    serializer_class = OpportunitySerializer
    write_serializer_class = OpportunityWriteSerializer
    filterset_class = OpportunityFilterSet  # the list page's and the export's filters (scene, stage, month, q, …)
    search_fields = ["name", "customer__name"]
    ordering_fields = ["updated_at", "amount", "expected_close_date"]
    ordering = ["-updated_at"]
    http_method_names = _METHODS

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "probabilities": opp_selectors.stage_probabilities()}

    def service_create(self, data: dict[str, Any]) -> Opportunity:
        lines = data.pop("lines", None)
        return opp_services.opportunity_create(actor=self.request.user, data=data, lines=lines)

    def service_update(self, instance: Opportunity, data: dict[str, Any]) -> Opportunity:  # type: ignore[override]
        lines = data.pop("lines", None)
        return opp_services.opportunity_update(actor=self.request.user, opportunity=instance, data=data, lines=lines)

    @extend_schema(
        summary=_("Move the opportunity to another stage (a reason is required for lost or invalid)"),
        request=MoveStageSerializer,
        responses=OpportunitySerializer,
    )
    @action(detail=True, methods=["post"], url_path="move-stage")
    def move_stage(self, request: Request, pk: Any = None) -> Response:
        opp = get_object_or_404(Opportunity.objects.visible_to(request.user, "change"), pk=pk)
        body = MoveStageSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        opp = opp_services.opportunity_move_stage(actor=request.user, opportunity=opp, **body.validated_data)
        return Response(self.get_serializer(opp).data)


class ActionSerializer(serializers.ModelSerializer):
    responsible = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))

    class Meta:
        model = SalesPlanAction
        fields = ["id", "title", "responsible", "start_date", "due_date", "status", "progress", "note", "done_at"]
        read_only_fields = ["id", "done_at"]


class SalesPlanSerializer(serializers.ModelSerializer):
    actions = ActionSerializer(many=True, read_only=True)
    allowed_actions = AllowedActionsField(
        plan_selectors.plan_allowed,
        choices=PLAN_MOVES,
        help_text=_("The moves the user may make now (the sales plan workflow); null in lists"),
    )

    class Meta:
        model = SalesPlan
        fields = [
            "id",
            "title",
            "period_start",
            "period_end",
            "strategy",
            "intel",
            "target_sets",
            "status",
            "approved_by",
            "approved_at",
            "owner",
            "owner_unit",
            "actions",
            "allowed_actions",
            "created_at",
        ]
        read_only_fields = fields


class SalesPlanWriteSerializer(serializers.ModelSerializer):
    """The plan's fields as the model declares them, with its action items. Cited intelligence must be visible to
    the user: the service checks it (``salesplan_create`` / ``salesplan_update``)."""

    actions = ActionSerializer(many=True, required=False)

    class Meta:
        model = SalesPlan
        fields = ["title", "period_start", "period_end", "strategy", "intel", "target_sets", "actions"]


@service_write_schema(
    listing=_("Sales plans in scope"),
    detail=_("One sales plan with its action items (404 when out of scope)"),
    create=_("Draft a sales plan (it must cite market intelligence)"),
    update=_("Edit a draft sales plan"),
)
class SalesPlanViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    queryset = SalesPlan.objects.select_related("owner").prefetch_related("actions", "intel", "target_sets")
    serializer_class = SalesPlanSerializer
    write_serializer_class = SalesPlanWriteSerializer
    filterset_fields = ["status"]
    search_fields = ["title"]
    http_method_names = _METHODS

    def service_create(self, data: dict[str, Any]) -> SalesPlan:
        actions = data.pop("actions", None)
        return plan_services.salesplan_create(actor=self.request.user, data=data, actions=actions)

    def service_update(self, instance: SalesPlan, data: dict[str, Any]) -> SalesPlan:  # type: ignore[override]
        actions = data.pop("actions", None)
        return plan_services.salesplan_update(actor=self.request.user, plan=instance, data=data, actions=actions)

    def get_permissions(self) -> list[Any]:
        # The workflow moves are checked by the services against PLAN_WORKFLOW (403 / 400), not as "add".
        if getattr(self, "action", None) in PLAN_API_MOVES:
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def _move(self, request: Request, pk: Any, service: Any) -> Response:
        plan = get_object_or_404(SalesPlan.objects.visible_to(request.user), pk=pk)
        return Response(self.get_serializer(service(actor=request.user, plan=plan)).data)

    @extend_schema(summary=_("Submit the draft for approval"), request=None, responses=SalesPlanSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, pk, plan_services.salesplan_submit)

    @extend_schema(
        summary=_("Approve a submitted plan (a manager whose scope covers it, not its owner)"),
        request=None,
        responses=SalesPlanSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, pk, plan_services.salesplan_approve)

    @extend_schema(summary=_("Send a submitted plan back to its owner"), request=None, responses=SalesPlanSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def send_back(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, pk, plan_services.salesplan_return)

    @extend_schema(summary=_("Start carrying out an approved plan"), request=None, responses=SalesPlanSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, pk, plan_services.salesplan_start)

    @extend_schema(summary=_("Close the plan"), request=None, responses=SalesPlanSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, pk, plan_services.salesplan_close)
