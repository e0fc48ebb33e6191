"""API routes of attainment and sales target evaluations."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.sales.api import attainment

router = SimpleRouter()
router.register("sales-evaluations", attainment.SalesEvaluationViewSet, basename="salesevaluation")

urlpatterns = [
    path("attainment/", attainment.AttainmentView.as_view(), name="sales-attainment"),
    *router.urls,
]
