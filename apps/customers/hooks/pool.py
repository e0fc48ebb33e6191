"""Start-up registrations of the public pool: the 待进入公海 item of 我的工作台."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.customers.selectors import pool as selectors
from apps.policy.choices import CustomerLevel
from apps.policy.registry import ImpactQuestion, register_impact_source
from apps.policy.selectors import NoPolicyInForce


def workbench_items(user: Any) -> list[WorkbenchItem]:
    """我的工作台: how many of my customers go back to the public pool within the warning days."""
    if not user.has_perm("customers.view_customer"):
        return []
    try:
        count = selectors.due_for_recycling_count(user=user)
    except NoPolicyInForce:  # no rules, no recycling: the workbench still opens
        return []
    if not count:
        return []
    return [
        WorkbenchItem(
            area=_("Customers"),
            title=_("Customers due for the public pool"),
            url=reverse("customers:pool_due_list"),
            count=count,
        )
    ]


def pool_impact(question: ImpactQuestion) -> list[str]:
    """The policy's impact page: per customer level whose recycle periods change, how many owned customers the
    first recycling run under the draft would return to the public pool, against the rules in force that day."""
    old, new = question.old.public_pool, question.new.public_pool
    day = question.effective_from
    moment = dt.datetime(day.year, day.month, day.day, tzinfo=selectors.SHANGHAI)  # the run at the day's start
    lines = []
    for rule in new.recycle:
        before = next((r for r in old.recycle if r.level == rule.level), None)
        if before == rule:
            continue
        counts = [
            selectors.recyclable(rules=dataclasses.replace(pool, recycle=(r,)), now=moment).count() if r else 0
            for pool, r in ((new, rule), (old, before))
        ]
        lines.append(
            _(
                "%(level)s: %(new)s customers would return to the public pool on %(date)s "
                "(%(old)s under version %(label)s)."
            )
            % {
                "level": CustomerLevel(rule.level).label,
                "new": counts[0],
                "old": counts[1],
                "date": day.isoformat(),
                "label": question.in_force_label,
            }
        )
    return lines


def register() -> None:
    register_workbench_provider(workbench_items)
    register_impact_source("public_pool", pool_impact)
