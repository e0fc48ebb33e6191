"""Factories for improvement actions (set-up only; the lifecycle under test goes through the services)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from apps.improvements.models import ImprovementAction


class ImprovementActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImprovementAction

    title = factory.Sequence(lambda n: f"改进措施-{n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=14))
    owner_unit = factory.LazyAttribute(lambda o: o.owner.employee.department)
