"""Customer feedback routed to the departments concerned (art. 6 "向相关部门提供客户反馈")."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel, optional_fk
from apps.core.scoping import ScopedQuerySet, ScopeFields
from apps.service.choices import FeedbackCategory, FeedbackSource, RoutingStatus

User = settings.AUTH_USER_MODEL

#
# Feedback routing as one table (like the ticket's ``TICKET_WORKFLOW``): per status of a routing, the steps with the
# status each leads to and who may take it. The services allow exactly these steps, the pages show exactly these
# buttons and the API returns them as ``allowed_actions`` (``selectors.feedback.routing_allowed``).
#


class RoutingRole:
    """Who a user is for one routing (``selectors.feedback.routing_roles``)."""

    ANSWERER = "answerer"  # holds ``service.acknowledge_feedbackrouting`` and sees the routing (its department's
    #                        manager, or anyone above who may)


@dataclass(frozen=True)
class RoutingStep:
    target: str  # the status after the step (every step moves)
    who: frozenset[str]  # any one of these roles may take it


_RS = RoutingStatus
_ANSWERER = frozenset({RoutingRole.ANSWERER})
ROUTING_WORKFLOW: dict[str, dict[str, RoutingStep]] = {
    # replying to a pending routing acknowledges it too
    _RS.PENDING: {
        "acknowledge": RoutingStep(_RS.ACKNOWLEDGED, _ANSWERER),
        "reply": RoutingStep(_RS.REPLIED, _ANSWERER),
    },
    _RS.ACKNOWLEDGED: {"reply": RoutingStep(_RS.REPLIED, _ANSWERER)},
    _RS.REPLIED: {},
}
ROUTING_ACTIONS = ("acknowledge", "reply")


class Feedback(TimeStampedModel):
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="feedback"
    )
    source_kind = models.CharField(
        _("source"), max_length=20, choices=FeedbackSource.choices, default=FeedbackSource.MANUAL
    )
    ticket = optional_fk("service.Ticket", _("ticket"), on_delete=models.SET_NULL, related_name="feedback")
    source_type = optional_fk(ContentType, on_delete=models.SET_NULL, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")  # the visit, follow-up or survey answer
    category = models.CharField(_("category"), max_length=20, choices=FeedbackCategory.choices)
    content = models.TextField(_("feedback"))
    created_by = models.ForeignKey(User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    owner_unit = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    scope_fields = ScopeFields(owner="created_by", unit="owner_unit", shared_with=("customer__service_owner",))
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer feedback")
        verbose_name_plural = _("customer feedback")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.content[:40]


class FeedbackRouting(TimeStampedModel):
    """Feedback sent to one department, which must acknowledge it by ``acknowledge_due`` and reply."""

    feedback = models.ForeignKey(
        Feedback, verbose_name=_("customer feedback"), on_delete=models.CASCADE, related_name="routings"
    )
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=RoutingStatus.choices, default=RoutingStatus.PENDING)
    acknowledge_due = models.DateTimeField(_("acknowledge by"))
    acknowledged_by = optional_fk(User, _("acknowledged by"), on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_by = optional_fk(User, _("replied by"), on_delete=models.SET_NULL, related_name="+")
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    history = HistoricalRecords()

    # The receiving department sees it (its staff by "own" falls back to the unit: a routing has no owner).
    scope_fields = ScopeFields(owner=None, unit="department")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback routing")
        verbose_name_plural = _("feedback routings")
        ordering = ["status", "acknowledge_due", "id"]
        permissions = [("acknowledge_feedbackrouting", _("Can acknowledge and reply to feedback"))]
        constraints = [models.UniqueConstraint(fields=["feedback", "department"], name="service_route_once")]

    def __str__(self) -> str:
        return f"{self.feedback} → {self.department}"
