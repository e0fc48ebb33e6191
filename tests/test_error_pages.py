"""403, 404 and 500 pages: in the shell, in Chinese, with a way back — and the 500 page needs no database."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.test import Client, override_settings
from django.urls import path, reverse

from config.urls import urlpatterns as site_urlpatterns


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("an unexpected failure")


# This module doubles as a URLconf: the whole site plus a view that fails.
urlpatterns = [*site_urlpatterns, path("test-boom/", boom)]

pytestmark = pytest.mark.django_db
WORKBENCH = 'href="/"'


def _page(response: Any) -> str:
    html = response.content.decode()
    assert 'data-testid="error-page"' in html
    assert 'lang="zh-CN"' in html
    return html


def test_a_missing_page_is_the_shells_chinese_404(personas: dict[str, Any]) -> None:
    response = personas["rep_alice"].client().get("/no-such-page/")
    assert response.status_code == 404
    html = _page(response)
    assert "页面不存在" in html and "返回我的工作台" in html and WORKBENCH in html
    assert 'class="navbar' in html and "艾丽" in html  # the shell, with the user's menu


def test_a_record_out_of_scope_answers_the_same_404(personas: dict[str, Any]) -> None:
    response = personas["rep_alice"].client().get("/org/employees/999999/")
    assert response.status_code == 404
    assert "页面不存在" in _page(response)


def test_an_anonymous_visitor_gets_the_404_page_too(db: Any) -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in _page(response)


def test_a_refused_page_is_the_shells_chinese_403(personas: dict[str, Any]) -> None:
    response = personas["auditor_dave"].client().get(reverse("customers:pool_list"))
    assert response.status_code == 403
    html = _page(response)
    assert "无权访问" in html and "返回我的工作台" in html and WORKBENCH in html
    assert "403 Forbidden" not in html


@override_settings(ROOT_URLCONF=__name__)
def test_a_failure_is_the_chinese_500_page(personas: dict[str, Any]) -> None:
    client = personas["rep_alice"].client()
    client.raise_request_exception = False
    response = client.get("/test-boom/")
    assert response.status_code == 500
    html = _page(response)
    assert "系统出错了" in html and WORKBENCH in html
    assert "an unexpected failure" not in html and "Traceback" not in html


def test_the_500_page_renders_without_context_or_database(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()
    assert "系统出错了" in html


@override_settings(DEBUG=True)
def test_make_run_shows_no_url_list_for_a_missing_page(personas: dict[str, Any]) -> None:
    client = personas["rep_alice"].client()
    for url in ("/no-such-page/", "/org/employees/999999/"):
        response = client.get(url)
        assert response.status_code == 404
        html = _page(response)
        assert "URLconf" not in html and "DEBUG = True" not in html and "django-admin/" not in html
    # A missing slash still redirects to the page with it.
    assert client.get("/customers/pool").status_code == 301
