"""Sales' answers to the policy's impact page (issue 12): a changed approval threshold changes which contracts
still in draft will need approval when submitted."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.policy.registry import ImpactQuestion, register_impact_source
from apps.sales.choices import ContractStatus
from apps.sales.models import Contract


def approval_impact(question: ImpactQuestion) -> list[str]:
    old, new = question.old.approval_thresholds.contract_amount, question.new.approval_thresholds.contract_amount
    if old == new:
        return []
    drafts = Contract.objects.filter(status=ContractStatus.DRAFT)
    if new < old:
        count = drafts.filter(amount__gt=new, amount__lte=old).count()
        return [_("%(count)s draft contracts would now need approval.") % {"count": count}]
    count = drafts.filter(amount__gt=old, amount__lte=new).count()
    return [_("%(count)s draft contracts would no longer need approval.") % {"count": count}]


def register() -> None:
    register_impact_source("approval_thresholds", approval_impact)
