"""Improvement actions (改进措施, policy arts. 8–10): raised by evaluations, gap analyses, survey analyses and
complaints; each has a responsible person, a due date and a check that it worked (PDCA)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel, optional_fk
from apps.improvements.choices import EffectDirection, ImprovementSource, ImprovementStatus

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
# The effectiveness check (the C of PDCA at the next evaluation, after the raiser's verification): a verified action
# whose figure did not move goes back to the owner as ineffective; one whose figure moved stays verified (final).
EFFECT_CHECK_PIPELINE: dict[str, tuple[str, ...]] = {S.VERIFIED: (S.VERIFIED, S.INEFFECTIVE)}
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
    source_type = optional_fk(ContentType, on_delete=models.SET_NULL, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ImprovementStatus.choices, default=ImprovementStatus.OPEN
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    result = models.TextField(_("what was done"), blank=True)
    verification = models.TextField(_("verification"), blank=True)
    verified_by = optional_fk(settings.AUTH_USER_MODEL, _("verified by"), on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # The effectiveness check: the figure the action is meant to move, its value when raised and the way it should
    # go; at the next evaluation after verification (``effect_check_on``) the figure is read again.
    effect_measure = models.CharField(_("figure it should move"), max_length=200, blank=True)
    effect_baseline = models.DecimalField(
        _("figure when raised"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    effect_direction = models.CharField(
        _("the figure should"), max_length=10, choices=EffectDirection.choices, blank=True
    )
    effect_check_on = models.DateField(_("effectiveness check due"), null=True, blank=True)
    effect_value = models.DecimalField(_("figure at the check"), max_digits=16, decimal_places=2, null=True, blank=True)
    effect_moved = models.BooleanField(_("the figure moved"), null=True, blank=True)
    effect_note = models.TextField(_("effectiveness check notes"), blank=True)
    effect_checked_by = optional_fk(
        settings.AUTH_USER_MODEL, _("effectiveness checked by"), on_delete=models.SET_NULL, related_name="+"
    )
    effect_checked_at = models.DateTimeField(_("effectiveness checked at"), null=True, blank=True)
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

    @property
    def awaits_effect_check(self) -> bool:
        """Verified, and its figure not yet read again at the next evaluation."""
        return self.status in EFFECT_CHECK_PIPELINE and self.effect_checked_at is None
