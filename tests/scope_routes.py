"""Routes that are not built on the generic scoped views, each with the reason (read by the scope guard,
``tests/test_scope_guard.py``, and the out-of-scope matrix, ``apps.core.testing.ScopeMatrixTests``).

A hand-written function view still to move names the scoped model its URL addresses (``to_move("sales.Contract")``)
so that the matrix can try it with a record out of the user's scope. Keep this list short: a page moved onto the
generic views leaves it (the guard fails on a stale entry).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Exempt:
    """Why a route is not a generic view; for a legacy object route, the model (``app.Model``) of its ``kwarg``
    and values for its other URL arguments (``"@attr"`` reads the record's attribute)."""

    reason: str
    model: str | None = None
    kwarg: str = "pk"
    fill: dict[str, str] = field(default_factory=dict)


TO_MOVE_REASON = "to move to generic views"
TO_MOVE = Exempt(TO_MOVE_REASON)


def to_move(model: str, kwarg: str = "pk", fill: dict[str, str] | None = None) -> Exempt:
    return Exempt(TO_MOVE_REASON, model, kwarg, fill or {})


AUTH = Exempt("Django's sign-in and password pages: no record")
WORKBENCH = Exempt("the workbench: due items from each app's scoped selectors, no single model")
OWN_NOTIFICATIONS = Exempt("the user's own notifications (selected by recipient); Notification has no data scope")
OWN_JOBS = Exempt("the user's own background jobs (selected by who started them); Job has no data scope")
POLICY = Exempt("the policy is not scoped: everyone with policy.view_policyversion reads the same version")
DASHBOARD = Exempt("figures from the app's scoped selectors, no single model")
PUBLIC = Exempt("public page for a customer, addressed by a secret token; no login, no scope")
SCHEMA = Exempt("the OpenAPI schema and its viewer")
POOL = Exempt("the public pool is its own scope (unowned customers for pool members), not visible_to (@scoped_route)")
EXCEL = Exempt("Excel import and export: files, not pages over one record; rows through the scoped selectors")

CALENDAR = Exempt("the working-day calendar is company-wide, not scoped: core.view_workdayoverride / keep_calendar "
                  "are the whole rule")

NOT_GENERIC: dict[str, Exempt] = {
    "core:calendar": CALENDAR,
    "core:calendar_year": CALENDAR,
    "core:calendar_enter": CALENDAR,
    "api-calendar-year": CALENDAR,
    "api-calendar-enter": CALENDAR,
    "customers:duplicate_check": Exempt("查重 over the whole archive by design: hits show only name, what matched and "
                                        "owner (CONVENTIONS-CN row 12); needs add/change customer permission"),
    "performance:index": Exempt("a redirect to the cycles or to the user's own scorecards; no record"),
    "performance:my_assessments": Exempt("the user's own scorecards, selected by owner (within visible_to)"),
    "performance:cycle_export": EXCEL,
    "performance:item_records": Exempt("the records behind one KPI line: the scorecard and its line in the URL, the "
                                       "scorecard through visible_to", "performance.Assessment", fill={"item": "0"}),
    "assessment-schemes": Exempt("the assessment schemes of the policy in force: rules, not records"),
    "core:workbench": WORKBENCH,
    "core:notification_list": OWN_NOTIFICATIONS,
    "core:notification_read": OWN_NOTIFICATIONS,
    "core:notification_read_all": OWN_NOTIFICATIONS,
    "core:job_detail": OWN_JOBS,
    "login": AUTH,
    "logout": AUTH,
    "password_change": AUTH,
    "password_change_done": AUTH,
    "set_language": Exempt("switches the interface language; reads and writes no record"),
    "org:department_list": Exempt("the org chart: a tree that selectors.org_chart builds from visible_to, not a list"),
    "org:role_list": Exempt("roles are not scoped: the permission org.view_role is the whole rule"),
    "policy:in_force": POLICY,
    "policy:rules": POLICY,
    "policy:version_list": POLICY,
    "policy:version_detail": POLICY,
    "customers:customer_transfer": Exempt("a bulk page over the customers chosen in the list, not one record"),
    "customers:followup_create": Exempt("HTMX answers with the detail page's follow-up panel (@scoped_route)"),
    "customers:pool_due_list": Exempt("rows are (customer, reason) pairs the recycling rules compute, not a queryset"),
    "customers:customer_claim": POOL,
    "customers:customer_assign": POOL,
    "customers:customer_import": EXCEL,
    "customers:customer_import_template": EXCEL,
    "customers:customer_import_failed": EXCEL,
    "customers:customer_export": EXCEL,
    "marketing:index": DASHBOARD,
    "marketing:research_create": TO_MOVE,
    "marketing:research_detail": to_move("marketing.MarketResearch"),
    "marketing:research_update": to_move("marketing.MarketResearch"),
    "marketing:research_leads": to_move("marketing.MarketResearch"),
    "marketing:plan_create": TO_MOVE,
    "marketing:plan_detail": to_move("marketing.MarketPlan"),
    "marketing:plan_update": to_move("marketing.MarketPlan"),
    "marketing:plan_transition": to_move("marketing.MarketPlan", fill={"move": "approve"}),
    "marketing:evaluation_create": TO_MOVE,
    "marketing:evaluation_detail": to_move("marketing.MarketEvaluation"),
    "marketing:evaluation_complete": to_move("marketing.MarketEvaluation"),
    "marketing:campaign_create": TO_MOVE,
    "marketing:campaign_detail": to_move("marketing.Campaign"),
    "marketing:campaign_update": to_move("marketing.Campaign"),
    "marketing:campaign_status": to_move("marketing.Campaign"),
    "marketing:lead_create": TO_MOVE,
    "marketing:lead_bulk_handover": TO_MOVE,
    "marketing:lead_detail": to_move("marketing.Lead"),
    "marketing:lead_update": to_move("marketing.Lead"),
    "marketing:lead_status": to_move("marketing.Lead"),
    "marketing:lead_claim": to_move("marketing.Lead"),
    "marketing:lead_handover": to_move("marketing.Lead"),
    "marketing:lead_convert": to_move("marketing.Lead"),
    "marketing:visit_create": TO_MOVE,
    "marketing:visit_detail": to_move("marketing.Visit"),
    "marketing:visit_update": to_move("marketing.Visit"),
    "marketing:intel_create": TO_MOVE,
    "marketing:intel_detail": to_move("marketing.MarketIntel"),
    "marketing:intel_update": to_move("marketing.MarketIntel"),
    "marketing:intel_publish": to_move("marketing.MarketIntel"),
    "sales:index": DASHBOARD,
    "sales:attainment": to_move("sales.TargetSet"),
    "sales:attainment_drilldown": to_move("sales.TargetNode"),
    "sales:evaluation_create": TO_MOVE,
    "sales:evaluation_detail": to_move("sales.SalesEvaluation"),
    "sales:evaluation_complete": to_move("sales.SalesEvaluation"),
    "sales:target_list": TO_MOVE,
    "sales:target_create": TO_MOVE,
    "sales:target_editor": to_move("sales.TargetSet"),
    "sales:target_add_node": to_move("sales.TargetSet"),
    "sales:target_cell": to_move("sales.TargetNode", kwarg="node_pk", fill={"pk": "@target_set_id"}),
    "sales:target_spread": to_move("sales.TargetNode", kwarg="node_pk", fill={"pk": "@target_set_id"}),
    "sales:target_propose": to_move("sales.TargetNode", kwarg="node_pk", fill={"pk": "@target_set_id"}),
    "sales:target_revise": to_move("sales.TargetSet"),
    "sales:target_transition": to_move("sales.TargetSet", fill={"move": "approve"}),
    "sales:targetnode_detail": to_move("sales.TargetNode", kwarg="node_pk"),
    "sales:product_list": TO_MOVE,
    "sales:product_create": TO_MOVE,
    "sales:product_update": to_move("sales.Product"),
    "sales:product_delete": to_move("sales.Product"),
    "sales:opportunity_board": TO_MOVE,
    "sales:opportunity_create": TO_MOVE,
    "sales:opportunity_detail": to_move("sales.Opportunity"),
    "sales:opportunity_update": to_move("sales.Opportunity"),
    "sales:opportunity_move": to_move("sales.Opportunity"),
    "sales:stage_settings": TO_MOVE,
    "sales:plan_create": TO_MOVE,
    "sales:plan_detail": to_move("sales.SalesPlan"),
    "sales:plan_update": to_move("sales.SalesPlan"),
    "sales:plan_transition": to_move("sales.SalesPlan", fill={"move": "approve"}),
    "sales:plan_action_progress": to_move("sales.SalesPlanAction"),
    "sales:contract_export": TO_MOVE,
    "sales:contract_create": TO_MOVE,
    "sales:contract_detail": to_move("sales.Contract"),
    "sales:contract_update": to_move("sales.Contract"),
    "sales:contract_print": to_move("sales.Contract"),
    "sales:payment_create": to_move("sales.Contract"),
    "sales:payment_plan_edit": to_move("sales.Contract"),
    "sales:contract_action": to_move("sales.Contract", fill={"action": "approve"}),
    "surveys:campaign_preview": Exempt("an HTMX fragment counting the segment of a form not yet saved"),
    "surveys:results": DASHBOARD,
    "surveys:questionnaire_create": Exempt("the builder: a questionnaire form with a formset of its questions"),
    "surveys:questionnaire_update": Exempt("the builder: a questionnaire form with a formset of its questions"),
    "service:index": DASHBOARD,
    "service:dashboard": DASHBOARD,
    "service:ticket_create": TO_MOVE,
    "service:ticket_export": TO_MOVE,
    "service:ticket_detail": to_move("service.Ticket"),
    "service:ticket_update": to_move("service.Ticket"),
    "service:ticket_action": to_move("service.Ticket", fill={"action": "start"}),
    "service:feedback_create": TO_MOVE,
    "service:feedback_detail": to_move("service.Feedback"),
    "service:routing_detail": to_move("service.FeedbackRouting"),
    "service:routing_acknowledge": to_move("service.FeedbackRouting"),
    "service:routing_reply": to_move("service.FeedbackRouting"),
    "service:due_contact_detail": to_move("service.DueContact"),
    "service:due_contact_skip": to_move("service.DueContact"),
    "service:contact_create": TO_MOVE,
    "service:contact_detail": to_move("service.RelationshipContact"),
    "survey_answer:answer": PUBLIC,
    "survey_answer:thanks": PUBLIC,
    "support:ticket_new": PUBLIC,
    "support:ticket_status": PUBLIC,
    "support:ticket_submitted": PUBLIC,
    "support:ticket_message": PUBLIC,
    "support:ticket_confirm": PUBLIC,
    "support:ticket_reopen": PUBLIC,
    "me": Exempt("the requester's own profile"),
    "sales-attainment": DASHBOARD,
    "api-schema": SCHEMA,
    "api-docs": SCHEMA,
}
