"""API resources of campaigns, leads, visits and market intelligence."""

from rest_framework.routers import SimpleRouter

from apps.marketing.api import leads

router = SimpleRouter()
router.register("campaigns", leads.CampaignViewSet, basename="campaign")
router.register("leads", leads.LeadViewSet, basename="lead")
router.register("visits", leads.VisitViewSet, basename="visit")
router.register("intel", leads.IntelViewSet, basename="intel")

urlpatterns = router.urls
