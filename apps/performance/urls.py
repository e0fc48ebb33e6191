"""Performance assessment pages (arts. 11–13)."""

from django.urls import path

from apps.performance import views

app_name = "performance"

urlpatterns = [
    path("", views.index_view, name="index"),
    path("mine/", views.my_assessments_view, name="my_assessments"),
    path("cycles/", views.CycleListView.as_view(), name="cycle_list"),
    path("cycles/new/", views.CycleCreateView.as_view(), name="cycle_create"),
    path("cycles/<int:pk>/", views.CycleDetailView.as_view(), name="cycle_detail"),
    path("cycles/<int:pk>/compute/", views.CycleComputeView.as_view(), name="cycle_compute"),
    path("cycles/<int:pk>/progress/", views.CycleProgressView.as_view(), name="cycle_progress"),
    path("cycles/<int:pk>/distribute/", views.CycleDistributeView.as_view(), name="cycle_distribute"),
    path("cycles/<int:pk>/finalise/", views.CycleFinaliseView.as_view(), name="cycle_finalise"),
    path("cycles/<int:pk>/publish/", views.CyclePublishView.as_view(), name="cycle_publish"),
    path("cycles/<int:pk>/export/", views.cycle_export_view, name="cycle_export"),
    path("assessments/<int:pk>/", views.AssessmentDetailView.as_view(), name="assessment_detail"),
    path("assessments/<int:pk>/review/", views.AssessmentReviewView.as_view(), name="assessment_review"),
    path("assessments/<int:pk>/confirm/", views.AssessmentConfirmView.as_view(), name="assessment_confirm"),
    path("assessments/<int:pk>/appeal/", views.AppealSubmitView.as_view(), name="appeal_submit"),
    path("assessments/<int:pk>/items/<int:item>/", views.item_records_view, name="item_records"),
    path("appeals/", views.AppealListView.as_view(), name="appeal_list"),
    path("appeals/<int:pk>/decide/", views.AppealDecideView.as_view(), name="appeal_decide"),
    path("rewards-penalties/", views.RewardPenaltyListView.as_view(), name="rewardpenalty_list"),
    path("rewards-penalties/<int:pk>/", views.RewardPenaltyDetailView.as_view(), name="rewardpenalty_detail"),
    path("rewards-penalties/<int:pk>/decide/", views.RewardPenaltyDecideView.as_view(), name="rewardpenalty_decide"),
    path("violations/", views.ViolationListView.as_view(), name="violation_list"),
    path("violations/new/", views.ViolationCreateView.as_view(), name="violation_create"),
    path("violations/<int:pk>/", views.ViolationDetailView.as_view(), name="violation_detail"),
    path("violations/<int:pk>/decide/", views.ViolationDecideView.as_view(), name="violation_decide"),
    path("violations/<int:pk>/appeal/", views.ViolationAppealView.as_view(), name="violation_appeal"),
    path(
        "violations/<int:pk>/appeal/decide/", views.ViolationAppealDecideView.as_view(), name="violation_appeal_decide"
    ),
    path("kpis/", views.KpiListView.as_view(), name="kpi_list"),
]
