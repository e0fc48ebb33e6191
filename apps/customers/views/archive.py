"""The customer archive's pages: list (scenes, quick filters, bulk transfer), detail (contacts, needs, inline
follow-ups, timeline, ownership, history), create/edit with the duplicate check, contacts, needs, lock, transfer.

Reads go through the selectors, writes through the services; a service's ValidationError is shown on the form
and changes nothing. Out-of-scope customers answer 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.routes import scoped_route
from apps.core.views import (
    CappedPaginator,
    ScopedActionView,
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
    ScopedViewMixin,
    add_service_errors,
)
from apps.customers.filters import CustomerFilterSet
from apps.customers.forms.archive import (
    PAGE_SIZES,
    PROVINCES,
    ContactForm,
    CustomerForm,
    FollowUpForm,
    NeedForm,
    ServiceOwnerForm,
    TransferForm,
)
from apps.customers.models import Contact, Customer, CustomerNeed
from apps.customers.permissions import CustomerPerm
from apps.customers.selectors import archive as selectors
from apps.customers.selectors import search
from apps.customers.services import archive as services


def _require_perm(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


#
# Customers
#


FILTER_KEYS = ("q", "quick", "level", "lifecycle", "source", "industry", "province", "tag", "owner")
# The list's province suggestions (a fixed list): the <option>s of its <datalist>, built once.
PROVINCE_OPTIONS = format_html_join("", '<option value="{}">', ((p,) for p in PROVINCES))


class CustomerListPaginator(CappedPaginator):
    """The customer list's paginator. A search counts its matches up to ``search.SEARCH_COUNT_CAP`` (past it the
    page says "more than 1,000 records"); its page comes from ``rows(bottom, top, wide)``: for a wide search the list
    read in its order, stopping at the page (``search.walk_page``), else the matches sorted (``search.sorted_page``)."""

    rows: Callable[[int, int, bool], list[Customer]] | None = None

    def page(self, number: Any) -> Page[Any]:
        page = super().page(number)  # its rows are a lazy slice of the list: nothing read yet
        if self.rows is not None and self.count:
            page.object_list = self.rows(page.start_index() - 1, page.end_index(), self.capped)
        return page


class CustomerListView(ScopedListView):
    """Customers in scope by scene (mine / my team's / I serve / all), quick filters, filters, search
    (``CustomerFilterSet``, shared with the API and the export), sort, page size; HTMX gets ``#rows``. Mobiles of
    customers the user does not own are masked."""

    model = Customer
    template_name = "customers/customer_list.html"
    filterset_class = CustomerFilterSet
    # 全部 (everything in the user's scope) first: for staff that is their own customers anyway.
    filter_defaults = {"scene": selectors.SCENE_ALL}  # noqa: RUF012 - read only
    sort_fields = selectors.SORT_FIELDS
    default_sort = "-updated_at"
    tie_break = "-pk"
    paginator_class = CustomerListPaginator

    def base_queryset(self) -> QuerySet:
        return selectors.with_page_rows(Customer.objects.visible_to(self.request.user))

    def get_paginator(self, queryset: Any, per_page: int, *args: Any, **kwargs: Any) -> Paginator[Any]:
        paginator = super().get_paginator(queryset, per_page, *args, **kwargs)
        term = self.request.GET.get("q", "").strip()
        if isinstance(paginator, CustomerListPaginator) and term and self.filterset and not self.filterset.errors:
            paginator.cap = search.SEARCH_COUNT_CAP
            sort, unsearched = self.current_sort(), self._unsearched()

            def rows(bottom: int, top: int, wide: bool) -> list[Customer]:
                walked = search.walk_page(unsearched, term, sort, bottom, top) if wide else None
                return walked if walked is not None else search.sorted_page(unsearched, term, sort, bottom, top)

            paginator.rows = rows
        return paginator

    def _unsearched(self) -> QuerySet:
        """The list with every filter of the request but the search term, for walking it in order."""
        data = self.request.GET.copy()
        data.pop("q", None)
        for name, value in self.filter_defaults.items():
            data.setdefault(name, value)
        return self.filterset_class(data, queryset=self.base_queryset(), request=self.request).filtered()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        selectors.decorate_rows(user=self.request.user, customers=list(context["object_list"]))
        filters = {name: self.request.GET.get(name, "").strip() for name in FILTER_KEYS}
        context.update(
            filters={**filters, "scene": self.request.GET.get("scene") or selectors.SCENE_ALL},
            page_sizes=PAGE_SIZES,
            scenes=_scene_tabs(),
            quick_filters=_quick_tabs(),
            province_options=PROVINCE_OPTIONS,
            can_transfer=self.request.user.has_perm(CustomerPerm.TRANSFER_CUSTOMER),
        )
        return context


def _scene_tabs() -> list[tuple[str, str, str]]:
    return [
        (selectors.SCENE_ALL, _("All"), "bi-grid"),
        (selectors.SCENE_MINE, _("Mine"), "bi-person"),
        (selectors.SCENE_TEAM, _("My team's"), "bi-people"),
        (selectors.SCENE_SERVICED, _("I serve"), "bi-headset"),
    ]


def _quick_tabs() -> list[tuple[str, str]]:
    return [
        (selectors.QUICK_TODAY, _("To contact today")),
        (selectors.QUICK_OVERDUE, _("Overdue")),
        (selectors.QUICK_NEVER, _("Never followed up")),
        (selectors.QUICK_LOCKED, _("Locked")),
    ]


class CustomerDetailView(ScopedDetailView):
    """A customer: profile, contacts, needs, follow-ups (with the inline form), timeline, ownership, history."""

    model = Customer
    permission = CustomerPerm.VIEW_CUSTOMER
    template_name = "customers/customer_detail.html"

    def get_object(self, queryset: QuerySet | None = None) -> Customer:
        return selectors.customer_get(user=self.request.user, pk=self.kwargs["pk"], with_change=True)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        customer, user = self.object, self.request.user
        context = selectors.customer_detail_context(customer=customer, user=user)
        context.update(
            customer=customer,
            follow_up_form=_follow_up_form(customer),
            need_form=NeedForm(),
            can_transfer=user.has_perm(CustomerPerm.TRANSFER_CUSTOMER) and context["can_change"],
            service_owner_form=(
                ServiceOwnerForm(user=user, initial={"service_owner": customer.service_owner_id})
                if selectors.service_owner_settable(user=user).filter(pk=customer.pk).exists()
                else None
            ),
            transfer_form=TransferForm(),
        )
        return context


def _customer_initial(customer: Customer) -> dict[str, Any]:
    initial = {name: getattr(customer, name) for name in services.CUSTOMER_FIELDS if name != "tags"}
    initial["tags"] = ", ".join(t.name for t in customer.tags.all())
    return initial


class _CustomerFormMixin:
    """The customer form page: the service's duplicate hits are shown (exact: blocked; similar: confirm)."""

    model = Customer
    form_class: Any = CustomerForm
    template_name: str | None = "customers/customer_form.html"
    context_object_name = "customer"
    success_url = "customers:customer_detail"
    request: HttpRequest

    def service_failed(self, form: Any, error: ValidationError) -> None:
        add_service_errors(form, error)
        codes = {e.code for e in getattr(error, "error_list", [])}
        form.duplicates = getattr(error, "duplicates", [])
        form.show_similar_confirm = "similar_name" in codes and "duplicate" not in codes

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}  # type: ignore[misc]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(provinces=PROVINCES, **kwargs)  # type: ignore[misc]


