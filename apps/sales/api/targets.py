"""API of sales targets: target sets with their nested nodes (scoped like the editor: a staff member gets their own
node and their ancestors' totals, a manager their subtree), the workflow actions, and PATCH of a node's months
through the service."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedViewSetMixin, ServiceErrorsMixin
from apps.sales.models import TargetNode, TargetSet
from apps.sales.selectors import targets as selectors
from apps.sales.selectors.targets import TreeRow
from apps.sales.services import targets as services

_MONEY = {"max_digits": 16, "decimal_places": 2}


class TreeNodeSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="node.pk")
    parent = serializers.IntegerField(source="node.parent_id", allow_null=True)
    department = serializers.IntegerField(source="node.department_id")
    department_name = serializers.CharField(source="node.department.name")
    person = serializers.IntegerField(source="node.person_id", allow_null=True)
    person_name = serializers.CharField(source="node.person.name", default=None, allow_null=True)
    depth = serializers.IntegerField()
    totals_only = serializers.BooleanField(source="context_only", help_text=_("An ancestor shown for its totals"))
    months = serializers.ListField(child=serializers.DecimalField(**_MONEY))
    quarters = serializers.ListField(child=serializers.DecimalField(**_MONEY))
    annual = serializers.DecimalField(**_MONEY)
    unallocated = serializers.ListField(
        child=serializers.DecimalField(**_MONEY),
        allow_null=True,
        help_text=_("Parent minus the sum of its children, per month"),
    )


class TargetSetSerializer(serializers.ModelSerializer):
    # A plain string: an enum named "metric" would collide with marketing's goal metric in the schema.
    metric = serializers.CharField(read_only=True, help_text=_("contract_amount, payments or new_customers"))
    nodes = serializers.SerializerMethodField()

    class Meta:
        model = TargetSet
        fields = [
            "id",
            "fiscal_year",
            "metric",
            "tier",
            "status",
            "submitted_at",
            "approved_by",
            "approved_at",
            "nodes",
        ]
        read_only_fields = fields

    @extend_schema(responses=TreeNodeSerializer(many=True))
    def get_nodes(self, obj: TargetSet) -> list[dict]:
        rows: list[TreeRow] = selectors.target_tree(target_set=obj, user=self.context["request"].user).rows
        return TreeNodeSerializer(rows, many=True).data


class TargetNodeSerializer(serializers.ModelSerializer):
    months = serializers.ListField(child=serializers.DecimalField(**_MONEY), read_only=True)
    annual = serializers.DecimalField(read_only=True, **_MONEY)

    class Meta:
        model = TargetNode
        fields = ["id", "target_set", "parent", "department", "person", "months", "annual", "proposed"]
        read_only_fields = fields


class NodeMonthsSerializer(serializers.Serializer):
    months = serializers.ListField(child=serializers.DecimalField(min_value=0, **_MONEY), min_length=12, max_length=12)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class CanViewTargets(permissions.BasePermission):
    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.has_perm("sales.view_targetset")))


_SET_MOVES = {"submit": services.target_set_submit, "approve": services.target_set_approve}


@extend_schema_view(
    list=extend_schema(summary=_("Target sets with the nodes the user may see")),
    retrieve=extend_schema(summary=_("One target set with its decomposition tree (scoped)")),
)
class TargetSetViewSet(ServiceErrorsMixin, viewsets.ReadOnlyModelViewSet):
    """销售目标: one per fiscal year, metric and tier; nodes are scoped to the requester."""

    queryset = TargetSet.objects.all()
    serializer_class = TargetSetSerializer
    permission_classes = [permissions.IsAuthenticated, CanViewTargets]
    filterset_fields = ["fiscal_year", "metric", "tier", "status"]
    ordering_fields = ["fiscal_year"]

    def _move(self, request: Request, move: str) -> Response:
        try:
            target_set = _SET_MOVES[move](actor=request.user, target_set=self.get_object())
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(self.get_serializer(target_set).data)

    @extend_schema(summary=_("Submit a draft (refused while anything does not add up)"), request=None)
    @drf_action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, "submit")

    @extend_schema(summary=_("Approve and lock a submitted set (senior management)"), request=None)
    @drf_action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, "approve")


@extend_schema_view(
    list=extend_schema(summary=_("Target nodes the user may see")),
    retrieve=extend_schema(summary=_("One target node (404 when out of scope)")),
    partial_update=extend_schema(
        summary=_("Set a node's twelve months (draft only, within your department tree)"),
        request=NodeMonthsSerializer,
        responses=TargetNodeSerializer,
    ),
)
class TargetNodeViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Nodes of the target trees within the requester's data scope."""

    queryset = TargetNode.objects.select_related("department", "person")
    serializer_class = TargetNodeSerializer
    filterset_fields = ["target_set", "department", "person"]
    http_method_names = ["get", "patch", "head", "options"]

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        node = self.get_object()
        data = NodeMonthsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            node = services.target_node_set_months(
                actor=request.user,
                node=node,
                months=data.validated_data["months"],
                reason=data.validated_data.get("reason", ""),
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(self.get_serializer(node).data)
