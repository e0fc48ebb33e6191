"""Public-pool pages: the pool list with claim (HTMX), assign, return to the pool, and 待进入公海.

Reads go through ``selectors.pool``, writes through ``services.pool``; a service's refusal is shown to the
user with its exact reason and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.routes import scoped_route
from apps.core.views import ScopedListView, ScopedUpdateView, ScopedViewMixin, add_service_errors
from apps.customers.forms.pool import AssignForm, PoolFilterForm, ReturnForm
from apps.customers.models import Customer
from apps.customers.permissions import CustomerPerm
from apps.customers.selectors import pool as selectors
from apps.customers.services import pool as services

DUE_PER_PAGE = 20


def _pool_customer_or_404(request: HttpRequest, pk: int) -> Customer:
    try:
        return selectors.pool_customer_list(user=request.user).get(pk=pk)
    except Customer.DoesNotExist as exc:
        raise Http404 from exc


def _archive_list_url() -> str:
    """Where to go after a customer leaves one's hands: the archive list, or the pool while it is absent."""
    try:
        return reverse("customers:customer_list")
    except NoReverseMatch:
        return reverse("customers:pool_list")


#
# The pool list
#


class _PoolScope(ScopedViewMixin):
    """The pool is open to pool members whatever their department: pool customers have no owner to scope by."""

    action = "claim"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not selectors.is_pool_member(request.user):
            raise PermissionDenied
        return super(ScopedViewMixin, self).dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return selectors.pool_customer_list(user=self.request.user)


class PoolListView(ScopedListView, _PoolScope):
    """公海: name, level, industry, region, pooled date, previous owner and last follow-up — never contacts'
    mobiles. Claim is an HTMX button; the rows reload after it, with the claims left today."""

    model = Customer
    template_name = "customers/pool_list.html"
    search_fields = ("name", "city", "province")
    sort_fields = selectors.POOL_SORT_FIELDS
    default_sort = "-pooled_at"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filter_form = PoolFilterForm(request.GET or None)
        return super().get(request, *args, **kwargs)

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        return qs.filter(**self.filter_form.filters())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            filter_form=self.filter_form,
            can_claim=user.has_perm("customers.claim_customer"),
            can_assign=user.has_perm("customers.assign_customer"),
            claims_left=selectors.claims_left_today(user=user),
            rules=selectors.pool_rules(),
        )
        return context


@login_required
@require_POST
@scoped_route(Customer)
def customer_claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    """领取 one pool customer; HTMX gets 204 and an event that reloads the rows (with the message).

    A function view: the public pool is its own scope (``_pool_customer_or_404``, not ``visible_to``), and HTMX
    gets 204 with an event rather than a page."""
    customer = _pool_customer_or_404(request, pk)
    try:
        services.customer_claim(actor=request.user, customer=customer)
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text or _("You may not claim this customer."))
    else:
        messages.success(request, _("“%(name)s” is now yours.") % {"name": customer.name})
    if getattr(request, "htmx", None):
        return HttpResponse(status=204, headers={"HX-Trigger": "poolChanged"})
    return redirect("customers:pool_list")


@login_required
@scoped_route(Customer)
def customer_assign_view(request: HttpRequest, pk: int) -> HttpResponse:
    """分配: a manager gives a pool customer to a person within their scope.

    A function view: the public pool is its own scope (``_pool_customer_or_404``, not ``visible_to``)."""
    if not request.user.has_perm("customers.assign_customer"):
        raise PermissionDenied
    customer = _pool_customer_or_404(request, pk)
    form = AssignForm(request.POST or None, owners=selectors.assignable_owners(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_assign(actor=request.user, customer=customer, to_owner=form.cleaned_data["to_owner"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(name)s” assigned to %(owner)s.")
                % {"name": customer.name, "owner": form.cleaned_data["to_owner"]},
            )
            return redirect("customers:pool_list")
    return render(request, "customers/pool_assign.html", {"form": form, "customer": customer})


class CustomerReturnView(ScopedUpdateView):
    """退回/放入公海 with a reason, from the customer's page (owner or manager)."""

    model = Customer
    permission = CustomerPerm.VIEW_CUSTOMER  # without the change permission the change scope is empty: 404
    form_class = ReturnForm
    service = services.customer_return
    template_name = "customers/pool_return.html"
    context_object_name = "customer"
    success_message = gettext_lazy("“%(name)s” is back in the public pool.")

    def get_initial(self) -> dict[str, Any]:
        return {}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"customer": self.object, "reason": form.cleaned_data["reason"]}

    def call_service(self, **kwargs: Any) -> Any:
        try:
            return super().call_service(**kwargs)
        except PermissionDenied as error:  # shown on the form, like the service's other refusals
            raise ValidationError(str(error)) from error

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"name": obj.name}

    def get_success_url(self, obj: Any) -> str:
        return _archive_list_url()  # never stay on a record one no longer owns (CONVENTIONS-CN §5)


#
# 待进入公海: my customers due for recycling
#


@login_required
def pool_due_list_view(request: HttpRequest) -> HttpResponse:
    """The user's own customers that the rules return to the pool within the warning days, soonest first.

    A function view: the rows are (customer, reason) pairs the recycling rules compute, not a queryset."""
    if not request.user.has_perm("customers.view_customer"):
        raise PermissionDenied
    due = selectors.due_for_recycling(user=request.user)
    term = request.GET.get("q", "").strip()
    if term:
        due = [(c, r) for c, r in due if term.lower() in c.name.lower()]
    page = Paginator(due, DUE_PER_PAGE).get_page(request.GET.get("page"))
    htmx = getattr(request, "htmx", None)
    return render(
        request,
        "customers/pool_due_list.html#rows" if htmx and not htmx.boosted else "customers/pool_due_list.html",
        {
            "page_obj": page,
            "object_list": page.object_list,
            "q": term,
            "rules": selectors.pool_rules(),
            "archive_url": _archive_list_url(),
            "now": timezone.now(),
        },
    )
