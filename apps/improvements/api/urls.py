"""The improvement actions API, assembled into /api/v1/ by ``config/api.py``."""

from rest_framework.routers import SimpleRouter

from apps.improvements.api import views

router = SimpleRouter()
router.register("improvement-actions", views.ImprovementActionViewSet, basename="improvementaction")

urlpatterns = router.urls
