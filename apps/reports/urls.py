from django.urls import path

from apps.core.routes import move_routes
from apps.reports.views import cockpit as views_cockpit
from apps.reports.views import reports as views_reports
from apps.reports.views import subscriptions as views_subscriptions

app_name = "reports"

urlpatterns = [
    path("", views_reports.index_view, name="index"),
    path("cockpit/", views_cockpit.cockpit_view, name="cockpit"),
    path("cockpit/drill/<slug:key>/", views_cockpit.cockpit_drill_view, name="cockpit_drill"),
    path("cockpit/export/<slug:fmt>/", views_cockpit.cockpit_export_view, name="cockpit_export"),
    path("department/", views_reports.ReportListView.as_view(), name="report_list"),
    path("department/new/", views_reports.ReportGenerateView.as_view(), name="report_generate"),
    path("department/pack/", views_reports.pack_view, name="report_pack"),
    path("department/<int:pk>/", views_reports.ReportDetailView.as_view(), name="report_detail"),
    path("department/<int:pk>/edit/", views_reports.ReportEditView.as_view(), name="report_edit"),
    *move_routes("department/", "Report", views_reports.ReportMoveView),
    *move_routes("department/", "Report", views_reports.ReportReviewMoveView),
    path("department/<int:pk>/improvement/", views_reports.ReportImprovementView.as_view(), name="report_improvement"),
    path(
        "department/<int:pk>/export/xlsx/", views_reports.report_export_view, {"fmt": "xlsx"}, name="report_export_xlsx"
    ),
    path("department/<int:pk>/export/pdf/", views_reports.report_export_view, {"fmt": "pdf"}, name="report_export_pdf"),
]


urlpatterns += [
    path("subscriptions/", views_subscriptions.SubscriptionListView.as_view(), name="subscription_list"),
    path("subscriptions/new/", views_subscriptions.SubscriptionCreateView.as_view(), name="subscription_create"),
    path("subscriptions/<int:pk>/", views_subscriptions.SubscriptionDetailView.as_view(), name="subscription_detail"),
    path("subscriptions/<int:pk>/edit/", views_subscriptions.SubscriptionEditView.as_view(), name="subscription_edit"),
]
