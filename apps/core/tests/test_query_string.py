"""The page and sort links of a list (``query_string``, ``sort_header``) read the request's parameters once per page
and still give exactly what changing a copy of the ``QueryDict`` gave: same order, repeated keys, any script."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory

from apps.core.templatetags.core_tags import query_string, sort_header


def _by_copy(query: str, changes: dict[str, Any]) -> str:
    params = QueryDict(query).copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


@pytest.mark.parametrize(
    "query",
    ["", "page=3", "q=瑞丰&page=2&sort=-name", "tag=a&tag=b&page=5&q=a+b%26c", "scene=all&quick=&q=%E2%80%94"],
)
@pytest.mark.parametrize(
    "changes",
    [{"page": 4}, {"page": None}, {"scene": "mine", "page": None}, {"quick": ""}, {"tag": "新"}, {"zz": 1, "page": 2}],
)
def test_query_string_gives_what_a_copy_of_the_query_dict_gave(query: str, changes: dict[str, Any]) -> None:
    request = RequestFactory().get(f"/customers/?{query}")
    context = Context({"request": request})
    assert query_string(context, **changes) == _by_copy(query, changes)
    assert query_string(context, **changes) == _by_copy(query, changes)  # the parameters read once are not changed
    assert request.GET.urlencode() == QueryDict(query).urlencode()


@pytest.mark.parametrize("query", ["", "sort=name&page=3&q=瑞丰", "page=2&sort=-name", "tag=a&tag=b"])
def test_sort_links_keep_the_other_parameters_and_reset_the_page(query: str) -> None:
    request = RequestFactory().get(f"/customers/?{query}")
    sort = QueryDict(query).get("sort", "")
    header = sort_header(Context({"request": request, "sort": sort}), "name", "Name")
    expected = QueryDict(query).copy()
    expected["sort"] = "-name" if sort == "name" else "name"
    expected.pop("page", None)
    assert header["href"] == f"?{expected.urlencode()}"
    rendered = Template("{% load core_tags %}{% query_string page=2 as href %}{{ href }}").render(
        Context({"request": request})
    )
    assert rendered == _by_copy(query, {"page": 2}).replace("&", "&amp;")