class CustomerCreateView(_CustomerFormMixin, ScopedCreateView):
    """New customer with its primary contact."""

    permission = CustomerPerm.ADD_CUSTOMER
    service = services.customer_create
    success_message = gettext_lazy("Customer “%(name)s” created.")

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {
            "data": form.customer_data(),
            "contacts": form.contacts(),
            "allow_similar_name": form.cleaned_data["allow_similar_name"],
        }


class CustomerUpdateView(_CustomerFormMixin, ScopedUpdateView):
    """Edit a customer the user may change; the duplicate check runs again."""

    permission = CustomerPerm.VIEW_CUSTOMER  # without the change permission the change scope is empty: 404
    service = services.customer_update
    success_message = gettext_lazy("Customer “%(name)s” saved.")

    def get_object(self) -> Customer:
        return selectors.customer_get(user=self.request.user, pk=self.kwargs["pk"], action="change")

    def get_initial(self) -> dict[str, Any]:
        return _customer_initial(self.object)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "editing": True}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {
            "customer": self.object,
            "data": form.customer_data(),
            "allow_similar_name": form.cleaned_data["allow_similar_name"],
        }


class CustomerLockView(ScopedActionView):
    """Lock or unlock (``locked=1|0``) a customer the user may change."""

    model = Customer
    action = "change"
    permission = CustomerPerm.VIEW_CUSTOMER  # without the change permission the change scope is empty: 404
    service = services.customer_set_lock
    success_url = "customers:customer_detail"

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"customer": self.object, "locked": self.request.POST.get("locked") == "1"}

    def succeed(self, obj: Any) -> None:
        messages.success(self.request, _("Customer locked.") if obj.is_locked else _("Customer unlocked."))


