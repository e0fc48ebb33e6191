"""API routes of customer feedback and its routings."""

from rest_framework.routers import SimpleRouter

from apps.service.api import feedback

router = SimpleRouter()
router.register("feedback", feedback.FeedbackViewSet, basename="feedback")
router.register("feedback-routings", feedback.FeedbackRoutingViewSet, basename="feedbackrouting")

urlpatterns = [*router.urls]
