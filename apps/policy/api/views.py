"""The policy API: versions (drafting from the version in force, rules, the flow's moves, ``diff/`` and
``impact/``) and the leadership group's decisions (votes, closing). The policy has no data scope: the versions a
user sees are those ``selectors.version_list`` gives (drafts and undecided amendments only to editors)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedViewSetMixin, ServiceWriteMixin, service_write_schema
from apps.policy import selectors, services
from apps.policy.api import serializers as s
from apps.policy.models import PolicyDecision, PolicyVersion


@service_write_schema(
    listing=_("List the policy versions the user may see"),
    detail=_("One policy version with the moves the user may make"),
    create=_("Start a draft from the version in force"),
    update=_("Change a draft's rules"),
)
class PolicyVersionViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    queryset = PolicyVersion.objects.select_related("policy", "published_by")
    serializer_class = s.PolicyVersionSerializer
    write_serializer_class = s.DraftSerializer
    update_serializer_class = s.RulesUpdateSerializer
    filterset_fields = ["status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet:  # no data scope: who sees what is ``version_list``
        return selectors.version_list(user=self.request.user).order_by("-id")

    def service_create(self, data: dict[str, Any]) -> PolicyVersion:
        return services.policy_version_draft_from_in_force(actor=self.request.user, **data)

    def service_update(self, instance: PolicyVersion, data: dict[str, Any]) -> PolicyVersion:  # type: ignore[override]
        return services.policy_version_update_rules(actor=self.request.user, version=instance, rules=data["rules"])

    def _answer_version(self, version: PolicyVersion) -> Response:
        version.refresh_from_db()
        return Response(self.get_serializer(version).data)

    @extend_schema(
        summary=_("What the version changes, article by article and rule by rule"), responses=s.DiffSerializer
    )
    @drf_action(detail=True, methods=["get"])
    def diff(self, request: Request, pk: Any = None) -> Response:
        return Response(s.DiffSerializer(selectors.version_diff(self.get_object())).data)

    @extend_schema(summary=_("What each changed rule will touch"), responses=s.ImpactSerializer(many=True))
    @drf_action(detail=True, methods=["get"])
    def impact(self, request: Request, pk: Any = None) -> Response:
        return Response(s.ImpactSerializer(selectors.version_impact(self.get_object()), many=True).data)

    @extend_schema(
        summary=_("Submit the draft to the leadership group"), request=None, responses=s.PolicyDecisionSerializer
    )
    @drf_action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        decision = services.policy_version_submit(actor=request.user, version=self.get_object())
        return Response(s.PolicyDecisionSerializer(decision).data)

    @extend_schema(
        summary=_("Publish an approved version for a date"),
        request=s.PublishSerializer,
        responses=s.PolicyVersionSerializer,
    )
    @drf_action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: Any = None) -> Response:
        serializer = s.PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = self.get_object()
        services.policy_version_publish(actor=request.user, version=version, **serializer.validated_data)
        return self._answer_version(version)

    @extend_schema(
        summary=_("Withdraw a published version before it takes effect"),
        request=None,
        responses=s.PolicyVersionSerializer,
    )
    @drf_action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: Any = None) -> Response:
        version = self.get_object()
        services.policy_version_withdraw(actor=request.user, version=version)
        return self._answer_version(version)


@extend_schema_view(
    list=extend_schema(summary=_("List the leadership group's decisions on policy versions")),
    retrieve=extend_schema(summary=_("One decision with its votes and tally")),
)
class PolicyDecisionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = PolicyDecision.objects.all()
    serializer_class = s.PolicyDecisionSerializer
    filterset_fields = ["version", "outcome"]

    def get_queryset(self) -> QuerySet:  # no data scope: decisions on the versions the user sees
        return selectors.decision_list(user=self.request.user).order_by("-id")

    @extend_schema(
        summary=_("Vote (members of the leadership group only)"),
        request=s.VoteSerializer,
        responses=s.PolicyDecisionSerializer,
    )
    @drf_action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: Any = None) -> Response:
        serializer = s.VoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = self.get_object()
        services.policy_vote_cast(actor=request.user, decision=decision, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=decision.pk)).data)

    @extend_schema(
        summary=_("Close the vote and record the outcome"),
        request=s.CloseSerializer,
        responses=s.PolicyDecisionSerializer,
    )
    @drf_action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        serializer = s.CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = self.get_object()
        services.policy_decision_close(actor=request.user, decision=decision, **serializer.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=decision.pk)).data)
