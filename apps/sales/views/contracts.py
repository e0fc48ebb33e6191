"""Contract pages: list, detail (approval record, payment plan, payments, actions), form, payment and plan forms,
the approval actions, the printable contract and the Excel export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core import excel
from apps.core.scoping import can
from apps.core.views import ScopedActionView, ScopedListView, add_service_errors
from apps.org.models import User
from apps.sales.choices import ContractStatus
from apps.sales.forms_contracts import (
    ActionForm,
    AdjustmentForm,
    ContractFilterForm,
    ContractForm,
    ContractLineFormSet,
    InstalmentFormSet,
    PaymentForm,
    RefundForm,
)
from apps.sales.models import Contract, ContractAdjustment, Opportunity, RefundRequest
from apps.sales.selectors import contracts as selectors
from apps.sales.services import contracts as services
from apps.sales.services import refunds as refund_services

ACTIONS = {
    "submit": (services.contract_submit, _("Contract submitted.")),
    "approve": (services.contract_approve, _("Contract approved.")),
    "reject": (services.contract_reject, _("Contract rejected.")),
    "withdraw": (services.contract_withdraw, _("Contract withdrawn.")),
}


class ContractListView(ScopedListView):
    """合同列表: scoped, searchable, sortable, filtered by status, owner, customer and signed month."""

    model = Contract
    template_name = "sales/contract_list.html"
    search_fields = ("number", "title", "customer__name")
    sort_fields = ("number", "signed_on", "amount", "collected", "customer__name", "status", "end_date")
    default_sort = "-signed_on"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filter_form = ContractFilterForm(request.GET or None)
        owners = User.objects.filter(pk__in=Contract.objects.visible_to(request.user).values("owner"))
        self.filter_form.fields["owner"].queryset = owners.order_by("username")
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        filters = {k: self.request.GET.get(k, "") for k in ("status", "customer", "owner", "month")}
        filters = {k: v for k, v in filters.items() if k not in ("customer", "owner") or v.isdigit()}
        qs = selectors.contract_list(user=self.request.user, filters=filters)
        term = self.request.GET.get("q", "").strip()
        if term:
            qs = qs.filter(selectors.search_q(term))
        return qs.order_by(self.current_sort(), "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context["page_sizes"] = (20, 50, 100)
        return context


def _detail_context(request: HttpRequest, contract: Contract) -> dict[str, Any]:
    user = request.user
    pending = contract.status == ContractStatus.PENDING
    editable = contract.status in services.EDITABLE and can(user, "change", contract)
    approvable = pending and contract.owner_id != user.pk and can(user, "approve", contract)
    submitter = services._submitter(contract) if pending else None
    collected = selectors.collected(contract)
    approved = contract.status == ContractStatus.APPROVED
    refunds = contract.refund_requests.select_related("requested_by", "decided_by", "payment", "refund")
    adjustments = contract.adjustments.select_related("requested_by", "decided_by")
    return {
        "contract": contract, "object": contract,
        "lines": contract.lines.select_related("product"),
        "approvals": selectors.approvals_of(contract),
        "instalments": selectors.instalments(contract),
        "payments": selectors.payments_of(contract),
        "collected": collected, "remaining": contract.amount - collected,
        "can_edit": editable, "can_submit": editable, "can_approve": approvable,
        "can_withdraw": pending and submitter is not None and submitter.pk == user.pk,
        "can_void": contract.status == ContractStatus.APPROVED and can(user, "void", contract)
        and not contract.payments.exists(),
        "can_pay": approved and not contract.terminated_on and user.has_perm("sales.add_payment"),
        "can_refund": approved and collected > 0 and user.has_perm("sales.add_payment"),
        "can_adjust": approved and not contract.terminated_on and can(user, "change", contract),
        "refunds": [(r, refund_services.may_decide(user, r)) for r in refunds],
        "adjustments": [(a, refund_services.may_decide(user, a)) for a in adjustments],
        "refund_form": RefundForm(contract=contract), "adjustment_form": AdjustmentForm(),
        "can_plan": contract.status == ContractStatus.APPROVED and user.has_perm("sales.add_paymentplan"),
        "action_form": ActionForm(),
    }


@login_required
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    return render(request, "sales/contract_detail.html", _detail_context(request, contract))


@login_required
def contract_print(request: HttpRequest, pk: int) -> HttpResponse:
    """A4 printable contract with the amount in figures and in Chinese capitals (大写)."""
    contract = selectors.contract_get(user=request.user, pk=pk)
    return render(request, "sales/contract_print.html", {
        "contract": contract, "lines": contract.lines.select_related("product"),
        "company": selectors.company_of(contract),
        "instalments": selectors.instalments(contract), "printed_at": timezone.localtime()})


def _lines_from(formset: Any) -> list[dict]:
    return [f.cleaned_data for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("product")]


def _initial_lines(contract: Contract | None) -> list[dict]:
    if contract is None:
        return []
    return [{"product": ln.product, "quantity": ln.quantity, "unit_price": ln.unit_price,
             "discount_pct": ln.discount_pct} for ln in contract.lines.all()]


def _save_contract(request: HttpRequest, form: ContractForm, formset: Any,
                   contract: Contract | None) -> Contract | None:
    data = {k: v for k, v in form.cleaned_data.items()}
    lines = _lines_from(formset)
    try:
        if contract is None:
            return services.contract_create(actor=request.user, data=data, lines=lines)
        return services.contract_update(actor=request.user, contract=contract, data=data, lines=lines)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def _contract_form(request: HttpRequest, contract: Contract | None) -> HttpResponse:
    if request.method == "POST":
        form = ContractForm(request.POST, user=request.user)
        formset = ContractLineFormSet(request.POST, prefix="lines")
        if form.is_valid() and formset.is_valid():
            saved = _save_contract(request, form, formset, contract)
            if saved is not None:
                messages.success(request, _("Contract %(number)s saved.") % {"number": saved.number})
                return redirect("sales:contract_detail", saved.pk)
    else:
        initial: dict[str, Any] = {"signed_on": timezone.localdate(), "discount_pct": 0}
        lines = _initial_lines(contract)
        if contract is not None:
            initial = {name: getattr(contract, name) for name in services.CONTRACT_FIELDS}
        elif request.GET.get("opportunity", "").isdigit():
            # From a won opportunity (its "create contract" button): its customer, name, amount and product lines.
            opportunity = (Opportunity.objects.visible_to(request.user).filter(pk=request.GET["opportunity"])
                           .first())
            if opportunity is not None:
                initial.update(opportunity=opportunity.pk, customer=opportunity.customer_id,
                               title=opportunity.name, amount=opportunity.amount)
                lines = [{"product": ln.product, "quantity": ln.quantity, "unit_price": ln.unit_price,
                          "discount_pct": ln.discount_pct} for ln in opportunity.lines.select_related("product")]
        elif request.GET.get("customer", "").isdigit():
            initial["customer"] = request.GET["customer"]
        form = ContractForm(initial=initial, user=request.user)
        formset = ContractLineFormSet(initial=lines, prefix="lines")
    return render(request, "sales/contract_form.html", {"form": form, "formset": formset, "contract": contract})


@login_required
def contract_create(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("sales.add_contract"):
        raise PermissionDenied
    return _contract_form(request, None)


@login_required
def contract_update(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk, action="change")
    if contract.status not in services.EDITABLE:
        messages.error(request, str(services.NOT_EDITABLE))
        return redirect("sales:contract_detail", contract.pk)
    return _contract_form(request, contract)


@login_required
@require_POST
def contract_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Submit, approve, reject, withdraw or void; a refusal is shown as a message and nothing changes."""
    contract = selectors.contract_get(user=request.user, pk=pk)
    comment = request.POST.get("comment", "").strip()
    try:
        if action == "void":
            services.contract_void(actor=request.user, contract=contract, reason=comment)
            messages.success(request, _("Contract voided."))
        elif action in ACTIONS:
            service, done = ACTIONS[action]
            service(actor=request.user, contract=contract, comment=comment)
            messages.success(request, done)
        else:
            raise PermissionDenied
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("sales:contract_detail", contract.pk)


