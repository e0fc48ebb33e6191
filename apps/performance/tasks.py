"""The job that computes a cycle (a worker in production, in-process in the embedded set-up)."""

from __future__ import annotations

from celery import shared_task
from django.core.exceptions import PermissionDenied, ValidationError

from apps.org.models import User
from apps.performance import services
from apps.performance.choices import CycleStatus
from apps.performance.models import AssessmentCycle
from apps.performance.permissions import Perm


@shared_task(name="performance.compute_cycle")
def compute_cycle(cycle_id: int, actor_id: int) -> int:
    cycle = AssessmentCycle.objects.get(pk=cycle_id)
    actor = User.objects.get(pk=actor_id)
    services.cycle_compute(actor=actor, cycle=cycle)
    return cycle.assessments.count()


def compute_cycle_start(*, actor: User, cycle: AssessmentCycle) -> AssessmentCycle:
    """Put the computation on the queue (in-process without a broker) after the same checks the service makes."""
    if not actor.has_perm(str(Perm.COMPUTE_CYCLE)):
        raise PermissionDenied(str(Perm.COMPUTE_CYCLE))
    if CycleStatus.COMPUTING not in services.CYCLE_FLOW[cycle.status]:
        raise ValidationError(
            services.MOVE_NOT_ALLOWED % {"current": cycle.get_status_display(), "target": CycleStatus.COMPUTING.label}
        )
    compute_cycle.delay(cycle.pk, actor.pk)
    return cycle
