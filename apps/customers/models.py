"""The customer archive (policy art. 6): customers, contacts, needs, follow-ups and who owned them when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel, optional_fk
from apps.core.scoping import ScopedQuerySet, ScopeFields
from apps.core.validators import validate_mobile, validate_uscc
from apps.customers.choices import (
    CustomerKind,
    CustomerLevel,
    CustomerSource,
    DealStatus,
    FollowUpChannel,
    Industry,
    Lifecycle,
    NeedStatus,
    OwnershipAction,
)

User = settings.AUTH_USER_MODEL


class Tag(models.Model):
    name = models.CharField(_("tag"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(TimeStampedModel):
    """A customer (company or person). With no owner it lies in the public pool (公海)."""

    name = models.CharField(_("customer name"), max_length=200)
    # Name with brackets, spaces and full-width characters normalised, for the duplicate check (查重).
    name_key = models.CharField(max_length=200, db_index=True, editable=False, default="")
    # Pinyin initials of the name (瑞丰科技 → rfkj) for the search, kept by the services that write the name.
    name_initials = models.CharField(max_length=200, db_index=True, editable=False, default="")
    code = models.CharField(_("customer number"), max_length=30, unique=True, null=True, blank=True)
    kind = models.CharField(
        _("customer kind"), max_length=20, choices=CustomerKind.choices, default=CustomerKind.COMPANY
    )
    uscc = models.CharField(
        _("unified social credit code"), max_length=18, null=True, blank=True, validators=[validate_uscc]
    )
    level = models.CharField(_("customer level"), max_length=1, choices=CustomerLevel.choices, default=CustomerLevel.B)
    source = models.CharField(
        _("customer source"), max_length=30, choices=CustomerSource.choices, default=CustomerSource.OTHER
    )
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices, blank=True)
    province = models.CharField(_("province"), max_length=30, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    district = models.CharField(_("district"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    lifecycle = models.CharField(
        _("lifecycle stage"), max_length=20, choices=Lifecycle.choices, default=Lifecycle.POTENTIAL
    )
    deal_status = models.CharField(_("deal status"), max_length=10, choices=DealStatus.choices, default=DealStatus.OPEN)
    owner = optional_fk(User, _("owner"), on_delete=models.PROTECT, related_name="owned_customers")
    owner_unit = optional_fk("org.Department", _("department"), on_delete=models.PROTECT, related_name="+")
    owner_since = models.DateTimeField(_("owner since"), null=True, blank=True)
    previous_owner = optional_fk(User, _("previous owner"), on_delete=models.SET_NULL, related_name="+")
    pooled_at = models.DateTimeField(_("entered the public pool at"), null=True, blank=True)
    service_owner = optional_fk(User, _("service owner"), on_delete=models.SET_NULL, related_name="serviced_customers")
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="customers")
    is_locked = models.BooleanField(_("locked"), default=False)
    last_follow_up_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    last_follow_up_summary = models.CharField(_("last follow-up content"), max_length=200, blank=True)
    next_contact_at = models.DateTimeField(_("next contact"), null=True, blank=True)
    recycle_warned_at = models.DateTimeField(_("recycle warning sent at"), null=True, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    created_by = optional_fk(User, _("created by"), on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords(
        excluded_fields=["name_key", "name_initials", "last_follow_up_summary", "recycle_warned_at"]
    )

    # The service owner (客服负责人) looks after the customer whatever their own scope, and the service owner's
    # department counts for the department scopes (the service manager sees what the team looks after).
    scope_fields = ScopeFields(
        owner="owner",
        unit="owner_unit",
        shared_with=("service_owner",),
        also_units=("service_owner__employee__department",),
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-updated_at", "-id"]
        permissions = [
            ("claim_customer", _("Can claim customers from the public pool")),
            ("assign_customer", _("Can assign public-pool customers")),
            ("transfer_customer", _("Can transfer customers to another owner")),
            ("import_customer", _("Can import customers")),
            ("export_customer", _("Can export customers")),
            ("set_service_owner", _("Can name a customer's service owner")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=Q(uscc__isnull=False) & ~Q(uscc=""), name="customers_customer_unique_uscc"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "last_follow_up_at"]),
            models.Index(fields=["owner_unit", "level"]),
            # The list's default sort (issue 14: 134 ms → 1 ms at 100k customers).
            models.Index(fields=["-updated_at", "-id"], name="customer_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def in_pool(self) -> bool:
        return self.owner_id is None


class Contact(TimeStampedModel):
    """A person at the customer. Mobile numbers are stored normalised and are unique (查重 in the database)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=50)
    mobile = models.CharField(_("mobile"), max_length=11, null=True, blank=True, validators=[validate_mobile])
    phone = models.CharField(_("landline"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    wechat = models.CharField(_("WeChat"), max_length=50, blank=True)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    is_decision_maker = models.BooleanField(_("decision maker"), default=False)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    remarks = models.CharField(_("remarks"), max_length=200, blank=True)
    history = HistoricalRecords()

    scope_fields = ScopeFields(owner="customer__owner", unit="customer__owner_unit")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mobile"],
                condition=Q(mobile__isnull=False) & ~Q(mobile=""),
                name="customers_contact_unique_mobile",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CustomerNeed(TimeStampedModel):
    """A need the customer stated (客户需求), kept in the archive until it is met or dropped."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="needs")
    content = models.TextField(_("need"))
    status = models.CharField(_("status"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    recorded_by = models.ForeignKey(User, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")

    scope_fields = ScopeFields(owner="customer__owner", unit="customer__owner_unit")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer need")
        verbose_name_plural = _("customer needs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.content[:40]


class FollowUp(TimeStampedModel):
    """A follow-up record (跟进记录); saving one updates the customer's last and next contact."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    contact = optional_fk(Contact, _("contact"), on_delete=models.SET_NULL, related_name="follow_ups")
    channel = models.CharField(
        _("follow-up channel"), max_length=20, choices=FollowUpChannel.choices, default=FollowUpChannel.PHONE
    )
    content = models.TextField(_("follow-up content"))
    occurred_at = models.DateTimeField(_("follow-up time"))
    next_contact_at = models.DateTimeField(_("next contact"), null=True, blank=True)
    author = models.ForeignKey(
        User, verbose_name=_("followed up by"), on_delete=models.PROTECT, related_name="follow_ups"
    )

    scope_fields = ScopeFields(owner="customer__owner", unit="customer__owner_unit")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["customer", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.customer} · {self.occurred_at:%Y-%m-%d}"


class OwnershipLog(models.Model):
    """Who owned the customer when: every create, claim, assignment, return, recycle and transfer, with reason."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="ownership_logs"
    )
    action = models.CharField(_("action"), max_length=20, choices=OwnershipAction.choices)
    from_owner = optional_fk(User, _("previous owner"), on_delete=models.SET_NULL, related_name="+")
    to_owner = optional_fk(User, _("new owner"), on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    actor = optional_fk(User, _("by"), on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("ownership change")
        verbose_name_plural = _("ownership changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["to_owner", "action", "at"])]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_action_display()}"
