"""The performance API, assembled into /api/v1/ by ``config/api.py``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.performance.api import views

router = SimpleRouter()
router.register("kpis", views.KpiViewSet, basename="kpi")
router.register("assessment-cycles", views.CycleViewSet, basename="assessmentcycle")
router.register("assessments", views.AssessmentViewSet, basename="assessment")
router.register("appeals", views.AppealViewSet, basename="appeal")
router.register("rewards-penalties", views.RewardPenaltyViewSet, basename="rewardpenalty")
router.register("violations", views.ViolationViewSet, basename="violation")

urlpatterns = [path("assessment-schemes/", views.SchemeView.as_view(), name="assessment-schemes"), *router.urls]
