"""Contract pages: create with lines, edit only while editable, the approval buttons, the printable view, export."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.models import ExportLog
from apps.core.testing import shown
from apps.customers.tests.factories import CustomerFactory
from apps.sales.choices import ContractStatus
from apps.sales.models import Contract
from apps.sales.services import contracts as contract_services
from apps.sales.tests.factories_contracts import ContractFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _form(customer, **extra) -> dict:
    data = {
        "title": "页面合同",
        "customer": customer.pk,
        "signed_on": timezone.localdate().isoformat(),
        "discount_pct": "0",
        "amount": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    return data | extra


def test_create_with_a_line_computes_the_amount(personas: dict) -> None:
    alice = personas["rep_alice"]
    product = ProductFactory()
    response = alice.client().post(
        reverse("sales:contract_create"),
        _form(
            CustomerFactory(owner=alice.user),
            **{
                "lines-0-product": product.pk,
                "lines-0-quantity": "3",
                "lines-0-unit_price": "1000",
                "lines-0-discount_pct": "0",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contract = Contract.objects.get()
    assert contract.amount == Decimal("3000.00") and contract.owner == alice.user


def test_without_amount_or_lines_the_form_says_so(personas: dict) -> None:
    alice = personas["rep_alice"]
    empty_line = {"lines-0-quantity": "1", "lines-0-discount_pct": "0"}  # the untouched extra line
    response = alice.client().post(
        reverse("sales:contract_create"), _form(CustomerFactory(owner=alice.user), **empty_line)
    )
    assert response.status_code == 200
    assert shown(contract_services.AMOUNT_NEEDED) in response.content.decode()
    assert not Contract.objects.exists()


def test_an_approved_contract_cannot_be_edited(personas: dict) -> None:
    alice = personas["rep_alice"]
    contract = ContractFactory(owner=alice.user)
    response = alice.client().get(reverse("sales:contract_update", args=[contract.pk]))
    assert response.status_code == 302
    detail = alice.client().get(response["Location"]).content.decode()
    assert "contract-edit" not in detail


def test_approver_sees_approve_and_the_owner_does_not(personas: dict) -> None:
    contract = ContractFactory(owner=personas["rep_alice"].user, status=ContractStatus.PENDING)
    url = reverse("sales:contract_detail", args=[contract.pk])
    assert "contract-approve" in personas["lead_bob"].client().get(url).content.decode()
    assert "contract-approve" not in personas["rep_alice"].client().get(url).content.decode()


def test_submit_then_reject_through_the_pages(personas: dict) -> None:
    alice, bob = personas["rep_alice"], personas["lead_bob"]
    contract = ContractFactory(owner=alice.user, status=ContractStatus.DRAFT, amount=Decimal("900000"))
    alice.client().post(reverse("sales:contract_submit", args=[contract.pk]))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.PENDING
    bob.client().post(reverse("sales:contract_reject", args=[contract.pk]), {"comment": ""})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.PENDING  # a rejection needs a reason
    bob.client().post(reverse("sales:contract_reject", args=[contract.pk]), {"comment": "价格不符"})
    contract.refresh_from_db()
    assert contract.status == ContractStatus.REJECTED


def test_print_shows_the_amount_in_capitals(personas: dict) -> None:
    contract = ContractFactory(owner=personas["rep_alice"].user, amount=Decimal("12000000"))
    body = personas["rep_alice"].client().get(reverse("sales:contract_print", args=[contract.pk])).content.decode()
    assert "人民币壹仟贰佰万元整" in body and "¥12,000,000.00" in body and "@page" in body


def test_print_out_of_scope_is_404(personas: dict) -> None:
    contract = ContractFactory(owner=personas["rep_alice"].user)
    assert personas["rep_carol"].client().get(reverse("sales:contract_print", args=[contract.pk])).status_code == 404


def test_export_is_scoped_and_logged(personas: dict) -> None:
    ContractFactory(owner=personas["rep_alice"].user)
    ContractFactory(owner=personas["rep_carol"].user)
    response = personas["rep_alice"].client().get(reverse("sales:contract_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    log = ExportLog.objects.get()
    assert log.row_count == 1 and log.resource == "sales.contract"


def test_a_contract_made_from_an_opportunity_keeps_its_product_lines(personas: dict) -> None:
    """The opportunity's "create contract" button opens the form with its lines; saving it as shown keeps them."""
    from apps.sales.models import OpportunityLine
    from apps.sales.tests.factories_pipeline import OpportunityFactory

    alice = personas["rep_alice"]
    opportunity = OpportunityFactory(owner=alice.user, customer=CustomerFactory(owner=alice.user))
    wanted = [
        (ProductFactory(), Decimal("2.00"), Decimal("1500.00"), Decimal("10.00")),
        (ProductFactory(), Decimal("1.00"), Decimal("800.00"), Decimal("0.00")),
    ]
    for product, quantity, price, discount in wanted:
        OpportunityLine.objects.create(
            opportunity=opportunity, product=product, quantity=quantity, unit_price=price, discount_pct=discount
        )
    client = alice.client()
    page = client.get(reverse("sales:contract_create"), {"opportunity": opportunity.pk})
    formset, form = page.context["formset"], page.context["form"]
    data = {name: form.initial.get(name, "") for name in ("title", "customer", "opportunity", "discount_pct")}
    data |= {
        "signed_on": timezone.localdate().isoformat(),
        "amount": "",
        "lines-TOTAL_FORMS": str(len(formset.forms)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(formset.forms):  # every row as rendered, the extra empty ones included
        for name in ("product", "quantity", "unit_price", "discount_pct"):
            value = line[name].value()
            data[f"lines-{index}-{name}"] = "" if value is None else getattr(value, "pk", value)
    response = client.post(reverse("sales:contract_create"), data)
    assert response.status_code == 302, (response.context["form"].errors, response.context["formset"].errors)
    contract = Contract.objects.get(opportunity=opportunity)
    kept = sorted((ln.product_id, ln.quantity, ln.unit_price, ln.discount_pct) for ln in contract.lines.all())
    assert kept == sorted((p.pk, q, u, d) for p, q, u, d in wanted)
    expected = sum((q * u * (100 - d) / 100 for _p, q, u, d in wanted), Decimal("0"))
    assert contract.amount == expected.quantize(Decimal("0.01"))
