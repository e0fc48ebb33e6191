"""The surveys API: questionnaires with their questions (/surveys/), campaigns (/survey-campaigns/, scoped; send,
schedule, close) and answers (/survey-results/, scoped, with a summary: CSAT, NPS, promoters/passives/detractors).

Scoped querysets in, services for every write; a refusal of a service answers 400 with its message.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as df
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import filters, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedViewSetMixin, ServiceErrorsMixin, ServiceWriteMixin
from apps.core.api.workflow import AllowedActionsField
from apps.org.models import Department
from apps.surveys.choices import QuestionKind
from apps.surveys.models import Answer, Question, Questionnaire, SurveyCampaign, SurveyInvitation, SurveyResponse
from apps.surveys.selectors import campaigns as campaign_selectors
from apps.surveys.selectors import results as result_selectors
from apps.surveys.services import campaigns as campaign_services
from apps.surveys.services import questionnaires as questionnaire_services
from apps.surveys.services.invitations import answer_url

#
# Questionnaires
#


class QuestionOptionSerializer(serializers.Serializer):
    zh = serializers.CharField(max_length=200)
    en = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class QuestionSerializer(serializers.ModelSerializer):
    options = QuestionOptionSerializer(many=True, required=False)

    class Meta:
        model = Question
        fields = ["id", "order", "kind", "text", "text_en", "required", "options"]
        read_only_fields = ["order"]
        extra_kwargs = {"id": {"read_only": False, "required": False}}


class QuestionnaireSerializer(serializers.ModelSerializer):
    questions = QuestionSerializer(many=True, read_only=True)

    class Meta:
        model = Questionnaire
        fields = [
            "id",
            "title",
            "title_en",
            "intro",
            "intro_en",
            "is_active",
            "for_resolved_tickets",
            "questions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class QuestionnaireWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=100)
    title_en = serializers.CharField(max_length=100, required=False, allow_blank=True)
    intro = serializers.CharField(required=False, allow_blank=True)
    intro_en = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)
    for_resolved_tickets = serializers.BooleanField(required=False, default=False)
    questions = QuestionSerializer(many=True, help_text=_("In order; existing questions keep their id."))


class QuestionnairePermission(permissions.BasePermission):
    """Questionnaires are company-wide: view / add / change by model permission."""

    def has_permission(self, request: Any, view: Any) -> bool:
        action = {"POST": "add", "PATCH": "change", "PUT": "change"}.get(request.method, "view")
        return bool(
            request.user and request.user.is_authenticated and request.user.has_perm(f"surveys.{action}_questionnaire")
        )


@extend_schema_view(
    list=extend_schema(summary=_("List the questionnaires with their questions")),
    retrieve=extend_schema(summary=_("One questionnaire with its questions")),
    create=extend_schema(
        summary=_("Create a questionnaire with its questions"),
        request=QuestionnaireWriteSerializer,
        responses=QuestionnaireSerializer,
    ),
    partial_update=extend_schema(
        summary=_(
            "Change a questionnaire; questions given replace the list (a questionnaire with answers keeps "
            "its questions and their types)"
        ),
        request=QuestionnaireWriteSerializer,
        responses=QuestionnaireSerializer,
    ),
)
class QuestionnaireViewSet(
    ServiceErrorsMixin,
    ServiceWriteMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Questionnaire.objects.prefetch_related("questions").order_by("-is_active", "title", "id")
    serializer_class = QuestionnaireSerializer
    write_serializer_class = QuestionnaireWriteSerializer
    permission_classes = [permissions.IsAuthenticated, QuestionnairePermission]
    filter_backends = [df.DjangoFilterBackend, filters.SearchFilter]
    filterset_fields = ["is_active", "for_resolved_tickets"]
    search_fields = ["title", "title_en"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _split(self, data: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
        questions = data.pop("questions", None)
        return data, [dict(q) for q in questions] if questions is not None else None

    def service_create(self, data: dict[str, Any]) -> Questionnaire:
        data, questions = self._split(data)
        return questionnaire_services.questionnaire_create(
            actor=self.request.user, data=data, questions=questions or []
        )

    def service_update(self, instance: Questionnaire, data: dict[str, Any]) -> Questionnaire:  # type: ignore[override]
        data, questions = self._split(data)
        return questionnaire_services.questionnaire_update(
            actor=self.request.user, questionnaire=instance, data=data, questions=questions
        )


#
# Campaigns
#


class SurveySegmentSerializer(serializers.Serializer):
    levels = serializers.ListField(
        child=serializers.CharField(max_length=1), required=False, help_text=_("Customer levels: A, B, C")
    )
    tags = serializers.ListField(child=serializers.IntegerField(), required=False)
    province = serializers.CharField(required=False, allow_blank=True)
    source = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("A registered segment, e.g. customers with tickets closed in the period"),
    )


class SurveyCampaignSerializer(serializers.ModelSerializer):
    segment = SurveySegmentSerializer(read_only=True)
    invitation_count = serializers.IntegerField(read_only=True)
    response_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = SurveyCampaign
        fields = [
            "id",
            "name",
            "questionnaire",
            "kind",
            "status",
            "segment",
            "period_start",
            "period_end",
            "link_valid_days",
            "remind_after_days",
            "scheduled_at",
            "sent_at",
            "closed_at",
            "analysis",
            "owner",
            "owner_unit",
            "invitation_count",
            "response_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SurveyCampaignDetailSerializer(SurveyCampaignSerializer):
    allowed_actions = AllowedActionsField(
        campaign_selectors.campaign_allowed,
        help_text=_("The steps of the survey workflow the requesting user may take now (the page's buttons)."),
    )

    class Meta(SurveyCampaignSerializer.Meta):
        fields = [*SurveyCampaignSerializer.Meta.fields, "allowed_actions"]
        read_only_fields = fields


class SurveyCampaignWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    questionnaire = serializers.PrimaryKeyRelatedField(queryset=Questionnaire.objects.filter(is_active=True))
    segment = SurveySegmentSerializer(required=False)
    period_start = serializers.DateField(required=False, allow_null=True)
    period_end = serializers.DateField(required=False, allow_null=True)
    link_valid_days = serializers.IntegerField(min_value=1, max_value=180, required=False, default=14)
    remind_after_days = serializers.IntegerField(min_value=0, max_value=90, required=False, default=3)


class SurveyCampaignUpdateSerializer(SurveyCampaignWriteSerializer):
    name = serializers.CharField(max_length=100, required=False)
    questionnaire = serializers.PrimaryKeyRelatedField(queryset=Questionnaire.objects.all(), required=False)
    analysis = serializers.CharField(required=False, allow_blank=True)


class SurveyScheduleSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField()


class SurveySendResultSerializer(serializers.Serializer):
    sent = serializers.IntegerField(help_text=_("Links made"))
    campaign = SurveyCampaignSerializer()


CAMPAIGN_ACTIONS = ("send", "schedule", "close")


@extend_schema_view(
    list=extend_schema(summary=_("List the survey campaigns the user may see, with links and answers counted")),
    retrieve=extend_schema(
        summary=_("One survey campaign (404 when out of scope), with the steps the user may take"),
        responses=SurveyCampaignDetailSerializer,
    ),
    create=extend_schema(
        summary=_("Create a draft survey for a customer segment"),
        request=SurveyCampaignWriteSerializer,
        responses=SurveyCampaignSerializer,
    ),
    partial_update=extend_schema(
        summary=_("Change a draft or scheduled survey, or the analysis notes"),
        request=SurveyCampaignUpdateSerializer,
        responses=SurveyCampaignSerializer,
    ),
)
class SurveyCampaignViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    """Survey campaigns within the user's data scope; filter by status and kind."""

    queryset = SurveyCampaign.objects.annotate(
        invitation_count=Count("invitations", distinct=True),
        response_count=Count("invitations", filter=Q(invitations__answered_at__isnull=False), distinct=True),
    )
    serializer_class = SurveyCampaignSerializer
    write_serializer_class = SurveyCampaignWriteSerializer
    update_serializer_class = SurveyCampaignUpdateSerializer
    filter_backends = [df.DjangoFilterBackend, filters.OrderingFilter, filters.SearchFilter]
    filterset_fields = ["status", "kind", "questionnaire"]
    search_fields = ["name"]
    ordering_fields = ["created_at", "sent_at", "name"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self) -> Any:
        if getattr(self, "action", None) == "retrieve":
            return SurveyCampaignDetailSerializer
        return super().get_serializer_class()

    def get_permissions(self) -> list[Any]:
        # Send / schedule / close are checked by the services against SURVEY_CAMPAIGN_WORKFLOW (403 / 400).
        if getattr(self, "action", None) in CAMPAIGN_ACTIONS:
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self) -> Any:
        if getattr(self, "action", None) in CAMPAIGN_ACTIONS:
            return self.queryset.visible_to(self.request.user, "view")
        return super().get_queryset()

    def _data(self, data: dict[str, Any]) -> dict[str, Any]:
        if "segment" in data:
            data["segment"] = dict(data["segment"] or {})
        return data

    def service_create(self, data: dict[str, Any]) -> SurveyCampaign:
        campaign = campaign_services.campaign_create(actor=self.request.user, data=self._data(data))
        return self.queryset.get(pk=campaign.pk)

    def service_update(self, instance: SurveyCampaign, data: dict[str, Any]) -> SurveyCampaign:  # type: ignore[override]
        analysis = data.pop("analysis", None)
        if analysis is not None:
            campaign_services.campaign_analysis_update(actor=self.request.user, campaign=instance, analysis=analysis)
        if data:
            campaign_services.campaign_update(actor=self.request.user, campaign=instance, data=self._data(data))
        return self.queryset.get(pk=instance.pk)

    @extend_schema(
        summary=_("Send now: one one-time link per customer of the segment"),
        request=None,
        responses=SurveySendResultSerializer,
    )
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: Any = None) -> Response:
        created = campaign_services.campaign_send(actor=request.user, campaign=self.get_object())
        campaign = self.queryset.get(pk=pk)
        return Response(
            {"sent": len(created), "campaign": SurveyCampaignSerializer(campaign).data}, status=status.HTTP_200_OK
        )

    @extend_schema(
        summary=_("Send later (the periodic job sends it at the given time)"),
        request=SurveyScheduleSerializer,
        responses=SurveyCampaignSerializer,
    )
    @action(detail=True, methods=["post"])
    def schedule(self, request: Request, pk: Any = None) -> Response:
        body = SurveyScheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        campaign_services.campaign_schedule(
            actor=request.user, campaign=self.get_object(), when=body.validated_data["scheduled_at"]
        )
        return Response(SurveyCampaignSerializer(self.queryset.get(pk=pk)).data)

    @extend_schema(summary=_("Close: the links take no more answers"), request=None, responses=SurveyCampaignSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: Any = None) -> Response:
        campaign_services.campaign_close(actor=request.user, campaign=self.get_object())
        return Response(SurveyCampaignSerializer(self.queryset.get(pk=pk)).data)


