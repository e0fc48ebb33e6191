from django.urls import path

from apps.policy import views

app_name = "policy"

urlpatterns = [
    path("", views.PolicyInForceView.as_view(), name="in_force"),
    path("rules/", views.RulesInForceView.as_view(), name="rules"),
    path("versions/", views.VersionListView.as_view(), name="version_list"),
    path("versions/<int:pk>/", views.VersionDetailView.as_view(), name="version_detail"),
    path("versions/new/", views.DraftCreateView.as_view(), name="draft_create"),
    path("versions/<int:pk>/diff/", views.VersionDiffView.as_view(), name="version_diff"),
    path("versions/<int:pk>/pdf/", views.VersionPdfView.as_view(), name="version_pdf"),
    path("versions/<int:pk>/impact/", views.VersionImpactView.as_view(), name="version_impact"),
    path("versions/<int:pk>/rules/<slug:section>/", views.RulesSectionUpdateView.as_view(), name="rules_edit"),
    path("versions/<int:pk>/submit/", views.VersionSubmitView.as_view(), name="version_submit"),
    path("versions/<int:pk>/vote/", views.VersionVoteView.as_view(), name="version_vote"),
    path("versions/<int:pk>/decide/", views.VersionDecideView.as_view(), name="version_decide"),
    path("versions/<int:pk>/publish/", views.VersionPublishView.as_view(), name="version_publish"),
    path("versions/<int:pk>/withdraw/", views.VersionWithdrawView.as_view(), name="version_withdraw"),
    path("articles/<int:pk>/edit/", views.ArticleUpdateView.as_view(), name="article_edit"),
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
    path("interpretations/<int:pk>/publish/", views.InterpretationPublishView.as_view(), name="interpretation_publish"),
    path("interpretations/<int:pk>/decline/", views.InterpretationDeclineView.as_view(), name="interpretation_decline"),
    path("reviews/", views.PolicyReviewListView.as_view(), name="review_list"),
    path("reviews/<int:pk>/", views.PolicyReviewDetailView.as_view(), name="review_detail"),
    path("versions/<int:pk>/review/", views.PolicyReviewCreateView.as_view(), name="review_create"),
]
