"""API of market research, market development plans (with goal lines and computed actuals) and evaluations.
Scoped like the pages; writes through the services; serializers never save."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedPrimaryKeyRelatedField, ScopedViewSetMixin, ServiceWriteMixin, service_write_schema
from apps.core.api.workflow import AllowedActionsField
from apps.marketing.api.evaluations import EvaluationServices, EvaluationViewSetMixin
from apps.marketing.choices import GoalMetric, PlanStatus, ResearchMethod, ResearchStatus
from apps.marketing.models import MarketEvaluation, MarketPlan, MarketResearch, PlanGoal
from apps.marketing.selectors import evaluations as evaluation_selectors
from apps.marketing.selectors import plans as plan_selectors
from apps.marketing.services import evaluations as evaluation_services
from apps.marketing.services import plans as plan_services
from apps.marketing.services import research as research_services

_READ_WRITE = ["get", "post", "patch", "head", "options"]


class GoalLineSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=GoalMetric.choices)
    label = serializers.CharField()
    target = serializers.DecimalField(max_digits=14, decimal_places=2)
    actual = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    completion_pct = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)
    note = serializers.CharField(allow_blank=True)


#
# Research
#


class ResearchSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = MarketResearch
        fields = [
            "id",
            "subject",
            "target_market",
            "segment",
            "method",
            "period_start",
            "period_end",
            "findings",
            "competitors",
            "conclusions",
            "status",
            "owner",
            "owner_unit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ResearchWriteSerializer(serializers.Serializer):
    subject = serializers.CharField(max_length=200)
    target_market = serializers.CharField(max_length=200)
    segment = serializers.CharField(max_length=200, required=False, allow_blank=True)
    method = serializers.ChoiceField(choices=ResearchMethod.choices, required=False)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    findings = serializers.CharField(required=False, allow_blank=True)
    competitors = serializers.CharField(required=False, allow_blank=True)
    conclusions = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=ResearchStatus.choices, required=False)


@service_write_schema(
    listing=_("List the market research the user may see"),
    detail=_("One market research study (404 when out of scope)"),
    create=_("Record a market research study"),
    update=_("Change a study"),
)
class ResearchViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    """市场调研 within the user's data scope."""

    queryset = MarketResearch.objects.select_related("owner")
    serializer_class = ResearchSerializer
    write_serializer_class = ResearchWriteSerializer
    filterset_fields = ["status", "method", "owner"]
    search_fields = ["subject", "target_market", "segment"]
    ordering_fields = ["period_start", "subject"]
    ordering = ["-period_start", "-id"]
    http_method_names = _READ_WRITE

    def service_create(self, data: dict[str, Any]) -> MarketResearch:
        return research_services.research_create(actor=self.request.user, **data)

    def service_update(self, instance: MarketResearch, data: dict[str, Any]) -> MarketResearch:  # type: ignore[override]
        return research_services.research_update(actor=self.request.user, research=instance, data=data)


#
# Plans
#


class PlanGoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlanGoal
        fields = ["metric", "target_value"]


class MarketPlanSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.name", read_only=True)
    goals = serializers.SerializerMethodField()
    allowed_actions = AllowedActionsField(
        plan_selectors.plan_allowed,
        help_text=_("The steps of the plan workflow the requesting user may take now (the page's buttons)."),
    )

    class Meta:
        model = MarketPlan
        fields = [
            "id",
            "title",
            "period_start",
            "period_end",
            "strategic_goal",
            "expansion_strategy",
            "promotion_plan",
            "budget",
            "status",
            "owner",
            "owner_unit",
            "submitted_at",
            "approved_by",
            "approved_at",
            "approval_comment",
            "goals",
            "allowed_actions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(GoalLineSerializer(many=True))
    def get_goals(self, plan: MarketPlan) -> list[dict[str, Any]]:
        """Goal lines with the actual computed over the plan's own period (never stored)."""
        actuals = self.context.get("actuals", {}).get(plan.pk)
        if actuals is None:
            actuals = plan_selectors.goal_actuals_for_plans(plans=[plan])[plan.pk]
        return [GoalLineSerializer(line).data for line in actuals]


class MarketPlanWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    strategic_goal = serializers.CharField()
    expansion_strategy = serializers.CharField(required=False, allow_blank=True)
    promotion_plan = serializers.CharField(required=False, allow_blank=True)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    goals = PlanGoalSerializer(many=True, required=False)


class PlanDecisionSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


@service_write_schema(
    listing=_("List the market development plans the user may see, with goals and actuals"),
    detail=_("One plan with its goal lines and computed actuals (404 when out of scope)"),
    create=_("Draft a plan with goal lines"),
    update=_("Change a draft plan"),
)
class MarketPlanViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    """市场开发计划 within the user's data scope; workflow moves as POST actions."""

    queryset = MarketPlan.objects.select_related("owner", "owner_unit").prefetch_related("goals")
    serializer_class = MarketPlanSerializer
    write_serializer_class = MarketPlanWriteSerializer
    filterset_fields = ["status", "owner"]
    search_fields = ["title", "strategic_goal"]
    ordering_fields = ["period_start", "title", "budget"]
    ordering = ["-period_start", "-id"]
    http_method_names = _READ_WRITE

    def get_queryset(self) -> Any:
        if getattr(self, "action", None) in _PLAN_MOVES:
            return self.queryset.visible_to(self.request.user, "view")
        return super().get_queryset()

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        actuals = plan_selectors.goal_actuals_for_plans(plans=page)  # a few queries per distinct plan period
        data = MarketPlanSerializer(page, many=True, context={**self.get_serializer_context(), "actuals": actuals})
        return self.get_paginated_response(data.data)

    def service_create(self, data: dict[str, Any]) -> MarketPlan:
        goals = [dict(g) for g in data.pop("goals", [])]
        return plan_services.plan_create(actor=self.request.user, goals=goals, **data)

    def service_update(self, instance: MarketPlan, data: dict[str, Any]) -> MarketPlan:  # type: ignore[override]
        goals = data.pop("goals", None)
        return plan_services.plan_update(
            actor=self.request.user, plan=instance, data=data, goals=None if goals is None else [dict(g) for g in goals]
        )

    def _move(self, request: Request, move: str) -> Response:
        plan = self.get_object()
        kwargs: dict[str, Any] = {}
        if move in ("approve", "reject"):
            serializer = PlanDecisionSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            kwargs["comment"] = serializer.validated_data["comment"]
        plan = _PLAN_MOVES[move](actor=request.user, plan=plan, **kwargs)
        return Response(MarketPlanSerializer(plan, context=self.get_serializer_context()).data)

    @extend_schema(summary=_("Submit a draft plan for approval"), request=None, responses=MarketPlanSerializer)
    @drf_action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, "submit")

    @extend_schema(
        summary=_("Approve a submitted plan (a manager over it, not its owner)"),
        request=PlanDecisionSerializer,
        responses=MarketPlanSerializer,
    )
    @drf_action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, "approve")

    @extend_schema(
        summary=_("Send a submitted plan back to draft with a comment"),
        request=PlanDecisionSerializer,
        responses=MarketPlanSerializer,
    )
    @drf_action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, "reject")


_PLAN_MOVES: dict[str, Callable[..., MarketPlan]] = {
    "submit": plan_services.plan_submit,
    "approve": plan_services.plan_approve,
    "reject": plan_services.plan_reject,
}


#
# Evaluations
#


class MarketEvaluationSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.name", read_only=True)
    figures = serializers.SerializerMethodField()

    class Meta:
        model = MarketEvaluation
        fields = [
            "id",
            "plan",
            "period_start",
            "period_end",
            "status",
            "feedback",
            "strategy_adjustment",
            "improvement_suggestions",
            "market_share_estimate",
            "figures",
            "policy_version",
            "completed_at",
            "owner",
            "owner_unit",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(GoalLineSerializer(many=True))
    def get_figures(self, evaluation: MarketEvaluation) -> list[dict[str, Any]]:
        """Actual vs target: the frozen snapshot once completed, computed live in draft (detail only)."""
        if evaluation.status != "completed" and self.context.get("view_action") == "list":
            return []
        return [
            GoalLineSerializer(line).data for line in evaluation_selectors.evaluation_figures(evaluation=evaluation)
        ]


class MarketEvaluationWriteSerializer(serializers.Serializer):
    plan = ScopedPrimaryKeyRelatedField(
        queryset=MarketPlan.objects.filter(status__in=[PlanStatus.APPROVED, PlanStatus.EXECUTING, PlanStatus.CLOSED])
    )
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    feedback = serializers.CharField(required=False, allow_blank=True)
    strategy_adjustment = serializers.CharField(required=False, allow_blank=True)
    improvement_suggestions = serializers.CharField(required=False, allow_blank=True)
    market_share_estimate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, allow_null=True)


class MarketEvaluationUpdateSerializer(MarketEvaluationWriteSerializer):
    plan = None  # type: ignore[assignment]
    period_start = serializers.DateField(required=False)
    period_end = serializers.DateField(required=False)


@service_write_schema(
    listing=_("List the market development evaluations the user may see"),
    detail=_("One evaluation with actual vs target per goal line"),
    create=_("Start evaluating a plan over a period"),
    update=_("Change a draft evaluation"),
)
class MarketEvaluationViewSet(ScopedViewSetMixin, EvaluationViewSetMixin, viewsets.ModelViewSet):
    """市场开发评估 within the user's data scope."""

    queryset = MarketEvaluation.objects.select_related("plan", "owner")
    serializer_class = MarketEvaluationSerializer
    write_serializer_class = MarketEvaluationWriteSerializer
    update_serializer_class = MarketEvaluationUpdateSerializer
    services = EvaluationServices(
        evaluation_services.evaluation_create,
        evaluation_services.evaluation_update,
        evaluation_services.evaluation_complete,
    )
    filterset_fields = ["plan", "status"]
    ordering_fields = ["period_end"]
    ordering = ["-period_end", "-id"]
    http_method_names = _READ_WRITE