@login_required
def payment_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a payment (回款) on an approved contract; an amount beyond what remains is refused on the form."""
    contract = selectors.contract_get(user=request.user, pk=pk)
    if not request.user.has_perm("sales.add_payment"):
        raise PermissionDenied
    form = PaymentForm(request.POST or None, contract=contract,
                       initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.payment_record(actor=request.user, contract=contract, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Payment %(number)s recorded.") % {"number": payment.number})
            return redirect("sales:contract_detail", contract.pk)
    remaining = contract.amount - selectors.collected(contract)
    return render(request, "sales/payment_form.html", {"form": form, "contract": contract, "remaining": remaining})


@login_required
def payment_plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Set the instalments (回款计划) of an approved contract."""
    contract = selectors.contract_get(user=request.user, pk=pk)
    if not request.user.has_perm("sales.add_paymentplan"):
        raise PermissionDenied
    initial = [{"instalment": p.instalment, "due_date": p.due_date, "amount": p.amount,
                "remind_days_before": p.remind_days_before, "note": p.note}
               for p in contract.payment_plans.order_by("instalment")]
    formset = InstalmentFormSet(request.POST or None, initial=initial, prefix="plans")
    errors: list[str] = []
    if request.method == "POST" and formset.is_valid():
        rows = [f.cleaned_data for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        try:
            services.payment_plan_set(actor=request.user, contract=contract, instalments=rows)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Payment plan saved."))
            return redirect("sales:contract_detail", contract.pk)
    return render(request, "sales/payment_plan_form.html",
                  {"formset": formset, "contract": contract, "service_errors": errors})


@login_required
def contract_export(request: HttpRequest) -> HttpResponse:
    """Download the contracts of the current filter (within the scope) as .xlsx; the export is logged."""
    filters = {k: request.GET.get(k, "") for k in ("status", "customer", "owner", "month")}
    filters = {k: v for k, v in filters.items() if k not in ("customer", "owner") or v.isdigit()}
    data, _count = services.contract_export(actor=request.user, filters=filters,
                                            term=request.GET.get("q", "").strip())
    response = HttpResponse(data, content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=excel.export_filename(_("Contracts")))
    return response


class RefundRequestView(ScopedActionView):
    """Ask for a refund (退款 / 红冲): it counts once an approver approves it."""

    model = Contract
    permission = "sales.view_contract"  # the service checks who may ask (sales.add_payment and the contract)
    form_class = RefundForm
    service = refund_services.refund_request
    success_message = gettext_lazy("Refund requested: it counts once approved.")
    success_url = "sales:contract_detail"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"contract": self.object}


