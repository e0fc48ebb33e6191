"""Improvement actions (改进措施, policy arts. 8–10): raised by evaluations, gap analyses, survey analyses and
complaints; each has a responsible person, a due date and a check that it worked (PDCA)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel
from apps.improvements.choices import ImprovementSource, ImprovementStatus

S = ImprovementStatus

# The PDCA pipeline as data (Oscar's ``pipeline``): from each status, the statuses an action may move to.
# An ineffective action is reworked (back in progress) rather than closed; verified and cancelled are final.
IMPROVEMENT_PIPELINE: dict[str, tuple[str, ...]] = {
    S.OPEN: (S.IN_PROGRESS, S.CANCELLED),
    S.IN_PROGRESS: (S.DONE, S.CANCELLED),
    S.DONE: (S.VERIFIED, S.INEFFECTIVE, S.IN_PROGRESS),
    S.INEFFECTIVE: (S.IN_PROGRESS, S.CANCELLED),
    S.VERIFIED: (),
    S.CANCELLED: (),
}
# Statuses in which an action still asks something of its owner (and can be overdue).
IMPROVEMENT_OPEN_STATUSES = (S.OPEN, S.IN_PROGRESS, S.INEFFECTIVE)


class ImprovementAction(OwnedModel):
    """One improvement measure. ``owner`` is the person responsible; ``source`` links to what raised it
    (an evaluation, a survey, a complaint) in whichever app that lives — improvements cannot import them."""

    title = models.CharField(_("improvement measure"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source_kind = models.CharField(
        _("raised by"), max_length=30, choices=ImprovementSource.choices, default=ImprovementSource.OTHER
    )
    source_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ImprovementStatus.choices, default=ImprovementStatus.OPEN
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    result = models.TextField(_("what was done"), blank=True)
    verification = models.TextField(_("verification"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["due_date", "id"]
        permissions = [("verify_improvementaction", _("Can verify improvement actions"))]
        indexes = [
            models.Index(fields=["source_type", "source_id"]),
            models.Index(fields=["owner", "status", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.title

    def available_statuses(self) -> tuple[str, ...]:
        """The statuses this action may move to next."""
        return IMPROVEMENT_PIPELINE.get(self.status, ())
