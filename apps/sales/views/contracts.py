"""Contract pages: list, detail (approval record, payment plan, payments, actions), form, payment and plan forms,
the approval actions, the printable contract and the Excel export."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core import excel
from apps.core.views import (
    ExportFile,
    ListExportMixin,
    ScopedActionView,
    ScopedCreateView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedUpdateView,
)
from apps.org.models import User
from apps.sales.filters import ContractFilterSet
from apps.sales.forms.contracts import (
    ActionForm,
    AdjustmentForm,
    ContractForm,
    PaymentForm,
    PaymentPlanForm,
    RefundForm,
)
from apps.sales.models import Contract, ContractAdjustment, Opportunity, Payment, PaymentPlan, RefundRequest
from apps.sales.permissions import SalesPerm
from apps.sales.selectors import contracts as selectors
from apps.sales.services import contracts as services
from apps.sales.services import refunds as refund_services


class ContractListView(ScopedListView):
    """合同列表: scoped, searchable, sortable, filtered (``ContractFilterSet``, shared with the API and the export)."""

    model = Contract
    template_name = "sales/contract_list.html"
    filterset_class = ContractFilterSet
    sort_fields = ("number", "signed_on", "amount", "collected", "customer__name", "status", "end_date")
    default_sort = "-signed_on"
    tie_break = "-pk"

    def base_queryset(self) -> QuerySet:
        return selectors.contract_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["page_sizes"] = (20, 50, 100)
        return context


class ContractDetailView(ScopedDetailView):
    """The contract, its approval record, payment plan, payments, refunds and amendments, and the buttons of the
    moves ``CONTRACT_WORKFLOW`` allows the user now (``selectors.contract_allowed``)."""

    model = Contract
    permission = SalesPerm.VIEW_CONTRACT
    template_name: str | None = "sales/contract_detail.html"
    context_object_name = "contract"

    def get_queryset(self) -> QuerySet:
        return (
            super()
            .get_queryset()
            .select_related("customer", "owner", "owner_unit", "opportunity", "approved_by", "company_signatory")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user, contract = cast(User, self.request.user), self.object
        facts = selectors.payment_facts(contract)  # the conditions and the collected figure from one query
        allowed = selectors.contract_allowed(user, contract, facts)
        collected = facts.total
        refunds = contract.refund_requests.select_related("requested_by", "decided_by", "payment", "refund")
        adjustments = contract.adjustments.select_related("requested_by", "decided_by")
        return super().get_context_data(
            lines=contract.lines.select_related("product"),
            approvals=selectors.approvals_of(contract),
            instalments=selectors.instalments(contract),
            payments=selectors.payments_of(contract),
            collected=collected,
            remaining=contract.amount - collected,
            allowed=allowed,
            can_edit="edit" in allowed,
            can_submit="submit" in allowed,
            can_approve="approve" in allowed,
            can_withdraw="withdraw" in allowed,
            can_void="void" in allowed,
            can_pay="pay" in allowed,
            can_refund="refund" in allowed,
            can_adjust="adjust" in allowed,
            can_plan="plan" in allowed,
            refunds=[(r, refund_services.may_decide(user, r)) for r in refunds],
            adjustments=[(a, refund_services.may_decide(user, a)) for a in adjustments],
            refund_form=RefundForm(contract=contract),
            adjustment_form=AdjustmentForm(),
            action_form=ActionForm(),
            **kwargs,
        )


class ContractPrintView(ScopedDetailView):
    """A4 printable contract with the amount in figures and in Chinese capitals (大写)."""

    model = Contract
    permission = SalesPerm.VIEW_CONTRACT
    template_name = "sales/contract_print.html"
    context_object_name = "contract"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        contract = self.object
        return super().get_context_data(
            lines=contract.lines.select_related("product"),
            company=selectors.company_of(contract),
            instalments=selectors.instalments(contract),
            printed_at=timezone.localtime(),
            **kwargs,
        )


def _line_rows(owner: Any) -> list[dict[str, Any]]:
    return [
        {"product": ln.product, "quantity": ln.quantity, "unit_price": ln.unit_price, "discount_pct": ln.discount_pct}
        for ln in owner.lines.select_related("product")
    ]


class _ContractFormView(ScopedFormView):
    """The contract form and its product lines; both validate before the service runs; a refusal changes nothing."""

    model = Contract
    form_class: type[forms.BaseForm] = ContractForm
    template_name: str | None = "sales/contract_form.html"
    context_object_name = "contract"
    success_url = "sales:contract_detail"

    def rows(self) -> list[dict[str, Any]]:
        return []

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user, "rows": self.rows()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {**context, "formset": context["form"].rows}

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"number": obj.number}

    success_message = gettext_lazy("Contract %(number)s saved.")


class ContractCreateView(_ContractFormView, ScopedCreateView):
    """A new contract; from a won opportunity (its "create contract" button) the form starts from the opportunity's
    customer, name, amount and product lines, from a customer's page with the customer."""

    permission = SalesPerm.ADD_CONTRACT
    service = services.contract_create

    def opportunity(self) -> Opportunity | None:
        pk = self.request.GET.get("opportunity", "")
        return Opportunity.objects.visible_to(self.request.user).filter(pk=pk).first() if pk.isdigit() else None

    def rows(self) -> list[dict[str, Any]]:
        opportunity = self.opportunity()
        return _line_rows(opportunity) if opportunity is not None else []

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"signed_on": timezone.localdate(), "discount_pct": 0}
        opportunity = self.opportunity()
        if opportunity is not None:
            initial.update(
                opportunity=opportunity.pk,
                customer=opportunity.customer_id,
                title=opportunity.name,
                amount=opportunity.amount,
            )
        elif self.request.GET.get("customer", "").isdigit():
            initial["customer"] = self.request.GET["customer"]
        return initial

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"data": dict(form.cleaned_data), "lines": form.lines()}


