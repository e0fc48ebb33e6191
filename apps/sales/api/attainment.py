"""API of attainment (node + period → figures and the records counted) and of sales target evaluations. Scoped like
the pages; writes through the services; serializers never save."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, service_write_schema
from apps.core.scoping import get_visible_or_404
from apps.marketing.api.evaluations import EvaluationServices, EvaluationViewSetMixin
from apps.sales.choices import EvaluationStatus, TargetMetric
from apps.sales.models import SalesEvaluation, TargetNode
from apps.sales.selectors import evaluations as evaluation_selectors
from apps.sales.selectors.attainment import Counted, counted_records, node_attainment, parse_period
from apps.sales.services import evaluations as evaluation_services


def _record_rows(counted: Counted) -> list[dict[str, Any]]:
    """The records counted, money as strings (exact decimals, never floats)."""
    if counted.metric == TargetMetric.PAYMENTS:
        return [
            {
                "kind": "refund" if p.is_refund else "payment",
                "id": p.pk,
                "number": p.number,
                "date": p.received_on,
                "amount": str(p.amount),
                "contract": p.contract.number,
                "customer": str(p.contract.customer),
                "owner": str(p.contract.owner),
            }
            for p in counted.rows
        ]
    kind = "customer" if counted.metric == TargetMetric.NEW_CUSTOMERS else "contract"
    rows = [
        {
            "kind": kind,
            "id": c.pk,
            "number": c.number,
            "date": c.signed_on,
            "amount": str(c.counted_amount),
            "contract": c.number,
            "customer": str(c.customer),
            "customer_id": c.customer_id,
            "owner": str(c.owner),
        }
        for c in counted.rows
    ]
    return rows + [
        {
            "kind": a.kind,
            "id": a.pk,
            "number": a.contract.number,
            "date": a.effective_on,
            "amount": str(a.delta),
            "contract": a.contract.number,
            "customer": str(a.contract.customer),
            "customer_id": a.contract.customer_id,
            "owner": str(a.contract.owner),
        }
        for a in counted.adjustments
    ]


class AttainmentView(APIView):
    """Figures of one target node for a period, with exactly the records counted."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary=_("Attainment of a target node for a period, with the records counted"),
        parameters=[
            OpenApiParameter("node", OpenApiTypes.INT, required=True, description=_("Target node id")),
            OpenApiParameter(
                "period", OpenApiTypes.STR, required=True, description=_("2026, 2026-Q2, 2026-05 or 2026-YTD")
            ),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        node = get_visible_or_404(TargetNode, request.user, request.query_params.get("node"))
        node = TargetNode.objects.select_related("department", "person", "target_set").get(pk=node.pk)
        try:
            period = parse_period(request.query_params.get("period", ""))
        except ValueError as error:
            raise ValidationError({"period": [str(error)]}) from error
        figures = node_attainment(node, period)
        counted = counted_records(node, period)
        return Response({**figures.as_json(), "records": _record_rows(counted), "records_total": str(counted.total)})


class SalesEvaluationSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.name", read_only=True)
    node_name = serializers.CharField(source="node.__str__", read_only=True)
    figures = serializers.SerializerMethodField()

    class Meta:
        model = SalesEvaluation
        fields = [
            "id",
            "node",
            "node_name",
            "period_start",
            "period_end",
            "status",
            "gap_analysis",
            "causes",
            "measures",
            "figures",
            "policy_version",
            "completed_at",
            "owner",
            "owner_unit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_figures(self, evaluation: SalesEvaluation) -> dict[str, Any]:
        """The frozen snapshot once completed; computed live in draft (detail only)."""
        if evaluation.status != EvaluationStatus.COMPLETED and self.context.get("view_action") == "list":
            return {}
        return evaluation_selectors.evaluation_figures(evaluation)


class SalesEvaluationWriteSerializer(serializers.Serializer):
    node = ScopedPrimaryKeyRelatedField(queryset=TargetNode.objects.select_related("target_set", "department"))
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    gap_analysis = serializers.CharField(required=False, allow_blank=True)
    causes = serializers.CharField(required=False, allow_blank=True)
    measures = serializers.CharField(required=False, allow_blank=True)


class SalesEvaluationUpdateSerializer(SalesEvaluationWriteSerializer):
    node = None  # type: ignore[assignment]
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)


@service_write_schema(
    listing=_("List the sales target evaluations the user may see"),
    detail=_("One sales target evaluation with its figures"),
    create=_("Start evaluating a target node over whole months"),
    update=_("Change a draft evaluation"),
)
class SalesEvaluationViewSet(ScopedViewSetMixin, EvaluationViewSetMixin, viewsets.ModelViewSet):
    """销售目标评估 within the user's data scope."""

    queryset = SalesEvaluation.objects.select_related("node__department", "node__person", "node__target_set", "owner")
    serializer_class = SalesEvaluationSerializer
    write_serializer_class = SalesEvaluationWriteSerializer
    update_serializer_class = SalesEvaluationUpdateSerializer
    services = EvaluationServices(
        evaluation_services.sales_evaluation_create,
        evaluation_services.sales_evaluation_update,
        evaluation_services.sales_evaluation_complete,
    )
    filterset_fields = ["node", "status"]
    ordering_fields = ["period_end"]
    ordering = ["-period_end", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet:
        if getattr(self, "action", None) == "complete":  # the service decides who may complete
            return self.queryset.visible_to(self.request.user)  # type: ignore[attr-defined]
        return super().get_queryset()
