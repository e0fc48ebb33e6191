"""Start-up registrations of products, opportunities and sales plans (called from SalesConfig.ready): a converted
lead opens an opportunity; open opportunities follow a transferred customer; the customer timeline shows its
opportunities; the workbench shows next actions due, expected close dates passed and plan action items due."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.customers import timeline as tl
from apps.marketing.services.leads import register_conversion_hook
from apps.org.models import User
from apps.sales.models import Opportunity
from apps.sales.selectors.opportunities import close_dates_passed, next_actions_due
from apps.sales.selectors.plans import actions_due
from apps.sales.services.opportunities import opportunities_follow_customer, opportunity_create_from_lead


def on_lead_converted(*, actor: User, lead: Any, customer: Any, options: dict[str, Any]) -> None:
    """Open an opportunity for the converted lead unless the conversion asked not to."""
    if options.get("create_opportunity", True) is False:
        return
    opportunity_create_from_lead(actor=actor, lead=lead, customer=customer)


def on_customers_transferred(
    *, actor: User, customers: Any, from_owners: Any, to_owner: Any, reason: str = "", **kwargs: Any
) -> None:
    opportunities_follow_customer(actor=actor, customers=list(customers), to_owner=to_owner)


# The customer's 50 newest opportunities, read in the timeline's one query (``customers.timeline``).
OPPORTUNITY_ROWS = {
    "opportunities": tl.TimelineQuery(
        rows=lambda customer: Opportunity.objects.filter(customer=customer),
        fields=tl.fields("pk", "created_at", "name", "stage", "amount") | tl.person_fields("owner"),
        order=("-created_at", "-pk"),
        limit=50,
    )
}


def _opportunity_events(rows: Any, user: Any) -> list[tl.TimelineEvent]:
    """The customer's opportunities: created when, stage and amount, owner."""
    return [
        tl.TimelineEvent(
            when=opp["created_at"],
            kind="opportunity",
            icon="bi-briefcase",
            title=_("Opportunity “%(name)s” (%(stage)s)")
            % {"name": opp["name"], "stage": tl.display(Opportunity, "stage", opp["stage"])},
            body=_("Amount: ¥%(amount)s") % {"amount": f"{opp['amount']:,.2f}"},
            url=reverse("sales:opportunity_detail", args=[opp["pk"]]),
            actor_name=str(tl.person(opp, "owner")),
        )
        for opp in rows["opportunities"]
    ]


# The source as the timeline reads it, and as a function of (customer, user) for anyone else.
opportunity_events = tl.TimelineRows(queries=OPPORTUNITY_ROWS, events=_opportunity_events)


def workbench_items(user: Any) -> list[WorkbenchItem]:
    """My opportunities' next actions due, expected close dates passed, my plan action items due."""
    today = timezone.localdate()
    area = _("Sales")
    items = []
    for opp in next_actions_due(user=user, on=today).select_related("customer").order_by("next_action_on")[:5]:
        items.append(
            WorkbenchItem(
                area=area,
                title=_("Next action on %(opp)s: %(action)s") % {"opp": opp.name, "action": opp.next_action or "—"},
                url=reverse("sales:opportunity_detail", args=[opp.pk]),
                due=opp.next_action_on,
            )
        )
    passed = close_dates_passed(user=user, on=today).count()
    if passed:
        items.append(
            WorkbenchItem(
                area=area,
                title=_("Open opportunities past their expected close date"),
                url=reverse("sales:opportunity_list") + "?scene=mine&stage=open",
                count=passed,
            )
        )
    for action in actions_due(user=user, on=today).select_related("plan").order_by("due_date")[:5]:
        items.append(
            WorkbenchItem(
                area=area,
                title=_("Sales plan action due: %(title)s") % {"title": action.title},
                url=reverse("sales:plan_detail", args=[action.plan_id]),
                due=action.due_date,
            )
        )
    return items


def register() -> None:
    register_conversion_hook(on_lead_converted)
    tl.register_transfer_hook(on_customers_transferred)
    tl.register_timeline_rows("opportunity", opportunity_events)
    register_workbench_provider(workbench_items)