class ContractUpdateView(_ContractFormView, ScopedUpdateView):
    """Edit a contract the table lets one edit (draft, rejected, withdrawn); otherwise back with the reason."""

    permission = SalesPerm.CHANGE_CONTRACT  # fetched in the change scope (else 404); the table says when
    service = services.contract_update

    def handle(self) -> HttpResponse:
        contract = self.get_object()
        if selectors.contract_step(contract, "edit") is None:
            messages.error(self.request, str(services.NOT_EDITABLE))
            return redirect("sales:contract_detail", contract.pk)
        return super().handle()

    def rows(self) -> list[dict[str, Any]]:
        return _line_rows(self.object)

    def get_initial(self) -> dict[str, Any]:
        return {name: getattr(self.object, name) for name in services.CONTRACT_FIELDS}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"contract": self.object, "data": dict(form.cleaned_data), "lines": form.lines()}


class ContractMoveView(ScopedActionView):
    """The approval moves of ``CONTRACT_WORKFLOW`` with their comment; the service refuses what the table does not
    allow (shown as a message, nothing changes)."""

    model = Contract
    permission = SalesPerm.VIEW_CONTRACT  # the service decides by the table who may make the move
    form_class = ActionForm
    success_url = "sales:contract_detail"
    moves = {
        "submit": (services.contract_submit, gettext_lazy("Contract submitted.")),
        "approve": (services.contract_approve, gettext_lazy("Contract approved.")),
        "reject": (services.contract_reject, gettext_lazy("Contract rejected.")),
        "withdraw": (services.contract_withdraw, gettext_lazy("Contract withdrawn.")),
    }

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"contract": self.object, "comment": data.get("comment", "")}


class ContractVoidView(ContractMoveView):
    """Voiding takes the comment as its reason."""

    service = services.contract_void
    success_message = gettext_lazy("Contract voided.")

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"contract": self.object, "reason": data.get("comment", "")}


class PaymentCreateView(ScopedCreateView):
    """Record a payment (回款) on an approved contract; an amount beyond what remains is refused on the form."""

    model = Payment
    permission = SalesPerm.ADD_PAYMENT
    parent_model = Contract
    parent_action = "view"
    form_class = PaymentForm
    service = services.payment_record
    template_name: str | None = "sales/payment_form.html"
    success_message = gettext_lazy("Payment %(number)s recorded.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "contract": self.parent}

    def get_initial(self) -> dict[str, Any]:
        return {"received_on": timezone.localdate()}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"contract": self.parent, "data": form.cleaned_data}

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"number": obj.number}

    def get_success_url(self, obj: Any) -> str:
        return reverse("sales:contract_detail", args=[self.parent.pk])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        contract = self.parent
        return super().get_context_data(
            contract=contract, remaining=contract.amount - selectors.collected(contract), **kwargs
        )


class PaymentPlanEditView(ScopedCreateView):
    """Set the instalments (回款计划) of an approved contract."""

    model = PaymentPlan
    permission = SalesPerm.ADD_PAYMENTPLAN
    parent_model = Contract
    parent_action = "view"
    form_class = PaymentPlanForm
    service = services.payment_plan_set
    template_name: str | None = "sales/payment_plan_form.html"
    success_message = gettext_lazy("Payment plan saved.")

    def get_form_kwargs(self) -> dict[str, Any]:
        rows = [
            {
                "instalment": p.instalment,
                "due_date": p.due_date,
                "amount": p.amount,
                "remind_days_before": p.remind_days_before,
                "note": p.note,
            }
            for p in self.parent.payment_plans.order_by("instalment")
        ]
        return {**super().get_form_kwargs(), "rows": rows}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"contract": self.parent, "instalments": form.instalments()}

    def service_failed(self, form: Any, error: ValidationError) -> None:
        self.service_errors = error.messages

    def get_success_url(self, obj: Any) -> str:
        return reverse("sales:contract_detail", args=[self.parent.pk])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            contract=self.parent,
            formset=kwargs["form"].rows,
            service_errors=getattr(self, "service_errors", []),
            **kwargs,
        )


class ContractExportView(ListExportMixin, ContractListView):
    """The contracts of the list as filtered, searched and sorted (within the scope) as .xlsx; the export is
    logged."""

    def export(self, rows: QuerySet) -> ExportFile:
        data, count = services.contract_export(actor=cast(User, self.request.user), contracts=rows)
        return ExportFile(data, count, excel.export_filename(_("Contracts")))


contract_export = ContractExportView.as_view()


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
