# ruff: noqa: E501  (the library reads best one KPI per block, with its texts unbroken)
"""The KPI library as shipped (考核指标库): one row per ``policy.choices.KpiCode``; seeded by a data migration and
kept in step by ``sync_kpi_library`` after every migrate. Administrators may reword them; the codes are fixed."""

from __future__ import annotations

from typing import Any

# code: (article, unit, direction, method, cap, name zh, name en, description zh, description en)
KPI_LIBRARY: dict[str, tuple[Any, ...]] = {
    "contract_amount_completion": (
        11, "percent", "higher", "computed", 120, "销售目标完成率（合同额）", "Sales target completion (contract amount)",
        "审批通过的合同金额占已批准基础销售目标的百分比，与目标完成度页面同一口径。",
        "Approved contract amount as a share of the approved base sales target; the same figure as the attainment page."),
    "payment_completion": (
        11, "percent", "higher", "computed", 120, "销售目标完成率（回款）", "Sales target completion (payments)",
        "期间内回款金额占已批准回款目标的百分比。", "Payments received in the period as a share of the approved payments target."),
    "new_customers": (
        11, "count", "higher", "computed", 150, "新增客户数", "New customers won",
        "期间内首次签订审批通过合同的客户数。", "Customers whose first approved contract was signed in the period."),
    "leads_handed_over": (
        11, "count", "higher", "computed", 150, "移交销售的合格线索数", "Qualified leads handed over to sales",
        "期间内移交给销售人员的线索数。", "Leads handed over to a salesperson in the period."),
    "visits_done": (
        8, "count", "higher", "computed", 150, "客户拜访次数", "Customer visits made",
        "期间内完成的客户拜访。", "Customer visits made in the period."),
    "first_response_on_time": (
        10, "percent", "higher", "computed", 110, "工单首次响应及时率", "Tickets first answered on time",
        "首次响应时限落在期间内的工单中，按时响应的比例（工作小时计）。",
        "Of the tickets whose first response was due in the period, the share answered in time (working hours)."),
    "resolution_on_time": (
        10, "percent", "higher", "computed", 110, "工单解决及时率", "Tickets resolved on time",
        "解决时限落在期间内的工单中，按时解决的比例。",
        "Of the tickets whose resolution was due in the period, the share resolved in time."),
    "complaint_resolution": (
        6, "percent", "higher", "computed", 110, "投诉解决率", "Complaints resolved",
        "期间内受理的投诉中，期末前已解决的比例。", "Of the complaints opened in the period, the share resolved by its end."),
    "csat": (
        11, "score", "higher", "computed", 110, "客户满意度（CSAT）", "Customer satisfaction (CSAT)",
        "期间内针对其工单的满意度问卷 CSAT 平均分（1–5）。",
        "Mean CSAT (1–5) of the survey answers given in the period about their tickets."),
    "improvements_on_time": (
        9, "percent", "higher", "computed", 100, "改进措施按期完成率", "Improvement actions completed on time",
        "到期日在期间内的改进措施中，按期完成的比例。", "Of the improvement actions due in the period, the share done by their due date."),
    "manager_rating": (
        12, "score", "higher", "manual", 100, "上级评分", "Manager's rating",
        "直属上级对工作态度、协作与制度执行的评分（0–100）。",
        "The manager's score (0–100) for attitude, collaboration and keeping to the policy."),
    "department_score": (
        11, "score", "higher", "computed", 120, "所领导部门得分", "Score of the department led",
        "经理考核计入其所领导部门本期的考核得分。", "A manager's scorecard counts the score of the department they lead."),
    "violations": (
        13, "count", "lower", "computed", 100, "确认的违规次数", "Policy violations confirmed",
        "期间内发生并经确认的违规记录数（含申诉中及申诉后维持的；驳回、撤销的不计），宜按次扣分。",
        "Violations that happened in the period and were confirmed (also while appealed or once confirmed on appeal; not dismissed or overturned); best scored by a deduction per occurrence."),
}


def sync_kpi_library(kpi_model: Any) -> None:
    """Create the missing KPIs of the library (existing rows, possibly reworded, are left alone)."""
    for code, (article, unit, direction, method, cap, name, name_en, desc, desc_en) in KPI_LIBRARY.items():
        kpi_model.objects.get_or_create(code=code, defaults={
            "article": article, "unit": unit, "direction": direction, "method": method, "score_cap": cap,
            "name": name, "name_en": name_en, "description": desc, "description_en": desc_en})
