"""Start-up registrations of the contracts area (called from SalesConfig.ready): the workbench reminders
(instalments due soon and overdue, contracts awaiting my approval, contracts expiring), the customer timeline
(contracts and payments), and the revenue measures marketing shows (campaign revenue, the plan goal
"new_customer_revenue")."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import F, Min, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.money import format_cny
from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.customers import timeline as tl
from apps.marketing.models import Lead
from apps.marketing.selectors.campaigns import register_campaign_revenue
from apps.marketing.selectors.plans import register_goal_metric
from apps.sales.choices import ContractStatus
from apps.sales.models import Contract, Payment
from apps.sales.selectors import contracts as selectors


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def _revenue_after_conversion(
    firsts: list[tuple[int, int, dt.date]], start: dt.date | None = None, end: dt.date | None = None
) -> dict[int, Decimal]:
    """Sum, per key, the approved contracts of a customer signed on or after the day it was converted (and in
    ``start``–``end`` when given): business that follows the conversion, not what the customer had signed before.

    ``firsts`` holds (key, customer id, conversion day). One grouped query over the contracts."""
    result: dict[int, Decimal] = defaultdict(Decimal)
    if not firsts:
        return result
    contracts = Contract.objects.filter(
        status=ContractStatus.APPROVED,
        customer_id__in={customer for _, customer, _ in firsts},
        signed_on__gte=min(day for _, _, day in firsts),
    )
    if start is not None:
        contracts = contracts.filter(signed_on__gte=start)
    if end is not None:
        contracts = contracts.filter(signed_on__lte=end)
    signed: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for row in contracts.order_by().values("customer_id", "signed_on").annotate(total=Sum("amount")):
        signed[row["customer_id"]].append((row["signed_on"], row["total"]))
    for key, customer, converted_on in firsts:
        result[key] += sum((total for day, total in signed[customer] if day >= converted_on), Decimal("0"))
    return result


def _converted(leads: Any, key: str) -> list[tuple[int, int, dt.date]]:
    """(key, customer, day of the first conversion) for each customer converted from the leads, per key."""
    rows = (
        leads.filter(customer__isnull=False, converted_at__isnull=False)
        .order_by()
        .values(key, "customer_id")
        .annotate(first=Min("converted_at"))
    )
    return [(row[key], row["customer_id"], timezone.localdate(row["first"])) for row in rows]


def campaign_revenue(campaign_ids: list[int]) -> dict[int, Decimal]:
    """Per campaign: approved contracts of the customers converted from its leads, signed on or after the
    conversion (a customer converted from two of its leads counts once, from the first). Two queries whatever
    the number of campaigns and leads."""
    firsts = _converted(Lead.objects.filter(campaign_id__in=campaign_ids), "campaign_id")
    revenue = _revenue_after_conversion(firsts)
    return {pk: revenue.get(pk, Decimal("0")) for pk in campaign_ids}


def plan_new_customer_revenue(*, plans: list[Any], start: dt.date, end: dt.date) -> dict[int, Decimal]:
    """Per plan: approved contracts signed in the period by customers converted from the plan's leads (a lead's
    own plan wins over its campaign's), on or after the conversion. Two queries whatever the number of plans."""
    ids = [p.pk for p in plans]
    leads = Lead.objects.annotate(attributed=Coalesce(F("plan_id"), F("campaign__plan_id"))).filter(attributed__in=ids)
    revenue = _revenue_after_conversion(_converted(leads, "attributed"), start, end)
    return {pk: revenue.get(pk, Decimal("0")) for pk in ids}


# The customer's 50 latest contracts and payments, read in the timeline's one query (``customers.timeline``).
CONTRACT_ROWS = {
    "contracts": tl.TimelineQuery(
        rows=lambda customer: Contract.objects.filter(customer=customer),
        fields=tl.fields("pk", "signed_on", "number", "amount", "title", "status") | tl.person_fields("owner"),
        order=("-signed_on", "-pk"),
        limit=50,
    )
}
PAYMENT_ROWS = {
    "payments": tl.TimelineQuery(
        rows=lambda customer: Payment.objects.filter(contract__customer=customer),
        fields=tl.fields("contract_id", "received_on", "amount", "number", "contract__number")
        | tl.person_fields("recorded_by"),
        order=("-received_on", "-pk"),
        limit=50,
    )
}


