"""The performance API (arts. 11–13): KPIs, the schemes in force, cycles, scorecards, appeals, rewards and
penalties, violations — scoped like the pages; every move is a POST action that calls one service (the service
checks who may)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import ScopedViewSetMixin, ServiceErrorsMixin
from apps.performance import services
from apps.performance.api import serializers as s
from apps.performance.models import Appeal, Assessment, AssessmentCycle, Kpi, RewardPenalty, Violation
from apps.performance.permissions import Perm
from apps.policy.selectors import rules_in_force

ACTION_PERMISSIONS = [permissions.IsAuthenticated]


def _input(serializer_class: Any, request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class KpiViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """考核指标: the KPI library."""

    queryset = Kpi.objects.all()
    serializer_class = s.KpiSerializer

    def get_queryset(self) -> Any:
        return Kpi.objects.all() if self.request.user.has_perm(str(Perm.VIEW_KPI)) else Kpi.objects.none()


class SchemeView(APIView):
    """The assessment schemes of the policy version in force: KPIs, weights and targets per department kind and
    level, the forced distribution and the proposals by grade."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary=_("The assessment schemes of the policy in force"),
        responses=inline_serializer(
            "AssessmentSchemes", {"version": serializers.CharField(), "assessment": serializers.DictField()}
        ),
    )
    def get(self, request: Request) -> Response:
        in_force = rules_in_force()
        return Response({"version": in_force.version_label, "assessment": in_force.rules.to_json()["assessment"]})


@extend_schema_view(create=extend_schema(request=s.CycleCreateSerializer, responses={201: s.CycleSerializer}))
class CycleViewSet(ServiceErrorsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """考核周期; compute, finalise and publish are actions."""

    queryset = AssessmentCycle.objects.all()  # not scoped: the permission is the whole rule (get_queryset)
    serializer_class = s.CycleSerializer
    permission_classes = ACTION_PERMISSIONS
    ordering = ["-start"]

    def get_queryset(self) -> Any:
        if not self.request.user.has_perm(str(Perm.VIEW_CYCLE)):
            return AssessmentCycle.objects.none()
        return AssessmentCycle.objects.select_related("rules_version").order_by("-start")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        cycle = services.cycle_create(actor=request.user, **_input(s.CycleCreateSerializer, request))
        return Response(s.CycleSerializer(cycle).data, status=status.HTTP_201_CREATED)

    def _run(self, call: Any) -> Response:
        cycle = call(actor=self.request.user, cycle=self.get_object())
        return Response(s.CycleSerializer(cycle).data)

    @extend_schema(request=None, responses=s.CycleSerializer, summary=_("Compute every scorecard of the cycle"))
    @action(detail=True, methods=["post"])
    def compute(self, request: Request, pk: Any = None) -> Response:
        return self._run(services.cycle_compute)

    @extend_schema(request=None, responses=s.CycleSerializer, summary=_("Finalise the cycle"))
    @action(detail=True, methods=["post"])
    def finalise(self, request: Request, pk: Any = None) -> Response:
        return self._run(services.cycle_finalise)

    @extend_schema(request=None, responses=s.CycleSerializer, summary=_("Publish the results"))
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: Any = None) -> Response:
        return self._run(services.cycle_publish)


class AssessmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Scorecards within the data scope (staff their own, managers their departments, senior management all)."""

    queryset = Assessment.objects.select_related("owner", "owner_unit", "cycle").prefetch_related("items__kpi")
    serializer_class = s.AssessmentSerializer
    filterset_fields = ["cycle", "subject_kind", "level", "grade", "status", "owner_unit"]
    ordering_fields = ["total", "rank_in_company"]
    ordering = ["cycle", "-total", "id"]

    def get_permissions(self) -> list[Any]:
        if self.action in ("review", "confirm", "appeal"):
            return [p() for p in ACTION_PERMISSIONS]
        return super().get_permissions()

    def get_queryset(self) -> Any:
        return (
            Assessment.objects.visible_to(self.request.user)
            .select_related("owner", "owner_unit", "cycle")
            .prefetch_related("items__kpi")
        )

    def _card(self, card: Assessment) -> Response:
        return Response(s.AssessmentSerializer(Assessment.objects.get(pk=card.pk)).data)

    @extend_schema(request=s.ReviewSerializer, responses=s.AssessmentSerializer, summary=_("The manager's review"))
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: Any = None) -> Response:
        data = _input(s.ReviewSerializer, request)
        return self._card(services.assessment_review(actor=request.user, assessment=self.get_object(), **data))

    @extend_schema(request=None, responses=s.AssessmentSerializer, summary=_("The employee confirms"))
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: Any = None) -> Response:
        return self._card(services.assessment_confirm(actor=request.user, assessment=self.get_object()))

    @extend_schema(request=s.AppealInputSerializer, responses={201: s.AppealSerializer}, summary=_("Appeal once"))
    @action(detail=True, methods=["post"])
    def appeal(self, request: Request, pk: Any = None) -> Response:
        appeal = services.appeal_submit(
            actor=request.user, assessment=self.get_object(), **_input(s.AppealInputSerializer, request)
        )
        return Response(s.AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class AppealViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Appeal.objects.select_related("decided_by")
    serializer_class = s.AppealSerializer
    filterset_fields = ["status"]
    ordering = ["-created_at"]

    def get_permissions(self) -> list[Any]:
        return [p() for p in ACTION_PERMISSIONS] if self.action == "decide" else super().get_permissions()

    @extend_schema(request=s.AppealDecisionSerializer, responses=s.AppealSerializer, summary=_("Decide an appeal"))
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        appeal = services.appeal_decide(
            actor=request.user, appeal=self.get_object(), **_input(s.AppealDecisionSerializer, request)
        )
        return Response(s.AppealSerializer(appeal).data)


class RewardPenaltyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """奖惩: proposals and decisions."""

    queryset = RewardPenalty.objects.select_related("person", "department")
    serializer_class = s.RewardPenaltySerializer
    filterset_fields = ["status", "is_reward", "action"]
    ordering = ["-created_at", "-id"]

    def get_permissions(self) -> list[Any]:
        return [p() for p in ACTION_PERMISSIONS] if self.action == "decide" else super().get_permissions()

    @extend_schema(
        request=s.ProposalDecisionSerializer,
        responses=s.RewardPenaltySerializer,
        summary=_("Decide a reward or penalty (senior management, leadership group)"),
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        proposal = services.proposal_decide(
            actor=request.user, proposal=self.get_object(), **_input(s.ProposalDecisionSerializer, request)
        )
        return Response(s.RewardPenaltySerializer(proposal).data)


@extend_schema_view(create=extend_schema(request=s.ViolationInputSerializer, responses={201: s.ViolationSerializer}))
class ViolationViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """违规记录."""

    queryset = Violation.objects.select_related("owner", "owner_unit", "reported_by")
    serializer_class = s.ViolationSerializer
    filterset_fields = ["status", "article"]
    ordering = ["-happened_on", "-id"]

    def get_permissions(self) -> list[Any]:
        if self.action in ("decide", "appeal", "decide_appeal"):
            return [p() for p in ACTION_PERMISSIONS]
        return super().get_permissions()

    def get_queryset(self) -> Any:
        if self.action in ("decide", "appeal", "decide_appeal"):  # fetched in view scope: the service decides who
            return Violation.objects.visible_to(self.request.user).select_related("owner", "owner_unit", "reported_by")
        return super().get_queryset()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        violation = services.violation_report(actor=request.user, **_input(s.ViolationInputSerializer, request))
        return Response(s.ViolationSerializer(violation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ViolationDecisionSerializer, responses=s.ViolationSerializer, summary=_("Decide a violation")
    )
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: Any = None) -> Response:
        violation = services.violation_decide(
            actor=request.user, violation=self.get_object(), **_input(s.ViolationDecisionSerializer, request)
        )
        return Response(s.ViolationSerializer(violation).data)

    @extend_schema(
        request=s.AppealInputSerializer,
        responses=s.ViolationSerializer,
        summary=_("Appeal a confirmed violation (once, by the person concerned)"),
    )
    @action(detail=True, methods=["post"])
    def appeal(self, request: Request, pk: Any = None) -> Response:
        violation = services.violation_appeal(
            actor=request.user, violation=self.get_object(), **_input(s.AppealInputSerializer, request)
        )
        return Response(s.ViolationSerializer(violation).data)

    @extend_schema(
        request=s.ViolationAppealDecisionSerializer,
        responses=s.ViolationSerializer,
        summary=_("Decide the appeal of a violation (senior management, leadership group)"),
    )
    @action(detail=True, methods=["post"], url_path="decide-appeal")
    def decide_appeal(self, request: Request, pk: Any = None) -> Response:
        violation = services.violation_appeal_decide(
            actor=request.user, violation=self.get_object(), **_input(s.ViolationAppealDecisionSerializer, request)
        )
        return Response(s.ViolationSerializer(violation).data)