class CustomerServiceOwnerView(ScopedActionView):
    """Name, change or clear the service owner of a customer (customer service managers, with a reason kept in the
    history). Reaches the customers ``service_owner_settable`` gives: those nobody serves yet too."""

    model = Customer
    permission = CustomerPerm.SET_SERVICE_OWNER
    service = services.customer_set_service_owner
    form_class = ServiceOwnerForm

    def get_queryset(self) -> QuerySet:
        return selectors.service_owner_settable(user=self.request.user)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"user": self.request.user}

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"customer": self.object, "service_owner": data.get("service_owner"), "reason": data.get("reason", "")}

    def succeed(self, obj: Any) -> None:
        messages.success(self.request, _("Service owner saved."))

    def get_success_url(self, obj: Any) -> str:
        if self.request.POST.get("next") == "unserved":
            return reverse("customers:service_owner_list")
        if Customer.objects.visible_to(self.request.user).filter(pk=obj.pk).exists():
            return reverse("customers:customer_detail", kwargs={"pk": obj.pk})
        return reverse("customers:service_owner_list")


class _UnservedScope(ScopedViewMixin):
    """The customers nobody serves yet, for whoever names service owners: the sales department's customers, beside
    the viewer's archive scope, as ``customers_without_service_owner`` chooses them (not ``visible_to``)."""

    def get_queryset(self) -> QuerySet:
        return selectors.customers_without_service_owner(user=self.request.user)


class ServiceOwnerListView(ScopedListView, _UnservedScope):
    """待指定服务负责人: the customers nobody serves yet, each with the form to name one (customer service managers)."""

    model = Customer
    permission = CustomerPerm.SET_SERVICE_OWNER
    template_name = "customers/service_owner_list.html"
    search_fields = ("name",)
    sort_fields = ("name",)
    default_sort = "name"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(form=ServiceOwnerForm(user=self.request.user), **kwargs)


@login_required
def customer_transfer_view(request: HttpRequest) -> HttpResponse:
    """Transfer the chosen customers (``ids``) to another owner with a reason (managers).

    A function view: a bulk page over many customers chosen in the list, not one record."""
    _require_perm(request, CustomerPerm.TRANSFER_CUSTOMER)
    ids = [int(i) for i in request.POST.getlist("ids") or request.GET.getlist("ids") if str(i).isdigit()]
    chosen = list(
        Customer.objects.visible_to(request.user, "change").filter(pk__in=ids).select_related("owner").order_by("name")
    )
    form = TransferForm(request.POST if request.POST.get("confirm") else None)
    if form.is_bound and form.is_valid():
        try:
            count = services.customer_transfer(actor=request.user, customers=chosen, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(count)d customers transferred to %(owner)s.")
                % {"count": count, "owner": form.cleaned_data["to_owner"]},
            )
            if len(chosen) == 1:
                return redirect("customers:customer_detail", pk=chosen[0].pk)
            return redirect("customers:customer_list")
    return render(request, "customers/transfer.html", {"form": form, "customers": chosen})


