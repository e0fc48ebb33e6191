"""Survey resources, assembled into /api/v1/ by ``config/api.py``."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from apps.surveys.api import views

router = SimpleRouter()
router.register("surveys", views.QuestionnaireViewSet, basename="questionnaire")
router.register("survey-campaigns", views.SurveyCampaignViewSet, basename="surveycampaign")
router.register("survey-invitations", views.SurveyInvitationViewSet, basename="surveyinvitation")
router.register("survey-results", views.SurveyResponseViewSet, basename="surveyresponse")

urlpatterns = [*router.urls]
