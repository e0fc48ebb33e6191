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

CALENDAR = Exempt(
    "the working-day calendar is company-wide, not scoped: core.view_workdayoverride / keep_calendar are the whole rule"
)

NOT_GENERIC: dict[str, Exempt] = {
    "core:healthz": Exempt("the load balancer's health check (database, cache, Celery heartbeat): no record, no login"),
    "core:calendar": CALENDAR,
    "core:calendar_year": CALENDAR,
    "core:calendar_enter": CALENDAR,
    "api-calendar-year": CALENDAR,
    "api-calendar-enter": CALENDAR,
    "customers:duplicate_check": Exempt(
        "查重 over the whole archive by design: hits show only name, what matched and "
        "owner (CONVENTIONS-CN row 12); needs add/change customer permission"
    ),
    "performance:index": Exempt("a redirect to the cycles or to the user's own scorecards; no record"),
    "performance:my_assessments": Exempt("the user's own scorecards, selected by owner (within visible_to)"),
    "performance:cycle_export": EXCEL,
    "performance:item_records": Exempt(
        "the records behind one KPI line: the scorecard and its line in the URL, the scorecard through visible_to",
        "performance.Assessment",
        fill={"item": "0"},
    ),
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
    "policy:acknowledge": Exempt("the user's own confirmation of the one version in force; no record in the URL"),
    "policy:acknowledgement_remind": Exempt(
        "a bulk reminder of the unconfirmed, selected by the service from visible_to; no record in the URL"
    ),
    "policy:acknowledgement_export": EXCEL,
    "customers:customer_transfer": Exempt("a bulk page over the customers chosen in the list, not one record"),
    "customers:followup_create": Exempt("HTMX answers with the detail page's follow-up panel (@scoped_route)"),
    "customers:pool_due_list": Exempt("rows are (customer, reason) pairs the recycling rules compute, not a queryset"),
    "customers:customer_claim": POOL,
    "customers:customer_assign": POOL,
    "customers:customer_import": EXCEL,
    "reports:index": Exempt("a redirect to the cockpit or the reports, or a page saying what the area holds"),
    "reports:cockpit": DASHBOARD,
    "reports:cockpit_drill": Exempt(
        "department → person → records of one cockpit figure, each level from the "
        "figure's own records through visible_to; no single model"
    ),
    "reports:cockpit_export": Exempt("the cockpit's figures as Excel or PDF: a file, from the scoped selectors"),
    "reports:report_pack": Exempt("the department reports of one period on one page, through visible_to"),
    "reports:report_export_xlsx": Exempt(
        "one department report as Excel: a file download (@scoped_route, fetched through visible_to)"
    ),
    "reports:report_export_pdf": Exempt(
        "one department report as PDF: a file download (@scoped_route, fetched through visible_to)"
    ),
    "api-dashboard": Exempt("the figures behind a dashboard from the scoped selectors; no single model"),
    "customers:customer_import_template": EXCEL,
    "customers:customer_import_failed": EXCEL,
    "marketing:index": DASHBOARD,
    "marketing:lead_bulk_handover": Exempt(
        "a bulk page over the leads chosen in the list (each in the change scope), not one record"
    ),
    "sales:index": DASHBOARD,
    "sales:target_cell": Exempt(
        "HTMX: one cell of the editor's grid, answered with the rows it changed (sums, "
        "unallocated, the error in place); addressed by set and node, the node in the change "
        "scope",
        "sales.TargetNode",
        kwarg="node_pk",
        fill={"pk": "@target_set_id"},
    ),
    "sales:opportunity_board": Exempt(
        "the kanban board: columns per stage built by the scoped selector, not one queryset"
    ),
    "sales:opportunity_move": Exempt(
        "the kanban drop: HTMX answers the card partial (422 with the error), else back "
        "to the page it came from; fetched in the change scope (@scoped_route)"
    ),
    "sales:stage_settings": Exempt(
        "win probability per stage: company-wide settings, one field per stage; StageSetting has no data scope"
    ),
    "surveys:campaign_preview": Exempt("an HTMX fragment counting the segment of a form not yet saved"),
    "surveys:results": DASHBOARD,
    "surveys:questionnaire_create": Exempt("the builder: a questionnaire form with a formset of its questions"),
    "surveys:questionnaire_update": Exempt("the builder: a questionnaire form with a formset of its questions"),
    "service:index": DASHBOARD,
    "service:dashboard": DASHBOARD,
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