#
# Contacts
#


class ContactCreateView(ScopedCreateView):
    """Add a contact to a customer the user may change; a mobile already in the archive is refused."""

    model = Contact
    parent_model = Customer
    permission = CustomerPerm.ADD_CONTACT
    form_class = ContactForm
    service = services.contact_create
    template_name = "customers/contact_form.html"
    context_object_name = "contact"
    success_message = gettext_lazy("Contact added.")
    success_url = "customers:customer_detail"

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"customer": self.parent, "data": form.cleaned_data}

    def get_success_url(self, obj: Any) -> str:
        return super().get_success_url(self.parent)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(customer=self.parent, **kwargs)


class ContactUpdateView(ScopedUpdateView):
    model = Contact
    permission = CustomerPerm.VIEW_CUSTOMER  # without the change permission the change scope is empty: 404
    form_class = ContactForm
    service = services.contact_update
    template_name = "customers/contact_form.html"
    context_object_name = "contact"
    success_message = gettext_lazy("Contact saved.")
    success_url = "customers:customer_detail"

    def get_object(self) -> Contact:
        contact = super().get_object()
        self.customer = selectors.customer_get(user=self.request.user, pk=contact.customer_id, action="change")
        return contact

    def get_initial(self) -> dict[str, Any]:
        return {name: getattr(self.object, name) for name in services.CONTACT_FIELDS}

    def get_success_url(self, obj: Any) -> str:
        return super().get_success_url(self.customer)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(customer=self.customer, **kwargs)


#
# Needs and follow-ups
#


class NeedCreateView(ScopedCreateView):
    model = CustomerNeed
    parent_model = Customer
    permission = CustomerPerm.VIEW_CUSTOMER  # the service decides; the customer's change scope is the rule
    form_class = NeedForm
    service = services.need_create
    template_name = "customers/need_form.html"
    success_message = gettext_lazy("Need recorded.")
    success_url = "customers:customer_detail"

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"customer": self.parent, "content": form.cleaned_data["content"]}

    def get_success_url(self, obj: Any) -> str:
        return super().get_success_url(self.parent)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(customer=self.parent, **kwargs)


class NeedStatusView(ScopedActionView):
    model = CustomerNeed
    action = "change"
    permission = CustomerPerm.VIEW_CUSTOMER  # without the change permission the change scope is empty: 404
    service = services.need_set_status

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"need": self.object, "status": self.request.POST.get("status", "")}

    def get_success_url(self, obj: Any) -> str:
        return reverse("customers:customer_detail", args=[obj.customer_id])


def _follow_up_form(customer: Customer, data: Any = None) -> FollowUpForm:
    initial = {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
    return FollowUpForm(data, initial=initial, contacts=customer.contacts.all())


@login_required
@scoped_route(Customer)
def follow_up_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a follow-up. From the detail page's inline form (HTMX) the answer is the refreshed follow-up
    panel; otherwise a full page.

    A function view: on HTMX it answers with the detail page's follow-up panel (the whole detail context), both
    after a save and after a refusal, which the generic create view does not do."""
    customer = selectors.customer_get(user=request.user, pk=pk, action="change")
    _require_perm(request, CustomerPerm.ADD_FOLLOWUP)
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
            if not getattr(request, "htmx", None):
                messages.success(request, _("Follow-up recorded."))
                return redirect("customers:customer_detail", pk=customer.pk)
    if getattr(request, "htmx", None):
        context = selectors.customer_detail_context(customer=customer, user=request.user)
        context.update(customer=customer, follow_up_form=form, saved=saved)
        return render(request, "customers/customer_detail.html#follow_ups", context)
    return render(request, "customers/followup_form.html", {"form": form, "customer": customer})
