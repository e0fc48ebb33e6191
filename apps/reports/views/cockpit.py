"""The executive cockpit (``reports:cockpit``) and its drill-down (``reports:cockpit_drill``): function views, for
both are dashboards of figures from the other apps' scoped selectors, not pages over one model (listed in
``tests/scope_routes.py``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from apps.core.excel import XLSX_CONTENT_TYPE
from apps.reports import exports, services
from apps.reports.selectors import cockpit as selectors
from apps.reports.selectors import drill, periods
from apps.reports.selectors.periods import PERIOD_CHOICES, ReportPeriod
from apps.reports.templatetags.reports_tags import WAN

UNIT_SESSION_KEY = "reports_unit"


def amount_unit(request: HttpRequest) -> str:
    """元 or 万元: ``?unit=wan`` / ``?unit=yuan`` chooses and the session remembers it."""
    chosen = request.GET.get("unit")
    if chosen in (WAN, "yuan"):
        request.session[UNIT_SESSION_KEY] = chosen
    return request.session.get(UNIT_SESSION_KEY, "yuan")


def period_from(params: Any) -> ReportPeriod:
    return periods.period_from(params, timezone.localdate())


def _sections_or_403(request: HttpRequest) -> list[str]:
    sections = selectors.sections_for(request.user)
    if not sections:
        raise PermissionDenied
    return sections


def _chart(sections: list[selectors.Section]) -> dict[str, Any]:
    chart: dict[str, Any] = {}
    for section in sections:
        if section.key == selectors.SALES:
            chart["monthly"] = section.extras.get("monthly") or {}
            chart["funnel"] = [{"name": s["label"], "value": s["reached"]} for s in section.extras["funnel"]]
        if section.key == selectors.SERVICE:
            chart["trend"] = section.extras["trend"]
    return chart


@login_required
def cockpit_view(request: HttpRequest) -> HttpResponse:
    allowed = _sections_or_403(request)
    period = period_from(request.GET)
    sections = selectors.cockpit(request.user, period, sections=allowed)
    return render(
        request,
        "reports/cockpit.html",
        {
            "period": period,
            "previous": period.previous(),
            "year_before": period.year_before(),
            "choices": PERIOD_CHOICES,
            "sections": sections,
            "unit": amount_unit(request),
            "chart": _chart(sections),
            "company": len(allowed) > 1,
        },
    )


@login_required
def cockpit_drill_view(request: HttpRequest, key: str) -> HttpResponse:
    allowed = _sections_or_403(request)
    section, spec = selectors.SPEC_BY_KEY.get(key, (None, None))
    if spec is None or not spec.drill or section not in allowed:
        raise Http404
    period = period_from(request.GET)
    source = drill.drill_source(key, request.user, period, timezone.localdate())
    if source is None:
        raise Http404

    def as_id(name: str) -> int | None:
        value = request.GET.get(name, "")
        return int(value) if value.isdigit() else None

    department, person = as_id("department"), as_id("person")
    level = "departments"
    rows: Any = drill.by_department(source)
    if "department" in request.GET:
        level, rows = "people", drill.by_person(source, department)
    if "person" in request.GET and "department" in request.GET:
        level, rows = "records", drill.records(source, department, person)
    return render(
        request,
        "reports/cockpit_drill.html",
        {
            "period": period,
            "spec": spec,
            "key": key,
            "level": level,
            "rows": rows,
            "total": drill.total(rows),
            "department": department,
            "unit": amount_unit(request),
            "query": request.GET.urlencode(),
            "base_query": f"period={period.kind}&start={period.start.isoformat()}&end={period.end.isoformat()}",
        },
    )


@login_required
def cockpit_export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    """The cockpit as Excel or PDF (a file download, not a page over one model)."""
    allowed = _sections_or_403(request)
    period = period_from(request.GET)
    sections = selectors.cockpit(request.user, period, sections=allowed)
    context = {
        "period": period,
        "previous": period.previous(),
        "year_before": period.year_before(),
        "sections": sections,
        "unit": amount_unit(request),
        "static": True,
    }
    stamp = f"{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if fmt == "xlsx":
        data = exports.figures_workbook(selectors.cockpit_json(sections, period)["sections"])
        response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="cockpit_{stamp}.xlsx"'
    elif fmt == "pdf":
        data = exports.pdf_from_template("reports/cockpit_pdf.html", context, request.build_absolute_uri("/"))
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="cockpit_{stamp}.pdf"'
    else:
        raise Http404
    services.report_export_logged(
        actor=request.user, resource="reports.cockpit", period=period.key, rows=sum(len(s.figures) for s in sections)
    )
    return response
