"""Refunds (退款 / 红冲) and amendments / terminations (补充协议 / 终止): requested with a reason, approved by a manager
in scope (never the requester nor the owner), and counted in attainment in the month of approval (Asia/Shanghai),
on the page and the API, at every level of the tree. Every figure is recomputed here from the raw records."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from apps.sales.choices import AdjustmentKind, ApprovalAction, RequestStatus, TargetMetric
from apps.sales.models import Contract, ContractAdjustment, Payment, TargetNode
from apps.sales.selectors.attainment import attainment_for_nodes, make_period, tree_nodes
from apps.sales.services import contracts as contract_services
from apps.sales.services import refunds as services
from apps.sales.tests.factories_attainment import YEAR, make_contract, make_payment, make_target_set, persona_tree

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# 23:30 on 30 November in Shanghai is still November; 00:30 on 1 December is not (both are 30 November in UTC).
LAST_EVENING_OF_NOVEMBER = dt.datetime(YEAR, 11, 30, 23, 30, tzinfo=SHANGHAI)
FIRST_NIGHT_OF_DECEMBER = dt.datetime(YEAR, 12, 1, 0, 30, tzinfo=SHANGHAI)
NOVEMBER, DECEMBER, OCTOBER = (make_period("month", YEAR, m) for m in (11, 12, 10))
AS_OF = dt.date(YEAR, 12, 31)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _in_node(node: TargetNode, owner_id: int, unit: Any) -> bool:
    """The attribution rule, recomputed: stamped department within the node's subtree (and the person's own)."""
    inside = unit is not None and unit.path.startswith(node.department.path)
    return inside and (node.person_id is None or owner_id == node.person_id)


def _payments_by_hand(node: TargetNode, period: Any) -> Decimal:
    return sum(
        (
            p.amount
            for p in Payment.objects.select_related("contract__owner_unit")
            if period.start <= p.received_on <= period.end
            and _in_node(node, p.contract.owner_id, p.contract.owner_unit)
        ),
        Decimal("0"),
    )


def _contract_amount_by_hand(node: TargetNode, period: Any) -> Decimal:
    """Amount at signing in the signing month + each approved change in the month it took effect."""
    total = Decimal("0")
    for contract in Contract.objects.select_related("owner_unit"):
        if not _in_node(node, contract.owner_id, contract.owner_unit):
            continue
        changes = list(contract.adjustments.filter(status=RequestStatus.APPROVED))
        at_signing = contract.amount - sum((a.new_amount - a.old_amount for a in changes), Decimal("0"))
        if period.start <= contract.signed_on <= period.end:
            total += at_signing
        total += sum(
            (a.new_amount - a.old_amount for a in changes if period.start <= a.effective_on <= period.end), Decimal("0")
        )
    return total


def _page_actuals(client: Client, target_set: Any, period: Any) -> dict[int, Decimal]:
    body = client.get(reverse("sales:attainment", args=[target_set.pk]), {"period": period.key}).content.decode()
    return {int(n): Decimal(v) for n, v in re.findall(r'data-node="(\d+)"[^>]*data-actual="([-\d.]+)"', body)}


def _check_every_level(client: Client, tree: dict, period: Any, by_hand: Any) -> dict[str, Decimal]:
    """Selector, page and API agree with the recomputation at every node; returns the figures by node key."""
    nodes = tree_nodes(tree["company"].target_set)
    figures = {f.node.pk: f for f in attainment_for_nodes(nodes, period, as_of=AS_OF)}
    page = _page_actuals(client, tree["company"].target_set, period)
    result = {}
    for key, node in tree.items():
        expected = by_hand(node, period)
        assert figures[node.pk].actual == expected, key
        assert page[node.pk] == expected, key
        answer = client.get("/api/v1/attainment/", {"node": node.pk, "period": period.key}).json()
        assert answer["actual"] == f"{expected:.2f}", key
        assert isinstance(answer["records"][0]["amount"] if answer["records"] else "", str)
        result[key] = expected
    return result


class TestRefunds:
    def test_a_refund_lowers_the_payments_figure_in_the_month_it_is_approved(self, personas: dict) -> None:
        alice, bob, dave = (personas[k].user for k in ("rep_alice", "lead_bob", "auditor_dave"))
        tree = persona_tree(personas, make_target_set(TargetMetric.PAYMENTS))
        contract = make_contract(alice, "100000.00", dt.date(YEAR, 10, 8))
        payment = make_payment(contract, "60000.00", dt.date(YEAR, 11, 10))
        ceo = _client(dave)
        before = _check_every_level(ceo, tree, NOVEMBER, _payments_by_hand)
        assert before["alice"] == Decimal("60000.00")

        late = services.refund_request(
            actor=alice, contract=contract, amount=Decimal("20000"), reason="退货", payment=payment
        )
        early = services.refund_request(actor=alice, contract=contract, amount=Decimal("5000"), reason="折让")
        assert _check_every_level(ceo, tree, NOVEMBER, _payments_by_hand) == before  # pending: nothing moves
        with time_machine.travel(LAST_EVENING_OF_NOVEMBER, tick=False):
            services.refund_approve(actor=bob, refund=late)
        with time_machine.travel(FIRST_NIGHT_OF_DECEMBER, tick=False):
            services.refund_approve(actor=bob, refund=early)

        late.refresh_from_db()
        assert late.refund.amount == Decimal("-20000.00") and late.refund.received_on == dt.date(YEAR, 11, 30)
        november = _check_every_level(ceo, tree, NOVEMBER, _payments_by_hand)
        december = _check_every_level(ceo, tree, DECEMBER, _payments_by_hand)
        for key in tree:
            assert november[key] == before[key] - Decimal("20000.00"), key
            assert december[key] == Decimal("-5000.00"), key
        answer = ceo.get("/api/v1/attainment/", {"node": tree["team"].pk, "period": NOVEMBER.key}).json()
        assert {"kind": "refund", "amount": "-20000.00"}.items() <= answer["records"][-1].items()
        assert contract.approvals.filter(action=ApprovalAction.REFUND_APPROVE).count() == 2

    def test_refunds_never_take_the_payments_below_zero(self, personas: dict) -> None:
        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        contract = make_contract(alice, "10000.00", dt.date(YEAR, 3, 1))
        make_payment(contract, "3000.00", dt.date(YEAR, 3, 2))
        first = services.refund_request(actor=alice, contract=contract, amount=Decimal("2000"), reason="退款")
        with pytest.raises(ValidationError) as error:  # 3000 collected, 2000 already asked for
            services.refund_request(actor=alice, contract=contract, amount=Decimal("1000.01"), reason="退款")
        assert "¥1,000.00" in error.value.message_dict["amount"][0]
        services.refund_approve(actor=bob, refund=first)
        assert contract_services._remaining(contract) == Decimal("9000.00")
        with pytest.raises(ValidationError):
            services.refund_request(actor=alice, contract=contract, amount=Decimal("1000.01"), reason="退款")
        services.refund_request(actor=alice, contract=contract, amount=Decimal("1000.00"), reason="退款")

    def test_who_may_request_and_decide(self, personas: dict) -> None:
        alice, bob, carol = (personas[k].user for k in ("rep_alice", "lead_bob", "rep_carol"))
        contract = make_contract(alice, "10000.00", dt.date(YEAR, 3, 1))
        make_payment(contract, "3000.00", dt.date(YEAR, 3, 2))
        with pytest.raises(PermissionDenied):  # out of scope
            services.refund_request(actor=carol, contract=contract, amount=Decimal("10"), reason="x")
        with pytest.raises(ValidationError):  # no reason
            services.refund_request(actor=alice, contract=contract, amount=Decimal("10"), reason=" ")
        refund = services.refund_request(actor=alice, contract=contract, amount=Decimal("10"), reason="退款")
        assert bob.notifications.filter(title__contains=contract.number).exists()
        with pytest.raises(PermissionDenied):  # a salesperson does not approve
            services.refund_approve(actor=alice, refund=refund)
        with pytest.raises(PermissionDenied):
            services.refund_approve(actor=carol, refund=refund)
        own = services.refund_request(actor=bob, contract=contract, amount=Decimal("10"), reason="退款")
        with pytest.raises(ValidationError) as error:  # nobody decides their own request
            services.refund_approve(actor=bob, refund=own)
        assert error.value.code == "own_request"
        with pytest.raises(ValidationError):  # a rejection needs a reason
            services.refund_reject(actor=bob, refund=refund, comment="")
        services.refund_reject(actor=bob, refund=refund, comment="证据不足")
        assert not Payment.objects.filter(amount__lt=0).exists()
        with pytest.raises(ValidationError):
            services.refund_approve(actor=bob, refund=refund)

    def test_refund_through_the_pages_and_the_api(self, personas: dict) -> None:
        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        contract = make_contract(alice, "10000.00", dt.date(YEAR, 3, 1))
        payment = make_payment(contract, "3000.00", dt.date(YEAR, 3, 2))
        rep, manager = _client(alice), _client(bob)
        page = rep.get(reverse("sales:contract_detail", args=[contract.pk])).content.decode()
        assert 'data-testid="refund-form"' in page and 'data-testid="refund-approve"' not in page
        rep.post(
            reverse("sales:refund_request", args=[contract.pk]),
            {"amount": "1000.00", "reason": "退货", "payment": payment.pk},
        )
        refund = contract.refund_requests.get()
        assert (
            'data-testid="refund-approve"'
            in manager.get(reverse("sales:contract_detail", args=[contract.pk])).content.decode()
        )
        assert rep.post(reverse("sales:refund_approve", args=[refund.pk])).status_code == 403
        manager.post(reverse("sales:refund_approve", args=[refund.pk]))
        refund.refresh_from_db()
        assert refund.status == RequestStatus.APPROVED and refund.refund.amount == Decimal("-1000.00")

        created = rep.post(
            f"/api/v1/contracts/{contract.pk}/refund/",
            {"amount": "500.00", "reason": "折让"},
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        assert rep.post(f"/api/v1/refunds/{created.json()['id']}/approve/").status_code == 403
        decided = manager.post(
            f"/api/v1/refunds/{created.json()['id']}/approve/", {"comment": "同意"}, content_type="application/json"
        )
        assert decided.status_code == 200 and decided.json()["status"] == "approved"
        collected = rep.get(f"/api/v1/contracts/{contract.pk}/").json()["collected"]
        assert collected == f"{sum(p.amount for p in contract.payments.all()):.2f}" == "1500.00"
        admin = _client(personas["admin"].user)  # the one role that holds every permission
        assert (
            admin.patch(f"/api/v1/payments/{payment.pk}/", {"amount": "1"}, content_type="application/json").status_code
            == 405
        )


class TestAmendmentsAndTerminations:
    def test_changes_count_in_the_month_approved_and_the_signing_month_keeps_its_amount(self, personas) -> None:
        alice, bob, dave = (personas[k].user for k in ("rep_alice", "lead_bob", "auditor_dave"))
        tree = persona_tree(personas, make_target_set(TargetMetric.CONTRACT_AMOUNT))
        amended = make_contract(alice, "100000.00", dt.date(YEAR, 10, 15))
        ended = make_contract(alice, "50000.00", dt.date(YEAR, 11, 5))
        make_payment(ended, "10000.00", dt.date(YEAR, 11, 6))
        ceo = _client(dave)
        october = _check_every_level(ceo, tree, OCTOBER, _contract_amount_by_hand)

        cut = services.contract_adjust_request(
            actor=alice,
            contract=amended,
            kind=AdjustmentKind.AMENDMENT,
            new_amount=Decimal("80000"),
            reason="补充协议：减少两台",
        )
        end = services.contract_adjust_request(
            actor=alice, contract=ended, kind=AdjustmentKind.TERMINATION, reason="客户破产"
        )
        assert end.new_amount == Decimal("10000.00")  # settles at what was collected
        with time_machine.travel(LAST_EVENING_OF_NOVEMBER, tick=False):
            services.contract_adjust_approve(actor=bob, adjustment=cut)
        with time_machine.travel(FIRST_NIGHT_OF_DECEMBER, tick=False):
            services.contract_adjust_approve(actor=bob, adjustment=end)

        assert _check_every_level(ceo, tree, OCTOBER, _contract_amount_by_hand) == october
        november = _check_every_level(ceo, tree, NOVEMBER, _contract_amount_by_hand)
        december = _check_every_level(ceo, tree, DECEMBER, _contract_amount_by_hand)
        year = _check_every_level(ceo, tree, make_period("year", YEAR), _contract_amount_by_hand)
        assert november["alice"] == Decimal("50000.00") - Decimal("20000.00")
        assert december["alice"] == Decimal("-40000.00")
        amended.refresh_from_db()
        ended.refresh_from_db()
        assert year["company"] == amended.amount + ended.amount == Decimal("90000.00")
        assert (amended.signed_amount, ended.terminated_on) == (Decimal("100000.00"), dt.date(YEAR, 12, 1))
        assert amended.history.filter(amount=Decimal("80000.00")).exists()

    def test_bounds_and_rights(self, personas: dict) -> None:
        alice, bob, carol = (personas[k].user for k in ("rep_alice", "lead_bob", "rep_carol"))
        contract = make_contract(alice, "10000.00", dt.date(YEAR, 3, 1))
        make_payment(contract, "6000.00", dt.date(YEAR, 3, 2))
        with pytest.raises(ValidationError) as error:  # payments never above the amount
            services.contract_adjust_request(
                actor=alice,
                contract=contract,
                kind=AdjustmentKind.AMENDMENT,
                new_amount=Decimal("5999.99"),
                reason="减少",
            )
        assert "¥6,000.00" in error.value.message_dict["new_amount"][0]
        with pytest.raises(PermissionDenied):
            services.contract_adjust_request(
                actor=carol, contract=contract, kind=AdjustmentKind.AMENDMENT, new_amount=Decimal("7000"), reason="减少"
            )
        request = services.contract_adjust_request(
            actor=alice, contract=contract, kind=AdjustmentKind.TERMINATION, reason="终止"
        )
        with pytest.raises(ValidationError):  # one request at a time
            services.contract_adjust_request(
                actor=alice, contract=contract, kind=AdjustmentKind.AMENDMENT, new_amount=Decimal("7000"), reason="减少"
            )
        with pytest.raises(PermissionDenied):
            services.contract_adjust_approve(actor=alice, adjustment=request)
        services.contract_adjust_approve(actor=bob, adjustment=request)
        with pytest.raises(ValidationError) as error:  # nothing more is collected on a terminated contract
            contract_services.payment_record(actor=alice, contract=contract, data={"amount": Decimal("1")})
        assert error.value.code == "terminated"
        assert ContractAdjustment.objects.get().status == RequestStatus.APPROVED

    def test_amend_through_the_page_and_the_api(self, personas: dict) -> None:
        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        contract = make_contract(alice, "10000.00", dt.date(YEAR, 3, 1))
        rep, manager = _client(alice), _client(bob)
        rep.post(
            reverse("sales:adjustment_request", args=[contract.pk]),
            {"kind": "amendment", "new_amount": "12000.00", "reason": "增购"},
        )
        adjustment = contract.adjustments.get()
        manager.post(reverse("sales:adjustment_reject", args=[adjustment.pk]), {"comment": "价格未定"})
        adjustment.refresh_from_db()
        assert adjustment.status == RequestStatus.REJECTED
        answer = rep.post(
            f"/api/v1/contracts/{contract.pk}/adjust/",
            {"kind": "amendment", "new_amount": "12000.00", "reason": "增购"},
            content_type="application/json",
        )
        assert answer.status_code == 201, answer.content
        done = manager.post(f"/api/v1/contract-adjustments/{answer.json()['id']}/approve/")
        assert done.status_code == 200 and done.json()["delta"] == "2000.00"
        contract.refresh_from_db()
        assert contract.amount == Decimal("12000.00")
        page = manager.get(reverse("sales:contract_detail", args=[contract.pk])).content.decode()
        assert page.count('data-testid="adjustment-request"') == 2


def test_the_customer_timeline_shows_a_refund_as_such(personas: dict) -> None:
    from apps.sales.hooks.contracts import payment_events

    alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
    contract = make_contract(alice, "10000.00", dt.date(YEAR, 3, 1))
    make_payment(contract, "3000.00", dt.date(YEAR, 3, 2))
    refund = services.refund_request(actor=alice, contract=contract, amount=Decimal("1200"), reason="退款")
    services.refund_approve(actor=bob, refund=refund)
    with translation.override("en"):
        titles = [str(e.title) for e in payment_events(contract.customer, alice)]
    assert "Refund paid: ¥1,200.00" in titles and "Payment received: ¥3,000.00" in titles


def test_pending_requests_wait_on_the_approvers_workbench(personas: dict) -> None:
    from apps.sales.hooks.contracts import workbench_items

    alice, bob, carol = (personas[k].user for k in ("rep_alice", "lead_bob", "rep_carol"))
    contract = make_contract(alice, "10000.00", dt.date(YEAR, 3, 1))
    make_payment(contract, "3000.00", dt.date(YEAR, 3, 2))
    refund = services.refund_request(actor=alice, contract=contract, amount=Decimal("100"), reason="退款")
    services.contract_adjust_request(actor=alice, contract=contract, kind=AdjustmentKind.TERMINATION, reason="终止")

    def waiting(user: Any) -> list[str]:
        return [str(i.title) for i in workbench_items(user) if contract.number in str(i.title)]

    assert len(waiting(bob)) == 2  # one line per request
    assert waiting(alice) == [] and waiting(carol) == []
    services.refund_approve(actor=bob, refund=refund)
    assert len(waiting(bob)) == 1
