"""What each built-in role may do in satisfaction surveys. Managers build questionnaires and send campaigns;
everyone sees the answers within their scope; senior management sees all results (art. 10 reports to them)."""

from enum import StrEnum

from apps.org.choices import BuiltinRole


class SurveyPerm(StrEnum):
    """The permissions of this app, as views, services and templates name them."""

    VIEW_QUESTIONNAIRE = "surveys.view_questionnaire"
    CHANGE_QUESTIONNAIRE = "surveys.change_questionnaire"
    VIEW_CAMPAIGN = "surveys.view_surveycampaign"
    ADD_CAMPAIGN = "surveys.add_surveycampaign"
    CHANGE_CAMPAIGN = "surveys.change_surveycampaign"
    SEND_CAMPAIGN = "surveys.send_surveycampaign"
    VIEW_INVITATION = "surveys.view_surveyinvitation"
    VIEW_RESPONSE = "surveys.view_surveyresponse"


_VIEW = [
    "surveys.view_questionnaire",
    "surveys.view_surveycampaign",
    "surveys.view_surveyinvitation",
    "surveys.view_surveyresponse",
]
_MANAGE = _VIEW + [
    "surveys.add_questionnaire",
    "surveys.change_questionnaire",
    "surveys.add_surveycampaign",
    "surveys.change_surveycampaign",
    "surveys.send_surveycampaign",
]

BUILTIN_ROLE_PERMISSIONS = {
    BuiltinRole.STAFF: _VIEW,
    BuiltinRole.DEPARTMENT_MANAGER: _MANAGE,
    BuiltinRole.SENIOR_MANAGEMENT: _VIEW + ["surveys.change_surveycampaign"],
    BuiltinRole.LEADERSHIP_GROUP: _VIEW,
    BuiltinRole.SYSTEM_ADMIN: _MANAGE + ["surveys.delete_questionnaire"],
}
