"""The service dashboard (``service:dashboard``) for the customer-service manager and senior management, and the
area's entry page (``service:index``): managers and senior management land on the dashboard, staff on their
tickets. Every figure counts only what the viewer may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core.scoping import DataScope, user_scope
from apps.policy.selectors import policy_today
from apps.service.selectors import dashboard as selectors

DATE = {"type": "date", "class": "form-control form-control-sm w-auto"}


class DashboardPeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"), required=False, choices=selectors.PERIOD_CHOICES, initial=selectors.PERIOD_QUARTER
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))

    def chosen(self) -> tuple[str, dt.date | None, dt.date | None]:
        if not self.is_valid():
            return selectors.PERIOD_QUARTER, None, None
        data = self.cleaned_data
        return data.get("period") or selectors.PERIOD_QUARTER, data.get("start"), data.get("end")


def _manages(user: Any) -> bool:
    """A manager or senior management: a scope wider than the own records in customer service."""
    if user.is_superuser:
        return True
    scope = user_scope(user).for_app("service")
    return scope is not None and scope != DataScope.OWN


@login_required
def index_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("service.view_ticket"):
        raise PermissionDenied
    target = "service:dashboard"
    if not _manages(user):
        try:
            return HttpResponseRedirect(reverse("service:ticket_list"))
        except NoReverseMatch:
            pass
    return HttpResponseRedirect(reverse(target))


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _chart(data: dict[str, Any]) -> dict[str, Any]:
    """What ECharts draws, as plain JSON (passed with ``json_script``)."""
    trend = data["satisfaction"]["trend"]
    return {
        "open": [{"name": r["label"], "value": r["count"], "status": r["status"]} for r in data["open"].by_status],
        "complaints": [{"name": r.label, "value": r.count, "resolved": r.resolved} for r in data["times"].complaints],
        "per_month": {
            "months": [r["month"] for r in data["per_month"]],
            "tickets": [r["tickets"] for r in data["per_month"]],
            "complaints": [r["complaints"] for r in data["per_month"]],
        },
        "trend": {
            "months": [r["month"] for r in trend],
            "csat": [_num(r["csat"]) for r in trend],
            "nps": [_num(r["nps"]) for r in trend],
            "count": [r["count"] for r in trend],
        },
    }


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("service.view_ticket"):
        raise PermissionDenied
    form = DashboardPeriodForm(request.GET or None)
    kind, start, end = form.chosen()
    today = policy_today()
    period = selectors.resolve_period(kind, start, end, today)
    data = selectors.dashboard(user, period=period, now=timezone.now(), today=today)
    return render(
        request,
        "service/dashboard.html",
        {
            **data,
            "form": form,
            "period": period,
            "today": today,
            "chart": _chart(data),
            "own_figures_only": not _manages(user),
        },
    )
