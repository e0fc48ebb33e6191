"""Survey pages for staff: questionnaires, campaigns and results (mounted under /service/surveys/)."""

from apps.surveys.urls.campaigns import urlpatterns as campaigns
from apps.surveys.urls.questionnaires import urlpatterns as questionnaires

app_name = "surveys"

urlpatterns = campaigns + questionnaires
