"""The default post-ticket questionnaire (服务满意度回访), so that resolving a ticket on a fresh install sends a link."""

from django.db import migrations

TITLE = "服务满意度回访"
QUESTIONS = [
    ("rating", "您对我们响应速度的满意程度？", "How satisfied are you with how quickly we responded?", True),
    ("rating", "您对问题处理结果的满意程度？", "How satisfied are you with the outcome?", True),
    ("rating", "您对服务人员态度的满意程度？", "How satisfied are you with our staff's attitude?", True),
    ("nps", "您有多大可能向朋友或同事推荐我们？", "How likely are you to recommend us to a friend or colleague?", True),
    ("text", "您还有什么意见或建议？", "Anything else you would like to tell us?", False),
]


def create(apps, schema_editor):
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Question = apps.get_model("surveys", "Question")
    if Questionnaire.objects.filter(for_resolved_tickets=True).exists():
        return
    questionnaire = Questionnaire.objects.create(
        title=TITLE, title_en="After-service satisfaction survey",
        intro="感谢您使用我们的服务！请花一分钟告诉我们您的感受，这将帮助我们改进服务。",
        intro_en="Thank you for using our service! Please take a minute to tell us how we did; it helps us improve.",
        is_active=True, for_resolved_tickets=True,
    )
    for order, (kind, text, text_en, required) in enumerate(QUESTIONS, start=1):
        Question.objects.create(questionnaire=questionnaire, order=order, kind=kind, text=text, text_en=text_en,
                                required=required, options=[])


def remove(apps, schema_editor):
    Questionnaire = apps.get_model("surveys", "Questionnaire")
    Questionnaire.objects.filter(title=TITLE, for_resolved_tickets=True, campaigns__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
