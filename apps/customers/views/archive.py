"""The customer archive's pages: list (scenes, quick filters, bulk transfer), detail (contacts, needs, inline
follow-ups, timeline, ownership, history), create/edit with the duplicate check, contacts, needs, lock, transfer.

Reads go through the selectors, writes through the services; a service's ValidationError is shown on the form
and changes nothing. Out-of-scope customers answer 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedListView, add_service_errors
from apps.customers.forms import (
    PROVINCES,
    ContactForm,
    CustomerFilterForm,
    CustomerForm,
    FollowUpForm,
    NeedForm,
    TransferForm,
)
from apps.customers.models import Contact, Customer, CustomerNeed
from apps.customers.selectors import archive as selectors
from apps.customers.services import archive as services


def _require_perm(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


#
# Customers
#


class CustomerListView(ScopedListView):
    """Customers in scope by scene (mine / my team's / I serve / all), quick filters, filters, search, sort, page
    size; HTMX gets ``#rows``. Mobiles of customers the user does not own are masked."""

    model = Customer
    template_name = "customers/customer_list.html"
    sort_fields = selectors.SORT_FIELDS
    default_sort = "-updated_at"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filter_form = CustomerFilterForm(request.GET or None)
        # 全部 (everything in the user's scope) first: for staff that is their own customers anyway.
        self.filters = self.filter_form.filters(selectors.SCENE_ALL)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        return selectors.customer_list(user=self.request.user, **self.filters)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        selectors.decorate_rows(user=self.request.user, customers=list(context["object_list"]))
        context.update(filter_form=self.filter_form, filters=self.filters, sort=self.filters["sort"],
                       scenes=_scene_tabs(), quick_filters=_quick_tabs(), provinces=PROVINCES,
                       can_transfer=self.request.user.has_perm("customers.transfer_customer"))
        return context


def _scene_tabs() -> list[tuple[str, str, str]]:
    return [(selectors.SCENE_ALL, _("All"), "bi-grid"), (selectors.SCENE_MINE, _("Mine"), "bi-person"),
            (selectors.SCENE_TEAM, _("My team's"), "bi-people"), (selectors.SCENE_SERVICED, _("I serve"), "bi-headset")]


def _quick_tabs() -> list[tuple[str, str]]:
    return [(selectors.QUICK_TODAY, _("To contact today")), (selectors.QUICK_OVERDUE, _("Overdue")),
            (selectors.QUICK_NEVER, _("Never followed up")), (selectors.QUICK_LOCKED, _("Locked"))]


@login_required
def customer_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A customer: profile, contacts, needs, follow-ups (with the inline form), timeline, ownership, history."""
    customer = selectors.customer_get(user=request.user, pk=pk)
    context = selectors.customer_detail_context(customer=customer, user=request.user)
    context.update(customer=customer, follow_up_form=_follow_up_form(customer), need_form=NeedForm(),
                   can_transfer=request.user.has_perm("customers.transfer_customer") and context["can_change"],
                   transfer_form=TransferForm())
    return render(request, "customers/customer_detail.html", context)


def _customer_initial(customer: Customer) -> dict[str, Any]:
    initial = {name: getattr(customer, name) for name in services.CUSTOMER_FIELDS if name != "tags"}
    initial["tags"] = ", ".join(t.name for t in customer.tags.all())
    return initial


def _show_duplicates(form: CustomerForm, error: ValidationError) -> None:
    """Put the service's error on the form; a similar-name hit offers the "save anyway" box."""
    add_service_errors(form, error)
    codes = {e.code for e in getattr(error, "error_list", [])}
    form.duplicates = getattr(error, "duplicates", [])  # type: ignore[attr-defined]
    form.show_similar_confirm = "similar_name" in codes and "duplicate" not in codes


@login_required
def customer_create_view(request: HttpRequest) -> HttpResponse:
    """New customer with its primary contact; duplicates are shown (exact: blocked; similar: confirm)."""
    _require_perm(request, "customers.add_customer")
    form = CustomerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(
                actor=request.user, data=form.customer_data(), contacts=form.contacts(),
                allow_similar_name=form.cleaned_data["allow_similar_name"])
        except ValidationError as error:
            _show_duplicates(form, error)
        else:
            messages.success(request, _("Customer “%(name)s” created.") % {"name": customer})
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(request, "customers/customer_form.html", {"form": form, "customer": None, "provinces": PROVINCES})


@login_required
def customer_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a customer the user may change; the duplicate check runs again."""
    customer = selectors.customer_get(user=request.user, pk=pk, action="change")
    form = CustomerForm(request.POST or None, initial=_customer_initial(customer), editing=True, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(actor=request.user, customer=customer, data=form.customer_data(),
                                     allow_similar_name=form.cleaned_data["allow_similar_name"])
        except ValidationError as error:
            _show_duplicates(form, error)
            customer.refresh_from_db()
        else:
            messages.success(request, _("Customer “%(name)s” saved.") % {"name": customer})
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(request, "customers/customer_form.html",
                  {"form": form, "customer": customer, "provinces": PROVINCES})


@login_required
@require_POST
def customer_lock_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Lock or unlock (``locked=1|0``) a customer the user may change."""
    customer = selectors.customer_get(user=request.user, pk=pk, action="change")
    locked = request.POST.get("locked") == "1"
    services.customer_set_lock(actor=request.user, customer=customer, locked=locked)
    messages.success(request, _("Customer locked.") if locked else _("Customer unlocked."))
    return redirect("customers:customer_detail", pk=customer.pk)


@login_required
def customer_transfer_view(request: HttpRequest) -> HttpResponse:
    """Transfer the chosen customers (``ids``) to another owner with a reason (managers)."""
    _require_perm(request, "customers.transfer_customer")
    ids = [int(i) for i in request.POST.getlist("ids") or request.GET.getlist("ids") if str(i).isdigit()]
    chosen = list(Customer.objects.visible_to(request.user, "change").filter(pk__in=ids)
                  .select_related("owner").order_by("name"))
    form = TransferForm(request.POST if request.POST.get("confirm") else None)
    if form.is_bound and form.is_valid():
        try:
            count = services.customer_transfer(actor=request.user, customers=chosen, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(count)d customers transferred to %(owner)s.")
                             % {"count": count, "owner": form.cleaned_data["to_owner"]})
            if len(chosen) == 1:
                return redirect("customers:customer_detail", pk=chosen[0].pk)
            return redirect("customers:customer_list")
    return render(request, "customers/transfer.html", {"form": form, "customers": chosen})


#
# Contacts
#


@login_required
def contact_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a contact to a customer the user may change; a mobile already in the archive is refused."""
    customer = selectors.customer_get(user=request.user, pk=pk, action="change")
    _require_perm(request, "customers.add_contact")
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_create(actor=request.user, customer=customer, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contact added."))
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(request, "customers/contact_form.html", {"form": form, "customer": customer, "contact": None})


@login_required
def contact_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    contact = get_visible_or_404(Contact, request.user, pk, action="change")
    customer = selectors.customer_get(user=request.user, pk=contact.customer_id, action="change")
    initial = {name: getattr(contact, name) for name in services.CONTACT_FIELDS}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(actor=request.user, contact=contact, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(request, "customers/contact_form.html", {"form": form, "customer": customer, "contact": contact})


#
# Needs and follow-ups
#


@login_required
def need_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, pk=pk, action="change")
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_create(actor=request.user, customer=customer, content=form.cleaned_data["content"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Need recorded."))
            return redirect("customers:customer_detail", pk=customer.pk)
    return render(request, "customers/need_form.html", {"form": form, "customer": customer})


@login_required
@require_POST
def need_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    need = get_visible_or_404(CustomerNeed, request.user, pk, action="change")
    try:
        services.need_set_status(actor=request.user, need=need, status=request.POST.get("status", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("customers:customer_detail", pk=need.customer_id)


def _follow_up_form(customer: Customer, data: Any = None) -> FollowUpForm:
    initial = {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
    return FollowUpForm(data, initial=initial, contacts=customer.contacts.all())


@login_required
def follow_up_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a follow-up. From the detail page's inline form (HTMX) the answer is the refreshed follow-up
    panel; otherwise a full page."""
    customer = selectors.customer_get(user=request.user, pk=pk, action="change")
    _require_perm(request, "customers.add_followup")
    form = _follow_up_form(customer, request.POST or None)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            services.follow_up_create(actor=request.user, customer=customer, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            saved = True
            form = _follow_up_form(customer)
            if not request.htmx:
                messages.success(request, _("Follow-up recorded."))
                return redirect("customers:customer_detail", pk=customer.pk)
    if request.htmx:
        context = selectors.customer_detail_context(customer=customer, user=request.user)
        context.update(customer=customer, follow_up_form=form, saved=saved)
        return render(request, "customers/customer_detail.html#follow_ups", context)
    return render(request, "customers/followup_form.html", {"form": form, "customer": customer})
