"""The contracts API: contracts (+ submit, approve, reject, withdraw, void, refund, adjust), payment plans,
payments (read and create only: a payment is corrected by a refund, never edited), refunds and amendments
(+ approve, reject).

Scoped querysets in, services for every write; a refusal of a service answers 400 with its message (a payment
beyond the contract amount states the amount that remains).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, ServiceWriteMixin, service_write_schema
from apps.core.api.workflow import AllowedActionsField, detail_posts
from apps.customers.models import Customer
from apps.sales.choices import AdjustmentKind
from apps.sales.filters import ContractFilterSet
from apps.sales.models import (
    Contract,
    ContractAdjustment,
    ContractLine,
    Opportunity,
    Payment,
    PaymentPlan,
    Product,
    RefundRequest,
)
from apps.sales.models.contracts import CONTRACT_MOVES
from apps.sales.selectors import contracts as selectors
from apps.sales.services import contracts as services
from apps.sales.services import refunds as refund_services
from apps.sales.services.contracts import CONTRACT_FIELDS

# The API's custom actions are the moves of CONTRACT_WORKFLOW of the same name: the services check them against the
# table (403 for someone it does not name, 400 for a move the status does not offer), not as "add".
WORKFLOW_ACTIONS = tuple(move for move in CONTRACT_MOVES if move not in ("edit", "pay", "plan"))

#
# Serializers
#


class ContractLineSerializer(serializers.ModelSerializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = ContractLine
        fields = ["product", "quantity", "unit_price", "discount_pct", "amount"]


class ContractSerializer(serializers.ModelSerializer):
    collected = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)
    collection_rate = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True, allow_null=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    allowed_actions = AllowedActionsField(
        selectors.contract_allowed,
        choices=CONTRACT_MOVES,
        skip=lambda context: getattr(context.get("view"), "action", None) != "retrieve",  # one contract only
        help_text=_("The moves the user may make now (the contract workflow); null in lists"),
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "title",
            "customer",
            "customer_name",
            "opportunity",
            "signed_on",
            "start_date",
            "end_date",
            "discount_pct",
            "amount",
            "signed_amount",
            "terminated_on",
            "customer_signatory",
            "company_signatory",
            "status",
            "approved_at",
            "approved_by",
            "policy_version",
            "terms",
            "owner",
            "owner_unit",
            "collected",
            "collection_rate",
            "allowed_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ContractWriteSerializer(serializers.ModelSerializer):
    """The contract's fields as the model declares them; the scope and the rules are the service's."""

    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False)
    opportunity = ScopedPrimaryKeyRelatedField(queryset=Opportunity.objects.all(), required=False, allow_null=True)
    lines = ContractLineSerializer(many=True, required=False)

    class Meta:
        model = Contract
        fields = [*CONTRACT_FIELDS, "lines"]
        extra_kwargs = {"amount": {"required": False, "allow_null": True}}


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500)


class PaymentPlanSerializer(serializers.ModelSerializer):
    paid = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta:
        model = PaymentPlan
        fields = ["id", "contract", "instalment", "due_date", "amount", "remind_days_before", "note", "paid", "status"]
        read_only_fields = fields

    def _row(self, plan: PaymentPlan) -> Any:
        paid = getattr(plan, "paid", None)
        paid = paid if paid is not None else selectors.collected_on_plan(plan)
        return paid, selectors.instalment_status(plan.amount, paid, plan.due_date, selectors.today())

    def get_paid(self, plan: PaymentPlan) -> str:
        return f"{self._row(plan)[0]:.2f}"

    def get_status(self, plan: PaymentPlan) -> str:
        return self._row(plan)[1]


class InstalmentInputSerializer(serializers.Serializer):
    instalment = serializers.IntegerField(min_value=1, required=False)
    due_date = serializers.DateField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0)
    remind_days_before = serializers.IntegerField(min_value=0, max_value=365, required=False, default=3)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PaymentPlanSetSerializer(serializers.Serializer):
    contract = ScopedPrimaryKeyRelatedField(queryset=Contract.objects.all())
    instalments = InstalmentInputSerializer(many=True)


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "id",
            "number",
            "contract",
            "plan",
            "received_on",
            "amount",
            "method",
            "recorded_by",
            "note",
            "created_at",
        ]
        read_only_fields = fields


class RefundRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = RefundRequest
        fields = [
            "id",
            "contract",
            "payment",
            "amount",
            "reason",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_comment",
            "refund",
        ]
        read_only_fields = fields


class RefundInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal("0.01"))
    reason = serializers.CharField(max_length=500)
    payment = ScopedPrimaryKeyRelatedField(queryset=Payment.objects.all(), required=False, allow_null=True)


class ContractAdjustmentSerializer(serializers.ModelSerializer):
    delta = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = ContractAdjustment
        fields = [
            "id",
            "contract",
            "kind",
            "old_amount",
            "new_amount",
            "delta",
            "reason",
            "status",
            "effective_on",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "decision_comment",
        ]
        read_only_fields = fields


class AdjustmentInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AdjustmentKind.choices)
    new_amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=Decimal("0"), required=False, allow_null=True
    )
    reason = serializers.CharField(max_length=500)


class PaymentWriteSerializer(serializers.ModelSerializer):
    contract = ScopedPrimaryKeyRelatedField(queryset=Contract.objects.all())
    plan = ScopedPrimaryKeyRelatedField(queryset=PaymentPlan.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Payment
        fields = ["contract", "plan", "received_on", "amount", "method", "note"]


#
# Views
#


# The approval workflow's steps: action → (service, summary); each takes an optional comment.
CONTRACT_STEPS: dict[str, tuple[Callable[..., Contract], Any]] = {
    "submit": (services.contract_submit, _("Submit for approval (approved at once below the thresholds)")),
    "approve": (services.contract_approve, _("Approve a pending contract")),
    "reject": (services.contract_reject, _("Reject a pending contract (comment required)")),
    "withdraw": (services.contract_withdraw, _("Withdraw a pending contract (the submitter)")),
    "void": (services.contract_void, _("Void an approved contract without payments (comment = reason)")),
}


@detail_posts("_act", CONTRACT_STEPS, request=CommentSerializer, responses=ContractSerializer)
@service_write_schema(
    listing=_("List the contracts the user may see, with collected amount and rate"),
    detail=_("One contract (404 when out of scope)"),
    create=_("Create a draft contract (numbered by the contract rule)"),
    update=_("Change a draft, rejected or withdrawn contract"),
)
class ContractViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    """Contracts within the user's data scope; filtered by ``ContractFilterSet`` (status, customer, owner,
    opportunity, signed month, ``q``) like the list page and its export; ``search`` finds number, title and
    customer."""

    queryset = selectors.with_collection(Contract.objects.select_related("customer"))
    serializer_class = ContractSerializer
    write_serializer_class = ContractWriteSerializer
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter, filters.SearchFilter]
    filterset_class = ContractFilterSet  # the list page's and the export's filters
    search_fields = ["number", "title", "customer__name"]
    ordering_fields = ["signed_on", "amount", "number", "collected"]
    ordering = ["-signed_on", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_permissions(self) -> list[Any]:
        # The approval actions are checked by the services (approve/void permissions and scope), not as "add".
        if getattr(self, "action", None) in WORKFLOW_ACTIONS:
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self) -> Any:
        if getattr(self, "action", None) in WORKFLOW_ACTIONS:
            return selectors.with_collection(Contract.objects.select_related("customer")).visible_to(  # type: ignore[attr-defined]
                self.request.user, "view"
            )
        return super().get_queryset()

    def service_create(self, data: dict[str, Any]) -> Contract:
        lines = data.pop("lines", None)
        contract = services.contract_create(actor=self.request.user, data=data, lines=lines)
        return self.get_queryset().get(pk=contract.pk)

    def service_update(self, instance: Contract, data: dict[str, Any]) -> Contract:  # type: ignore[override]
        lines = data.pop("lines", None)
        services.contract_update(actor=self.request.user, contract=instance, data=data, lines=lines)
        return self.get_queryset().get(pk=instance.pk)

    def _act(self, request: Request, service: Any, **extra: Any) -> Response:
        contract = self.get_object()
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = body.validated_data.get("comment", "")
        if service is services.contract_void:
            service(actor=request.user, contract=contract, reason=comment)
        else:
            service(actor=request.user, contract=contract, comment=comment)
        return Response(ContractSerializer(self.get_queryset().get(pk=contract.pk)).data, status=status.HTTP_200_OK)

    @extend_schema(
        summary=_("Request a refund (退款 / 红冲); it counts once approved"),
        request=RefundInputSerializer,
        responses={201: RefundRequestSerializer},
    )
    @action(detail=True, methods=["post"])
    def refund(self, request: Request, pk: Any = None) -> Response:
        contract = self.get_object()
        body = RefundInputSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        refund = refund_services.refund_request(actor=request.user, contract=contract, **body.validated_data)
        return Response(RefundRequestSerializer(refund).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Request an amendment (补充协议) or a termination; it counts once approved"),
        request=AdjustmentInputSerializer,
        responses={201: ContractAdjustmentSerializer},
    )
    @action(detail=True, methods=["post"])
    def adjust(self, request: Request, pk: Any = None) -> Response:
        contract = self.get_object()
        body = AdjustmentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        adjustment = refund_services.contract_adjust_request(
            actor=request.user, contract=contract, **body.validated_data
        )
        return Response(ContractAdjustmentSerializer(adjustment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary=_("List the instalments of contracts the user may see, with derived status")),
    retrieve=extend_schema(summary=_("One instalment (404 when out of scope)")),
    create=extend_schema(
        summary=_("Replace the payment plan of an approved contract"),
        request=PaymentPlanSetSerializer,
        responses={201: PaymentPlanSerializer(many=True)},
    ),
)
class PaymentPlanViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = selectors.plans_with_paid(PaymentPlan.objects.all())
    serializer_class = PaymentPlanSerializer
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_fields = ["contract"]
    ordering = ["contract_id", "instalment"]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        body = PaymentPlanSetSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        plans = services.payment_plan_set(
            actor=request.user,
            contract=body.validated_data["contract"],
            instalments=[dict(r) for r in body.validated_data["instalments"]],
        )
        rows = self.get_queryset().filter(pk__in=[p.pk for p in plans])
        return Response(PaymentPlanSerializer(rows, many=True).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary=_("List the payments of contracts the user may see")),
    retrieve=extend_schema(summary=_("One payment (404 when out of scope)")),
    create=extend_schema(
        summary=_("Record a payment (beyond the contract amount: 400 with what remains)"),
        request=PaymentWriteSerializer,
        responses={201: PaymentSerializer},
    ),
)
class PaymentViewSet(
    ScopedViewSetMixin,
    ServiceWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Payment.objects.select_related("contract")
    serializer_class = PaymentSerializer
    write_serializer_class = PaymentWriteSerializer
    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_fields = ["contract", "plan", "method"]
    ordering_fields = ["received_on", "amount"]
    ordering = ["-received_on", "-id"]
    # A payment is never edited: a mistake or a refund is corrected by an approved refund (``contracts/{id}/refund``).
    http_method_names = ["get", "post", "head", "options"]

    def service_create(self, data: dict[str, Any]) -> Payment:
        contract = data.pop("contract")
        return services.payment_record(actor=self.request.user, contract=contract, data=data)


class _DecisionViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Refunds or amendments within the user's scope; approve and reject are checked by the services."""

    filter_backends = [DjangoFilterBackend, filters.OrderingFilter]
    filterset_fields = ["contract", "status"]
    ordering = ["-requested_at", "-id"]
    approve_service: Any
    reject_service: Any
    field: str

    def get_permissions(self) -> list[Any]:
        if getattr(self, "action", None) in ("approve", "reject"):
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self) -> Any:
        if getattr(self, "action", None) in ("approve", "reject"):
            return self.queryset.visible_to(self.request.user, "view")  # type: ignore[attr-defined]
        return super().get_queryset()

    def _decide(self, request: Request, service: Any) -> Response:
        item = self.get_object()
        body = CommentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = service(actor=request.user, comment=body.validated_data.get("comment", ""), **{self.field: item})
        return Response(self.get_serializer(done).data)

    @extend_schema(
        summary=_("Approve (an approver in scope, not the requester nor the owner)"), request=CommentSerializer
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        return self._decide(request, type(self).approve_service)

    @extend_schema(summary=_("Reject with a reason (comment)"), request=CommentSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        return self._decide(request, type(self).reject_service)


@extend_schema_view(
    list=extend_schema(summary=_("List the refunds of contracts the user may see")),
    retrieve=extend_schema(summary=_("One refund (404 when out of scope)")),
)
class RefundRequestViewSet(_DecisionViewSet):
    queryset = RefundRequest.objects.select_related("contract")
    serializer_class = RefundRequestSerializer
    approve_service = staticmethod(refund_services.refund_approve)
    reject_service = staticmethod(refund_services.refund_reject)
    field = "refund"


@extend_schema_view(
    list=extend_schema(summary=_("List the amendments and terminations the user may see")),
    retrieve=extend_schema(summary=_("One amendment or termination (404 when out of scope)")),
)
class ContractAdjustmentViewSet(_DecisionViewSet):
    queryset = ContractAdjustment.objects.select_related("contract")
    serializer_class = ContractAdjustmentSerializer
    approve_service = staticmethod(refund_services.contract_adjust_approve)
    reject_service = staticmethod(refund_services.contract_adjust_reject)
    field = "adjustment"