#
# Results
#


class SurveyAnswerSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(source="question.kind", choices=QuestionKind.choices, read_only=True)

    class Meta:
        model = Answer
        fields = ["question", "kind", "number", "choices", "text"]
        read_only_fields = fields


class SurveyResponseSerializer(serializers.ModelSerializer):
    customer = serializers.IntegerField(source="invitation.customer_id", read_only=True)
    customer_name = serializers.CharField(source="invitation.customer.name", read_only=True)
    customer_level = serializers.CharField(source="invitation.customer_level", read_only=True)
    ticket_type = serializers.CharField(source="invitation.ticket_type", read_only=True)
    department = serializers.IntegerField(source="invitation.department_id", read_only=True, allow_null=True)
    owner = serializers.IntegerField(source="invitation.owner_id", read_only=True)
    answers = SurveyAnswerSerializer(many=True, read_only=True)

    class Meta:
        model = SurveyResponse
        fields = [
            "id",
            "campaign",
            "customer",
            "customer_name",
            "customer_level",
            "ticket_type",
            "department",
            "owner",
            "submitted_at",
            "csat",
            "nps_score",
            "answers",
        ]
        read_only_fields = fields


class SurveySummarySerializer(serializers.Serializer):
    count = serializers.IntegerField()
    csat = serializers.DecimalField(
        max_digits=3, decimal_places=2, allow_null=True, help_text=_("Mean of the 1–5 ratings")
    )
    csat_pct = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text=_("Percent of answers with CSAT 4 or more")
    )
    nps = serializers.IntegerField(allow_null=True, help_text=_("−100 to 100"))
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()