class AdjustmentRequestView(ScopedActionView):
    """Ask for an amendment (补充协议) or a termination (终止) of an approved contract."""

    model = Contract
    permission = "sales.view_contract"  # the service checks who may ask (sales.change_contract and the contract)
    form_class = AdjustmentForm
    service = refund_services.contract_adjust_request
    success_message = gettext_lazy("Amendment or termination requested: it takes effect once approved.")
    success_url = "sales:contract_detail"


class _DecisionView(ScopedActionView):
    """An approver's decision on a request; back to the contract's page."""

    permission = "sales.approve_contract"
    kwarg = ""  # the service's name for the request

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {self.kwarg: self.object, "comment": self.request.POST.get("comment", "").strip()}

    def get_success_url(self, obj: Any) -> str:
        return reverse("sales:contract_detail", args=[obj.contract_id])


class RefundApproveView(_DecisionView):
    kwarg = "refund"
    model = RefundRequest
    service = refund_services.refund_approve
    success_message = gettext_lazy("Refund approved.")


class RefundRejectView(_DecisionView):
    kwarg = "refund"
    model = RefundRequest
    service = refund_services.refund_reject
    success_message = gettext_lazy("Refund rejected.")


class AdjustmentApproveView(_DecisionView):
    kwarg = "adjustment"
    model = ContractAdjustment
    service = refund_services.contract_adjust_approve
    success_message = gettext_lazy("Amendment or termination approved.")


class AdjustmentRejectView(_DecisionView):
    kwarg = "adjustment"
    model = ContractAdjustment
    service = refund_services.contract_adjust_reject
    success_message = gettext_lazy("Amendment or termination rejected.")
