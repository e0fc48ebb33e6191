"""What each built-in role may do in satisfaction surveys. Managers build questionnaires and send campaigns;
everyone sees the answers within their scope; senior management sees all results (art. 10 reports to them)."""

from apps.org.choices import BuiltinRole

_VIEW = ["surveys.view_questionnaire", "surveys.view_surveycampaign", "surveys.view_surveyinvitation",
         "surveys.view_surveyresponse"]
_MANAGE = _VIEW + [
    "surveys.add_questionnaire", "surveys.change_questionnaire", "surveys.add_surveycampaign",
    "surveys.change_surveycampaign", "surveys.send_surveycampaign",
]

BUILTIN_ROLE_PERMISSIONS = {
    BuiltinRole.STAFF: _VIEW,
    BuiltinRole.DEPARTMENT_MANAGER: _MANAGE,
    BuiltinRole.SENIOR_MANAGEMENT: _VIEW + ["surveys.change_surveycampaign"],
    BuiltinRole.LEADERSHIP_GROUP: _VIEW,
    BuiltinRole.SYSTEM_ADMIN: _MANAGE + ["surveys.delete_questionnaire"],
}
