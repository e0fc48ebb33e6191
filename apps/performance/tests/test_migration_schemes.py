"""Migration 0008: a version some cycle was computed under keeps the sales schemes it was assessed by when the
defaults gain "sales plan actions done on time"; a version nobody was assessed under reads the new defaults."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from apps.performance.models import AssessmentCycle
from apps.policy.rules import DEFAULT_RULES, parse_rules
from apps.policy.tests.factories import new_version, seeded_version

pytestmark = pytest.mark.django_db

migration = importlib.import_module("apps.performance.migrations.0008_keep_sales_schemes_of_assessed_versions")


def lines(rules: dict, level: str) -> list[tuple[str, int, Decimal]]:
    scheme = parse_rules(rules).assessment.scheme("sales", level)
    return [(line.kpi, line.weight, line.target) for line in scheme.lines]


def test_an_assessed_version_keeps_the_schemes_its_cycles_were_computed_by(personas: dict) -> None:
    assessed, fresh = seeded_version(), new_version(personas["admin"].user, "1.1")
    assert "assessment" not in assessed.rules  # version 1.0 as stored reads the defaults
    assert "sales_plan_actions_on_time" in [kpi for kpi, _w, _t in lines(assessed.rules, "staff")]
    AssessmentCycle.objects.create(
        name="2026年第3季度考核",
        period_key="2026-Q3",
        start=dt.date(2026, 7, 1),
        end=dt.date(2026, 9, 30),
        rules_version=assessed,
        created_by=personas["admin"].user,
    )
    fresh_rules = dict(fresh.rules)
    migration.keep(django_apps, None)
    assessed.refresh_from_db()
    fresh.refresh_from_db()
    for level, before in migration.BEFORE.items():
        # as a set: PostgreSQL's jsonb keeps an object's keys in its own order, not the order they were written in
        assert sorted(lines(assessed.rules, level)) == sorted(
            (k, v["weight"], Decimal(v["target"])) for k, v in before.items()
        )
        assert sum(v["weight"] for v in before.values()) == 100
    # Everything else of the assessed version still reads as before: the other schemes, bands, the rest.
    parsed, default = parse_rules(assessed.rules), DEFAULT_RULES
    others = [s for s in parsed.assessment.schemes if s.kind != "sales" or s.level == "manager"]
    assert others == [s for s in default.assessment.schemes if s.kind != "sales" or s.level == "manager"]
    assert parsed.grade_bands == parse_rules(seeded_version().rules).grade_bands
    assert fresh.rules == fresh_rules  # nobody assessed under it: it reads the new defaults
    migration.keep(django_apps, None)  # running again changes nothing
    assessed_again = seeded_version()
    assert assessed_again.rules == assessed.rules
