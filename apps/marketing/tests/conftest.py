"""The marketing tests' personas: the shared personas' sales department A (and its team A1) also does the market
development work here — alice plans, campaigns and works leads as its staff, bob approves as its manager — as in a
small company where one department does both. Permissions follow the department kind (issue 10), so these tests give
department A's kind the market development grants too; alice and bob stay salespeople (market intelligence reaches
them, leads are handed over to them). carol stays in customer service, dave in senior management."""

from __future__ import annotations

from typing import Any

import pytest

from apps.core.testing import Persona
from apps.org.choices import BuiltinRole, DepartmentKind
from apps.org.models import RoleKindGrant
from apps.org.testing import build_personas


@pytest.fixture
def personas(db: Any) -> dict[str, Persona]:
    people = build_personas()
    for role in (BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER):
        marketing = RoleKindGrant.objects.get(role__code=role, department_kind=DepartmentKind.MARKET_DEVELOPMENT)
        sales, _ = RoleKindGrant.objects.get_or_create(role=marketing.role, department_kind=DepartmentKind.SALES)
        sales.permissions.add(*marketing.permissions.all())
    return people
