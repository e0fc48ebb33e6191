from django.urls import path

from apps.core.api_calendar import CalendarEntryView, CalendarYearView

urlpatterns = [
    path("calendar/<int:year>/", CalendarYearView.as_view(), name="api-calendar-year"),
    path("calendar/<int:year>/days/", CalendarEntryView.as_view(), name="api-calendar-enter"),
]
