"""Contract, payment-plan and payment resources, assembled into /api/v1/ by ``config/api.py``."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from apps.sales.api import contracts as views

router = SimpleRouter()
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("payment-plans", views.PaymentPlanViewSet, basename="paymentplan")
router.register("payments", views.PaymentViewSet, basename="payment")

urlpatterns = [*router.urls]
