"""The policy API, assembled into /api/v1/ by ``config/api.py``."""

from rest_framework.routers import SimpleRouter

from apps.policy.api import views

router = SimpleRouter()
router.register("policy-versions", views.PolicyVersionViewSet, basename="policyversion")
router.register("policy-decisions", views.PolicyDecisionViewSet, basename="policydecision")

urlpatterns = router.urls
