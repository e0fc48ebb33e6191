"""``{% status_badge %}``: one table of colours for every workflow's status badge."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.template import Context, Template

from apps.core.templatetags.badges import STATUS_BADGES, TEST_IDS


def render(source: str, **context: object) -> str:
    return Template("{% load badges %}" + source).render(Context(context))


@pytest.mark.parametrize("kind", sorted(STATUS_BADGES))
def test_every_status_of_every_workflow_renders_its_label(kind: str) -> None:
    model = apps.get_model(kind)
    choices = model._meta.get_field("status").choices
    assert set(STATUS_BADGES[kind]) - {"*"} <= {value for value, _ in choices}, "a tone for a status that is not one"
    for value, label in choices:
        html = render("{% status_badge obj %}", obj=model(status=value))
        assert f'data-status="{value}"' in html
        assert html.endswith(f"{label}</span>")
        assert 'class="badge text-bg-' in html
        if kind in TEST_IDS:
            assert f'data-testid="{TEST_IDS[kind]}"' in html


def test_tones_follow_the_table() -> None:
    contract = apps.get_model("sales.contract")
    target_set = apps.get_model("sales.targetset")
    assert 'class="badge text-bg-success"' in render("{% status_badge c %}", c=contract(status="approved"))
    assert 'class="badge text-bg-danger"' in render("{% status_badge c %}", c=contract(status="rejected"))
    assert 'class="badge text-bg-light border"' in render("{% status_badge t %}", t=target_set(status="draft"))
    assert '<i class="bi bi-lock-fill"></i> ' in render("{% status_badge t %}", t=target_set(status="approved"))
    assert "bi-lock-fill" not in render("{% status_badge t %}", t=target_set(status="submitted"))


def test_a_bare_value_overrides_and_escaping() -> None:
    html = render('{% status_badge s "service.ticket" label=l %}', s="resolved", l="<b>Done</b>")
    assert html == (
        '<span class="badge text-bg-success" data-status="resolved" data-testid="ticket-status">'
        "&lt;b&gt;Done&lt;/b&gt;</span>"
    )
    assert 'text-bg-danger" data-status="pending"' in render('{% status_badge s "x.y" tone="danger" %}', s="pending")
    assert render("{% status_badge s %}", s=None) == ""
