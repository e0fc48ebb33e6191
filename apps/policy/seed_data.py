"""The policy as adopted: 公司市场开发及销售管理制度, version 1.0, and its default rules.

Plain data (no model imports) so that the seed migration stays the same whatever the models become later.
The Chinese text is the original, verbatim (its unusual word choices included); the English is a rendering.
"""

from __future__ import annotations

import datetime as dt

POLICY_CODE = "market-sales"
POLICY_NAME = "公司市场开发及销售管理制度"
POLICY_NAME_EN = "Company Market Development and Sales Management Policy"
VERSION_LABEL = "1.0"
EFFECTIVE_FROM = dt.date(2026, 1, 1)
NEXT_REVIEW_ON = dt.date(2027, 1, 1)

CHAPTERS = [
    {
        "number": 1,
        "title_zh": "总则",
        "title_en": "General",
        "articles": [
            {
                "number": 1,
                "title_zh": "目的和依据",
                "title_en": "Purpose and basis",
                "text_zh": (
                    "本制度的目的是为了规范公司市场开发及销售活动,提高市场开发及销售效率,保持公司良好的市场竞争力"
                    "。本制度依据国家相关法律法规、公司章程以及公司实际情况订立。"
                ),
                "text_en": (
                    "Standardise the company's market development and sales, raise their efficiency and keep the "
                    "company competitive; made under national law, the articles of association and the company's "
                    "circumstances."
                ),
            },
            {
                "number": 2,
                "title_zh": "适用范围",
                "title_en": "Scope",
                "text_zh": (
                    "本制度适用于公司全部市场开发及销售部门和人员,包含市场营销部、销售部、客户服务部等相关部门。"
                ),
                "text_en": (
                    "All market development and sales departments and staff: Marketing (市场营销部, market "
                    "development), Sales (销售部), Customer Service (客户服务部) and related departments."
                ),
            },
            {
                "number": 3,
                "title_zh": "定义",
                "title_en": "Definitions",
                "text_zh": (
                    "市场开发:指公司通过市场调研、拓展新客户、推广产品等方式,扩大市场份额和客户基础的活动。销售:指"
                    "公司通过销售渠道、销售团队等方式,向客户推销公司产品并实现销售量的活动。"
                ),
                "text_en": (
                    "Market development: growing market share and the customer base through market research, "
                    "acquiring new customers and promoting products. Sales: selling the company's products to "
                    "customers through sales channels and teams and reaching sales volume."
                ),
            },
        ],
    },
    {
        "number": 2,
        "title_zh": "组织与职责",
        "title_en": "Organisation and responsibilities",
        "articles": [
            {
                "number": 4,
                "title_zh": "市场开发部门",
                "title_en": "Market development department",
                "text_zh": (
                    "市场开发部门负责订立市场开发计划、进行市场调研与分析,拓展新客户,并与销售部门紧密搭配,确保市场"
                    "开发工作的顺利进行。市场开发部门需要依据公司战略目标和市场需求,订立市场开发计划,并及时向公司"
                    "高层汇报和评估量划实施效果。"
                ),
                "text_en": (
                    "Makes market development plans from the company's strategic goals and market demand; does "
                    "market research and analysis; acquires new customers; works closely with Sales; reports to "
                    "senior management and evaluates how the plans are carried out."
                ),
            },
            {
                "number": 5,
                "title_zh": "销售部门",
                "title_en": "Sales department",
                "text_zh": (
                    "销售部门负责订立销售计划、实施销售工作,并与市场开发部门共同协作,实现客户转化和销售目标。销售"
                    "部门需要依据市场开发部门供应的市场情报,订立销售策略和方案,进行销售目标的分解和落实,并及时向公"
                    "司高层汇报销售情况。"
                ),
                "text_en": (
                    "Makes sales plans and sells; works with market development to convert customers and reach "
                    "targets; builds its sales strategy and schemes from the market intelligence that market "
                    "development supplies; breaks sales targets down and assigns them; reports sales to senior "
                    "management."
                ),
            },
            {
                "number": 6,
                "title_zh": "客户服务部门",
                "title_en": "Customer service department",
                "text_zh": (
                    "客户服务部门负责供应售后服务,处理客户投诉,建立和维护客户关系,并向相关部门供应客户反馈信息。客"
                    "户服务部门需建立完善的客户档案,记录客户需求和反馈,及时处理客户投诉,并定期向公司高层汇报客户满"
                    "意度和售后服务情况。"
                ),
                "text_en": (
                    "After-sales service; handles complaints promptly; builds and maintains customer "
                    "relationships; passes customer feedback to the departments concerned; keeps complete "
                    "customer archives recording needs and feedback; regularly reports customer satisfaction and "
                    "after-sales service to senior management."
                ),
            },
            {
                "number": 7,
                "title_zh": "经理级职责",
                "title_en": "Managers' responsibilities",
                "text_zh": (
                    "市场开发部门经理负责订立市场开发计划、组织开展市场调研与分析工作,评估市场开发效果,并向公司高"
                    "层汇报市场开发情况。销售部门经理负责订立销售计划、组织销售团队,搭配市场开发部门进行销售工作,"
                    "评估销售目标达成情况,并向公司高层汇报销售情况。客户服务部门经理负责建立客户服务体系,组织售后"
                    "服务工作,处理客户投诉,建立和维护客户关系,并向公司高层汇报客户满意度和售后服务情况。"
                ),
                "text_en": (
                    "The market development manager plans, organises research and analysis, evaluates results and"
                    " reports; the sales manager plans, organises the sales team, works with market development, "
                    "evaluates target attainment and reports; the customer service manager builds the service "
                    "system, organises after-sales work, handles complaints, maintains relationships and reports "
                    "satisfaction and service."
                ),
            },
        ],
    },
    {
        "number": 3,
        "title_zh": "工作流程",
        "title_en": "Work processes",
        "articles": [
            {
                "number": 8,
                "title_zh": "市场开发流程",
                "title_en": "Market development process",
                "text_zh": (
                    "市场调研与分析:市场开发部门依据公司定位和战略目标,进行市场调研与分析,确定目标市场和潜在客户。"
                    "市场开发策划:市场开发部门订立市场开发计划,明确市场开发目标、拓展策略和推广方案。市场开发实施"
                    ":市场开发部门组织开展市场推广活动,开展客户探望,推广产品,并与销售部门及时沟通、共享信息。市场"
                    "开发评估:市场开发部门定期对市场开发工作进行评估和反馈,调整市场开发策略,提出改进看法。"
                ),
                "text_en": (
                    "(1) Research and analysis: target markets and potential customers. (2) Planning: goals, "
                    "expansion strategy, promotion plan. (3) Execution: promotion campaigns, customer visits, "
                    "product promotion, timely information sharing with Sales. (4) Evaluation: periodic "
                    "evaluation and feedback, strategy adjustment, improvement suggestions."
                ),
            },
            {
                "number": 9,
                "title_zh": "销售流程",
                "title_en": "Sales process",
                "text_zh": (
                    "销售计划订立:销售部门依据市场开发部门供应的市场情报,订立销售计划,确定销售目标和策略,并明确销"
                    "售计划的执行时间和责任人。销售执行:销售团队依据销售计划,开展销售活动,与客户谈判、签订合同,确"
                    "保销售目标的实现。销售目标评估:销售部门定期对销售目标进行评估,分析销售情况和销售差距,并及时提"
                    "出改进建议和措施。"
                ),
                "text_en": (
                    "(1) Planning, from market development's intelligence: targets, strategy, execution dates and"
                    " a responsible person. (2) Execution: sales activities, negotiation, signing contracts. (3) "
                    "Target evaluation: periodic; analyse results and the gap to target, propose improvement "
                    "measures."
                ),
            },
            {
                "number": 10,
                "title_zh": "客户服务流程",
                "title_en": "Customer service process",
                "text_zh": (
                    "售后服务:客户服务部门及时供应售后服务,解答客户疑问,处理客户投诉,并记录客户反馈看法。客户关系"
                    "维护:客户服务部门依据客户档案,定期与客户进行联系,并供应个性化的服务,促进客户满意度的提升。客"
                    "户满意度调查:客户服务部门定期开展客户满意度调查,分析调查结果,订立改进措施,并向公司高层汇报客"
                    "户满意度情况。"
                ),
                "text_en": (
                    "(1) After-sales service: answer questions, handle complaints, record feedback. (2) "
                    "Relationship maintenance: regular contact based on the customer archive, personalised "
                    "service. (3) Satisfaction surveys: run them regularly, analyse results, set improvement "
                    "measures, report to senior management."
                ),
            },
        ],
    },
    {
        "number": 4,
        "title_zh": "业绩考核",
        "title_en": "Performance assessment",
        "articles": [
            {
                "number": 11,
                "title_zh": "考核指标",
                "title_en": "Assessment indicators",
                "text_zh": (
                    "公司将依据市场开发及销售部门的工作目标和实际情况,确定相关的考核指标,包含市场开发目标完成情况"
                    "、销售目标完成情况、客户满意度等。"
                ),
                "text_en": (
                    "KPIs, set from each department's goals and circumstances, include market development target "
                    "completion, sales target completion and customer satisfaction."
                ),
            },
            {
                "number": 12,
                "title_zh": "考核方式",
                "title_en": "Method of assessment",
                "text_zh": (
                    "公司将采用绩效考核的方式对市场开发及销售部门进行考核,具体方式包含定期评估、目标完成情况考核、"
                    "客户满意度调查等。"
                ),
                "text_en": (
                    "Performance assessment through periodic evaluation, target-completion assessment and "
                    "customer satisfaction surveys."
                ),
            },
            {
                "number": 13,
                "title_zh": "奖惩措施",
                "title_en": "Rewards and penalties",
                "text_zh": (
                    "公司将依据市场开发及销售部门的考核结果,采取嘉奖和惩罚措施。对于工作表现优秀的部门和个人,将予"
                    "以嘉奖和晋升机会;对于工作表现不佳或违反规定的部门和个人,将采取相应的惩罚措施。"
                ),
                "text_en": (
                    "Rewards and penalties follow the assessment results: commendation and promotion "
                    "opportunities for excellent departments and individuals; penalties for poor performance or "
                    "rule violations."
                ),
            },
        ],
    },
    {
        "number": 5,
        "title_zh": "其他",
        "title_en": "Other",
        "articles": [
            {
                "number": 14,
                "title_zh": "修改和解释",
                "title_en": "Amendment and interpretation",
                "text_zh": "对于本制度的修改和解释,由公司领导小组讨论决议,并及时向全体员工进行通知和解释。",
                "text_en": (
                    "Amendment and interpretation are decided by the company leadership group (领导小组) and promptly"
                    " notified and explained to all employees."
                ),
            },
            {
                "number": 15,
                "title_zh": "附则",
                "title_en": "Supplementary provisions",
                "text_zh": "本制度自颁布之日起执行,并适时进行评估和调整。",
                "text_en": "The policy takes effect when promulgated and is evaluated and adjusted from time to time.",
            },
        ],
    },
]

