"""The demo tickets' mix (type, priority, category, channel weights) and texts (subjects, details, replies,
resolutions, root causes, corrective actions), used by ``demo.tickets``."""

from __future__ import annotations

from apps.service.choices import (
    ComplaintCategory,
    TicketChannel,
    TicketPriority,
    TicketStatus,
    TicketType,
)

St, Ty, Pr, Cat = TicketStatus, TicketType, TicketPriority, ComplaintCategory

TYPE_WEIGHTS = {Ty.CONSULTATION: 33, Ty.REPAIR: 40, Ty.COMPLAINT: 15, Ty.SUGGESTION: 12}
PRIORITY_WEIGHTS = {
    Ty.CONSULTATION: {Pr.URGENT: 2, Pr.HIGH: 12, Pr.MEDIUM: 56, Pr.LOW: 30},
    Ty.REPAIR: {Pr.URGENT: 12, Pr.HIGH: 30, Pr.MEDIUM: 45, Pr.LOW: 13},
    Ty.COMPLAINT: {Pr.URGENT: 12, Pr.HIGH: 45, Pr.MEDIUM: 38, Pr.LOW: 5},
    Ty.SUGGESTION: {Pr.URGENT: 0, Pr.HIGH: 5, Pr.MEDIUM: 45, Pr.LOW: 50},
}
CATEGORY_WEIGHTS = {Cat.PRODUCT_QUALITY: 38, Cat.SERVICE_ATTITUDE: 17, Cat.DELIVERY: 22, Cat.PRICE: 13, Cat.OTHER: 10}
CHANNEL_WEIGHTS = {
    TicketChannel.PHONE: 42,
    TicketChannel.WECHAT: 30,
    TicketChannel.EMAIL: 13,
    TicketChannel.VISIT: 5,
    TicketChannel.WEB: 10,
}

