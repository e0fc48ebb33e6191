"""Reading targets: the sets a user may see, the decomposition tree of a set (built in Python from one load of
its nodes, so the editor costs the same few queries for 10 or 200 people) and last year's actuals per node."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from apps.sales.choices import ContractStatus, TargetMetric, TargetStatus
from apps.sales.models import Contract, Payment, TargetNode, TargetSet

ZERO = Decimal("0")


def target_set_list(
    *, user: Any, fiscal_year: int | None = None, metric: str = "", tier: str = "", status: str = ""
) -> QuerySet[TargetSet]:
    """Sets are visible to whoever may view targets (each sees only their part of the tree inside)."""
    if not user.has_perm("sales.view_targetset") and not user.is_superuser:
        return TargetSet.objects.none()
    qs = (
        TargetSet.objects.select_related("approved_by")
        .annotate(node_count=Count("nodes"))
        .order_by("-fiscal_year", "metric", "tier")
    )
    if fiscal_year:
        qs = qs.filter(fiscal_year=fiscal_year)
    for name, value in (("metric", metric), ("tier", tier), ("status", status)):
        if value:
            qs = qs.filter(**{name: value})
    return qs


def root_totals(target_sets: Sequence[TargetSet]) -> dict[int, Decimal]:
    """The annual of each set's company node, in one query."""
    months = [f"m{m:02d}" for m in range(1, 13)]
    rows = TargetNode.objects.filter(target_set__in=target_sets, parent__isnull=True).values("target_set_id", *months)
    return {row["target_set_id"]: sum((row[m] for m in months), ZERO) for row in rows}


def nodes_of_set(target_set: TargetSet) -> list[TargetNode]:
    """All nodes of a set with their department and person, in one query."""
    return list(TargetNode.objects.filter(target_set=target_set).select_related("department", "person"))


@dataclass
class TreeRow:
    node: TargetNode
    depth: int
    months: list[Decimal]
    quarters: list[Decimal]
    annual: Decimal
    children_sums: list[Decimal] | None = None
    unallocated: list[Decimal] | None = None
    context_only: bool = False  # an ancestor shown for its totals only
    editable: bool = False
    proposable: bool = False
    child_ids: list[int] = field(default_factory=list)

    @property
    def mismatch(self) -> bool:
        return any(v != 0 for v in self.unallocated or [])

    @property
    def unallocated_annual(self) -> Decimal:
        return sum(self.unallocated or [], ZERO)

    @property
    def unallocated_quarters(self) -> list[Decimal]:
        values = self.unallocated or [ZERO] * 12
        return [sum(values[q * 3 : q * 3 + 3], ZERO) for q in range(4)]

    @property
    def cells(self) -> list[tuple[int, str, Decimal, Decimal | None]]:
        """(month number, field name, value, unallocated) for the template."""
        unallocated: list[Decimal | None] = list(self.unallocated) if self.unallocated else [None] * 12
        return [(i + 1, f"m{i + 1:02d}", v, unallocated[i]) for i, v in enumerate(self.months)]


@dataclass
class TargetTree:
    target_set: TargetSet
    rows: list[TreeRow]
    by_id: dict[int, TreeRow]
    may_edit: bool

    @property
    def mismatches(self) -> list[TreeRow]:
        return [row for row in self.rows if row.mismatch and not row.context_only]


def _sort_key(node: TargetNode) -> tuple:
    person = node.person
    return (person is not None, node.department.order, node.department.path, person.name if person else "", node.pk)


def _visible_ids(target_set: TargetSet, user: Any, action: str) -> set[int]:
    return set(TargetNode.objects.filter(target_set=target_set).visible_to(user, action).values_list("pk", flat=True))


def _ancestors(node_id: int, by_id: dict[int, TargetNode]) -> list[int]:
    chain = []
    parent_id = by_id[node_id].parent_id
    while parent_id is not None and parent_id in by_id:
        chain.append(parent_id)
        parent_id = by_id[parent_id].parent_id
    return chain


