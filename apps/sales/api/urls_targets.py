"""API routes of sales targets."""

from rest_framework.routers import SimpleRouter

from apps.sales.api import targets

router = SimpleRouter()
router.register("targets", targets.TargetSetViewSet, basename="targetset")
router.register("target-nodes", targets.TargetNodeViewSet, basename="targetnode")

urlpatterns = router.urls
