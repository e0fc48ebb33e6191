"""API resources of products, opportunities and sales plans."""

from rest_framework.routers import SimpleRouter

from apps.sales.api import pipeline

router = SimpleRouter()
router.register("products", pipeline.ProductViewSet, basename="product")
router.register("opportunities", pipeline.OpportunityViewSet, basename="opportunity")
router.register("sales-plans", pipeline.SalesPlanViewSet, basename="salesplan")

urlpatterns = router.urls
