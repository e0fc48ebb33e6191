"""Leads: the status pipeline, the lead pool, handover to a named sales person and who sees what."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from apps.core import testing as core_testing
from apps.core.models import Notification
from apps.core.testing import Persona
from apps.marketing.choices import LeadStatus
from apps.marketing.models import Lead
from apps.marketing.selectors.leads import lead_list, lead_visible
from apps.marketing.services import leads as svc
from apps.marketing.tests.factories_leads import LeadFactory, MarketingTeam, build_marketing_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas: dict) -> MarketingTeam:
    return build_marketing_team(personas)


def _lead(owner: Any, status: str = LeadStatus.QUALIFIED, **kwargs: Any) -> Lead:
    return LeadFactory(owner=owner, status=status, **kwargs)


class LeadCreateTests:
    def test_mobile_is_normalised_and_the_actor_owns_it(self, team: Any) -> None:
        lead = svc.lead_create(
            actor=team.mkt1, data={"company_name": "华信科技", "contact_name": "王五", "mobile": "+86 138-0013-8000"}
        )
        assert lead.mobile == "13800138000"
        assert (lead.owner, lead.owner_unit, lead.status) == (team.mkt1, team.unit, LeadStatus.NEW)
        assert lead.history.first().history_user == team.mkt1

    def test_a_bad_mobile_is_refused_and_nothing_is_written(self, team: Any) -> None:
        with pytest.raises(ValidationError) as info:
            svc.lead_create(actor=team.mkt1, data={"company_name": "华信", "contact_name": "王五", "mobile": "12345"})
        assert "mobile" in info.value.message_dict
        assert not Lead.objects.exists()

    def test_an_open_lead_with_the_same_mobile_is_a_duplicate(self, team: Any) -> None:
        _lead(team.mkt2, mobile="13800138000")
        with pytest.raises(ValidationError) as info:
            svc.lead_create(
                actor=team.mkt1, data={"company_name": "别家", "contact_name": "李四", "mobile": "13800138000"}
            )
        assert "杨丽" in str(info.value.message_dict["mobile"])

    def test_a_pool_lead_has_no_owner(self, team: Any) -> None:
        lead = svc.lead_create(actor=team.mkt1, data={"company_name": "池中公司", "contact_name": "赵六"}, to_pool=True)
        assert lead.owner is None and lead.owner_unit == team.unit


class LeadStatusTests:
    def test_invalid_needs_a_reason(self, team: Any) -> None:
        lead = _lead(team.mkt1, LeadStatus.NEW)
        with pytest.raises(ValidationError) as info:
            svc.lead_set_status(actor=team.mkt1, lead=lead, status=LeadStatus.INVALID, reason="  ")
        assert "reason" in info.value.message_dict
        lead.refresh_from_db()
        assert lead.status == LeadStatus.NEW

    def test_invalid_with_a_reason_keeps_it(self, team: Any) -> None:
        lead = _lead(team.mkt1, LeadStatus.CONTACTING)
        svc.lead_mark_invalid(actor=team.mkt1, lead=lead, reason="空号")
        lead.refresh_from_db()
        assert (lead.status, lead.invalid_reason) == (LeadStatus.INVALID, "空号")

    def test_qualifying_stamps_the_time(self, team: Any) -> None:
        lead = _lead(team.mkt1, LeadStatus.CONTACTING)
        svc.lead_set_status(actor=team.mkt1, lead=lead, status=LeadStatus.QUALIFIED)
        assert lead.qualified_at is not None

    @pytest.mark.parametrize(
        "old,new",
        [
            (LeadStatus.NEW, LeadStatus.HANDED_OVER),
            (LeadStatus.NEW, LeadStatus.CONVERTED),
            (LeadStatus.CONVERTED, LeadStatus.CONTACTING),
            (LeadStatus.HANDED_OVER, LeadStatus.NEW),
        ],
    )
    def test_the_table_refuses_other_moves(self, team: Any, old: str, new: str) -> None:
        lead = _lead(team.mkt1, old)
        with pytest.raises(ValidationError):
            svc.lead_set_status(actor=team.mkt1, lead=lead, status=new)

    def test_a_colleague_cannot_change_my_lead(self, team: Any) -> None:
        lead = _lead(team.mkt1, LeadStatus.NEW)
        with pytest.raises(PermissionDenied):
            svc.lead_set_status(actor=team.mkt2, lead=lead, status=LeadStatus.CONTACTING)


class LeadPoolTests:
    def test_claim_makes_the_claimer_the_owner(self, team: Any) -> None:
        lead = _lead(None, LeadStatus.NEW)
        svc.lead_claim(actor=team.mkt2, lead=lead)
        lead.refresh_from_db()
        assert (lead.owner, lead.owner_unit) == (team.mkt2, team.unit)

    def test_a_claimed_lead_cannot_be_claimed_again(self, team: Any) -> None:
        lead = _lead(None, LeadStatus.NEW)
        svc.lead_claim(actor=team.mkt2, lead=lead)
        with pytest.raises(ValidationError):
            svc.lead_claim(actor=team.mkt1, lead=Lead.objects.get(pk=lead.pk))

    def test_everyone_who_may_claim_sees_the_pool(self, team: Any, personas: dict) -> None:
        lead = _lead(None, LeadStatus.NEW)
        assert lead_list(user=team.mkt1, scene="pool").filter(pk=lead.pk).exists()
        assert not lead_list(user=team.mkt1, scene="all").filter(pk=lead.pk).exists()


class LeadHandoverTests:
    def test_handover_to_a_sales_person_notifies_them(self, team: Any, personas: dict) -> None:
        alice = personas["rep_alice"].user
        lead = _lead(team.mkt1)
        svc.lead_handover(actor=team.mkt1, lead=lead, to_user=alice, note="客户下周要报价")
        lead.refresh_from_db()
        assert (lead.status, lead.handed_to, lead.handover_note) == (LeadStatus.HANDED_OVER, alice, "客户下周要报价")
        assert lead.handed_at is not None
        note = Notification.objects.get(recipient=alice)
        assert note.url == f"/marketing/leads/{lead.pk}/" and lead.company_name in note.title

    def test_handover_only_to_sales_staff(self, team: Any, personas: dict) -> None:
        lead = _lead(team.mkt1)
        for person in (personas["rep_carol"].user, team.mkt2):  # customer service, marketing
            with pytest.raises(ValidationError) as info:
                svc.lead_handover(actor=team.mkt1, lead=lead, to_user=person, note="")
            assert "to_user" in info.value.message_dict
        lead.refresh_from_db()
        assert lead.status == LeadStatus.QUALIFIED and not Notification.objects.exists()

    def test_handover_refuses_a_sales_person_who_left(self, team: Any, personas: dict) -> None:
        alice = personas["rep_alice"].user
        alice.employee.is_active = False
        alice.employee.save()
        with pytest.raises(ValidationError):
            svc.lead_handover(actor=team.mkt1, lead=_lead(team.mkt1), to_user=alice, note="")

    def test_only_qualified_leads_are_handed_over(self, team: Any, personas: dict) -> None:
        with pytest.raises(ValidationError):
            svc.lead_handover(
                actor=team.mkt1, lead=_lead(team.mkt1, LeadStatus.NEW), to_user=personas["rep_alice"].user, note=""
            )

    def test_the_sales_person_and_the_owner_both_see_it(self, team: Any, personas: dict) -> None:
        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        lead = _lead(team.mkt1)
        assert not lead_visible(user=alice).filter(pk=lead.pk).exists()
        svc.lead_handover(actor=team.mkt1, lead=lead, to_user=alice, note="")
        assert lead_visible(user=alice).filter(pk=lead.pk).exists()
        assert lead_list(user=alice, scene="handed_to_me").filter(pk=lead.pk).exists()
        assert lead_visible(user=team.mkt1).filter(pk=lead.pk).exists()
        assert not lead_visible(user=team.mkt2).filter(pk=lead.pk).exists()
        assert lead_visible(user=bob).filter(pk=lead.pk).exists()  # alice's manager sees what she sees
        assert not lead_visible(user=bob, action="change").filter(pk=lead.pk).exists()  # but may not change it
        assert not lead_visible(user=alice, action="change").filter(pk=lead.pk).exists()  # sharing: seeing only

    def test_bulk_handover_is_for_managers_and_skips_unqualified(self, team: Any, personas: dict) -> None:
        alice = personas["rep_alice"].user
        leads = [_lead(team.mkt1), _lead(team.mkt2), _lead(team.mkt1, LeadStatus.NEW)]
        with pytest.raises(PermissionDenied):
            svc.lead_bulk_handover(actor=team.mkt1, leads=leads, to_user=alice)
        assert svc.lead_bulk_handover(actor=team.manager, leads=leads, to_user=alice, note="批量") == (2, 1)
        assert Notification.objects.filter(recipient=alice).count() == 1


class LeadScopeTests:
    def test_a_staff_member_sees_only_own_leads(self, team: Any) -> None:
        mine, theirs = _lead(team.mkt1), _lead(team.mkt2)
        assert set(lead_list(user=team.mkt2)) == {theirs}
        assert set(lead_list(user=team.mkt1)) == {mine}
        assert set(lead_list(user=team.manager)) == {mine, theirs}

    def test_department_scene_is_my_department(self, team: Any, personas: dict) -> None:
        mine, theirs = _lead(team.mkt1), _lead(team.mkt2)
        _lead(personas["rep_alice"].user)
        assert set(lead_list(user=team.manager, scene="department")) == {mine, theirs}


class LeadScopeMatrixTests(core_testing.ScopeMatrixTests):
    model = Lead
    list_url = "/marketing/leads/"
    api_list_url = "/api/v1/leads/"
    detail_route = "marketing:lead_detail"

    def make(self, persona: Persona) -> Lead:
        return LeadFactory(owner=persona.user, owner_unit=persona.unit, company_name=f"线索公司-{persona.key}")

    def label(self, record: Lead) -> str:
        return record.company_name


class LeadPageTests:
    def test_invalid_without_reason_shows_the_error_and_changes_nothing(self, team: Any) -> None:
        lead = _lead(team.mkt1, LeadStatus.CONTACTING)
        client = Client()
        client.force_login(team.mkt1)
        response = client.post(reverse("marketing:lead_status", args=[lead.pk]), {"status": "invalid"})
        assert response.status_code == 400
        lead.refresh_from_db()
        assert lead.status == LeadStatus.CONTACTING

    def test_htmx_gets_only_the_rows(self, team: Any) -> None:
        _lead(team.mkt1)
        client = Client()
        client.force_login(team.mkt1)
        response = client.get(reverse("marketing:lead_list"), HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and b'id="rows"' in response.content and b"<html" not in response.content

    def test_other_mobiles_are_masked(self, team: Any) -> None:
        _lead(team.mkt1, mobile="13812345678")
        client = Client()
        client.force_login(team.manager)
        body = client.get(reverse("marketing:lead_list")).content.decode()
        assert "138****5678" in body and "13812345678" not in body


class LeadApiTests:
    def test_handover_convert_and_mark_invalid(self, team: Any, personas: dict) -> None:
        alice = personas["rep_alice"].user
        lead = _lead(team.mkt1)
        mkt1 = Client()
        mkt1.force_login(team.mkt1)
        response = mkt1.post(
            f"/api/v1/leads/{lead.pk}/handover/", {"to_user": alice.pk, "note": "急"}, content_type="application/json"
        )
        assert response.status_code == 200 and response.json()["status"] == "handed_over"
        refused = mkt1.post(
            f"/api/v1/leads/{lead.pk}/handover/",
            {"to_user": personas["rep_carol"].user.pk},
            content_type="application/json",
        )
        assert refused.status_code == 400
        converted = (
            personas["rep_alice"]
            .client()
            .post(f"/api/v1/leads/{lead.pk}/convert/", {}, content_type="application/json")
        )
        assert converted.status_code == 201 and converted.json()["customer"]
        again = (
            personas["rep_alice"]
            .client()
            .post(f"/api/v1/leads/{lead.pk}/convert/", {}, content_type="application/json")
        )
        assert again.status_code == 400
        other = _lead(team.mkt1, LeadStatus.NEW)
        no_reason = mkt1.post(f"/api/v1/leads/{other.pk}/mark-invalid/", {}, content_type="application/json")
        assert no_reason.status_code == 400
        ok = mkt1.post(f"/api/v1/leads/{other.pk}/mark-invalid/", {"reason": "重复"}, content_type="application/json")
        assert ok.status_code == 200 and ok.json()["invalid_reason"] == "重复"

    def test_a_colleague_cannot_act_on_my_lead(self, team: Any, personas: dict) -> None:
        lead = _lead(team.mkt1)
        mkt2 = Client()
        mkt2.force_login(team.mkt2)
        response = mkt2.post(f"/api/v1/leads/{lead.pk}/mark-invalid/", {"reason": "x"}, content_type="application/json")
        assert response.status_code == 404

    def test_create_normalises_the_mobile(self, team: Any) -> None:
        client = Client()
        client.force_login(team.mkt1)
        response = client.post(
            "/api/v1/leads/",
            {"company_name": "无锡瑞丰", "contact_name": "钱进", "mobile": "139 0000 1234"},
            content_type="application/json",
        )
        assert response.status_code == 201 and response.json()["mobile"] == "13900001234"
