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
    path("versions/<int:pk>/impact/", views.VersionImpactView.as_view(), name="version_impact"),
    path("versions/<int:pk>/rules/<slug:section>/", views.RulesSectionUpdateView.as_view(), name="rules_edit"),
    path("versions/<int:pk>/submit/", views.VersionSubmitView.as_view(), name="version_submit"),
    path("versions/<int:pk>/vote/", views.VersionVoteView.as_view(), name="version_vote"),
    path("versions/<int:pk>/decide/", views.VersionDecideView.as_view(), name="version_decide"),
    path("versions/<int:pk>/publish/", views.VersionPublishView.as_view(), name="version_publish"),
    path("versions/<int:pk>/withdraw/", views.VersionWithdrawView.as_view(), name="version_withdraw"),
    path("articles/<int:pk>/edit/", views.ArticleUpdateView.as_view(), name="article_edit"),
]
