"""The sales dashboards (``sales:index``): managers and senior management see target vs actual by month and by
person, the opportunity funnel with stage conversion, forecast vs target and the leaderboard of their scope; staff
see their own target, actual, completion, pipeline and next payments due."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from apps.core.scoping import DataScope, user_scope
from apps.policy.selectors import policy_today
from apps.sales.choices import TargetMetric
from apps.sales.forms.evaluations import DashboardForm
from apps.sales.selectors import dashboard as selectors
from apps.sales.selectors.attainment import Figures, attainment_for_nodes, current_period, tree_nodes


def _safe_reverse(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _chart(top: Figures | None, people: list[Figures], forecast: list[Figures]) -> dict[str, Any]:
    """What ECharts draws, as plain JSON (passed with ``json_script``)."""
    return {
        "months": [f"{m}月" for m in range(1, 13)],
        "monthly_target": [float(v) for v in top.monthly_target] if top else [],
        "monthly_actual": [float(v) for v in top.monthly_actual] if top else [],
        "people": [
            {
                "name": str(f.node),
                "target": float(f.target),
                "actual": float(f.actual),
                "pct": float(f.completion_pct) if f.completion_pct is not None else None,
            }
            for f in people
        ],
        "forecast": selectors.forecast_rows(forecast),
    }


def _personal(user: Any, figures: list[Figures]) -> dict[str, Any]:
    return {
        "personal": True,
        "mine": figures[0] if figures else None,
        "pipeline": selectors.my_pipeline(user=user),
        "payments_due": list(selectors.next_payments_due(user=user, today=policy_today())),
    }


def _management(user: Any, figures: list[Figures], period: Any) -> dict[str, Any]:
    top = selectors.top_nodes([f.node for f in figures])
    top_ids = {n.pk for n in top}
    tops = [f for f in figures if f.node.pk in top_ids]
    people = sorted((f for f in figures if f.node.person_id), key=lambda f: -(f.completion_pct or 0))
    teams = [f for f in figures if not f.node.person_id]
    boards = {
        metric: selectors.leaderboard(user=user, metric=metric, start=period.start, end=period.end)
        for metric in TargetMetric.values
    }
    return {
        "personal": False,
        "tops": tops,
        "people": people,
        "teams": teams,
        "boards": boards,
        "funnel": selectors.funnel(user=user),
        "chart": _chart(tops[0] if tops else None, people, teams),
    }


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """Attainment of the approved base target set of the current fiscal year for the chosen metric and period."""
    user = request.user
    if not user.has_perm("sales.view_opportunity"):
        raise PermissionDenied
    form = DashboardForm(request.GET or None)
    kind, metric = form.chosen()
    today = policy_today()
    period = current_period(kind, today.year, today)
    target_set = selectors.dashboard_target_set(today.year, metric)
    figures = attainment_for_nodes(tree_nodes(target_set, user), period) if target_set else []
    personal = not user.is_superuser and user_scope(user).for_app("sales") == DataScope.OWN
    context: dict[str, Any] = {
        "form": form,
        "period": period,
        "kind": kind,
        "metric": metric,
        "today": today,
        "target_set": target_set,
        "targets_url": _safe_reverse("sales:target_list"),
        "metrics": TargetMetric.choices,
    }
    context.update(_personal(user, figures) if personal else _management(user, figures, period))
    return render(request, "sales/dashboard.html", context)
