from django.urls import path

from apps.policy.views import acknowledgements, interpretations, reviews, versions

app_name = "policy"

urlpatterns = [
    path("", versions.PolicyInForceView.as_view(), name="in_force"),
    path("rules/", versions.RulesInForceView.as_view(), name="rules"),
    path("versions/", versions.VersionListView.as_view(), name="version_list"),
    path("versions/<int:pk>/", versions.VersionDetailView.as_view(), name="version_detail"),
    path("versions/new/", versions.DraftCreateView.as_view(), name="draft_create"),
    path("versions/<int:pk>/diff/", versions.VersionDiffView.as_view(), name="version_diff"),
    path("versions/<int:pk>/pdf/", versions.VersionPdfView.as_view(), name="version_pdf"),
    path("versions/<int:pk>/impact/", versions.VersionImpactView.as_view(), name="version_impact"),
    path("versions/<int:pk>/rules/<slug:section>/", versions.RulesSectionUpdateView.as_view(), name="rules_edit"),
    path("versions/<int:pk>/submit/", versions.VersionSubmitView.as_view(), name="version_submit"),
    path("versions/<int:pk>/vote/", versions.VersionVoteView.as_view(), name="version_vote"),
    path("versions/<int:pk>/decide/", versions.VersionDecideView.as_view(), name="version_decide"),
    path("versions/<int:pk>/publish/", versions.VersionPublishView.as_view(), name="version_publish"),
    path("versions/<int:pk>/withdraw/", versions.VersionWithdrawView.as_view(), name="version_withdraw"),
    path("articles/<int:pk>/edit/", versions.ArticleUpdateView.as_view(), name="article_edit"),
]

# Acknowledgement, interpretation, review
urlpatterns += [
    path("acknowledge/", acknowledgements.AcknowledgeView.as_view(), name="acknowledge"),
    path("acknowledgements/", acknowledgements.AcknowledgementListView.as_view(), name="acknowledgement_list"),
    path(
        "acknowledgements/<int:pk>/",
        acknowledgements.AcknowledgementDetailView.as_view(),
        name="acknowledgement_detail",
    ),
    path("acknowledgements/remind/", acknowledgements.acknowledgement_remind_view, name="acknowledgement_remind"),
    path("acknowledgements/export/", acknowledgements.acknowledgement_export_view, name="acknowledgement_export"),
    path("interpretations/", interpretations.InterpretationListView.as_view(), name="interpretation_list"),
    path("interpretations/ask/", interpretations.InterpretationAskView.as_view(), name="interpretation_ask"),
    path("interpretations/<int:pk>/", interpretations.InterpretationDetailView.as_view(), name="interpretation_detail"),
    path(
        "interpretations/<int:pk>/answer/",
        interpretations.InterpretationAnswerView.as_view(),
        name="interpretation_answer",
    ),
    path(
        "interpretations/<int:pk>/publish/",
        interpretations.InterpretationPublishView.as_view(),
        name="interpretation_publish",
    ),
    path(
        "interpretations/<int:pk>/decline/",
        interpretations.InterpretationDeclineView.as_view(),
        name="interpretation_decline",
    ),
    path("reviews/", reviews.PolicyReviewListView.as_view(), name="review_list"),
    path("reviews/<int:pk>/", reviews.PolicyReviewDetailView.as_view(), name="review_detail"),
    path("versions/<int:pk>/review/", reviews.PolicyReviewCreateView.as_view(), name="review_create"),
]
