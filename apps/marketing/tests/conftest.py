"""The marketing tests' personas: the shared personas' department A (and its team A1) work as the market development
department here — alice its staff, bob its manager — since permissions follow the department kind (issue 10) and
these tests were written with alice and bob planning, campaigning and working leads. carol stays in customer service
(the other department), dave senior management."""

from __future__ import annotations

from typing import Any

import pytest

from apps.core.testing import Persona
from apps.org.choices import DepartmentKind
from apps.org.models import Department
from apps.org.testing import build_personas


@pytest.fixture
def personas(db: Any) -> dict[str, Persona]:
    people = build_personas()
    units = [people["rep_alice"].unit.pk, people["lead_bob"].unit.pk]
    Department.objects.filter(pk__in=units).update(kind=DepartmentKind.MARKET_DEVELOPMENT)
    for persona in people.values():
        persona.unit.refresh_from_db()
    return people
