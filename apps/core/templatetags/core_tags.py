"""Template tags of the page shell: the policy's areas, the history panel, query strings, sort links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms, template
from django.apps import apps as django_apps
from django.conf import settings
from django.template.loader import get_template
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from apps.core.history import history_entries

register = template.Library()


@dataclass(frozen=True)
class Area:
    """One area of the policy in the navigation; it lights up once its app serves ``url_name``."""

    key: str
    label: Any
    icon: str
    url_name: str
    description: Any
    permission: str = ""


# The areas of the policy (市场开发, 销售, 客户服务, 绩效考核, 制度, 报表) and the organisation, in menu order.
AREAS = (
    Area(
        "customers",
        _("Customers"),
        "bi-person-vcard",
        "customers:customer_list",
        _("The customer archive shared by every department, and the public pool"),
        "customers.view_customer",
    ),
    Area(
        "marketing",
        _("Market development"),
        "bi-megaphone",
        "marketing:index",
        _("Market research, plans, campaigns, leads and visits"),
    ),
    Area("sales", _("Sales"), "bi-graph-up-arrow", "sales:index", _("Targets, opportunities, contracts and payments")),
    Area(
        "service",
        _("Customer service"),
        "bi-headset",
        "service:index",
        _("Tickets, complaints, feedback and customer care"),
    ),
    Area(
        "performance",
        _("Performance"),
        "bi-award",
        "performance:index",
        _("KPIs, assessment cycles, rewards and penalties"),
    ),
    Area(
        "policy",
        _("Policy"),
        "bi-journal-text",
        "policy:in_force",
        _("The sales management policy in force, article by article"),
    ),
    Area(
        "reports", _("Reports"), "bi-bar-chart-line", "reports:index", _("Dashboards and periodic department reports")
    ),
    Area(
        "org",
        _("Organisation"),
        "bi-diagram-3",
        "org:department_list",
        _("Departments, employees and roles"),
        "org.view_department",
    ),
)


_AREA_URLS: dict[tuple[str, str, str], str] = {}


def _area_url(area: Area) -> str:
    """The area's URL, reversed once per process (per URL configuration and script prefix): every page's navbar
    asks for all of them."""
    key = (str(get_urlconf() or settings.ROOT_URLCONF), get_script_prefix(), area.url_name)
    url = _AREA_URLS.get(key)
    if url is None:
        try:
            url = reverse(area.url_name)
        except NoReverseMatch:
            url = ""
        _AREA_URLS[key] = url
    return url


@register.simple_tag(takes_context=True)
def shell_areas(context: Any) -> list[dict[str, Any]]:
    """Return the areas the user may use: each with its URL ("" while it is still coming) and whether it is current."""
    request = context.get("request")
    path = getattr(request, "path", "")
    user = context.get("user")
    areas = []
    for area in AREAS:
        if area.permission and not (user and user.has_perm(area.permission)):
            continue
        url = _area_url(area)
        active = bool(url) and url != "/" and path.startswith(url)
        areas.append({"area": area, "url": url, "active": active})
    return areas


_MENUS: dict[tuple[Any, ...], str] = {}


@register.simple_tag(takes_context=True)
def shell_menu(context: Any) -> str:
    """The navbar's areas (``layouts/navbar.html#areas``): the same few pieces of HTML on every page, so each is
    rendered once per process for a language, the areas the user may use (their URLs) and the current one."""
    areas = shell_areas(context)
    key = (get_language(), tuple((item["area"].key, item["url"], item["active"]) for item in areas))
    html = _MENUS.get(key)
    if html is None:
        html = _MENUS[key] = get_template("layouts/navbar.html#areas").render({"areas": areas})
    return mark_safe(html)  # noqa: S308 - rendered by the template engine, escaped there


@register.inclusion_tag("components/history_panel.html")
def history_panel(obj: Any) -> dict[str, Any]:
    """Render the "history" panel for any record that keeps history."""
    return {"entries": history_entries(obj)}


def _changed_query(request: Any, changes: dict[str, Any]) -> str:
    """The request's query string with ``changes`` applied (``None`` or ``""`` removes a parameter), encoded as
    ``QueryDict.urlencode`` does; a changed parameter keeps its place. A list page asks for twenty of these: the
    parameters are read once per request instead of deep-copying the ``QueryDict`` each time."""
    lists = getattr(request, "_salesops_query_lists", None)
    if lists is None:
        lists = request._salesops_query_lists = dict(request.GET.lists())
    params = dict(lists)
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = [value]
    return urlencode([(key, str(value)) for key, values in params.items() for value in values])


@register.simple_tag(takes_context=True)
def query_string(context: Any, **changes: Any) -> str:
    """Return the current query string with ``changes`` applied (for sort and page links)."""
    encoded = _changed_query(context["request"], changes)
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def select_options(choices: Any, selected: Any) -> str:
    """The ``<option>``s of a filter's ``<select>``, the one whose value equals ``selected`` marked ``selected``: the
    same HTML as a template loop over the choices, without three template nodes per option (a list page renders
    dozens)."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == selected else "", label) for value, label in choices),
    )


@register.simple_tag
def page_window(page_obj: Any, on_each_side: int = 2, on_ends: int = 1) -> list[Any]:
    """The page numbers to link around the current page, with ``None`` for a gap (…).

    Django's ``Paginator.get_elided_page_range`` computes only the window, so a list of 100,000 records renders
    the same handful of links as one of 60 (iterating ``paginator.page_range`` in the template cost 86 ms and
    81 KB per page at 100k rows).
    """
    paginator = page_obj.paginator
    return [
        None if number == paginator.ELLIPSIS else number
        for number in paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=on_ends)
    ]


@register.inclusion_tag("components/sort_header.html", takes_context=True)
def sort_header(context: Any, field: str, label: Any) -> dict[str, Any]:
    """A sortable column header: click sorts ascending, again descending; keeps the other filters, resets the page."""
    current = context.get("sort", "")
    ascending = current == field
    descending = current == f"-{field}"
    return {
        "label": label,
        "href": f"?{_changed_query(context['request'], {'sort': f'-{field}' if ascending else field, 'page': None})}",
        "ascending": ascending,
        "descending": descending,
    }


@register.filter
def bs_widget(field: Any) -> str:
    """Render a bound field's widget with Bootstrap classes (and ``is-invalid`` when it has errors)."""
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{existing} {css}".strip()})


@register.filter
def is_marked_required(field: Any) -> bool:
    """Whether a field shows the * mark: required by the form or by the service behind it (``marked_required``)."""
    return bool(field.field.required or field.name in getattr(field.form, "marked_required", ()))


@register.filter
def app_name(app_label: str) -> str:
    """The human name of an installed app (for per-app data scopes), or the label itself."""
    try:
        return str(django_apps.get_app_config(app_label).verbose_name)
    except LookupError:
        return app_label
