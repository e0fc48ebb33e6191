from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.models import OwnedModel, optional_fk


class Visit(OwnedModel):
    """客户拜访: a visit to a customer or a lead; ``owner`` organised it, ``visitors`` went."""

    customer = optional_fk("customers.Customer", _("customer"), on_delete=models.CASCADE, related_name="visits")
    lead = optional_fk("marketing.Lead", _("lead"), on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visit date"))
    visitors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("visitors"), blank=True, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    outcome = models.TextField(_("outcome"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_on = models.DateField(_("next step date"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer visit")
        verbose_name_plural = _("customer visits")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(customer__isnull=False) | models.Q(lead__isnull=False),
                name="marketing_visit_customer_or_lead",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer or self.lead} · {self.visited_on}"
