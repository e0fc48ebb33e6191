"""The market development dashboard (``marketing:index``): lead funnel, campaign ROI, plan completion and visits
per month for a period; managers and senior management see their scope, staff their own figures."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from apps.core.scoping import DataScope, user_scope
from apps.marketing.forms.plans import DashboardPeriodForm
from apps.marketing.selectors import campaigns as campaign_selectors
from apps.marketing.selectors import dashboard as selectors
from apps.policy.selectors import policy_today


def _chart_data(funnel: list, plans: list, visits: list) -> dict[str, Any]:
    """What ECharts draws, as plain JSON-able data (passed with ``json_script``)."""
    return {
        "funnel": [{"name": step.label, "value": step.count} for step in funnel],
        "visits": {"months": [m for m, _ in visits], "counts": [n for _, n in visits]},
        "plans": [
            {
                "title": item.plan.title,
                "lines": [
                    {
                        "label": line.label,
                        "pct": float(line.completion_pct) if line.completion_pct is not None else None,
                    }
                    for line in item.lines
                ],
            }
            for item in plans
        ],
    }


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    if not (request.user.has_perm("marketing.view_lead") or request.user.has_perm("marketing.view_marketplan")):
        raise PermissionDenied
    form = DashboardPeriodForm(request.GET or None)
    kind, start, end = form.chosen()
    period = selectors.resolve_period(kind, start, end, policy_today())
    user = request.user
    funnel = selectors.lead_funnel(user=user, start=period.start, end=period.end)
    campaigns = selectors.campaign_roi(user=user, start=period.start, end=period.end)
    plans = selectors.plan_completion(user=user, start=period.start, end=period.end)
    visits = selectors.visits_per_month(user=user, start=period.start, end=period.end)
    return render(
        request,
        "marketing/dashboard.html",
        {
            "form": form,
            "period": period,
            "funnel": funnel,
            "campaigns": campaigns,
            "plans": plans,
            "visits_total": sum(n for _, n in visits),
            "revenue_available": selectors.campaign_revenue_available(),
            "campaign_cost": sum((cast(Any, campaign).metrics.cost for campaign in campaigns), start=0),
            "revenue_rule": campaign_selectors.REVENUE_RULE,
            "chart": _chart_data(funnel, plans, visits),
            "own_figures_only": not user.is_superuser and user_scope(user).for_app("marketing") == DataScope.OWN,
        },
    )
