from django.urls import path

from apps.core.routes import record_routes
from apps.policy.views import acknowledgements, interpretations, reviews, versions

app_name = "policy"

urlpatterns = [
    path("", versions.PolicyInForceView.as_view(), name="in_force"),
    path("rules/", versions.RulesInForceView.as_view(), name="rules"),
    *record_routes(
        "versions/", versions, "Version", "list detail", actions="diff pdf impact submit vote decide publish withdraw"
    ),
    path("versions/new/", versions.DraftCreateView.as_view(), name="draft_create"),
    path("versions/<int:pk>/rules/<slug:section>/", versions.RulesSectionUpdateView.as_view(), name="rules_edit"),
    path("articles/<int:pk>/edit/", versions.ArticleUpdateView.as_view(), name="article_edit"),
]

# Acknowledgement, interpretation, review
urlpatterns += [
    path("acknowledge/", acknowledgements.AcknowledgeView.as_view(), name="acknowledge"),
    *record_routes("acknowledgements/", acknowledgements, "Acknowledgement", "list detail"),
    path("acknowledgements/remind/", acknowledgements.acknowledgement_remind_view, name="acknowledgement_remind"),
    path("acknowledgements/export/", acknowledgements.acknowledgement_export_view, name="acknowledgement_export"),
    *record_routes(
        "interpretations/", interpretations, "Interpretation", "list detail", actions="answer publish decline"
    ),
    path("interpretations/ask/", interpretations.InterpretationAskView.as_view(), name="interpretation_ask"),
    path("reviews/", reviews.PolicyReviewListView.as_view(), name="review_list"),
    path("reviews/<int:pk>/", reviews.PolicyReviewDetailView.as_view(), name="review_detail"),
    path("versions/<int:pk>/review/", reviews.PolicyReviewCreateView.as_view(), name="review_create"),
]
