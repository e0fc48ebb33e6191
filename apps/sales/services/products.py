"""Writes to the product catalogue: managers keep it; a product in use cannot be deleted (take it off sale)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from apps.core.services import model_save, model_update
from apps.org.models import User
from apps.sales.models import Product
from apps.sales.selectors.products import product_in_use

PRODUCT_FIELDS = ["code", "name", "category", "unit", "list_price", "is_active", "description"]
PRODUCT_IN_USE = _(
    "This product is used by opportunities or contracts and cannot be deleted; take it off sale instead."
)


def _require(actor: User, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


@transaction.atomic
def product_create(*, actor: User, data: dict[str, Any]) -> Product:
    """Add a product to the catalogue (sales managers)."""
    _require(actor, "sales.add_product")
    product = Product(**{k: v for k, v in data.items() if k in PRODUCT_FIELDS})
    model_save(product, actor=actor)
    return product


@transaction.atomic
def product_update(*, actor: User, product: Product, data: dict[str, Any]) -> Product:
    """Edit a product; the prices already on opportunity and contract lines stay as they were."""
    _require(actor, "sales.change_product")
    model_update(instance=product, fields=PRODUCT_FIELDS, data=data, actor=actor)
    return product


@transaction.atomic
def product_delete(*, actor: User, product: Product) -> None:
    """Delete a product nobody uses; one on an opportunity or contract line is refused."""
    if not (actor.has_perm("sales.delete_product") or actor.has_perm("sales.change_product")):
        raise PermissionDenied
    if product_in_use(product):
        raise ValidationError(PRODUCT_IN_USE, code="in_use")
    product.delete()
