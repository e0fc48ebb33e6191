"""Demo targets (idempotent): contract-amount targets for 2025 and 2026 and a payments target for 2026, each
decomposed company → 销售部 → both teams → all eight sales staff by month (2026 by last year's share where the
pipeline demo left actuals), reconciled, submitted and approved by the CEO — all through the services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apps.org.models import Department, User
from apps.sales.choices import TargetMetric, TargetTier
from apps.sales.models import TargetNode, TargetSet
from apps.sales.services import targets as services

# Seasonality of a Chinese B2B year: a quiet Spring Festival, the year-end push in Q4 (percent, sums to 100).
PROFILE = [6, 5, 8, 8, 8, 9, 8, 8, 9, 9, 10, 12]
TEAMS = {"sales-east": ["sales1", "east2", "east3", "east4"], "sales-south": ["sales2", "south2", "south3", "south4"]}
SETS = [
    (2025, TargetMetric.CONTRACT_AMOUNT, Decimal("10000000")),
    (2026, TargetMetric.CONTRACT_AMOUNT, Decimal("12000000")),
    (2026, TargetMetric.PAYMENTS, Decimal("10800000")),
]


def _decompose(ceo: User, target_set: TargetSet, annual: Decimal, departments: dict, people: dict) -> str:
    """Company (seasonal profile) → 销售部 (the same) → teams and people by last year's share."""
    root = target_set.nodes.get(parent__isnull=True)
    months = services.split_yuan(annual, PROFILE, remainder_last=True)
    services.target_node_set_months(actor=ceo, node=root, months=months)
    sales = services.target_node_add(actor=ceo, parent=root, department=departments["sales"])
    services.target_node_set_months(actor=ceo, node=sales, months=months)
    teams = [services.target_node_add(actor=ceo, parent=sales, department=departments[code]) for code in TEAMS]
    for team, usernames in zip(teams, TEAMS.values(), strict=True):
        for username in usernames:
            services.target_node_add(actor=ceo, parent=team, person=people[username])
    notes = [services.target_spread(actor=ceo, parent=sales, method="last_year_share").note]
    for team in teams:
        notes.append(services.target_spread(actor=ceo, parent=team, method="last_year_share").note)
    services.target_set_submit(actor=ceo, target_set=target_set)
    services.target_set_approve(actor=ceo, target_set=target_set)
    return "even (no actuals last year)" if any(notes) else "by last year's share"


def load(stdout: Any) -> None:
    people = {u.username: u for u in User.objects.filter(username__in=["ceo", *sum(TEAMS.values(), [])])}
    departments = {d.code: d for d in Department.objects.filter(code__in=["sales", *TEAMS])}
    if "ceo" not in people or len(departments) < 3 or len(people) < 9:
        stdout.write("sales targets: the demo organisation is missing; skipped")
        return
    ceo = people["ceo"]
    made = []
    for year, metric, annual in SETS:
        if TargetSet.objects.filter(fiscal_year=year, metric=metric, tier=TargetTier.BASE).exists():
            continue
        target_set = services.target_set_create(actor=ceo, fiscal_year=year, metric=metric, tier=TargetTier.BASE)
        how = _decompose(ceo, target_set, annual, departments, people)
        made.append(f"{year} {metric} {annual:,.0f} ({how})")
    if not made:
        stdout.write("sales targets: already loaded")
        return
    nodes = TargetNode.objects.filter(target_set__fiscal_year__in={y for y, _m, _a in SETS}).count()
    stdout.write(f"sales targets: {'; '.join(made)}; {nodes} nodes, approved by ceo")
