"""The assessment section of the rules form adds and drops scheme lines and proposals (issue 12): a KPI removed or
added, validated as a whole by the rules (weights adding to 100 %, a scheme keeping a KPI) in Chinese naming the
scheme, nothing saved when refused, the diff naming the line added or dropped; only editors reach the form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.policy import selectors
from apps.policy.forms.versions import RulesSectionForm
from apps.policy.tests.test_amendments import _draft, group_fixture  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

SALES_STAFF = "assessment__schemes__sales__staff"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(draft: Any) -> str:
    return reverse("policy:rules_edit", args=[draft.pk, "assessment"])


def _data(client: Client, draft: Any, **changes: Any) -> dict[str, Any]:
    """What the page's form holds as shown, with ``changes`` (``None`` leaves a field out: an unticked box)."""
    form = client.get(_url(draft)).context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items() if k in form.fields}
    data = {k: v for k, v in data.items() if not k.endswith("__remove")}
    data.update({k: v for k, v in changes.items() if v is not None})
    return data


def _weights(draft: Any) -> dict[str, int]:
    draft.refresh_from_db()
    scheme = selectors.version_rules(draft).assessment.scheme("sales", "staff")
    assert scheme is not None
    return {line.kpi: line.weight for line in scheme.lines}


def _errors(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_form_lists_a_remove_box_per_line_and_an_add_row_per_scheme(group: list) -> None:
    draft = _draft(group[0])
    form = RulesSectionForm(rules=selectors.version_rules(draft), section="assessment")
    names = list(form.fields)
    lines = [n for n in names if n.endswith("__remove")]
    rules = selectors.version_rules(draft)
    assert len(lines) == sum(len(s.lines) for s in rules.assessment.schemes)
    assert len([n for n in names if n.endswith("__add__kpi")]) == len(rules.assessment.schemes)
    # Each box follows its line, each add row its scheme's last line.
    at = names.index(f"{SALES_STAFF}__manager_rating__remove")
    assert names[at - 1].startswith(f"{SALES_STAFF}__manager_rating__")
    assert names[at + 1 : at + 4] == [f"{SALES_STAFF}__add__{k}" for k in ("kpi", "weight", "target")]
    present = {line.kpi for line in rules.assessment.scheme("sales", "staff").lines}  # type: ignore[union-attr]
    offered = {value for value, _label in form.fields[f"{SALES_STAFF}__add__kpi"].choices if value}
    assert offered and not offered & present
    assert {n.rsplit("__", 1)[1] for n in names if "__proposals__" in n} == {
        "excellent",
        "good",
        "pass",
        "needs_improvement",
        "fail",
    }


def test_a_line_removed_and_its_weight_given_to_another_is_saved(group: list) -> None:
    draft = _draft(group[0])
    client = _client(group[0])
    before = _weights(draft)
    data = _data(
        client,
        draft,
        **{f"{SALES_STAFF}__new_customers__remove": "on", f"{SALES_STAFF}__manager_rating__weight": 20},
    )
    response = client.post(_url(draft), data)
    assert response.status_code == 302, response.context["form"].errors
    after = _weights(draft)
    assert "new_customers" not in after and after["manager_rating"] == before["manager_rating"] + 10
    assert sum(after.values()) == 100
    page = _client(group[0]).get(reverse("policy:version_diff", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    sentences = [line.sentence for line in page.context["diff"].rules]
    dropped = [s for s in sentences if "新增客户数" in s]
    # The line dropped reads as dropped: its weight and target "—" afterwards; the weight moved reads 10 → 20.
    assert len(dropped) == 2 and all(s.endswith("—") or "改为 —" in s for s in dropped), dropped
    assert len([s for s in sentences if "考核方案" in s]) == 3, sentences  # (the draft also shortens a deadline)


def test_a_line_removed_without_moving_its_weight_is_refused_naming_the_scheme(group: list) -> None:
    draft = _draft(group[0])
    client = _client(group[0])
    before = _weights(draft)
    data = _data(client, draft, **{f"{SALES_STAFF}__new_customers__remove": "on"})
    response = client.post(_url(draft), data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    text = _errors(response)
    assert "考核方案 · 销售 · 普通员工：指标权重合计须为 100%，当前为 90%" in text
    assert _weights(draft) == before  # nothing saved


def test_removing_every_line_of_a_scheme_is_refused(group: list) -> None:
    draft = _draft(group[0])
    client = _client(group[0])
    before = _weights(draft)
    boxes = {f"{SALES_STAFF}__{kpi}__remove": "on" for kpi in before}
    response = client.post(_url(draft), _data(client, draft, **boxes), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "至少须包含一个考核指标" in _errors(response)
    assert _weights(draft) == before


def test_a_line_added_with_its_weight_and_target_is_saved(group: list) -> None:
    draft = _draft(group[0])
    client = _client(group[0])
    lowered = _weights(draft)["contract_amount_completion"] - 10  # the new line's 10 % taken from the largest
    data = _data(
        client,
        draft,
        **{
            f"{SALES_STAFF}__add__kpi": "contacts_on_time",
            f"{SALES_STAFF}__add__weight": 10,
            f"{SALES_STAFF}__add__target": "95",
            f"{SALES_STAFF}__contract_amount_completion__weight": lowered,
        },
    )
    response = client.post(_url(draft), data)
    assert response.status_code == 302, response.context["form"].errors
    after = _weights(draft)
    assert after["contacts_on_time"] == 10 and after["contract_amount_completion"] == lowered
    scheme = selectors.version_rules(draft).assessment.scheme("sales", "staff")
    assert scheme is not None
    (added,) = [line for line in scheme.lines if line.kpi == "contacts_on_time"]
    assert str(added.target) in {"95", "95.00"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"add__kpi": "contacts_on_time"}, "add__weight"),  # a KPI without its weight
        ({"add__weight": 10}, "add__kpi"),  # a weight without its KPI
    ],
)
def test_an_incomplete_add_row_is_refused(group: list, changes: dict[str, Any], field: str) -> None:
    draft = _draft(group[0])
    client = _client(group[0])
    before = _weights(draft)
    data = _data(client, draft, **{f"{SALES_STAFF}__{k}": v for k, v in changes.items()})
    response = client.post(_url(draft), data)
    assert response.status_code == 200
    assert f"{SALES_STAFF}__{field}" in response.context["form"].errors
    assert _weights(draft) == before


def test_a_proposal_is_added_for_a_grade_and_another_dropped(group: list) -> None:
    draft = _draft(group[0])
    client = _client(group[0])
    data = _data(
        client,
        draft,
        **{"assessment__proposals__good": "commendation", "assessment__proposals__fail": ""},
    )
    response = client.post(_url(draft), data)
    assert response.status_code == 302, response.context["form"].errors
    draft.refresh_from_db()
    rules = selectors.version_rules(draft).assessment
    assert rules.proposal_for("good") == "commendation"
    assert rules.proposal_for("fail") == ""
    assert rules.proposal_for("excellent") == "commendation"  # untouched


def test_the_live_check_reports_the_weights_as_one_removes_a_line(group: list) -> None:
    draft = _draft(group[0])
    client = _client(group[0])
    before = _weights(draft)
    data = {**_data(client, draft, **{f"{SALES_STAFF}__new_customers__remove": "on"}), "_validate": "1"}
    response = client.post(_url(draft), data, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "考核方案 · 销售 · 普通员工：指标权重合计须为 100%，当前为 90%" in _errors(response)
    assert _weights(draft) == before


@pytest.mark.parametrize("persona", ["rep_alice", "lead_bob", "auditor_dave"])
def test_people_who_may_not_edit_cannot_add_or_remove_lines(personas: dict, group: list, persona: str) -> None:
    draft = _draft(group[0])
    before = _weights(draft)
    client = personas[persona].client()
    data = _data(_client(group[0]), draft, **{f"{SALES_STAFF}__new_customers__remove": "on"})
    data[f"{SALES_STAFF}__manager_rating__weight"] = 20
    response = client.post(_url(draft), data)
    assert response.status_code in (403, 404)
    assert _weights(draft) == before
