from django.urls import path

from apps.policy import views

app_name = "policy"

urlpatterns = [
    path("", views.PolicyInForceView.as_view(), name="in_force"),
    path("rules/", views.RulesInForceView.as_view(), name="rules"),
    path("versions/", views.VersionListView.as_view(), name="version_list"),
    path("versions/<int:pk>/", views.VersionDetailView.as_view(), name="version_detail"),
]

# Acknowledgement, interpretation, review
urlpatterns += [
    path("acknowledge/", views.AcknowledgeView.as_view(), name="acknowledge"),
    path("acknowledgements/", views.AcknowledgementListView.as_view(), name="acknowledgement_list"),
    path("acknowledgements/<int:pk>/", views.AcknowledgementDetailView.as_view(), name="acknowledgement_detail"),
    path("acknowledgements/remind/", views.acknowledgement_remind_view, name="acknowledgement_remind"),
    path("acknowledgements/export/", views.acknowledgement_export_view, name="acknowledgement_export"),
    path("interpretations/", views.InterpretationListView.as_view(), name="interpretation_list"),
    path("interpretations/ask/", views.InterpretationAskView.as_view(), name="interpretation_ask"),
    path("interpretations/<int:pk>/", views.InterpretationDetailView.as_view(), name="interpretation_detail"),
    path("interpretations/<int:pk>/answer/", views.InterpretationAnswerView.as_view(), name="interpretation_answer"),
    path("interpretations/<int:pk>/publish/", views.InterpretationPublishView.as_view(),
         name="interpretation_publish"),
    path("interpretations/<int:pk>/decline/", views.InterpretationDeclineView.as_view(),
         name="interpretation_decline"),
    path("reviews/", views.PolicyReviewListView.as_view(), name="review_list"),
    path("reviews/<int:pk>/", views.PolicyReviewDetailView.as_view(), name="review_detail"),
    path("versions/<int:pk>/review/", views.PolicyReviewCreateView.as_view(), name="review_create"),
]
