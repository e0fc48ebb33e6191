"""Domain-free base models and the in-app notification centre."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.dataversion import KeyedVersion
from apps.core.scoping import ScopedQuerySet, ScopeFields


def optional_fk(to: Any, verbose_name: Any = None, *, on_delete: Any, **options: Any) -> models.ForeignKey[Any, Any]:
    """A foreign key that may be left empty (``null`` in the table, ``blank`` on forms): the "decided by",
    "campaign" or "source lead" of a record. ``on_delete`` stays explicit at each use (``SET_NULL`` where the record
    outlives its target, ``PROTECT`` where the target must stay); ``options`` go to the field (``related_name`` …)."""
    return models.ForeignKey(to, verbose_name=verbose_name, on_delete=on_delete, null=True, blank=True, **options)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class OwnedModel(TimeStampedModel):
    """A record with an owner (负责人) and the owner's department (所属部门), denormalised for the scope filter."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    owner_unit = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = optional_fk(settings.AUTH_USER_MODEL, _("created by"), on_delete=models.PROTECT, related_name="+")

    scope_fields = ScopeFields(owner="owner", unit="owner_unit")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


# The version of each user's notifications, for the cached unread count (``core.selectors``): moved by every
# write to their notifications — a save or delete (the signals of ``core.hooks.notifications``), a bulk insert and
# an update (``NotificationQuerySet``).
UNREAD_VERSION = KeyedVersion("core:unread-version")


class NotificationQuerySet(models.QuerySet):
    """Notifications; the writes that send no signal move the recipients' ``UNREAD_VERSION`` themselves."""

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        created: list[Any] = super().bulk_create(objs, *args, **kwargs)
        UNREAD_VERSION.written({n.recipient_id for n in created}, using=self.db)
        return created

    def update(self, **kwargs: Any) -> int:
        """Update the rows; the recipients are not known here, so every user's count is read again (the services
        that know them use ``update_for``)."""
        changed = super().update(**kwargs)
        if changed:
            UNREAD_VERSION.written(None, using=self.db)
        return changed

    def update_for(self, recipient_ids: Any, **kwargs: Any) -> int:
        """Update the rows of these recipients only (the caller's filter is narrowed to them) and move their
        counts' versions."""
        ids = list(recipient_ids)
        changed = models.QuerySet.update(self.filter(recipient_id__in=ids), **kwargs) if ids else 0
        if changed:
            UNREAD_VERSION.written(ids, using=self.db)
        return changed


class Notification(TimeStampedModel):
    """One message in a user's in-app notification centre."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # What the message is about, e.g. "approval:sales.contract:12" (``core.services.notification_topic``): the
    # same request sent to several people is closed for all of them once one has dealt with it.
    topic = models.CharField(_("topic"), max_length=100, blank=True, db_index=True)
    # The kind of message (``core.notifications.kinds``): what the centre groups by and the user's channel choice
    # is per.
    kind = models.CharField(_("kind"), max_length=40, blank=True, default="")

    objects = NotificationQuerySet.as_manager()

    # Not scoped by department: a notification is only ever its recipient's (see selectors).

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ExportLog(models.Model):
    """Every export is audit-logged (CONVENTIONS-CN §1 row 29): who exported what, how many rows, with which filter."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("exported by"), on_delete=models.PROTECT, related_name="+"
    )
    resource = models.CharField(_("data exported"), max_length=100)
    scope = models.CharField(_("export scope"), max_length=20)  # selected / filtered / all
    filters = models.CharField(_("filters"), max_length=500, blank=True)
    row_count = models.PositiveIntegerField(_("rows"))
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("export record")
        verbose_name_plural = _("export records")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.resource} · {self.row_count}"


