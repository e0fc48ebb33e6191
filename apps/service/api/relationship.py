"""The relationship maintenance API: contacts due (+ skip) and contact records (回访, list/retrieve/record)."""

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
from apps.customers.choices import FollowUpChannel
from apps.customers.models import Contact, Customer
from apps.service.choices import Satisfaction
from apps.service.models import DueContact, RelationshipContact
from apps.service.services import relationship as services


class DueContactSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = DueContact
        fields = [
            "id",
            "customer",
            "customer_name",
            "reason",
            "due_on",
            "note",
            "status",
            "done_at",
            "record",
            "owner",
            "owner_unit",
            "created_at",
        ]
        read_only_fields = fields


class RelationshipContactSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = RelationshipContact
        fields = [
            "id",
            "customer",
            "customer_name",
            "contact",
            "channel",
            "occurred_at",
            "content",
            "satisfaction",
            "personal_notes",
            "next_contact_on",
            "owner",
            "owner_unit",
            "created_at",
        ]
        read_only_fields = fields


class RelationshipContactWriteSerializer(serializers.Serializer):
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    channel = serializers.ChoiceField(choices=FollowUpChannel.choices, required=False, default=FollowUpChannel.PHONE)
    occurred_at = serializers.DateTimeField(required=False)
    content = serializers.CharField()
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices, required=False, allow_null=True)
    personal_notes = serializers.CharField(required=False, allow_blank=True)
    next_contact_on = serializers.DateField(required=False, allow_null=True)
    due_contact = ScopedPrimaryKeyRelatedField(queryset=DueContact.objects.all(), required=False, allow_null=True)


class SkipSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


@extend_schema_view(
    list=extend_schema(summary=_("List the contacts due that the user may see")),
    retrieve=extend_schema(summary=_("One contact due (404 when out of scope)")),
)
class DueContactViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = DueContact.objects.select_related("customer")
    serializer_class = DueContactSerializer
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_fields = ["status", "reason", "owner", "customer"]
    ordering_fields = ["due_on", "created_at"]
    ordering = ["status", "due_on", "id"]

    def get_permissions(self) -> list[Any]:
        if getattr(self, "action", None) == "skip":
            return [permissions.IsAuthenticated()]  # the service checks the change permission and scope
        return super().get_permissions()

    def get_queryset(self) -> Any:
        if getattr(self, "action", None) == "skip":
            return self.queryset.visible_to(self.request.user, "view")
        return super().get_queryset()

    @extend_schema(
        summary=_("Skip a contact due, with the reason"), request=SkipSerializer, responses=DueContactSerializer
    )
    @action(detail=True, methods=["post"])
    def skip(self, request: Request, pk: Any = None) -> Response:
        body = SkipSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        due = services.due_contact_skip(
            actor=request.user, due_contact=self.get_object(), reason=body.validated_data["reason"]
        )
        return Response(self.get_serializer(due).data)


@service_write_schema(
    listing=_("List the contact records the user may see"),
    detail=_("One contact record (404 when out of scope)"),
    create=_("Record a contact; closes the contact due it answers"),
)
class RelationshipContactViewSet(ScopedRecordViewSet):
    queryset = RelationshipContact.objects.select_related("customer")
    serializer_class = RelationshipContactSerializer
    write_serializer_class = RelationshipContactWriteSerializer
    filter_backends = [DjangoFilterBackend, filters.SearchFilter, filters.OrderingFilter]
    filterset_fields = ["channel", "satisfaction", "customer", "owner"]
    search_fields = ["content", "customer__name", "personal_notes"]
    ordering_fields = ["occurred_at"]
    ordering = ["-occurred_at", "-id"]

    def service_create(self, data: dict[str, Any]) -> RelationshipContact:
        customer = data.pop("customer")
        due = data.pop("due_contact", None)
        return services.relationship_contact_record(
            actor=self.request.user, customer=customer, data=data, due_contact=due
        )
