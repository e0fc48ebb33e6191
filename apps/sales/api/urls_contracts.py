"""Contract, payment-plan and payment resources, assembled into /api/v1/ by ``config/api.py``."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from apps.sales.api import contracts as views

router = SimpleRouter()
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("payment-plans", views.PaymentPlanViewSet, basename="paymentplan")
router.register("payments", views.PaymentViewSet, basename="payment")
router.register("refunds", views.RefundRequestViewSet, basename="refundrequest")
router.register("contract-adjustments", views.ContractAdjustmentViewSet, basename="contractadjustment")

urlpatterns = [*router.urls]
