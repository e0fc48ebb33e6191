"""Report subscriptions on the generic scoped views: who receives which report, weekly or monthly."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.core.views import ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView
from apps.reports import services
from apps.reports.forms import SubscriptionForm
from apps.reports.models import ReportSubscription
from apps.reports.permissions import ReportPerm


class SubscriptionListView(ScopedListView):
    model = ReportSubscription
    permission = ReportPerm.VIEW_SUBSCRIPTION
    template_name = "reports/subscription_list.html"
    search_fields = ("name",)
    sort_fields = ("name", "frequency", "last_sent_at")
    default_sort = "name"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("owner").prefetch_related("recipients")


class SubscriptionCreateView(ScopedCreateView):
    model = ReportSubscription
    permission = ReportPerm.ADD_SUBSCRIPTION
    form_class = SubscriptionForm
    template_name = "reports/subscription_form.html"
    service = services.subscription_create
    success_message = _("The subscription was saved.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self, obj: Any) -> str:
        from django.urls import reverse

        return reverse("reports:subscription_list")


class SubscriptionEditView(ScopedUpdateView):
    model = ReportSubscription
    permission = ReportPerm.CHANGE_SUBSCRIPTION
    form_class = SubscriptionForm
    template_name = "reports/subscription_form.html"
    service = services.subscription_update
    success_message = _("The subscription was saved.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self) -> dict[str, Any]:
        return {
            "name": self.object.name,
            "target": self.object.target,
            "frequency": self.object.frequency,
            "is_active": self.object.is_active,
            "recipients": list(self.object.recipients.all()),
        }

    def get_success_url(self, obj: Any) -> str:
        from django.urls import reverse

        return reverse("reports:subscription_list")


class SubscriptionDetailView(ScopedDetailView):
    model = ReportSubscription
    permission = ReportPerm.VIEW_SUBSCRIPTION
    template_name = "reports/subscription_detail.html"
    context_object_name = "subscription"
