"""The acknowledgements, interpretations and reviews API, assembled into /api/v1/ by ``config/api.py``."""

from rest_framework.routers import SimpleRouter

from apps.policy.api import ack_views

router = SimpleRouter()
router.register("acknowledgements", ack_views.AcknowledgementViewSet, basename="acknowledgement")
router.register("interpretations", ack_views.InterpretationViewSet, basename="interpretation")
router.register("policy-reviews", ack_views.PolicyReviewViewSet, basename="policyreview")

urlpatterns = router.urls
