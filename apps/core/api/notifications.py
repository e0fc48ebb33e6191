"""The notification service over the API (issue 12):

- ``GET /api/v1/notification-preferences/`` — for each kind of message, whether the user gets it by each outside
  channel (their choice, else the kind's default) and whether the administrator has the channel ready;
  ``PUT`` the same shape (``{"choices": [{"kind", "channel", "enabled"}]}``) to change some — one's own only;
- ``GET /api/v1/notification-deliveries/`` (filter ``status``, ``channel``) — the messages sent outside the app with
  their outcome, for whoever may see the deliveries page (administrators); ``POST …/<id>/retry/`` sends a failed
  one again (those who manage the channels).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import ServiceErrorsMixin
from apps.core.models import NotificationChannelName, NotificationDelivery, NotificationPreference
from apps.core.notifications.kinds import notification_kinds
from apps.core.permissions import CorePerm
from apps.core.selectors import notifications as notify_selectors
from apps.core.services import notifications as notify_services

UNKNOWN_KIND = _("Unknown kind of message: %(kind)s.")


class ChannelChoiceSerializer(serializers.Serializer):
    channel = serializers.CharField()
    label = serializers.CharField()
    ready = serializers.BooleanField()
    chosen = serializers.BooleanField()


class KindChoicesSerializer(serializers.Serializer):
    kind = serializers.CharField(source="kind.code")
    label = serializers.CharField(source="kind.label")
    channels = ChannelChoiceSerializer(many=True)


class ChoiceSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=40)
    channel = serializers.ChoiceField(choices=NotificationChannelName.choices)
    enabled = serializers.BooleanField()

    def validate_kind(self, value: str) -> str:
        if value not in {k.code for k in notification_kinds()}:
            raise serializers.ValidationError(str(UNKNOWN_KIND) % {"kind": value})
        return value


class ChoicesSerializer(serializers.Serializer):
    choices = ChoiceSerializer(many=True)


class NotificationPreferencesView(ServiceErrorsMixin, APIView):
    """The signed-in user's own channel choices per kind of message (no one else's: there is no id to address)."""

    model = NotificationPreference  # not scoped: the user's own rows only
    permission_classes = [permissions.IsAuthenticated]

    def _answer(self, request: Request) -> Response:
        rows = notify_selectors.notification_choices(user=request.user)
        return Response(KindChoicesSerializer(rows, many=True).data)

    @extend_schema(summary=_("My channels per kind of message"), responses=KindChoicesSerializer(many=True))
    def get(self, request: Request) -> Response:
        return self._answer(request)

    @extend_schema(
        summary=_("Change my channels for some kinds of message"),
        request=ChoicesSerializer,
        responses=KindChoicesSerializer(many=True),
    )
    def put(self, request: Request) -> Response:
        serializer = ChoicesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        choices = {(c["kind"], c["channel"]): c["enabled"] for c in serializer.validated_data["choices"]}
        notify_services.notification_preferences_set(actor=request.user, choices=choices)
        return self._answer(request)


class DeliverySerializer(serializers.ModelSerializer):
    recipients = serializers.SerializerMethodField()

    class Meta:
        model = NotificationDelivery
        fields = [
            "id",
            "channel",
            "kind",
            "topic",
            "title",
            "url",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "sent_at",
            "created_at",
            "recipients",
        ]

    def get_recipients(self, obj: NotificationDelivery) -> list[str]:
        return sorted(u.username for u in obj.recipients.all())


class DeliveryPermission(permissions.BasePermission):
    """Seeing the deliveries: ``core.view_notificationdelivery``; sending one again: managing the channels."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if getattr(view, "action", "") == "retry":
            return notify_services.may_manage_channels(user)
        return bool(user.has_perm(CorePerm.VIEW_NOTIFICATION_DELIVERY))


class NotificationDeliveryViewSet(
    ServiceErrorsMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    queryset = NotificationDelivery.objects.all()  # not scoped: company-wide, behind core permissions
    serializer_class = DeliverySerializer
    permission_classes = [DeliveryPermission]
    filterset_fields = ["status", "channel", "kind"]
    ordering_fields = ["created_at", "id"]
    search_fields: list[str] = []

    def get_queryset(self) -> Any:
        return notify_selectors.deliveries().order_by("-id")

    @extend_schema(summary=_("Send a failed delivery again"), request=None, responses=DeliverySerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: Any = None) -> Response:
        delivery = notify_services.notification_delivery_retry(actor=request.user, delivery=self.get_object())
        return Response(self.get_serializer(delivery).data)
