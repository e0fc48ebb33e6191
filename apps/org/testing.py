"""Personas every app's tests reuse (Healthchecks' alice/bob, Zulip's hamlet/cordelia), over a small company:

    公司 (company, root)            ← auditor_dave: senior management, sees all
    ├── 销售部 A (sales)            ← lead_bob: department manager, sees A and A1
    │   └── 销售一组 A1 (team)      ← rep_alice: staff, sees her own
    └── 客户服务部 B                ← rep_carol: staff, sees her own
    admin: superuser

They live in ``org`` because they are made of departments and employees; ``core.testing`` holds the
domain-free generic scope tests that consume them.
"""

from __future__ import annotations

from typing import Any

import pytest

from apps.core.testing import Persona
from apps.org.choices import BuiltinRole, DepartmentKind
from apps.org.models import Department, Employee, Role, User


def make_department(name: str, code: str, kind: str, parent: Department | None = None) -> Department:
    """Create a department with its path, bypassing the service (test set-up only)."""
    department = Department.objects.create(name=name, code=code, kind=kind, parent=parent)
    department.path = f"{parent.path if parent else '/'}{department.pk}/"
    department.save(update_fields=["path"])
    return department


def make_employee(
    username: str, name: str, department: Department, *roles: str, password: str = "pw-123456", superuser: bool = False
) -> Employee:
    user = User.objects.create_user(
        username=username, password=password, name=name, is_superuser=superuser, is_staff=superuser
    )
    employee = Employee.objects.create(user=user, department=department, employee_no=f"T-{username}")
    employee.roles.set(Role.objects.filter(code__in=roles))
    return employee


def build_personas() -> dict[str, Persona]:
    company = make_department("测试公司", "t-company", DepartmentKind.COMPANY)
    unit_a = make_department("销售部", "t-sales", DepartmentKind.SALES, company)
    unit_a1 = make_department("销售一组", "t-sales-1", DepartmentKind.SALES, unit_a)
    unit_b = make_department("客户服务部", "t-service", DepartmentKind.CUSTOMER_SERVICE, company)
    people = {
        "rep_alice": make_employee("alice", "艾丽", unit_a1, BuiltinRole.STAFF),
        "lead_bob": make_employee("bob", "鲍勃", unit_a, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER),
        "rep_carol": make_employee("carol", "卡萝", unit_b, BuiltinRole.STAFF),
        "auditor_dave": make_employee("dave", "戴夫", company, BuiltinRole.SENIOR_MANAGEMENT),
        "admin": make_employee("root", "管理员", company, BuiltinRole.SYSTEM_ADMIN, superuser=True),
    }
    unit_a.manager = people["lead_bob"].user
    unit_a.save(update_fields=["manager"])
    return {key: Persona(key, e.user, e.department) for key, e in people.items()}


@pytest.fixture
def personas(db: Any) -> dict[str, Persona]:
    return build_personas()
