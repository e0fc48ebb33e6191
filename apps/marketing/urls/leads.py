"""Pages of campaigns, leads, visits and market intelligence."""

from django.urls import path

from apps.marketing.views import campaigns, intel, leads, visits

urlpatterns = [
    path("campaigns/", campaigns.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", campaigns.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaigns.CampaignUpdateView.as_view(), name="campaign_update"),
    path("campaigns/<int:pk>/status/", campaigns.CampaignStatusView.as_view(), name="campaign_status"),
    path("leads/", leads.LeadListView.as_view(), name="lead_list"),
    path("leads/export/", leads.lead_export, name="lead_export"),
    path("leads/new/", leads.LeadCreateView.as_view(), name="lead_create"),
    path("leads/handover/", leads.lead_bulk_handover_view, name="lead_bulk_handover"),
    path("leads/<int:pk>/", leads.LeadDetailView.as_view(), name="lead_detail"),
    path("leads/<int:pk>/edit/", leads.LeadUpdateView.as_view(), name="lead_update"),
    path("leads/<int:pk>/status/", leads.LeadStatusView.as_view(), name="lead_status"),
    path("leads/<int:pk>/claim/", leads.LeadClaimView.as_view(), name="lead_claim"),
    path("leads/<int:pk>/handover/", leads.LeadHandoverView.as_view(), name="lead_handover"),
    path("leads/<int:pk>/convert/", leads.LeadConvertView.as_view(), name="lead_convert"),
    path("visits/", visits.VisitListView.as_view(), name="visit_list"),
    path("visits/new/", visits.VisitCreateView.as_view(), name="visit_create"),
    path("visits/<int:pk>/", visits.VisitDetailView.as_view(), name="visit_detail"),
    path("visits/<int:pk>/edit/", visits.VisitUpdateView.as_view(), name="visit_update"),
    path("intel/", intel.IntelListView.as_view(), name="intel_list"),
    path("intel/new/", intel.IntelCreateView.as_view(), name="intel_create"),
    path("intel/<int:pk>/", intel.IntelDetailView.as_view(), name="intel_detail"),
    path("intel/<int:pk>/edit/", intel.IntelUpdateView.as_view(), name="intel_update"),
    path("intel/<int:pk>/publish/", intel.IntelPublishView.as_view(), name="intel_publish"),
]
