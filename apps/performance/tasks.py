"""The job that computes a cycle (a worker in production, in-process in the embedded set-up)."""

from __future__ import annotations

from celery import shared_task

from apps.org.models import User
from apps.performance import services
from apps.performance.models import AssessmentCycle


@shared_task(name="performance.compute_cycle")
def compute_cycle(cycle_id: int, actor_id: int) -> int:
    cycle = AssessmentCycle.objects.get(pk=cycle_id)
    actor = User.objects.get(pk=actor_id)
    services.cycle_compute(actor=actor, cycle=cycle)
    return cycle.assessments.count()
