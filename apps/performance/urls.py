"""Performance assessment pages (arts. 11–13)."""

from django.urls import path

from apps.performance import views

app_name = "performance"

urlpatterns = [
    path("", views.index_view, name="index"),
    path("mine/", views.my_assessments_view, name="my_assessments"),
    path("cycles/", views.cycle_list_view, name="cycle_list"),
    path("cycles/<int:pk>/", views.cycle_detail_view, name="cycle_detail"),
    path("cycles/<int:pk>/compute/", views.cycle_compute_view, name="cycle_compute"),
    path("cycles/<int:pk>/progress/", views.cycle_progress_view, name="cycle_progress"),
    path("cycles/<int:pk>/distribute/", views.cycle_distribute_view, name="cycle_distribute"),
    path("cycles/<int:pk>/finalise/", views.cycle_finalise_view, name="cycle_finalise"),
    path("cycles/<int:pk>/publish/", views.cycle_publish_view, name="cycle_publish"),
    path("cycles/<int:pk>/export/", views.cycle_export_view, name="cycle_export"),
    path("assessments/<int:pk>/", views.assessment_detail_view, name="assessment_detail"),
    path("assessments/<int:pk>/review/", views.assessment_review_view, name="assessment_review"),
    path("assessments/<int:pk>/confirm/", views.assessment_confirm_view, name="assessment_confirm"),
    path("assessments/<int:pk>/appeal/", views.appeal_submit_view, name="appeal_submit"),
    path("items/<int:pk>/records/", views.item_records_view, name="item_records"),
    path("appeals/", views.appeal_list_view, name="appeal_list"),
    path("appeals/<int:pk>/decide/", views.appeal_decide_view, name="appeal_decide"),
    path("rewards-penalties/", views.rewardpenalty_list_view, name="rewardpenalty_list"),
    path("rewards-penalties/<int:pk>/", views.rewardpenalty_detail_view, name="rewardpenalty_detail"),
    path("rewards-penalties/<int:pk>/decide/", views.rewardpenalty_decide_view, name="rewardpenalty_decide"),
    path("violations/", views.violation_list_view, name="violation_list"),
    path("violations/new/", views.violation_create_view, name="violation_create"),
    path("violations/<int:pk>/", views.violation_detail_view, name="violation_detail"),
    path("violations/<int:pk>/decide/", views.violation_decide_view, name="violation_decide"),
    path("kpis/", views.kpi_list_view, name="kpi_list"),
]
