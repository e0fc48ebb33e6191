from django.urls import path

from apps.surveys.views import questionnaires as views

urlpatterns = [
    path("questionnaires/", views.QuestionnaireListView.as_view(), name="questionnaire_list"),
    path("questionnaires/new/", views.questionnaire_create_view, name="questionnaire_create"),
    path("questionnaires/<int:pk>/", views.QuestionnaireDetailView.as_view(), name="questionnaire_detail"),
    path("questionnaires/<int:pk>/edit/", views.questionnaire_update_view, name="questionnaire_update"),
]