# The rules of version 1.0: the defaults of ``apps.policy.rules`` when the policy was adopted.
RULES = {
    "schema": 1,
    "kpi_weights": {"market_development": 30, "sales_target": 50, "customer_satisfaction": 20},
    "grade_bands": {"excellent": 90, "good": 80, "pass": 60, "fail": 0},
    "service_deadlines": {
        "consultation": {
            "urgent": {"first_response_hours": 1, "resolution_hours": 4},
            "high": {"first_response_hours": 2, "resolution_hours": 8},
            "medium": {"first_response_hours": 4, "resolution_hours": 16},
            "low": {"first_response_hours": 8, "resolution_hours": 24},
        },
        "repair": {
            "urgent": {"first_response_hours": 2, "resolution_hours": 8},
            "high": {"first_response_hours": 4, "resolution_hours": 16},
            "medium": {"first_response_hours": 8, "resolution_hours": 32},
            "low": {"first_response_hours": 16, "resolution_hours": 40},
        },
        "complaint": {
            "urgent": {"first_response_hours": 1, "resolution_hours": 8},
            "high": {"first_response_hours": 2, "resolution_hours": 16},
            "medium": {"first_response_hours": 4, "resolution_hours": 24},
            "low": {"first_response_hours": 8, "resolution_hours": 40},
        },
        "suggestion": {
            "urgent": {"first_response_hours": 4, "resolution_hours": 24},
            "high": {"first_response_hours": 8, "resolution_hours": 40},
            "medium": {"first_response_hours": 16, "resolution_hours": 80},
            "low": {"first_response_hours": 24, "resolution_hours": 120},
        },
    },
    "contact_cadence_days": {"A": 7, "B": 15, "C": 30},
    "service_escalation": {"warning_percent": 75, "senior_after_hours": 8, "feedback_acknowledge_hours": 8},
    "public_pool": {
        "recycle": {
            "A": {"days_without_follow_up": 15, "days_without_deal": 60},
            "B": {"days_without_follow_up": 30, "days_without_deal": 90},
            "C": {"days_without_follow_up": 60, "days_without_deal": 180},
        },
        "warning_days": 3,
        "claims_per_day": 10,
        "previous_owner_block_days": 30,
    },
    "approval_thresholds": {"discount_percent": "10.00", "contract_amount": "500000.00"},
    "evaluation_frequencies": {
        "market_development_evaluation": "monthly",
        "sales_target_evaluation": "monthly",
        "satisfaction_survey": "quarterly",
        "performance_assessment": "quarterly",
    },
}
