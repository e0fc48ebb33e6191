"""Set-up for assessment tests over the personas: approved sales targets for 2026 Q3, contracts and payments of
alice, tickets of carol, improvement actions; all made directly (set-up only) so figures can be recomputed by
hand in the tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from apps.improvements.models import ImprovementAction
from apps.policy.selectors import POLICY_TIME_ZONE
from apps.sales.choices import TargetMetric
from apps.sales.tests.factories_attainment import make_contract, make_payment, make_target_set, persona_tree
from apps.service.models import Ticket
from apps.service.tests.factories_tickets import customer_of, make_ticket

Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=POLICY_TIME_ZONE)


def sales_world(personas: dict) -> dict[str, Any]:
    """Targets of 10,000 a month (contract amount) and 8,000 (payments) down to alice; alice signs 12,000 in July,
    9,000 in September (a new customer each) and 5,000 in June (outside Q3); payments 7,000 + 6,000 in Q3."""
    alice = personas["rep_alice"].user
    amount_nodes = persona_tree(personas, make_target_set(TargetMetric.CONTRACT_AMOUNT), monthly="10000")
    payment_nodes = persona_tree(personas, make_target_set(TargetMetric.PAYMENTS), monthly="8000")
    july = make_contract(alice, "12000", dt.date(2026, 7, 15))
    september = make_contract(alice, "9000", dt.date(2026, 9, 30))
    make_contract(alice, "5000", dt.date(2026, 6, 30))
    make_payment(july, "7000", dt.date(2026, 8, 1))
    make_payment(september, "6000", dt.date(2026, 9, 30))
    make_payment(july, "1000", dt.date(2026, 10, 1))
    return {"amount_nodes": amount_nodes, "payment_nodes": payment_nodes, "contracts": [july, september]}


def service_world(personas: dict) -> list[Ticket]:
    """Four tickets of carol due in Q3: first responses on time for three, resolutions on time for two."""
    carol = personas["rep_carol"].user
    customer = customer_of(carol)
    tickets = []
    plan = [  # (first response due, answered, resolution due, resolved)
        (at(dt.date(2026, 7, 1)), at(dt.date(2026, 7, 1), 9), at(dt.date(2026, 7, 2)), at(dt.date(2026, 7, 2), 9)),
        (at(dt.date(2026, 8, 3)), at(dt.date(2026, 8, 3), 11), at(dt.date(2026, 8, 5)), at(dt.date(2026, 8, 4))),
        (at(dt.date(2026, 9, 1)), at(dt.date(2026, 9, 1), 8), at(dt.date(2026, 9, 3)), at(dt.date(2026, 9, 4))),
        (at(dt.date(2026, 9, 30)), at(dt.date(2026, 9, 30), 9), at(dt.date(2026, 10, 2)), None),
    ]
    for first_due, answered, resolution_due, resolved in plan:
        ticket = make_ticket(carol, customer=customer)
        Ticket.objects.filter(pk=ticket.pk).update(
            assignee=carol,
            department=personas["rep_carol"].unit,
            first_response_due=first_due,
            first_responded_at=answered,
            resolution_due=resolution_due,
            resolved_at=resolved,
        )
        tickets.append(ticket)
    return tickets


def improvement(owner: Any, due: dt.date, completed: dt.datetime | None) -> ImprovementAction:
    return ImprovementAction.objects.create(
        title=f"改进{due}",
        due_date=due,
        completed_at=completed,
        owner=owner,
        owner_unit=owner.employee.department,
        status="done" if completed else "open",
    )


def money(value: str) -> Decimal:
    return Decimal(value)
