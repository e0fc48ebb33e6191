"""The customer archive's API resources, assembled into /api/v1/ by ``config/api.py``."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from apps.customers.api import views

router = SimpleRouter()
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("follow-ups", views.FollowUpViewSet, basename="followup")
router.register("customer-needs", views.CustomerNeedViewSet, basename="customerneed")

urlpatterns = [*router.urls]