class SurveyResponseFilter(df.FilterSet):
    date_from = df.DateFilter(method="noop", help_text=_("Answered on or after (local date)"))
    date_to = df.DateFilter(method="noop", help_text=_("Answered on or before (local date)"))
    customer_level = df.CharFilter(field_name="invitation__customer_level", help_text=_("A, B or C"))
    ticket_type = df.CharFilter(field_name="invitation__ticket_type")
    department = df.ModelChoiceFilter(
        method="noop", queryset=Department.objects.all(), help_text=_("Responsible department and its sub-departments")
    )
    customer = df.NumberFilter(field_name="invitation__customer_id")

    class Meta:
        model = SurveyResponse
        fields = ["campaign", "customer_level", "ticket_type", "customer"]

    def noop(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset

    def filter_queryset(self, queryset: Any) -> Any:
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        return result_selectors.filter_responses(
            queryset, date_from=data.get("date_from"), date_to=data.get("date_to"), department=data.get("department")
        )


@extend_schema_view(
    list=extend_schema(summary=_("List the survey answers the user may see, with each question's answer")),
    retrieve=extend_schema(summary=_("One survey answer (404 when out of scope)")),
)
class SurveyResponseViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Survey answers within the user's data scope; filter by campaign, period, customer level, ticket type,
    department or customer."""

    queryset = SurveyResponse.objects.select_related("invitation__customer").prefetch_related("answers__question")
    serializer_class = SurveyResponseSerializer
    filter_backends = [df.DjangoFilterBackend, filters.OrderingFilter]
    filterset_class = SurveyResponseFilter
    ordering_fields = ["submitted_at", "csat", "nps_score"]
    ordering = ["-submitted_at", "-id"]

    @extend_schema(
        summary=_("CSAT, NPS and promoters / passives / detractors of the filtered answers"),
        responses=SurveySummarySerializer,
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def summary(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        return Response(SurveySummarySerializer(result_selectors.satisfaction_summary(queryset)).data)


#
# Links
#


class SurveyInvitationSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    customer_level = serializers.CharField(read_only=True, help_text=_("A, B or C when the link was made"))
    url = serializers.SerializerMethodField(help_text=_("The customer's one-time answer link"))
    answered = serializers.SerializerMethodField()

    class Meta:
        model = SurveyInvitation
        fields = [
            "id",
            "campaign",
            "customer",
            "customer_name",
            "contact",
            "customer_level",
            "ticket_type",
            "department",
            "owner",
            "owner_unit",
            "sent_at",
            "expires_at",
            "reminders_sent",
            "reminded_at",
            "answered_at",
            "answered",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, invitation: SurveyInvitation) -> str:
        request = self.context.get("request")
        path = answer_url(invitation)
        return request.build_absolute_uri(path) if request is not None and path.startswith("/") else path

    def get_answered(self, invitation: SurveyInvitation) -> bool:
        return invitation.answered_at is not None


@extend_schema_view(
    list=extend_schema(summary=_("List the survey links the user may see")),
    retrieve=extend_schema(summary=_("One survey link (404 when out of scope)")),
)
class SurveyInvitationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """One-time survey links within the user's data scope; filter by campaign or customer."""

    queryset = SurveyInvitation.objects.select_related("customer")
    serializer_class = SurveyInvitationSerializer
    filter_backends = [df.DjangoFilterBackend, filters.OrderingFilter]
    filterset_fields = ["campaign", "customer"]
    ordering_fields = ["sent_at", "answered_at"]
    ordering = ["-sent_at", "-id"]
