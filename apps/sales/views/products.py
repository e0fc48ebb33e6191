"""Product catalogue pages: the list with search and category filter, the form, and delete (refused when used)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.views import add_service_errors
from apps.sales.forms_pipeline import ProductForm
from apps.sales.models import Product
from apps.sales.selectors import products as selectors
from apps.sales.services import products as services

SORTS = ("code", "name", "category", "list_price")


@login_required
def product_list_view(request: HttpRequest) -> HttpResponse:
    """The catalogue (company-wide): search by code or name, filter by category, sort, paginate."""
    if not request.user.has_perm("sales.view_product"):
        raise PermissionDenied
    q, category = request.GET.get("q", "").strip(), request.GET.get("category", "")
    sort = request.GET.get("sort", "")
    qs = selectors.product_list(q=q, category=category)
    if sort.lstrip("-") in SORTS:
        qs = qs.order_by(sort, "pk")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    htmx = getattr(request, "htmx", None)
    template = "sales/product_list.html#rows" if htmx and not htmx.boosted else "sales/product_list.html"
    return render(request, template, {"page_obj": page, "object_list": page.object_list, "q": q,
                                      "category": category, "categories": selectors.product_categories(),
                                      "is_paginated": page.has_other_pages(), "paginator": page.paginator})


def _form_page(request: HttpRequest, product: Product | None) -> HttpResponse:
    initial: dict[str, Any] = {} if product is None else {n: getattr(product, n) for n in services.PRODUCT_FIELDS}
    form = ProductForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if product is None:
                product = services.product_create(actor=request.user, data=form.cleaned_data)
            else:
                services.product_update(actor=request.user, product=product, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Product “%(name)s” saved.") % {"name": product.name})
            return redirect("sales:product_list")
    return render(request, "sales/product_form.html", {"form": form, "product": product})


@login_required
def product_create_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("sales.add_product"):
        raise PermissionDenied
    return _form_page(request, None)


@login_required
def product_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perm("sales.change_product"):
        raise PermissionDenied
    return _form_page(request, get_object_or_404(Product, pk=pk))


@login_required
@require_POST
def product_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=pk)
    try:
        services.product_delete(actor=request.user, product=product)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Product “%(name)s” deleted.") % {"name": product.name})
    return redirect("sales:product_list")
