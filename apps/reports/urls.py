from django.urls import path

from apps.reports.views import cockpit as views_cockpit

app_name = "reports"

urlpatterns = [
    path("cockpit/", views_cockpit.cockpit_view, name="cockpit"),
    path("cockpit/drill/<slug:key>/", views_cockpit.cockpit_drill_view, name="cockpit_drill"),
]
urlpatterns += [
    path("cockpit/export/<slug:fmt>/", views_cockpit.cockpit_export_view, name="cockpit_export"),
]
