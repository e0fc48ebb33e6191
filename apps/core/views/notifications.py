"""Pages of the notification service: the user's channels per kind (通知设置), and for administrators the outside
channels' configuration and the deliveries with their failures.

Not on the generic scoped views: none of these models has a data scope (a preference is the user's own; channels
and deliveries are company-wide, behind ``core`` permissions), which the scope guard reads from ``model``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import ListView, TemplateView, View

from apps.core.forms.notifications import NotificationChannelForm, NotificationPreferencesForm
from apps.core.models import NotificationChannel, NotificationChannelName, NotificationDelivery, NotificationPreference
from apps.core.permissions import CorePerm
from apps.core.selectors import notifications as notify_selectors
from apps.core.services import notifications as notify_services

DELIVERIES_PER_PAGE = 30


class NotificationPreferencesView(LoginRequiredMixin, TemplateView):
    """通知设置: which outside channels the user gets each kind of message by."""

    model = NotificationPreference
    template_name = "core/notification_preferences.html"

    def get_form(self) -> NotificationPreferencesForm:
        rows = notify_selectors.notification_choices(user=self.request.user)
        data = self.request.POST if self.request.method == "POST" else None
        return NotificationPreferencesForm(data, rows=rows)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        context["channels"] = notify_selectors.outside_channels()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        notify_services.notification_preferences_set(actor=request.user, choices=form.choices())
        messages.success(request, _("Your notification settings were saved."))
        return redirect("core:notification_preferences")


class NotificationChannelsView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """通知渠道: the administrator configures e-mail and the two group robots (settings apply without an entry)."""

    model = NotificationChannel
    permission_required = CorePerm.MANAGE_NOTIFICATION_CHANNELS
    template_name = "core/notification_channels.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        forms = kwargs.get("forms", {})
        states = notify_selectors.channel_states()
        context["channels"] = [
            (
                state,
                forms.get(state.config.channel)
                or NotificationChannelForm(
                    prefix=state.config.channel,
                    initial={
                        "enabled": state.config.enabled,
                        "url": state.config.url,
                        "rate_per_minute": state.config.rate_per_minute,
                    },
                ),
            )
            for state in states
        ]
        context["counts"] = notify_selectors.delivery_counts()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        channel = request.POST.get("channel", "")
        if channel not in NotificationChannelName.values:
            return redirect("core:notification_channels")
        form = NotificationChannelForm(request.POST, prefix=channel)
        if form.is_valid():
            try:
                notify_services.notification_channel_save(actor=request.user, channel=channel, data=form.cleaned_data)
            except ValidationError as error:
                for field, errors in (
                    error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
                ):
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("The channel was saved."))
                return redirect("core:notification_channels")
        return self.render_to_response(self.get_context_data(forms={channel: form}))


class NotificationChannelTestView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Send a test message to oneself by one channel."""

    model = NotificationChannel
    permission_required = CorePerm.MANAGE_NOTIFICATION_CHANNELS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, channel: str) -> HttpResponse:
        try:
            delivery = notify_services.notification_channel_test(actor=request.user, channel=channel)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("core:notification_channels")
        delivery.refresh_from_db()
        if delivery.status == NotificationDelivery.Status.SENT:
            messages.success(request, _("The test message was sent."))
        elif delivery.status == NotificationDelivery.Status.PENDING and not delivery.attempts:
            messages.info(request, _("The test message is queued."))
        else:
            messages.warning(
                request, _("The test message could not be sent: %(error)s") % {"error": delivery.last_error}
            )
        return redirect("core:notification_deliveries")


class NotificationDeliveryListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """The messages sent outside the app, with their outcome: failures first to the administrator's eye."""

    model = NotificationDelivery
    permission_required = CorePerm.VIEW_NOTIFICATION_DELIVERY
    template_name = "core/notification_deliveries.html"
    paginate_by = DELIVERIES_PER_PAGE

    def get_queryset(self) -> Any:
        status = self.request.GET.get("status", "")
        channel = self.request.GET.get("channel", "")
        return notify_selectors.deliveries(
            status=status if status in NotificationDelivery.Status.values else "",
            channel=channel if channel in NotificationChannelName.values else "",
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["status"] = self.request.GET.get("status", "")
        context["statuses"] = NotificationDelivery.Status.choices
        context["counts"] = notify_selectors.delivery_counts()
        context["may_manage"] = notify_services.may_manage_channels(self.request.user)
        return context


class NotificationDeliveryRetryView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """Send a failed delivery again."""

    model = NotificationDelivery
    permission_required = CorePerm.MANAGE_NOTIFICATION_CHANNELS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = get_object_or_404(NotificationDelivery, pk=pk)
        try:
            delivery = notify_services.notification_delivery_retry(actor=request.user, delivery=delivery)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The delivery is being sent again."))
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
        return redirect("core:notification_deliveries")
