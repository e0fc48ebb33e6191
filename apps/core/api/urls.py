from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.core.api.calendar import CalendarEntryView, CalendarYearView
from apps.core.api.notifications import NotificationDeliveryViewSet, NotificationPreferencesView

router = SimpleRouter()
router.register("notification-deliveries", NotificationDeliveryViewSet, basename="notification-delivery")

urlpatterns = [
    path("calendar/<int:year>/", CalendarYearView.as_view(), name="api-calendar-year"),
    path("calendar/<int:year>/days/", CalendarEntryView.as_view(), name="api-calendar-enter"),
    path("notification-preferences/", NotificationPreferencesView.as_view(), name="api-notification-preferences"),
    *router.urls,
]
