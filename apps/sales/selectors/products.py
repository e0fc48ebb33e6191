"""Reads of the product catalogue (company-wide, not scoped): the list with search and category filter."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from apps.sales.models import ContractLine, OpportunityLine, Product


def product_list(*, q: str = "", category: str = "", active_only: bool = False) -> QuerySet[Product]:
    """The catalogue, filtered by a search term (code or name), a category and whether on sale."""
    qs = Product.objects.all()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if category:
        qs = qs.filter(category=category)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs


def product_categories() -> list[str]:
    """The categories in use, for the filter."""
    return list(Product.objects.exclude(category="").order_by("category").values_list("category", flat=True).distinct())


def product_in_use(product: Product) -> bool:
    """A product on an opportunity line or a contract line is in use (it cannot be deleted)."""
    return (
        OpportunityLine.objects.filter(product=product).exists()
        or ContractLine.objects.filter(product=product).exists()
    )