class NumberRule(models.Model):
    """A configurable numbering rule (自动编号): prefix + date + running number, e.g. HT20261127-0001."""

    class Reset(models.TextChoices):
        DAILY = "daily", _("Every day")
        MONTHLY = "monthly", _("Every month")
        YEARLY = "yearly", _("Every year")
        NEVER = "never", _("Never")

    key = models.SlugField(_("what it numbers"), max_length=50, unique=True)
    prefix = models.CharField(_("prefix"), max_length=10)
    date_format = models.CharField(
        _("date part"),
        max_length=10,
        default="%Y%m%d",
        blank=True,
        help_text=_("strftime format, e.g. %Y%m%d; empty for none"),
    )
    separator = models.CharField(_("separator"), max_length=3, default="-", blank=True)
    width = models.PositiveSmallIntegerField(_("digits of the running number"), default=4)
    reset = models.CharField(_("running number restarts"), max_length=10, choices=Reset.choices, default=Reset.DAILY)

    class Meta:
        verbose_name = _("numbering rule")
        verbose_name_plural = _("numbering rules")

    def __str__(self) -> str:
        return f"{self.key}: {self.prefix}"


class NumberSequence(models.Model):
    """The last running number handed out per rule and period; rows are locked while a number is taken."""

    rule = models.ForeignKey(NumberRule, on_delete=models.CASCADE, related_name="sequences")
    period = models.CharField(max_length=20)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rule", "period"], name="core_numbersequence_unique")]

    def __str__(self) -> str:
        return f"{self.rule.key} {self.period}: {self.last_value}"


class WorkdayOverride(models.Model):
    """An administrator's entry for one day of the working-day calendar, above every other source: a holiday or a
    make-up workday of the State Council's notice, a company holiday, a late correction."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)
    entered_by = optional_fk(settings.AUTH_USER_MODEL, _("entered by"), on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")
        ordering = ["date"]
        permissions = [
            ("keep_calendar", _("Can keep the working-day calendar (reminded to enter next year's schedule)")),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.note}"


class WorkdayYear(models.Model):
    """A year whose official schedule (the State Council's notice) administrators entered in full: its days
    they did not list are plain weekdays and weekends, no longer the provisional calendar."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    notice = models.TextField(_("notice text"), blank=True)
    entered_by = optional_fk(settings.AUTH_USER_MODEL, _("entered by"), on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("official schedule of a year")
        verbose_name_plural = _("official schedules of years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class Job(models.Model):
    """A long piece of work done by a Celery worker (a large import, …): its input, progress and outcome, shown to
    the person who started it. The input travels in the row (``payload``), so any worker on any machine can run it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.PROTECT, related_name="+"
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    payload = models.BinaryField(_("input"), blank=True, default=b"")
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"], name="core_job_starter_idx")]

    def __str__(self) -> str:
        return self.title


class NotificationChannelName(models.TextChoices):
    """The channels a message can go out by besides the in-app centre (which every message always reaches)."""

    EMAIL = "email", _("Email")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class NotificationChannel(TimeStampedModel):
    """An administrator's configuration of one outside channel; without a row the settings (env) apply."""

    channel = models.CharField(_("channel"), max_length=20, choices=NotificationChannelName.choices, unique=True)
    enabled = models.BooleanField(_("enabled"), default=False)
    url = models.CharField(
        _("webhook address"), max_length=500, blank=True, help_text=_("Leave empty for the service's standard address.")
    )
    key = models.CharField(_("robot key / access token"), max_length=200, blank=True)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk's signed mode (SEC…); empty when the robot does not sign."),
    )
    rate_per_minute = models.PositiveSmallIntegerField(_("messages per minute at most"), default=20)
    updated_by = optional_fk(settings.AUTH_USER_MODEL, _("updated by"), on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("notification channel")
        verbose_name_plural = _("notification channels")
        ordering = ["channel"]
        permissions = [("manage_notification_channels", _("Can configure the notification channels"))]

    def __str__(self) -> str:
        return self.get_channel_display()


class NotificationPreference(models.Model):
    """A user's choice for one kind of message and one outside channel (no row: the kind's default)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("channel"), max_length=20, choices=NotificationChannelName.choices)
    enabled = models.BooleanField(_("enabled"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="core_notificationpreference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.channel}: {self.enabled}"


class NotificationDelivery(TimeStampedModel):
    """One message going out by one outside channel (one e-mail to its recipients, one post to a group robot),
    sent by a Celery task; retried with back-off, and kept with its outcome for the administrator."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=20, choices=NotificationChannelName.choices)
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    topic = models.CharField(_("topic"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("content"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("recipients"), related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification delivery")
        verbose_name_plural = _("notification deliveries")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel} · {self.title}"
