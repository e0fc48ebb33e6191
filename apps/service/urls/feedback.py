"""Pages of customer feedback and its routing to departments."""

from django.urls import path

from apps.service.views import feedback

urlpatterns = [
    path("feedback/", feedback.FeedbackListView.as_view(), name="feedback_list"),
    path("feedback/new/", feedback.FeedbackCreateView.as_view(), name="feedback_create"),
    path("feedback/<int:pk>/", feedback.FeedbackDetailView.as_view(), name="feedback_detail"),
    path("feedback/inbox/", feedback.RoutingListView.as_view(), name="routing_list"),
    path("feedback/routings/<int:pk>/", feedback.RoutingDetailView.as_view(), name="routing_detail"),
    path(
        "feedback/routings/<int:pk>/acknowledge/", feedback.RoutingAcknowledgeView.as_view(), name="routing_acknowledge"
    ),
    path("feedback/routings/<int:pk>/reply/", feedback.RoutingReplyView.as_view(), name="routing_reply"),
]
