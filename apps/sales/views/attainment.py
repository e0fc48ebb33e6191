"""Attainment pages (目标完成度): the target tree of a set with target / actual / completion / time elapsed / gap /
forecast per node for a chosen period, and the drill-down listing exactly the records counted for one node."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from apps.core.views import ScopedDetailView
from apps.policy.selectors import policy_today
from apps.sales.models import TargetNode, TargetSet
from apps.sales.permissions import SalesPerm
from apps.sales.selectors.attainment import (
    ATTRIBUTION_RULE,
    FORECAST_RULE,
    MONEY_DATES_RULE,
    Figures,
    Period,
    attainment_for_nodes,
    counted_records,
    current_period,
    node_attainment,
    parse_period,
    tree_nodes,
)


def chosen_period(request: HttpRequest, year: int) -> Period:
    """The period asked for in ``?period=`` (2026, 2026-Q2, 2026-05, 2026-YTD) within the set's year, else this
    month of that year."""
    try:
        period = parse_period(request.GET.get("period", ""))
    except ValueError:
        return current_period("month", year)
    return period if period.year == year else current_period("month", year)


def period_options(year: int) -> list[tuple[str, str]]:
    """The periods offered in the switcher: each month, each quarter, the year and year-to-date."""
    months = [(f"{year}-{m:02d}", f"{year}-{m:02d}") for m in range(1, 13)]
    quarters = [(f"{year}-Q{q}", f"{year} Q{q}") for q in range(1, 5)]
    return [*months, *quarters, (str(year), str(year)), (f"{year}-YTD", _("%(year)s, year to date") % {"year": year})]


def _depths(nodes: list[TargetNode]) -> dict[int, int]:
    parents = {n.pk: n.parent_id for n in nodes}
    depths: dict[int, int] = {}
    for node in nodes:
        depth, parent = 0, node.parent_id
        while parent in parents:
            depth, parent = depth + 1, parents[parent]
        depths[node.pk] = depth
    return depths


def _tree_order(nodes: list[TargetNode]) -> list[TargetNode]:
    """Depth-first order so each node follows its parent (teams' people under the team)."""
    children: dict[int | None, list[TargetNode]] = {}
    ids = {n.pk for n in nodes}
    for node in nodes:
        children.setdefault(node.parent_id if node.parent_id in ids else None, []).append(node)
    ordered: list[TargetNode] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children.get(node.pk, [])))
    return ordered


def with_other_rows(rows: list[tuple[int, Figures]]) -> list[tuple[int, Figures | None, Any]]:
    """The tree rows with, after each node's subtree, an "other" row holding what the node counts beyond its
    children (the business of people without a target there, e.g. after a move into a locked tree), so every node
    visibly equals the sum of the rows under it."""
    children: dict[int | None, list[Figures]] = {}
    for _depth, f in rows:
        children.setdefault(f.node.parent_id, []).append(f)
    result: list[tuple[int, Figures | None, Any]] = []
    open_nodes: list[tuple[int, Figures]] = []

    def close(until: int) -> None:
        while open_nodes and open_nodes[-1][0] >= until:
            depth, parent = open_nodes.pop()
            kids = children.get(parent.node.pk, [])
            other = parent.actual - sum((k.actual for k in kids), Decimal("0"))
            if kids and other:
                result.append((depth + 1, None, (parent, other)))

    for depth, f in rows:
        close(depth)
        result.append((depth, f, None))
        open_nodes.append((depth, f))
    close(0)
    return result


class AttainmentView(ScopedDetailView):
    """The tree of a target set within the viewer's scope, with the figures of the chosen period."""

    model = TargetSet
    permission = SalesPerm.VIEW_TARGETNODE
    template_name = "sales/attainment.html"
    context_object_name = "target_set"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        target_set = self.object
        period = chosen_period(self.request, target_set.fiscal_year)
        nodes = _tree_order(tree_nodes(target_set, self.request.user))
        depths = _depths(nodes)
        rows = with_other_rows([(depths[f.node.pk], f) for f in attainment_for_nodes(nodes, period)])
        return super().get_context_data(
            period=period,
            rows=rows,
            options=period_options(target_set.fiscal_year),
            today=policy_today(),
            attribution_rule=ATTRIBUTION_RULE,
            forecast_rule=FORECAST_RULE,
            money_dates_rule=MONEY_DATES_RULE,
            **kwargs,
        )


class AttainmentDrilldownView(ScopedDetailView):
    """The records a node's actual counts in the period, with totals equal to the actual shown in the tree."""

    model = TargetNode
    permission = SalesPerm.VIEW_TARGETNODE
    template_name = "sales/attainment_drilldown.html"
    context_object_name = "node"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("department", "person", "target_set")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        node = self.object
        period = chosen_period(self.request, node.target_set.fiscal_year)
        return super().get_context_data(
            target_set=node.target_set,
            period=period,
            counted=counted_records(node, period),
            figures=node_attainment(node, period),
            options=period_options(node.target_set.fiscal_year),
            attribution_rule=ATTRIBUTION_RULE,
            **kwargs,
        )
