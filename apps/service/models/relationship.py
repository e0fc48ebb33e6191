"""Relationship maintenance (art. 10 "客户关系维护"): due contacts by the cadence of the rules in force, birthdays
and contract anniversaries, and the contact records (回访) that answer them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel, optional_fk
from apps.customers.choices import FollowUpChannel
from apps.service.choices import DueContactReason, DueContactStatus, Satisfaction


class RelationshipContact(OwnedModel):
    """A contact record (回访记录); ``owner`` is the service person who made it."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="relationship_contacts"
    )
    contact = optional_fk("customers.Contact", _("contact"), on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(
        _("channel"), max_length=20, choices=FollowUpChannel.choices, default=FollowUpChannel.PHONE
    )
    occurred_at = models.DateTimeField(_("contact time"))
    content = models.TextField(_("content"))
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"), choices=Satisfaction.choices, null=True, blank=True
    )
    personal_notes = models.TextField(_("personalised service notes"), blank=True)
    next_contact_on = models.DateField(_("next contact"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("relationship contact")
        verbose_name_plural = _("relationship contacts")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["customer", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.customer} · {self.occurred_at:%Y-%m-%d}"


class DueContact(OwnedModel):
    """A contact due (待回访), made by the periodic job for the customer's service owner (``owner``)."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="due_contacts"
    )
    reason = models.CharField(_("reason"), max_length=30, choices=DueContactReason.choices)
    due_on = models.DateField(_("due on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DueContactStatus.choices, default=DueContactStatus.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    record = optional_fk(
        RelationshipContact, _("contact record"), on_delete=models.SET_NULL, related_name="due_contacts"
    )

    class Meta:
        verbose_name = _("due contact")
        verbose_name_plural = _("due contacts")
        ordering = ["status", "due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["customer", "reason", "due_on"], name="service_due_once")]
        indexes = [models.Index(fields=["owner", "status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.customer} · {self.due_on}"
