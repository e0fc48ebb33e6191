"""Who may read and write the reports to senior management (policy arts. 4–7, 10).

Senior management and the leadership group open the company cockpit and review the departments' reports;
department managers open the cockpit limited to their own area, write their department's reports and subscribe
people to them; staff have no cockpit (403) and see only reports and subscriptions they own.
"""

from enum import StrEnum

from apps.org.choices import BuiltinRole


class ReportPerm(StrEnum):
    VIEW_COCKPIT = "reports.view_cockpit"
    VIEW_COMPANY_COCKPIT = "reports.view_company_cockpit"
    VIEW_REPORT = "reports.view_departmentreport"
    ADD_REPORT = "reports.add_departmentreport"
    CHANGE_REPORT = "reports.change_departmentreport"
    REVIEW_REPORT = "reports.review_departmentreport"
    VIEW_SUBSCRIPTION = "reports.view_reportsubscription"
    ADD_SUBSCRIPTION = "reports.add_reportsubscription"
    CHANGE_SUBSCRIPTION = "reports.change_reportsubscription"


_MANAGER = [
    ReportPerm.VIEW_COCKPIT,
    ReportPerm.VIEW_REPORT,
    ReportPerm.ADD_REPORT,
    ReportPerm.CHANGE_REPORT,
    ReportPerm.VIEW_SUBSCRIPTION,
    ReportPerm.ADD_SUBSCRIPTION,
    ReportPerm.CHANGE_SUBSCRIPTION,
]
# Senior management read and review; writing a department's report is its manager's (REPORT_FLOW's "manager").
_SENIOR = [
    ReportPerm.VIEW_COCKPIT,
    ReportPerm.VIEW_COMPANY_COCKPIT,
    ReportPerm.VIEW_REPORT,
    ReportPerm.REVIEW_REPORT,
    ReportPerm.VIEW_SUBSCRIPTION,
    ReportPerm.ADD_SUBSCRIPTION,
    ReportPerm.CHANGE_SUBSCRIPTION,
]

BUILTIN_ROLE_PERMISSIONS = {
    # Staff read the reports and subscriptions they own (none, as a rule): the pages open, empty.
    BuiltinRole.STAFF: [str(ReportPerm.VIEW_REPORT), str(ReportPerm.VIEW_SUBSCRIPTION)],
    BuiltinRole.DEPARTMENT_MANAGER: [str(p) for p in _MANAGER],
    BuiltinRole.SENIOR_MANAGEMENT: [str(p) for p in _SENIOR],
    BuiltinRole.LEADERSHIP_GROUP: [
        str(p)
        for p in [
            ReportPerm.VIEW_COCKPIT,
            ReportPerm.VIEW_COMPANY_COCKPIT,
            ReportPerm.VIEW_REPORT,
            ReportPerm.REVIEW_REPORT,
            ReportPerm.VIEW_SUBSCRIPTION,
            ReportPerm.ADD_SUBSCRIPTION,
            ReportPerm.CHANGE_SUBSCRIPTION,
        ]
    ],
}
