from django.urls import path

from apps.surveys.views import answers, results
from apps.surveys.views import campaigns as views

urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign_list"),
    path("new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("recipients/", views.campaign_preview_view, name="campaign_preview"),
    path("results/", results.results_view, name="results"),
    path("links/", answers.InvitationListView.as_view(), name="invitation_list"),
    path("links/<int:pk>/", answers.InvitationDetailView.as_view(), name="invitation_detail"),
    path("answers/", answers.ResponseListView.as_view(), name="response_list"),
    path("answers/<int:pk>/", answers.ResponseDetailView.as_view(), name="response_detail"),
    path("<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("<int:pk>/edit/", views.CampaignUpdateView.as_view(), name="campaign_update"),
    path("<int:pk>/send/", views.CampaignSendView.as_view(), name="campaign_send"),
    path("<int:pk>/schedule/", views.CampaignScheduleView.as_view(), name="campaign_schedule"),
    path("<int:pk>/close/", views.CampaignCloseView.as_view(), name="campaign_close"),
    path("<int:pk>/analysis/", views.CampaignAnalysisView.as_view(), name="campaign_analysis"),
]
