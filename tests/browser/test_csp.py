"""Under the Content-Security-Policy the pages still work: charts draw, former inline handlers still act, and the
browser reports no violation and no error."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import load_demo_org, screenshot
from tests.browser.test_shell import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Record every violation the page reports (the browser also logs each one as a console error).
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def test_charts_and_former_inline_handlers_work_under_the_policy(live_server: Any, page: Any) -> None:
    load_demo_org()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    missing: list[str] = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    page.add_init_script(RECORD_VIOLATIONS)
    login(page, live_server.url, "ceo")
    page.wait_for_url(f"{live_server.url}/")

    def violations() -> list[str]:
        return page.evaluate("window.__csp")

    # Dashboards: every chart box gets its canvas from static/js/charts.js.
    for path, boxes in (("/service/", 3), ("/marketing/", 2)):
        page.goto(f"{live_server.url}{path}")
        assert "Content-Security-Policy" not in page.content()  # a header, not a meta tag
        page.wait_for_function(
            "(n) => document.querySelectorAll('[data-chart] canvas').length >= n", arg=boxes, timeout=15000
        )
        assert page.locator("[data-chart]").count() == page.locator("[data-chart][data-chart-drawn]").count()
        assert violations() == [], (path, violations())
    screenshot(page, "csp-marketing-dashboard")

    # The support form's former inline script (now static/js/forms.js): the complaint category shows for a complaint.
    page.goto(f"{live_server.url}/support/")
    category = page.locator("#complaint-category")
    assert category.is_hidden()
    page.locator("input[name=ticket_type][value=complaint]").check(force=True)
    assert category.is_visible()

    # The sales dashboard's former onchange="this.form.submit()": choosing a metric reloads the page with it.
    page.goto(f"{live_server.url}/sales/")
    select = page.locator("select[name=metric]")
    other = select.locator("option:not([selected])").first.get_attribute("value")
    with page.expect_navigation():
        select.select_option(other)
    assert f"metric={other}" in page.url

    assert violations() == []
    # Every resource answers, the favicon included (the page names it, so the browser does not guess /favicon.ico).
    assert missing == []
    assert errors == []
