"""API routes of relationship maintenance: contacts due and contact records."""

from rest_framework.routers import SimpleRouter

from apps.service.api import relationship

router = SimpleRouter()
router.register("contacts-due", relationship.DueContactViewSet, basename="duecontact")
router.register("relationship-contacts", relationship.RelationshipContactViewSet, basename="relationshipcontact")

urlpatterns = [*router.urls]
