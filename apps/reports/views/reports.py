"""Department reports (月报 / 季报, arts. 4–7) on the generic scoped views: list, generate, detail, commentary,
the moves of ``REPORT_FLOW`` and improvement actions raised from a report; the pack of a period and the exports are
function views (a page over several reports; file downloads), listed in ``tests/scope_routes.py``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from apps.core.excel import TEXT, XLSX_CONTENT_TYPE, Column
from apps.core.routes import scoped_route
from apps.core.views import ScopedActionView, ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView
from apps.improvements.selectors import improvements_for
from apps.reports import exports, services
from apps.reports.forms import ImprovementForm, ReportCommentaryForm, ReportGenerateForm, ReviewForm
from apps.reports.models import DepartmentReport
from apps.reports.permissions import ReportPerm
from apps.reports.selectors import cockpit as cockpit_selectors
from apps.reports.selectors import reports as selectors
from apps.reports.views.cockpit import amount_unit


@login_required
def index_view(request: HttpRequest) -> HttpResponse:
    """The reports area: the cockpit for those who may open it, else the department reports, else a page that
    says what the area holds (staff have nothing here)."""
    if cockpit_selectors.sections_for(request.user):
        return HttpResponseRedirect(reverse("reports:cockpit"))
    if request.user.has_perm(str(ReportPerm.VIEW_REPORT)):
        return HttpResponseRedirect(reverse("reports:report_list"))
    return render(request, "reports/index.html")


class ReportListView(ScopedListView):
    model = DepartmentReport
    permission = ReportPerm.VIEW_REPORT
    template_name = "reports/report_list.html"
    search_fields = ("department__name", "period_key")
    sort_fields = ("period_start", "due_date", "status", "department__name")
    default_sort = "-period_start"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("department", "owner")


class ReportGenerateView(ScopedCreateView):
    model = DepartmentReport
    permission = ReportPerm.ADD_REPORT
    form_class = ReportGenerateForm
    template_name = "reports/report_generate.html"
    service = services.report_generate
    success_message = _("The report was built from the records.")
    success_url = "reports:report_detail"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user}


class ReportDetailView(ScopedDetailView):
    model = DepartmentReport
    permission = ReportPerm.VIEW_REPORT
    template_name = "reports/report_detail.html"
    context_object_name = "report"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report, user = self.object, self.request.user
        moves = services.allowed_actions(user, report)
        editable = (
            not report.is_frozen
            and services.can(user, "change", report)
            and user.has_perm(str(ReportPerm.CHANGE_REPORT))
        )
        context.update(
            figures=report.figures,
            moves=moves,
            editable=editable,
            unit=amount_unit(self.request),
            live=selectors.live_figures(report) if report.is_frozen and self.request.GET.get("live") else None,
            commentary_form=ReportCommentaryForm(
                initial={"commentary": report.commentary, "causes": report.causes, "next_plans": report.next_plans}
            ),
            review_form=ReviewForm(),
            improvement_form=ImprovementForm(user=user) if editable else None,
            actions=improvements_for(user=user, source=report),
        )
        return context


class ReportEditView(ScopedUpdateView):
    model = DepartmentReport
    permission = ReportPerm.CHANGE_REPORT
    form_class = ReportCommentaryForm
    template_name = "reports/report_edit.html"
    service = services.report_update
    success_message = _("The commentary was saved.")
    success_url = "reports:report_detail"


class _Move(ScopedActionView):
    model = DepartmentReport
    permission = ReportPerm.VIEW_REPORT
    success_url = "reports:report_detail"


class ReportMoveView(_Move):
    """The department's own moves on its report."""

    permission = ReportPerm.CHANGE_REPORT
    moves = {
        "submit": (services.report_submit, _("The report was submitted to senior management.")),
        "refresh": (services.report_refresh, _("The figures were rebuilt from the records.")),
    }


class ReportReviewMoveView(_Move):
    """Senior management's review: marked reviewed or returned, with a remark."""

    permission = ReportPerm.REVIEW_REPORT
    form_class = ReviewForm
    moves = {
        "review": (services.report_review, _("The report was marked reviewed.")),
        "return": (services.report_return, _("The report was returned to the department.")),
    }


class ReportImprovementView(_Move):
    permission = ReportPerm.CHANGE_REPORT
    form_class = ImprovementForm
    service = services.report_raise_improvement
    success_message = _("The improvement action was raised.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"user": self.request.user}


@login_required
def pack_view(request: HttpRequest) -> HttpResponse:
    """The three departments' reports of one period on one page, for the leadership group (several reports, each
    through ``visible_to``; not a page over one record)."""
    if not request.user.has_perm(str(ReportPerm.VIEW_REPORT)):
        raise PermissionDenied
    keys = list(
        selectors.report_list(user=request.user)
        .order_by("-period_start")
        .values_list("period_key", flat=True)
        .distinct()[:36]
    )
    key = request.GET.get("period") or (keys[0] if keys else "")
    return render(
        request,
        "reports/pack.html",
        {
            "key": key,
            "keys": sorted(set(keys), reverse=True),
            "reports": selectors.pack(user=request.user, key=key),
            "unit": amount_unit(request),
        },
    )


def _report_sheets(report: DepartmentReport) -> list[tuple[str, list[Column], list[Any]]]:
    text = [Column("k", _("Item"), TEXT, width=24), Column("v", _("Content"), TEXT, width=80)]
    rows = [
        (str(_("Commentary")), report.commentary),
        (str(_("Causes of the gaps")), report.causes),
        (str(_("Plans for the next period")), report.next_plans),
        (str(_("Management's comment")), report.review_comment),
    ]
    actions = [
        (a["title"], f"{a['owner']} · {a['due_date']} · {a['status_label']}")
        for a in report.figures.get("last_period_actions", [])
    ]
    return [(str(_("Commentary")), text, rows), (str(_("Last period's actions")), text, actions)]


@login_required
@scoped_route(DepartmentReport)
def report_export_view(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The report as Excel or PDF (a file download of one report, fetched through ``visible_to``)."""
    if not request.user.has_perm(str(ReportPerm.VIEW_REPORT)):
        raise PermissionDenied
    report = get_object_or_404(selectors.report_list(user=request.user), pk=pk)
    name = f"report_{report.department.code}_{report.period_key}"
    if fmt == "xlsx":
        data = exports.figures_workbook(
            [report.figures.get("section", {"label": "-", "figures": []})], _report_sheets(report)
        )
        response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    elif fmt == "pdf":
        data = exports.pdf_from_template(
            "reports/report_pdf.html",
            {"report": report, "figures": report.figures, "unit": amount_unit(request)},
            request.build_absolute_uri("/"),
        )
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    else:
        raise Http404
    services.report_export_logged(
        actor=request.user,
        resource="reports.departmentreport",
        period=report.period_key,
        rows=len(report.figures.get("section", {}).get("figures", [])),
    )
    return response
