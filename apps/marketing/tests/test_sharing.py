"""Sharing (``ScopeFields.shared_with``) grants seeing only, and what a member of a department sees through sharing,
the department's manager sees too (``core.scoping``), shown on a lead handed from marketing to a sales person."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from apps.core.scoping import can, in_own_scope
from apps.marketing.choices import LeadStatus
from apps.marketing.models import Lead
from apps.marketing.services import leads as svc
from apps.marketing.tests.factories_leads import LeadFactory

pytestmark = pytest.mark.django_db


def _handed(personas: dict) -> Lead:
    """A qualified lead of dave's (the company) handed to alice (sales team A1, under bob's department A)."""
    dave = personas["auditor_dave"]
    return LeadFactory(
        owner=dave.user, owner_unit=dave.unit, status=LeadStatus.HANDED_OVER, handed_to=personas["rep_alice"].user
    )


@pytest.mark.parametrize(("viewer", "sees"), [("rep_alice", True), ("lead_bob", True), ("rep_carol", False)])
def test_the_share_and_the_sharers_manager_see_but_do_not_change(personas: dict, viewer: str, sees: bool) -> None:
    lead = _handed(personas)
    user = personas[viewer].user
    assert Lead.objects.visible_to(user).filter(pk=lead.pk).exists() == sees
    for action in ("change", "delete"):
        assert not Lead.objects.visible_to(user, action).filter(pk=lead.pk).exists(), action
    assert not can(user, "change", lead) and not in_own_scope(user, lead)
    with pytest.raises(PermissionDenied):
        svc.lead_update(actor=user, lead=lead, data={"notes": "改"})
    with pytest.raises(PermissionDenied):
        svc.lead_set_status(actor=user, lead=lead, status=LeadStatus.INVALID, reason="无效")


def test_the_sales_person_it_was_handed_to_may_convert_it_and_no_one_else(personas: dict) -> None:
    lead = _handed(personas)
    for other in ("lead_bob", "rep_carol"):
        with pytest.raises(PermissionDenied):
            svc.lead_convert(actor=personas[other].user, lead=lead)
    customer = svc.lead_convert(actor=personas["rep_alice"].user, lead=lead)
    assert customer.owner == personas["rep_alice"].user


def test_a_manager_sees_what_a_member_of_another_department_sees_only_through_his_own(personas: dict) -> None:
    """Bob's department is sales A: a lead handed to carol (service) stays out of his sight."""
    dave = personas["auditor_dave"]
    lead = LeadFactory(
        owner=dave.user, owner_unit=dave.unit, status=LeadStatus.HANDED_OVER, handed_to=personas["rep_carol"].user
    )
    assert not Lead.objects.visible_to(personas["lead_bob"].user).filter(pk=lead.pk).exists()
    assert Lead.objects.visible_to(personas["rep_carol"].user).filter(pk=lead.pk).exists()


def test_nothing_is_shared_in_a_scope_with_no_share(personas: dict) -> None:
    lead = LeadFactory(owner=personas["auditor_dave"].user, status=LeadStatus.QUALIFIED)
    assert not Lead.objects.visible_to(personas["lead_bob"].user).filter(pk=lead.pk).exists()
