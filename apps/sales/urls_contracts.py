"""Contract and payment pages (included by apps/sales/urls.py)."""

from django.urls import path

from apps.sales.views import contracts as views

urlpatterns = [
    path("contracts/", views.ContractListView.as_view(), name="contract_list"),
    path("contracts/export/", views.contract_export, name="contract_export"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", views.contract_update, name="contract_update"),
    path("contracts/<int:pk>/print/", views.contract_print, name="contract_print"),
    path("contracts/<int:pk>/payments/new/", views.payment_create, name="payment_create"),
    path("contracts/<int:pk>/plan/", views.payment_plan_edit, name="payment_plan_edit"),
    path("contracts/<int:pk>/refunds/new/", views.refund_request, name="refund_request"),
    path("contracts/<int:pk>/adjustments/new/", views.adjustment_request, name="adjustment_request"),
    path("contracts/refunds/<int:pk>/<str:decision>/", views.refund_decide, name="refund_decide"),
    path("contracts/adjustments/<int:pk>/<str:decision>/", views.adjustment_decide, name="adjustment_decide"),
    path("contracts/<int:pk>/<str:action>/", views.contract_action, name="contract_action"),
]
