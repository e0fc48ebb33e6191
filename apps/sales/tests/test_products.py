"""The product catalogue: managers keep it; a product in use cannot be deleted; the list searches and filters."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.core.testing import shown
from apps.customers.tests.factories import CustomerFactory
from apps.sales.models import Product
from apps.sales.services.opportunities import opportunity_create
from apps.sales.services.products import PRODUCT_IN_USE, product_create, product_delete
from apps.sales.tests.factories_pipeline import ProductFactory

pytestmark = pytest.mark.django_db


def test_a_manager_adds_a_product_and_staff_cannot(personas: dict) -> None:
    data = {"code": "SW-01", "name": "ERP 标准版", "category": "软件许可", "unit": "套", "list_price": Decimal("98000")}
    product = product_create(actor=personas["lead_bob"].user, data=data)
    assert Product.objects.get(pk=product.pk).list_price == Decimal("98000.00")
    with pytest.raises(PermissionDenied):
        product_create(actor=personas["rep_alice"].user, data={**data, "code": "SW-02"})


def test_a_product_in_use_cannot_be_deleted(personas: dict) -> None:
    alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
    used, unused = ProductFactory(), ProductFactory()
    opportunity_create(
        actor=alice,
        data={"name": "x", "customer": CustomerFactory(owner=alice)},
        lines=[{"product": used, "quantity": Decimal(1)}],
    )
    with pytest.raises(ValidationError) as info:
        product_delete(actor=bob, product=used)
    assert info.value.code == "in_use" and Product.objects.filter(pk=used.pk).exists()
    product_delete(actor=bob, product=unused)
    assert not Product.objects.filter(pk=unused.pk).exists()
    response = personas["lead_bob"].client().post(reverse("sales:product_delete", args=[used.pk]), follow=True)
    assert shown(PRODUCT_IN_USE) in response.content.decode()


def test_the_list_searches_and_filters_by_category(personas: dict) -> None:
    ProductFactory(name="CRM 云服务", category="软件许可")
    ProductFactory(name="服务器", category="硬件")
    client = personas["rep_alice"].client()
    body = client.get(reverse("sales:product_list"), {"category": "硬件"}).content.decode()
    assert "服务器" in body and "CRM 云服务" not in body
    body = client.get(reverse("sales:product_list"), {"q": "CRM"}).content.decode()
    assert "CRM 云服务" in body and "服务器" not in body
    assert client.get("/api/v1/products/").status_code == 200
