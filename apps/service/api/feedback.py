"""The feedback API: feedback (list, retrieve, record and route) and routings (+ acknowledge, reply), scoped."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, service_write_schema
from apps.core.api.records import ScopedRecordViewSet
from apps.core.api.workflow import AllowedActionsField
from apps.customers.models import Customer
from apps.org.models import Department
from apps.service.choices import FeedbackCategory, FeedbackSource
from apps.service.models import Feedback, FeedbackRouting, Ticket
from apps.service.models.feedback import ROUTING_ACTIONS
from apps.service.selectors import feedback as selectors
from apps.service.services import feedback as services


class RoutingSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = FeedbackRouting
        fields = [
            "id",
            "feedback",
            "department",
            "department_name",
            "status",
            "acknowledge_due",
            "acknowledged_by",
            "acknowledged_at",
            "reply",
            "replied_by",
            "replied_at",
            "escalated_at",
            "created_at",
        ]
        read_only_fields = fields


class FeedbackSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    routings = RoutingSerializer(many=True, read_only=True)

    class Meta:
        model = Feedback
        fields = [
            "id",
            "customer",
            "customer_name",
            "category",
            "source_kind",
            "ticket",
            "content",
            "created_by",
            "owner_unit",
            "routings",
            "created_at",
        ]
        read_only_fields = fields


class FeedbackWriteSerializer(serializers.Serializer):
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    category = serializers.ChoiceField(choices=FeedbackCategory.choices)
    content = serializers.CharField()
    departments = serializers.PrimaryKeyRelatedField(queryset=Department.objects.filter(is_active=True), many=True)
    source_kind = serializers.ChoiceField(choices=FeedbackSource.choices, required=False, default=FeedbackSource.MANUAL)
    ticket = ScopedPrimaryKeyRelatedField(queryset=Ticket.objects.all(), required=False, allow_null=True)


class RoutingDetailSerializer(RoutingSerializer):
    feedback_detail = FeedbackSerializer(source="feedback", read_only=True)
    allowed_actions = AllowedActionsField(
        selectors.routing_allowed,
        choices=ROUTING_ACTIONS,
        help_text=_(
            "The steps of the routing workflow the requesting user may take now (the page's buttons); null in lists"
        ),
    )

    class Meta(RoutingSerializer.Meta):
        fields = [*RoutingSerializer.Meta.fields, "feedback_detail", "allowed_actions"]
        read_only_fields = fields


class ReplySerializer(serializers.Serializer):
    reply = serializers.CharField()


@service_write_schema(
    listing=_("List the customer feedback the user may see"),
    detail=_("One feedback with its routings (404 when out of scope)"),
    create=_("Record feedback and route it to departments"),
)
class FeedbackViewSet(ScopedRecordViewSet):
    queryset = Feedback.objects.select_related("customer").prefetch_related("routings__department")
    serializer_class = FeedbackSerializer
    write_serializer_class = FeedbackWriteSerializer
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_fields = ["category", "source_kind", "customer", "ticket"]
    search_fields = ["content", "customer__name"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    def service_create(self, data: dict[str, Any]) -> Feedback:
        feedback = services.feedback_record(actor=self.request.user, **data)
        return self.get_queryset().get(pk=feedback.pk)


@extend_schema_view(
    list=extend_schema(summary=_("List the feedback routed to the departments the user sees, pending first")),
    retrieve=extend_schema(summary=_("One routing with its feedback (404 when out of scope)")),
)
class FeedbackRoutingViewSet(
    ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = FeedbackRouting.objects.select_related("department", "feedback__customer").prefetch_related(
        "feedback__routings__department"
    )
    serializer_class = RoutingDetailSerializer
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_fields = ["status", "department", "feedback"]
    search_fields = ["feedback__content", "feedback__customer__name"]
    ordering_fields = ["acknowledge_due", "created_at"]
    ordering = ["status", "acknowledge_due", "id"]

    def get_permissions(self) -> list[Any]:
        # Acknowledging and replying are checked by the services (permission and the department's scope).
        if getattr(self, "action", None) in ROUTING_ACTIONS:
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self) -> Any:
        if getattr(self, "action", None) in ROUTING_ACTIONS:
            return self.queryset.visible_to(self.request.user, "view")
        return super().get_queryset()

    @extend_schema(
        summary=_("Acknowledge feedback routed to the department"), request=None, responses=RoutingDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: Any = None) -> Response:
        routing = services.routing_acknowledge(actor=request.user, routing=self.get_object())
        return Response(self.get_serializer(self.get_queryset().get(pk=routing.pk)).data)

    @extend_schema(
        summary=_("Reply to feedback routed to the department (acknowledges it too)"),
        request=ReplySerializer,
        responses=RoutingDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: Any = None) -> Response:
        body = ReplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        routing = services.routing_reply(
            actor=request.user, routing=self.get_object(), reply=body.validated_data["reply"]
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=routing.pk)).data)
