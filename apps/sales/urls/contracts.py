"""Contract and payment pages (included by apps/sales/urls.py)."""

from django.urls import path

from apps.core.routes import move_routes, record_routes
from apps.sales.views import contracts as views

urlpatterns = [
    *record_routes("contracts/", views, "Contract", actions="print void"),
    path("contracts/export/", views.contract_export, name="contract_export"),
    path("contracts/<int:pk>/payments/new/", views.PaymentCreateView.as_view(), name="payment_create"),
    path("contracts/<int:pk>/plan/", views.PaymentPlanEditView.as_view(), name="payment_plan_edit"),
    path("contracts/<int:pk>/refunds/new/", views.RefundRequestView.as_view(), name="refund_request"),
    path("contracts/<int:pk>/adjustments/new/", views.AdjustmentRequestView.as_view(), name="adjustment_request"),
    *record_routes("contracts/refunds/", views, "Refund", "", actions="approve reject"),
    *record_routes("contracts/adjustments/", views, "Adjustment", "", actions="approve reject"),
    *move_routes("contracts/", "Contract", views.ContractMoveView),
]
