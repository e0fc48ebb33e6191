"""The public answer page of a one-time survey link (no account), mounted at /s/."""

from django.urls import path

from apps.surveys.views import answer

app_name = "survey_answer"

urlpatterns = [
    path("<str:token>/", answer.answer_view, name="answer"),
    path("<str:token>/thanks/", answer.thanks_view, name="thanks"),
]
