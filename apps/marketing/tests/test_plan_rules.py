"""Rules the plan form used to check now live in the service (the form is a ModelForm over the plan): the API and
any other caller get the same answer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.marketing.choices import GoalMetric
from apps.marketing.models import MarketPlan, PlanGoal
from apps.marketing.services import plans as services
from apps.marketing.tests.factories_plans import Q_END, Q_START

pytestmark = pytest.mark.django_db

PLAN = {"title": "华东季度开发计划", "period_start": Q_START, "period_end": Q_END, "strategic_goal": "扩大华东市场份额"}


def test_a_negative_budget_is_refused_by_the_service(personas: dict[str, Any]) -> None:
    alice = personas["rep_alice"].user
    alice.user_permissions.add(*_perms("add_marketplan", "change_marketplan", "view_marketplan"))
    alice = type(alice).objects.get(pk=alice.pk)
    with pytest.raises(ValidationError) as refused:
        services.plan_create(actor=alice, budget=Decimal("-1"), **PLAN)
    assert refused.value.message_dict == {"budget": [str(services.BUDGET_NEGATIVE)]}
    assert not MarketPlan.objects.exists()
    plan = services.plan_create(actor=alice, budget=Decimal("0"), **PLAN)
    with pytest.raises(ValidationError):
        services.plan_update(actor=alice, plan=plan, data={"budget": Decimal("-500")})
    assert MarketPlan.objects.get(pk=plan.pk).budget == Decimal("0")


def test_a_goal_line_needs_its_target_in_the_service_too(personas: dict[str, Any]) -> None:
    alice = personas["rep_alice"].user
    alice.user_permissions.add(*_perms("add_marketplan", "change_marketplan", "view_marketplan"))
    alice = type(alice).objects.get(pk=alice.pk)
    with pytest.raises(ValidationError) as refused:
        services.plan_create(
            actor=alice, goals=[{"metric": GoalMetric.NEW_LEADS, "target_value": None}], budget=Decimal("0"), **PLAN
        )
    assert str(services.GOAL_NEEDS_TARGET) in refused.value.messages
    assert not PlanGoal.objects.exists()


def test_the_form_page_shows_the_services_budget_error(personas: dict[str, Any]) -> None:
    alice = personas["rep_alice"]
    alice.user.user_permissions.add(*_perms("add_marketplan", "change_marketplan", "view_marketplan"))
    data = {
        **{k: str(v) for k, v in PLAN.items()},
        "budget": "-10",
        "goals-TOTAL_FORMS": "0",
        "goals-INITIAL_FORMS": "0",
    }
    response = alice.client().post(reverse("marketing:plan_create"), data)
    assert response.status_code == 200
    assert str(services.BUDGET_NEGATIVE) in response.content.decode()
    assert not MarketPlan.objects.exists()


def _perms(*codenames: str) -> list[Any]:
    from django.contrib.auth.models import Permission

    return list(Permission.objects.filter(content_type__app_label="marketing", codename__in=codenames))
