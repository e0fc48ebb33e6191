from django.urls import path

from apps.core import health, views
from apps.core.views import calendar as calendar_views
from apps.core.views import jobs as job_views
from apps.core.views import notifications as notify_views

app_name = "core"

urlpatterns = [
    path("", views.WorkbenchView.as_view(), name="workbench"),
    path("healthz/", health.healthz_view, name="healthz"),
    path("notifications/", views.notification_list_view, name="notification_list"),
    path("notifications/<int:pk>/read/", views.notification_read_view, name="notification_read"),
    path("notifications/read-all/", views.notification_read_all_view, name="notification_read_all"),
    path("jobs/<int:pk>/", job_views.job_detail_view, name="job_detail"),
    path(
        "notifications/preferences/",
        notify_views.NotificationPreferencesView.as_view(),
        name="notification_preferences",
    ),
    path("notifications/channels/", notify_views.NotificationChannelsView.as_view(), name="notification_channels"),
    path(
        "notifications/channels/<slug:channel>/test/",
        notify_views.NotificationChannelTestView.as_view(),
        name="notification_channel_test",
    ),
    path(
        "notifications/deliveries/", notify_views.NotificationDeliveryListView.as_view(), name="notification_deliveries"
    ),
    path(
        "notifications/deliveries/<int:pk>/retry/",
        notify_views.NotificationDeliveryRetryView.as_view(),
        name="notification_delivery_retry",
    ),
    path("calendar/", calendar_views.calendar_view, name="calendar"),
    path("calendar/<int:year>/", calendar_views.calendar_view, name="calendar_year"),
    path("calendar/<int:year>/enter/", calendar_views.calendar_enter_view, name="calendar_enter"),
]
