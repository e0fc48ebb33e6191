"""Pages of campaigns, leads, visits and market intelligence."""

from django.urls import path

from apps.core.routes import record_routes
from apps.marketing.views import campaigns, intel, leads, visits

urlpatterns = [
    *record_routes("campaigns/", campaigns, "Campaign", actions="status"),
    *record_routes("leads/", leads, "Lead", actions="status claim handover convert"),
    path("leads/export/", leads.lead_export, name="lead_export"),
    path("leads/handover/", leads.lead_bulk_handover_view, name="lead_bulk_handover"),
    *record_routes("visits/", visits, "Visit"),
    *record_routes("intel/", intel, "Intel", actions="publish"),
]
