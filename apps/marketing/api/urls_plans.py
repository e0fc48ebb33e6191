"""API routes of research, plans and evaluations."""

from rest_framework.routers import SimpleRouter

from apps.marketing.api import plans

router = SimpleRouter()
router.register("research", plans.ResearchViewSet, basename="marketresearch")
router.register("market-plans", plans.MarketPlanViewSet, basename="marketplan")
router.register("market-evaluations", plans.MarketEvaluationViewSet, basename="marketevaluation")

urlpatterns = router.urls
