"""The tickets API (/api/v1/tickets/): scoped reads, writes through the services, lifecycle actions.

A refusal of a service (illegal transition, missing root cause…) answers 400 with its message; an action without the
permission or outside the scope answers 403 / 404.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import filters, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, ServiceWriteMixin, service_write_schema
from apps.core.api.workflow import AllowedActionsField
from apps.customers.models import Contact, Customer
from apps.org.models import Department, User
from apps.sales.models import Contract, Product
from apps.service.choices import ComplaintCategory, TicketChannel, TicketPriority, TicketType
from apps.service.filters import TicketFilterSet
from apps.service.models import Ticket, TicketEvent
from apps.service.models.tickets import TICKET_ACTIONS
from apps.service.selectors import tickets as selectors
from apps.service.services import sla
from apps.service.services import tickets as services

LIFECYCLE_ACTIONS = (
    "assign",
    "start",
    "reply",
    "comment",
    "await_customer",
    "resume",
    "resolve",
    "close",
    "reopen",
    "events",
    "raise_improvement",
)


#
# Serializers
#


class CountdownSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[sla.STATE_OK, sla.STATE_WARNING, sla.STATE_OVERDUE, sla.STATE_PAUSED, sla.STATE_DONE]
    )
    which = serializers.CharField(help_text=_("first_response or resolution (empty when done)"))
    due = serializers.DateTimeField(allow_null=True)
    remaining_hours = serializers.FloatField(allow_null=True, help_text=_("Working hours left; negative overdue"))


class TicketSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True, default=None)
    countdown = serializers.SerializerMethodField()
    allowed_actions = AllowedActionsField(
        selectors.ticket_allowed,
        choices=TICKET_ACTIONS,
        skip=lambda context: context.get("countdowns") is not None,  # the list gives every row its countdown
        help_text=_("The steps the user may take now (the ticket workflow); null in lists"),
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "number",
            "title",
            "ticket_type",
            "complaint_category",
            "priority",
            "channel",
            "origin",
            "customer",
            "customer_name",
            "contact",
            "contract",
            "product",
            "description",
            "status",
            "assignee",
            "department",
            "created_by",
            "rules_version",
            "first_response_due",
            "resolution_due",
            "first_responded_at",
            "resolved_at",
            "closed_at",
            "waiting_since",
            "paused_hours",
            "escalation_level",
            "escalated_at",
            "reopen_count",
            "resolution",
            "root_cause",
            "corrective_action",
            "compensation_amount",
            "compensation_note",
            "requester_name",
            "requester_mobile",
            "requester_company",
            "countdown",
            "allowed_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CountdownSerializer)
    def get_countdown(self, ticket: Ticket) -> dict[str, Any]:
        clocks = self.context.get("countdowns")
        clock = clocks.get(ticket.pk) if clocks else None
        if clock is None:
            clock = sla.countdown(ticket)
        return {
            "state": clock.state,
            "which": clock.which,
            "due": clock.due,
            "remaining_hours": None if clock.remaining_hours is None else round(clock.remaining_hours, 2),
        }


class TicketWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    ticket_type = serializers.ChoiceField(choices=TicketType.choices)
    complaint_category = serializers.ChoiceField(choices=ComplaintCategory.choices, required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=TicketPriority.choices, required=False)
    channel = serializers.ChoiceField(choices=TicketChannel.choices, required=False)
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    contact = serializers.PrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.all(), required=False, allow_null=True)
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all(), required=False, allow_null=True)
    description = serializers.CharField()
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)


class TicketUpdateSerializer(TicketWriteSerializer):
    root_cause = serializers.CharField(required=False, allow_blank=True)
    corrective_action = serializers.CharField(required=False, allow_blank=True)
    compensation_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    compensation_note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class BodySerializer(serializers.Serializer):
    body = serializers.CharField()


class OptionalBodySerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True)


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField()
    root_cause = serializers.CharField(required=False, allow_blank=True)
    corrective_action = serializers.CharField(required=False, allow_blank=True)
    compensation_amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    compensation_note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RaiseImprovementSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    due_date = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True)


class RaisedImprovementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class TicketEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = TicketEvent
        fields = ["id", "kind", "at", "actor", "body", "from_status", "to_status", "is_public"]
        read_only_fields = fields


#
# Views
#


@service_write_schema(
    listing=_("List the tickets the user may see, with their countdown"),
    detail=_("One ticket (404 when out of scope)"),
    create=_("Open a ticket (deadlines from the rules in force)"),
    update=_("Change an open ticket (a new type or priority recomputes deadlines)"),
)
class TicketViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    """Tickets within the user's data scope; filtered by ``TicketFilterSet`` (status, type, priority, deadline state,
    assignee, customer, …, ``q``) like the list page and its export; ``search`` finds number, subject and customer."""

    queryset = Ticket.objects.select_related("customer")
    serializer_class = TicketSerializer
    write_serializer_class = TicketWriteSerializer
    update_serializer_class = TicketUpdateSerializer
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter, filters.SearchFilter]
    filterset_class = TicketFilterSet  # the list page's and the export's filters
    search_fields = ["number", "title", "customer__name"]
    ordering_fields = ["created_at", "resolution_due", "first_response_due", "number", "priority"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self) -> list[Any]:
        # Lifecycle actions are checked by the services (permission and scope), not as "add".
        if getattr(self, "action", None) in LIFECYCLE_ACTIONS:
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self) -> Any:
        # Lifecycle actions and edits: the ticket as seen; the service applies the workflow table (403 / 400).
        if getattr(self, "action", None) in (*LIFECYCLE_ACTIONS, "partial_update"):
            return Ticket.objects.select_related("customer").visible_to(self.request.user, "view")
        return super().get_queryset()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        serializer = self.get_serializer(
            rows, many=True, context={**self.get_serializer_context(), "countdowns": sla.countdowns(rows)}
        )
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def service_create(self, data: dict[str, Any]) -> Ticket:
        ticket = services.ticket_create(actor=self.request.user, data=data)
        return Ticket.objects.select_related("customer").get(pk=ticket.pk)

    def service_update(self, instance: Ticket, data: dict[str, Any]) -> Ticket:  # type: ignore[override]
        services.ticket_update(actor=self.request.user, ticket=instance, data=data)
        return Ticket.objects.select_related("customer").get(pk=instance.pk)

    def _answer_ticket(self, ticket: Ticket) -> Response:
        fresh = Ticket.objects.select_related("customer").get(pk=ticket.pk)
        return Response(TicketSerializer(fresh, context=self.get_serializer_context()).data, status=status.HTTP_200_OK)

    def _body(self, request: Request, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        body = serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        return dict(body.validated_data)

    @extend_schema(
        summary=_("Assign (managers); the assignee must be active"),
        request=AssignSerializer,
        responses=TicketSerializer,
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: Any = None) -> Response:
        data = self._body(request, AssignSerializer)
        return self._answer_ticket(services.ticket_assign(actor=request.user, ticket=self.get_object(), **data))

    @extend_schema(summary=_("Start work (counts as the first response)"), request=None, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: Any = None) -> Response:
        return self._answer_ticket(services.ticket_start(actor=request.user, ticket=self.get_object()))

    @extend_schema(
        summary=_("Reply to the customer (public; the first reply is the first response)"),
        request=BodySerializer,
        responses=TicketSerializer,
    )
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: Any = None) -> Response:
        ticket = self.get_object()
        services.ticket_reply(actor=request.user, ticket=ticket, **self._body(request, BodySerializer))
        return self._answer_ticket(ticket)

    @extend_schema(summary=_("Add an internal note"), request=BodySerializer, responses=TicketSerializer)
    @action(detail=True, methods=["post"])
    def comment(self, request: Request, pk: Any = None) -> Response:
        ticket = self.get_object()
        services.ticket_comment(actor=request.user, ticket=ticket, **self._body(request, BodySerializer))
        return self._answer_ticket(ticket)

    @extend_schema(
        summary=_("Await the customer (the clock pauses)"), request=OptionalBodySerializer, responses=TicketSerializer
    )
    @action(detail=True, methods=["post"], url_path="await-customer")
    def await_customer(self, request: Request, pk: Any = None) -> Response:
        data = self._body(request, OptionalBodySerializer)
        return self._answer_ticket(services.ticket_await_customer(actor=request.user, ticket=self.get_object(), **data))

    @extend_schema(
        summary=_("Resume after awaiting the customer (deadlines move back by the paused hours)"),
        request=OptionalBodySerializer,
        responses=TicketSerializer,
    )
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: Any = None) -> Response:
        data = self._body(request, OptionalBodySerializer)
        return self._answer_ticket(services.ticket_resume(actor=request.user, ticket=self.get_object(), **data))

    @extend_schema(
        summary=_("Resolve (a complaint needs root cause and corrective action); sends the survey"),
        request=ResolveSerializer,
        responses=TicketSerializer,
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: Any = None) -> Response:
        data = self._body(request, ResolveSerializer)
        return self._answer_ticket(services.ticket_resolve(actor=request.user, ticket=self.get_object(), **data))

    @extend_schema(
        summary=_("Close a resolved ticket (managers)"), request=OptionalBodySerializer, responses=TicketSerializer
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        data = self._body(request, OptionalBodySerializer)
        return self._answer_ticket(services.ticket_close(actor=request.user, ticket=self.get_object(), **data))

    @extend_schema(
        summary=_("Reopen a resolved or closed ticket"), request=OptionalBodySerializer, responses=TicketSerializer
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: Any = None) -> Response:
        data = self._body(request, OptionalBodySerializer)
        return self._answer_ticket(services.ticket_reopen(actor=request.user, ticket=self.get_object(), **data))

    @extend_schema(summary=_("The ticket's handling record"), request=None, responses=TicketEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def events(self, request: Request, pk: Any = None) -> Response:
        ticket = self.get_object()
        rows = ticket.events.order_by("at", "id")
        return Response(TicketEventSerializer(rows, many=True).data)

    @extend_schema(
        summary=_("Raise an improvement action from a complaint"),
        request=RaiseImprovementSerializer,
        responses={201: RaisedImprovementSerializer},
    )
    @action(detail=True, methods=["post"], url_path="raise-improvement")
    def raise_improvement(self, request: Request, pk: Any = None) -> Response:
        data = self._body(request, RaiseImprovementSerializer)
        improvement = services.ticket_raise_improvement(actor=request.user, ticket=self.get_object(), **data)
        return Response({"id": improvement.pk, "title": improvement.title}, status=status.HTTP_201_CREATED)