def _contract_events(rows: Any, user: Any) -> list[tl.TimelineEvent]:
    """The customer's contracts: signed, with amount and status. Like the archive's own sources it shows them to
    whoever may see the customer (no per-user scope resolution)."""
    return [
        tl.TimelineEvent(
            when=_at(c["signed_on"]),
            kind="contract",
            icon="bi-file-earmark-text",
            title=_("Contract %(number)s signed: %(amount)s")
            % {"number": c["number"], "amount": format_cny(c["amount"])},
            body=f"{c['title']} · {tl.display(Contract, 'status', c['status'])}",
            url=reverse("sales:contract_detail", args=[c["pk"]]),
            actor_name=str(tl.person(c, "owner")),
        )
        for c in rows["contracts"]
    ]


# The source as the timeline reads it, and as a function of (customer, user) for anyone else.
contract_events = tl.TimelineRows(queries=CONTRACT_ROWS, events=_contract_events)


def _payment_events(rows: Any, user: Any) -> list[tl.TimelineEvent]:
    """Payments received on the customer's contracts."""
    return [
        tl.TimelineEvent(
            when=_at(p["received_on"]),
            kind="payment",
            icon="bi-cash-coin",
            title=(
                _("Refund paid: %(amount)s") % {"amount": format_cny(-p["amount"])}
                if p["amount"] < 0
                else _("Payment received: %(amount)s") % {"amount": format_cny(p["amount"])}
            ),
            body=f"{p['number']} · {p['contract__number']}",
            url=reverse("sales:contract_detail", args=[p["contract_id"]]),
            actor_name=str(tl.person(p, "recorded_by")),
        )
        for p in rows["payments"]
    ]


# The source as the timeline reads it, and as a function of (customer, user) for anyone else.
payment_events = tl.TimelineRows(queries=PAYMENT_ROWS, events=_payment_events)


def workbench_items(user: Any) -> list[WorkbenchItem]:
    """Contracts awaiting my approval; my instalments overdue and due soon; my contracts expiring in 30 days."""
    area = _("Sales")
    items = []
    awaiting = selectors.awaiting_approval(user=user).count()
    if awaiting:
        items.append(
            WorkbenchItem(
                area=area,
                title=_("Contracts awaiting my approval"),
                count=awaiting,
                url=reverse("sales:contract_list") + "?status=pending",
            )
        )
    refunds, adjustments = selectors.requests_awaiting_decision(user=user)
    for refund in refunds:
        items.append(
            WorkbenchItem(
                area=area,
                url=reverse("sales:contract_detail", args=[refund.contract_id]),
                title=_("Refund awaiting your approval: %(amount)s on %(contract)s")
                % {"amount": format_cny(refund.amount), "contract": refund.contract.number},
            )
        )
    for adjustment in adjustments:
        items.append(
            WorkbenchItem(
                area=area,
                url=reverse("sales:contract_detail", args=[adjustment.contract_id]),
                title=_("%(kind)s awaiting your approval: %(contract)s")
                % {"kind": adjustment.get_kind_display(), "contract": adjustment.contract.number},
            )
        )
    overdue, soon = selectors.due_rows(user=user)
    for plan in overdue[:5]:
        items.append(
            WorkbenchItem(
                area=area,
                due=plan.due_date,
                url=reverse("sales:contract_detail", args=[plan.contract_id]),
                title=_("Overdue payment: %(contract)s instalment %(n)s")
                % {"contract": plan.contract.number, "n": plan.instalment},
            )
        )
    for plan in soon[:5]:
        items.append(
            WorkbenchItem(
                area=area,
                due=plan.due_date,
                url=reverse("sales:contract_detail", args=[plan.contract_id]),
                title=_("Payment due: %(contract)s instalment %(n)s")
                % {"contract": plan.contract.number, "n": plan.instalment},
            )
        )
    for contract in selectors.expiring(user=user)[:5]:
        items.append(
            WorkbenchItem(
                area=area,
                due=contract.end_date,
                url=reverse("sales:contract_detail", args=[contract.pk]),
                title=_("Contract expiring: %(contract)s") % {"contract": contract},
            )
        )
    return items


def register() -> None:
    register_workbench_provider(workbench_items)
    tl.register_timeline_rows("contract", contract_events)
    tl.register_timeline_rows("payment", payment_events)
    register_campaign_revenue(campaign_revenue)
    register_goal_metric("new_customer_revenue", plan_new_customer_revenue)
