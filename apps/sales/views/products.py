"""Product catalogue pages: the list with search and category filter, the form, and delete (refused when used).
The catalogue is company-wide (``Product`` has no data scope): the permission is the whole rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from apps.core.views import ScopedActionView, ScopedCreateView, ScopedFormView, ScopedListView, ScopedUpdateView
from apps.sales.forms.pipeline import ProductForm
from apps.sales.models import Product
from apps.sales.permissions import SalesPerm
from apps.sales.selectors import products as selectors
from apps.sales.services import products as services

SAVED = gettext_lazy("Product “%(name)s” saved.")


class ProductListView(ScopedListView):
    """The catalogue: search by code or name, filter by category, sort, paginate."""

    model = Product
    permission = SalesPerm.VIEW_PRODUCT
    template_name = "sales/product_list.html"
    search_fields = ("code", "name")
    sort_fields = ("code", "name", "category", "list_price")
    default_sort = "category"  # the catalogue's own order: category, then code

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        return selectors.product_list(category=self.request.GET.get("category", ""))

    def get_queryset(self) -> QuerySet:
        qs = super().get_queryset()
        chosen = self.request.GET.get("sort", "").lstrip("-") in self.sort_fields
        return qs if chosen else qs.order_by("category", "code", "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            category=self.request.GET.get("category", ""), categories=selectors.product_categories(), **kwargs
        )


class _ProductFormView(ScopedFormView):
    model = Product
    form_class: type[forms.BaseForm] = ProductForm
    template_name: str | None = "sales/product_form.html"
    context_object_name = "product"
    success_message = SAVED

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"name": obj.name}

    def get_success_url(self, obj: Any) -> str:
        return reverse("sales:product_list")


class ProductCreateView(_ProductFormView, ScopedCreateView):
    permission = SalesPerm.ADD_PRODUCT
    service = services.product_create

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"data": form.cleaned_data}


class ProductUpdateView(_ProductFormView, ScopedUpdateView):
    permission = SalesPerm.CHANGE_PRODUCT
    service = services.product_update


class ProductDeleteView(ScopedActionView):
    """Delete a product nobody uses; one on an opportunity or contract line is refused with the reason."""

    model = Product
    permission = SalesPerm.CHANGE_PRODUCT
    service = services.product_delete
    success_message = gettext_lazy("Product “%(name)s” deleted.")

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"name": obj.name}

    def get_success_url(self, obj: Any) -> str:
        return reverse("sales:product_list")
