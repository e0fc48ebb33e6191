"""Contract and payment pages (included by apps/sales/urls.py)."""

from django.urls import path

from apps.sales.views import contracts as views

urlpatterns = [
    path("contracts/", views.ContractListView.as_view(), name="contract_list"),
    path("contracts/export/", views.contract_export, name="contract_export"),
    path("contracts/new/", views.ContractCreateView.as_view(), name="contract_create"),
    path("contracts/<int:pk>/", views.ContractDetailView.as_view(), name="contract_detail"),
    path("contracts/<int:pk>/edit/", views.ContractUpdateView.as_view(), name="contract_update"),
    path("contracts/<int:pk>/print/", views.ContractPrintView.as_view(), name="contract_print"),
    path("contracts/<int:pk>/payments/new/", views.PaymentCreateView.as_view(), name="payment_create"),
    path("contracts/<int:pk>/plan/", views.PaymentPlanEditView.as_view(), name="payment_plan_edit"),
    path("contracts/<int:pk>/refunds/new/", views.RefundRequestView.as_view(), name="refund_request"),
    path("contracts/<int:pk>/adjustments/new/", views.AdjustmentRequestView.as_view(), name="adjustment_request"),
    path("contracts/refunds/<int:pk>/approve/", views.RefundApproveView.as_view(), name="refund_approve"),
    path("contracts/refunds/<int:pk>/reject/", views.RefundRejectView.as_view(), name="refund_reject"),
    path("contracts/adjustments/<int:pk>/approve/", views.AdjustmentApproveView.as_view(), name="adjustment_approve"),
    path("contracts/adjustments/<int:pk>/reject/", views.AdjustmentRejectView.as_view(), name="adjustment_reject"),
    path("contracts/<int:pk>/submit/", views.ContractSubmitView.as_view(), name="contract_submit"),
    path("contracts/<int:pk>/approve/", views.ContractApproveView.as_view(), name="contract_approve"),
    path("contracts/<int:pk>/reject/", views.ContractRejectView.as_view(), name="contract_reject"),
    path("contracts/<int:pk>/withdraw/", views.ContractWithdrawView.as_view(), name="contract_withdraw"),
    path("contracts/<int:pk>/void/", views.ContractVoidView.as_view(), name="contract_void"),
]