GENERIC_PRODUCTS = ["销售管理系统", "ERP 系统", "BI 数据分析平台", "服务器", "网络交换机", "防火墙"]
SUBJECTS: dict[str, list[str]] = {
    Ty.CONSULTATION: [
        "{p}如何导出月度报表？",
        "咨询{p}升级到新版本的流程",
        "{p}账号权限如何分配？",
        "询问{p}维保续费政策",
        "{p}能否对接企业微信审批？",
        "咨询{p}数据备份的最佳做法",
        "询问新员工培训课程安排",
        "咨询发票开具与合同盖章事宜",
        "{p}支持多少并发用户？",
        "咨询{p}的移动端使用方式",
    ],
    Ty.REPAIR: [
        "{p}无法登录，提示会话过期",
        "{p}报表加载缓慢",
        "{p}硬盘告警灯常亮",
        "{p}频繁自动重启",
        "{p}数据同步失败",
        "{p}打印模板错位",
        "{p}接口调用超时",
        "{p}电源模块故障",
        "{p}升级后部分菜单无法打开",
        "{p}风扇噪音异常",
        "{p}网口间歇性掉线",
        "{p}导入 Excel 时报错",
    ],
    Ty.SUGGESTION: [
        "建议{p}增加移动端审批",
        "建议{p}支持批量导入客户",
        "希望提供线上培训视频",
        "建议工单进度通过微信推送",
        "建议{p}报表支持自定义字段",
        "希望增加季度巡检服务",
    ],
}
COMPLAINT_SUBJECTS: dict[str, list[str]] = {
    Cat.PRODUCT_QUALITY: ["{p}三个月内第二次出现同样故障", "新到货的{p}开箱即损坏", "{p}升级后数据出现错乱"],
    Cat.SERVICE_ATTITUDE: ["工程师上门迟到且态度敷衍", "客服热线多次无人接听", "售后人员答复前后不一致"],
    Cat.DELIVERY: ["{p}交付延期两周未提前通知", "实施进度严重滞后于合同约定", "到货配件与订单不符"],
    Cat.PRICE: ["续费价格上涨幅度过大", "同款{p}报价高于其他渠道", "增购模块报价不透明"],
    Cat.OTHER: ["发票迟迟未开具", "合同条款解释前后不一致", "培训安排多次变更"],
}
OPENINGS = {
    TicketChannel.PHONE: "客户{c}来电反映：",
    TicketChannel.WECHAT: "客户{c}在服务群中反映：",
    TicketChannel.EMAIL: "客户{c}来邮件反映：",
    TicketChannel.VISIT: "上门巡检时客户{c}提出：",
    TicketChannel.WEB: "客户{c}通过网页表单提交：",
}
DETAILS = {
    Ty.CONSULTATION: [
        "希望我们提供操作说明，最好能远程演示一次。",
        "请确认相关费用和办理时间。",
        "客户计划下月推广使用，希望尽快答复。",
    ],
    Ty.REPAIR: [
        "问题从本周一开始出现，已重启两次未恢复，影响日常业务。",
        "客户已提供截图和日志，需要工程师排查。",
        "只在高峰时段出现，客户希望今天内给出处理方案。",
        "客户现场有备用机，可临时切换，但需尽快修复。",
    ],
    Ty.COMPLAINT: [
        "客户情绪较大，要求给出书面说明和处理时限。",
        "客户表示如不能妥善处理将考虑更换供应商。",
        "客户希望公司负责人出面沟通。",
    ],
    Ty.SUGGESTION: ["客户认为这会明显提高效率，愿意参与试用。", "同行业其他客户也提过类似需求。"],
}
REPLIES = [
    "您好，已收到您的问题，工程师正在排查，稍后与您联系。",
    "您好，我们已安排专人跟进，今天内给您初步答复。",
    "您好，问题已登记，正在与研发确认处理方案。",
]
RESOLUTIONS: dict[str, list[str]] = {
    Ty.CONSULTATION: [
        "已电话讲解操作步骤并发送操作手册。",
        "已远程演示并解答客户疑问，客户表示清楚。",
        "已确认费用和办理流程，并邮件发送说明。",
    ],
    Ty.REPAIR: [
        "远程排查为配置问题，已调整参数并验证恢复正常。",
        "更换故障部件后设备运行正常，已观察 24 小时。",
        "升级补丁后问题消除，已告知客户注意事项。",
        "清理缓存并优化索引后报表速度恢复正常。",
    ],
    Ty.COMPLAINT: [
        "已向客户书面说明原因并致歉，问题已整改完毕。",
        "已更换设备并延长保修期，客户接受处理结果。",
        "已调整服务人员并回访确认，客户表示认可。",
    ],
    Ty.SUGGESTION: ["已转产品部评估，纳入下一版本需求池，已告知客户。", "已记录建议并反馈相关部门，客户表示感谢。"],
}
ROOT_CAUSES: dict[str, str] = {
    Cat.PRODUCT_QUALITY: "同批次部件存在质量缺陷，出厂检验未覆盖该项。",
    Cat.SERVICE_ATTITUDE: "服务人员排班不足，沟通规范执行不到位。",
    Cat.DELIVERY: "供应商到货延迟，项目计划未及时同步客户。",
    Cat.PRICE: "调价说明不充分，客户未提前获知价格政策。",
    Cat.OTHER: "内部流程衔接不畅，责任人不明确。",
}
CORRECTIVE: dict[str, str] = {
    Cat.PRODUCT_QUALITY: "更换同批次部件，出厂检验增加该项测试。",
    Cat.SERVICE_ATTITUDE: "对相关人员进行服务规范培训，增加高峰期值班。",
    Cat.DELIVERY: "建立交付节点周报制度，延期提前三天告知客户。",
    Cat.PRICE: "制定调价提前告知流程，为老客户提供过渡期价格。",
    Cat.OTHER: "明确流程责任人，纳入月度服务质量检查。",
}
ESCALATION_NOTES = ("已超过时限，升级至部门经理。", "投诉升级后仍未解决，升级至公司高层。")
