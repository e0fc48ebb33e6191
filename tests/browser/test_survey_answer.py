"""A customer answers a satisfaction survey on a phone, in Chinese, without an account; the answer is stored once."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext

from tests.browser.conftest import load_demo_org, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _invitation() -> Any:
    """The post-ticket questionnaire (the data migration's, seeded again after earlier flushes) sent to a customer."""
    from apps.customers.models import Contact, Customer
    from apps.org.models import User
    from apps.surveys.models import Questionnaire, SurveyCampaign
    from apps.surveys.services.invitations import invitation_make, unit_of

    load_demo_org()
    if not Questionnaire.objects.filter(for_resolved_tickets=True).exists():
        importlib.import_module("apps.surveys.migrations.0002_default_post_ticket_questionnaire").create(apps, None)
    questionnaire = Questionnaire.objects.get(for_resolved_tickets=True)
    cs1 = User.objects.get(username="cs1")
    customer = Customer.objects.create(
        name="杭州西湖精密机械有限公司", name_key="杭州西湖精密机械", level="A", owner=cs1, owner_unit=unit_of(cs1)
    )
    contact = Contact.objects.create(customer=customer, name="王建国", mobile="13912345678", is_primary=True)
    campaign = SurveyCampaign.objects.create(
        name="服务满意度回访",
        questionnaire=questionnaire,
        kind="post_ticket",
        status="sent",
        owner=cs1,
        owner_unit=unit_of(cs1),
    )
    return invitation_make(
        campaign=campaign, customer=customer, contact=contact, owner=cs1, owner_unit=unit_of(cs1), send_email=False
    )


def test_customer_answers_on_a_phone_in_chinese(live_server: Any, browser: Any) -> None:
    from apps.surveys.models import SurveyResponse

    invitation = _invitation()
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto(f"{live_server.url}/s/{invitation.token}/")
        form = page.get_by_test_id("survey-form")
        assert "服务满意度回访" in form.inner_text()
        assert "您对我们响应速度的满意程度？" in page.content()
        assert "杭州西湖精密机械有限公司" in page.get_by_test_id("survey-company").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
        # The page around the questions is Chinese too: the document language and the button's label.
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        with translation.override("zh-hans"):
            submit_label = gettext("Submit")
        assert submit_label != "Submit"
        assert page.get_by_test_id("survey-submit").inner_text().strip() == submit_label
        screenshot(page, "survey-answer-phone")

        # Submitting with nothing answered keeps the page and marks the questions.
        page.get_by_test_id("survey-submit").click()
        assert page.get_by_test_id("survey-errors").is_visible()
        assert SurveyResponse.objects.count() == 0

        blocks = page.locator("fieldset.q-block")
        for index, value in ((0, "5"), (1, "4"), (2, "5")):  # the three 1–5 ratings
            blocks.nth(index).locator(f"label:text-is('{value}')").click()
        blocks.nth(3).locator("label:text-is('9')").click()  # likelihood to recommend
        blocks.nth(4).locator("textarea").fill("工程师上门很及时，问题一次解决。")
        screenshot(page, "survey-answer-phone-filled")
        page.get_by_test_id("survey-submit").click()

        page.wait_for_url(f"**/s/{invitation.token}/thanks/**")
        assert page.get_by_test_id("survey-thanks").is_visible()
        screenshot(page, "survey-answer-phone-thanks")

        response = SurveyResponse.objects.get(invitation=invitation)
        assert str(response.csat) == "4.67" and response.nps_score == 9
        assert response.answers.filter(text="工程师上门很及时，问题一次解决。").exists()

        # The link is one-time: opening it again shows "already answered" and stores nothing more.
        page.goto(f"{live_server.url}/s/{invitation.token}/")
        assert page.get_by_test_id("survey-answered").is_visible()
        screenshot(page, "survey-answer-phone-reused")
        assert SurveyResponse.objects.count() == 1
    finally:
        context.close()
