"""API of the read acknowledgements (scoped by department), interpretations and reviews (arts. 14, 15)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedViewSetMixin, ServiceErrorsMixin
from apps.policy import selectors, services
from apps.policy.api import ack_serializers as s
from apps.policy.models import Interpretation, PolicyAcknowledgement, PolicyReview, PolicyVersion


def _version(request: Request) -> PolicyVersion | None:
    pk = request.query_params.get("version", "")
    if pk.isdigit():
        return PolicyVersion.objects.filter(pk=pk, status__in=selectors.PUBLISHED).first()
    try:
        return selectors.policy_in_force()
    except selectors.NoPolicyInForce:
        return None


@extend_schema_view(
    list=extend_schema(summary=_("Acknowledgements of a version (default: in force) within the user's scope")),
    retrieve=extend_schema(summary=_("One acknowledgement (404 when out of scope)")),
)
class AcknowledgementViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """我已阅读并知晓: who has confirmed which version; ``?version=<id>`` (default the version in force),
    ``?confirmed=true|false``."""

    queryset = PolicyAcknowledgement.objects.select_related("user", "version", "user__employee__department")
    serializer_class = s.AcknowledgementSerializer
    ordering = ["user__employee__department__path", "user_id"]

    def get_permissions(self) -> list[Any]:
        if getattr(self, "action", None) in ("confirm", "remind"):
            return [permissions.IsAuthenticated()]  # the services decide who may confirm or remind
        return super().get_permissions()

    def get_queryset(self) -> QuerySet:
        qs = self.queryset.visible_to(self.request.user).filter(user__employee__is_active=True)
        if getattr(self, "action", None) == "list" or getattr(self, "action", None) == "summary":
            qs = qs.filter(version=_version(self.request))
            confirmed = self.request.query_params.get("confirmed", "")
            if confirmed in ("true", "false"):
                qs = qs.filter(confirmed_at__isnull=confirmed == "false")
        return qs.order_by(*self.ordering)

    @extend_schema(
        summary=_("Share confirmed by department, within the user's scope"),
        responses=s.AcknowledgementSummaryRowSerializer(many=True),
    )
    @drf_action(detail=False, methods=["get"])
    def summary(self, request: Request) -> Response:
        rows, total = selectors.acknowledgement_by_department(self.get_queryset())
        data = [
            {
                "department_id": r.department_id,
                "department": r.department,
                "asked": r.asked,
                "confirmed": r.confirmed,
                "pending": r.pending,
                "share": r.share,
            }
            for r in rows
        ]
        return Response(
            {
                "results": s.AcknowledgementSummaryRowSerializer(data, many=True).data,
                "total": s.AcknowledgementSummaryRowSerializer(
                    {
                        "department_id": None,
                        "department": "",
                        "asked": total.asked,
                        "confirmed": total.confirmed,
                        "pending": total.pending,
                        "share": total.share,
                    }
                ).data,
            }
        )

    @extend_schema(
        summary=_("Confirm the version in force (我已阅读并知晓) as the requesting user"),
        request=None,
        responses=s.AcknowledgementSerializer,
    )
    @drf_action(detail=False, methods=["post"])
    def confirm(self, request: Request) -> Response:
        try:
            version = selectors.policy_in_force()
        except selectors.NoPolicyInForce as exc:
            raise Http404 from exc
        ack = services.policy_acknowledgement_confirm(actor=request.user, version=version)
        return Response(self.get_serializer(ack).data)

    @extend_schema(
        summary=_("Remind the unconfirmed within the user's scope"),
        request=s.AcknowledgementRemindSerializer,
        responses=s.RemindedSerializer,
    )
    @drf_action(detail=False, methods=["post"])
    def remind(self, request: Request) -> Response:
        serializer = s.AcknowledgementRemindSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = serializer.validated_data.get("version") or _version(request)
        if version is None:
            raise Http404
        count = services.policy_acknowledgements_remind(actor=request.user, version=version)
        return Response({"reminded": count})


@extend_schema_view(
    list=extend_schema(summary=_("Interpretations: the published ones, one's own questions, all for answerers")),
    retrieve=extend_schema(summary=_("One interpretation")),
    create=extend_schema(
        summary=_("Ask a question about an article"),
        request=s.InterpretationAskSerializer,
        responses={201: s.InterpretationSerializer},
    ),
)
class InterpretationViewSet(ServiceErrorsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """解释: questions about articles; the leadership group answers, publishes or declines (the moves of
    ``INTERPRETATION_FLOW``; ``allowed_actions`` lists the requester's). Not scoped by department."""

    queryset = Interpretation.objects.all()
    serializer_class = s.InterpretationSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet:
        qs = selectors.interpretation_list(user=self.request.user).order_by("-created_at", "-id")
        status_ = self.request.query_params.get("status", "")
        return qs.filter(status=status_) if status_ and self.action == "list" else qs

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.InterpretationAskSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.interpretation_ask(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(item).data, status=status.HTTP_201_CREATED)

    def _move(self, request: Request, serializer_class: Any, call: Any) -> Response:
        item = self.get_object()
        data: dict[str, Any] = {}
        if serializer_class is not None:
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        return Response(self.get_serializer(call(actor=request.user, interpretation=item, **data)).data)

    @extend_schema(
        summary=_("Answer (or revise the answer)"),
        request=s.InterpretationAnswerSerializer,
        responses=s.InterpretationSerializer,
    )
    @drf_action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, s.InterpretationAnswerSerializer, services.interpretation_answer)

    @extend_schema(
        summary=_("Publish the answer beside the article"), request=None, responses=s.InterpretationSerializer
    )
    @drf_action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, None, services.interpretation_publish)

    @extend_schema(
        summary=_("Decline, with the reason"),
        request=s.InterpretationDeclineSerializer,
        responses=s.InterpretationSerializer,
    )
    @drf_action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, s.InterpretationDeclineSerializer, services.interpretation_decline)


@extend_schema_view(
    list=extend_schema(summary=_("Reviews of the policy (art. 15)")),
    retrieve=extend_schema(summary=_("One review with the evidence considered")),
    create=extend_schema(
        summary=_("Record the review of the version in force (amend opens a draft)"),
        request=s.PolicyReviewRecordSerializer,
        responses={201: s.PolicyReviewSerializer},
    ),
)
class PolicyReviewViewSet(ServiceErrorsMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = PolicyReview.objects.all()
    serializer_class = s.PolicyReviewSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet:
        return selectors.review_list(user=self.request.user).order_by("-reviewed_on", "-id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.PolicyReviewRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = services.policy_review_record(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(review).data, status=status.HTTP_201_CREATED)
