"""The demo company's organisation: the accounts of DESIGN.md and ~30 employees in a realistic tree.

Idempotent: departments are found by code and people by username, so running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.org import services
from apps.org.choices import BuiltinRole as R
from apps.org.choices import DepartmentKind as K
from apps.org.models import Department, Employee, Role, User

DEMO_PASSWORD = "demo12345"

# code, name, kind, parent code
DEPARTMENTS = [
    ("hx", "华信智能科技有限公司", K.COMPANY, None),
    ("gm-office", "总经理办公室", K.MANAGEMENT, "hx"),
    ("marketing", "市场营销部", K.MARKET_DEVELOPMENT, "hx"),
    ("sales", "销售部", K.SALES, "hx"),
    ("sales-east", "销售一组（华东）", K.SALES, "sales"),
    ("sales-south", "销售二组（华南）", K.SALES, "sales"),
    ("service", "客户服务部", K.CUSTOMER_SERVICE, "hx"),
    ("it", "信息技术部", K.OTHER, "hx"),
    ("finance", "财务部", K.OTHER, "hx"),
]

S, M, SM, LG, ADM = R.STAFF, R.DEPARTMENT_MANAGER, R.SENIOR_MANAGEMENT, R.LEADERSHIP_GROUP, R.SYSTEM_ADMIN
# username, name, department code, title, roles, manager of
PEOPLE = [
    ("admin", "系统管理员", "it", "系统管理员", [ADM], None),
    ("ceo", "王建国", "gm-office", "总经理", [SM, LG], "hx"),
    ("vp_ops", "李秀英", "gm-office", "副总经理", [SM, LG], "gm-office"),
    ("gm_asst", "赵雅琴", "gm-office", "总经理助理", [S], None),
    ("mkt_mgr", "陈志强", "marketing", "市场营销部经理", [S, M], "marketing"),
    ("mkt1", "刘洋", "marketing", "市场专员", [S], None),
    ("mkt2", "杨丽", "marketing", "市场专员", [S], None),
    ("mkt3", "黄晓明", "marketing", "市场调研专员", [S], None),
    ("mkt4", "周婷", "marketing", "品牌推广专员", [S], None),
    ("mkt5", "吴磊", "marketing", "渠道拓展专员", [S], None),
    ("sales_mgr", "张伟", "sales", "销售部经理", [S, M], "sales"),
    ("east_lead", "徐静", "sales-east", "销售一组组长", [S, M], "sales-east"),
    ("sales1", "孙浩", "sales-east", "销售代表", [S], None),
    ("east2", "胡敏", "sales-east", "销售代表", [S], None),
    ("east3", "朱刚", "sales-east", "销售代表", [S], None),
    ("east4", "高峰", "sales-east", "大客户经理", [S], None),
    ("south_lead", "林芳", "sales-south", "销售二组组长", [S, M], "sales-south"),
    ("sales2", "何军", "sales-south", "销售代表", [S], None),
    ("south2", "郭晶", "sales-south", "销售代表", [S], None),
    ("south3", "马超", "sales-south", "销售代表", [S], None),
    ("south4", "罗燕", "sales-south", "大客户经理", [S], None),
    ("cs_mgr", "郑丽娟", "service", "客户服务部经理", [S, M], "service"),
    ("cs1", "梁晨", "service", "客服专员", [S], None),
    ("cs2", "宋佳", "service", "客服专员", [S], None),
    ("cs3", "谢文", "service", "售后工程师", [S], None),
    ("cs4", "韩冰", "service", "售后工程师", [S], None),
    ("it1", "唐勇", "it", "运维工程师", [S], None),
    ("fin_mgr", "冯秀兰", "finance", "财务经理", [S, M], "finance"),
    ("fin1", "董娜", "finance", "会计", [S], None),
    ("fin2", "萧然", "finance", "出纳", [S], None),
]


def _mobile(index: int) -> str:
    prefixes = ["138", "139", "136", "158", "186", "137", "150", "188"]
    return f"{prefixes[index % len(prefixes)]}{(10234567 + index * 7919) % 100000000:08d}"


def _admin() -> User:
    user, created = User.objects.get_or_create(
        username="admin", defaults={"name": "系统管理员", "is_superuser": True, "is_staff": True}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _departments(actor: User) -> dict[str, Department]:
    found = {d.code: d for d in Department.objects.filter(code__in=[row[0] for row in DEPARTMENTS])}
    for order, (code, name, kind, parent) in enumerate(DEPARTMENTS):
        if code not in found:
            found[code] = services.department_create(
                actor=actor, code=code, name=name, kind=kind, parent=found.get(parent or ""), order=order
            )
    return found


def load(stdout: Any) -> None:
    actor = _admin()
    departments = _departments(actor)
    roles = {r.code: r for r in Role.objects.all()}
    for index, (username, name, dept, title, role_codes, manages) in enumerate(PEOPLE):
        employee = Employee.objects.filter(user__username=username).first()
        if employee is None:
            user = User.objects.filter(username=username).first()
            if user is None:
                employee = services.employee_create(
                    actor=actor,
                    username=username,
                    name=name,
                    password=DEMO_PASSWORD,
                    department=departments[dept],
                    employee_no=f"HX{1001 + index}",
                    title=title,
                    mobile=_mobile(index),
                    email=f"{username}@huaxin-demo.cn",
                    joined_on=dt.date(2021, 3, 1) + dt.timedelta(days=37 * index),
                    roles=[roles[c] for c in role_codes],
                )
            else:  # the admin login exists before its employee record
                employee = Employee.objects.create(
                    user=user,
                    department=departments[dept],
                    employee_no=f"HX{1001 + index}",
                    title=title,
                    mobile=_mobile(index),
                    email=f"{username}@huaxin-demo.cn",
                    joined_on=dt.date(2021, 3, 1),
                )
                employee.roles.set([roles[c] for c in role_codes])
        if manages and departments[manages].manager_id != employee.user_id:
            services.department_update(actor=actor, department=departments[manages], data={"manager": employee.user})
    stdout.write(f"org: {len(departments)} departments, {Employee.objects.count()} employees")