def _make_row(node: TargetNode, depth: int, children: list[TargetNode], context_only: bool) -> TreeRow:
    months = node.months
    row = TreeRow(
        node=node,
        depth=depth,
        months=months,
        quarters=node.quarters,
        annual=sum(months, ZERO),
        context_only=context_only,
        child_ids=[c.pk for c in children],
    )
    if children and not context_only:
        sums = [sum((c.months[i] for c in children), ZERO) for i in range(12)]
        row.children_sums = sums
        row.unallocated = [months[i] - sums[i] for i in range(12)]
    return row


def target_tree(*, target_set: TargetSet, user: Any) -> TargetTree:
    """The set's tree as rows in display order (depth-first), with quarter and year sums, children sums and the
    unallocated amount per month. Scoped: a staff member sees their own node and their ancestors' totals only,
    a manager their department subtree. Three queries whatever the size."""
    nodes = nodes_of_set(target_set)
    by_id = {node.pk: node for node in nodes}
    visible = _visible_ids(target_set, user, "view")
    shown = set(visible)
    for node_id in visible:
        shown.update(_ancestors(node_id, by_id))
    draft = target_set.status == TargetStatus.DRAFT
    may_edit = user.has_perm("sales.add_targetnode")
    editable = _visible_ids(target_set, user, "change") if may_edit else set()
    children: dict[int | None, list[TargetNode]] = {}
    for node in sorted(nodes, key=_sort_key):
        children.setdefault(node.parent_id, []).append(node)
    rows: list[TreeRow] = []
    stack = [(node, 0) for node in reversed(children.get(None, []))]
    while stack:
        node, depth = stack.pop()
        kids = children.get(node.pk, [])
        if node.pk in shown:
            row = _make_row(node, depth, kids, node.pk not in visible)
            row.editable = node.pk in editable and not row.context_only
            row.proposable = draft and node.person_id == user.pk
            rows.append(row)
        stack.extend((kid, depth + 1) for kid in reversed(kids))
    return TargetTree(target_set, rows, {row.node.pk: row for row in rows}, may_edit and bool(editable))


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _actual_rows(metric: str, year: int) -> list[tuple[int | None, str, Decimal]]:
    """(owner id, owner department path, amount) of the year's actuals of ``metric``."""
    start, end = _year_range(year)
    approved = Contract.objects.filter(status=ContractStatus.APPROVED)
    if metric == TargetMetric.PAYMENTS:
        rows = (
            Payment.objects.filter(received_on__range=(start, end), contract__status=ContractStatus.APPROVED)
            .values("contract__owner_id", "contract__owner_unit__path")
            .annotate(total=Sum("amount"))
        )
        return [(r["contract__owner_id"], r["contract__owner_unit__path"] or "", r["total"]) for r in rows]
    if metric == TargetMetric.NEW_CUSTOMERS:
        first: dict[int, Any] = {}
        for row in (
            approved.filter(signed_on__lte=end)
            .order_by("customer_id", "signed_on", "pk")
            .values("customer_id", "signed_on", "owner_id", "owner_unit__path")
        ):
            first.setdefault(row["customer_id"], row)
        return [
            (r["owner_id"], r["owner_unit__path"] or "", Decimal(1)) for r in first.values() if r["signed_on"] >= start
        ]
    signed: Any = (
        approved.filter(signed_on__range=(start, end))
        .values("owner_id", "owner_unit__path")
        .annotate(total=Sum("amount"))
    )
    return [(r["owner_id"], r["owner_unit__path"] or "", r["total"]) for r in signed]


def last_year_actuals(metric: str, year: int, nodes: Sequence[TargetNode]) -> list[Decimal]:
    """Each node's actual of ``metric`` in ``year``: a person's own records, a department's whole subtree."""
    rows = _actual_rows(metric, year)
    result = []
    for node in nodes:
        if node.person_id:
            result.append(sum((amount for owner, _p, amount in rows if owner == node.person_id), ZERO))
        else:
            prefix = node.department.path
            result.append(sum((amount for _o, path, amount in rows if path.startswith(prefix)), ZERO))
    return result
