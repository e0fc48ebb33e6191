"""Policy pages: the read acknowledgement of the version in force (art. 14), its report, reminders and export."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from apps.core import excel
from apps.core.history import history_entries
from apps.core.services.exports import export_logged
from apps.core.views import ScopedDetailView, ScopedListView
from apps.policy import selectors, services
from apps.policy.context_processors import remember as remember_banner
from apps.policy.models import PolicyAcknowledgement, PolicyVersion
from apps.policy.permissions import AckPerm
from apps.policy.views.versions import PolicyReaderMixin

# Acknowledgement, interpretation, review


class AcknowledgeView(PolicyReaderMixin, TemplateView):
    """Read the changed articles of the version in force and confirm 我已阅读并知晓 (POST). A special page: it is
    about the user's own confirmation of the one version in force, not a record addressed by the URL."""

    template_name = "policy/acknowledge.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            version = selectors.policy_in_force()
        except selectors.NoPolicyInForce:
            return context
        changed = selectors.changed_articles(version)
        remember_banner(self.request)  # refresh what the banner shows (e.g. after confirming through the API)
        context.update(
            version=version,
            changed=changed,
            previous=selectors.previous_version(version),
            acknowledgement=PolicyAcknowledgement.objects.filter(version=version, user=self.request.user.pk).first(),
            deadline=selectors.acknowledgement_deadline(version),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            version = selectors.policy_in_force()
            services.policy_acknowledgement_confirm(actor=request.user, version=version)
            remember_banner(request)
        except selectors.NoPolicyInForce as exc:
            raise Http404 from exc
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Thank you: your confirmation of version %(label)s is recorded.") % {"label": version.label}
            )
        return redirect("policy:acknowledge")


def _ack_version(request: HttpRequest) -> PolicyVersion | None:
    """The version the acknowledgement pages are about: ``?version=<id>`` of a published version, else the one in
    force."""
    pk = request.GET.get("version", "")
    if pk.isdigit():
        return PolicyVersion.objects.filter(pk=pk, status__in=selectors.PUBLISHED).first()
    try:
        return selectors.policy_in_force()
    except selectors.NoPolicyInForce:
        return None


class AcknowledgementListView(ScopedListView):
    """Who has confirmed the version in force, by department, within the viewer's scope (staff: themselves;
    managers: their tree; senior management and the leadership group: everyone)."""

    model = PolicyAcknowledgement
    permission = AckPerm.VIEW_ACKNOWLEDGEMENT
    template_name = "policy/acknowledgement_list.html"
    search_fields = ("user__name", "user__username", "user__employee__department__name")
    sort_fields = ("user__name", "user__employee__department__path", "confirmed_at", "reminded_at")
    default_sort = "user__employee__department__path"
    paginate_by = 50

    def get_queryset(self) -> Any:
        self.version = _ack_version(self.request)
        qs = selectors.acknowledgement_list(user=self.request.user, version=self.version)
        self.scoped = qs
        status = self.request.GET.get("status", "")
        if status == "pending":
            qs = qs.filter(confirmed_at__isnull=True)
        elif status == "confirmed":
            qs = qs.filter(confirmed_at__isnull=False)
        term = self.request.GET.get("q", "").strip()
        if term:
            from django.db.models import Q

            cond = Q()
            for name in self.search_fields:
                cond |= Q(**{f"{name}__icontains": term})
            qs = qs.filter(cond)
        return qs.order_by(self.current_sort(), "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows, total = selectors.acknowledgement_by_department(self.scoped)
        context.update(
            version=self.version,
            departments=rows,
            total=total,
            status=self.request.GET.get("status", ""),
            deadline=selectors.acknowledgement_deadline(self.version) if self.version else None,
            versions=PolicyVersion.objects.filter(status__in=selectors.PUBLISHED).order_by("-effective_from"),
            may_remind=self.request.user.has_perm(AckPerm.REMIND_ACKNOWLEDGEMENT),
        )
        return context


class AcknowledgementDetailView(ScopedDetailView):
    """One employee's confirmation of one version, with its history (asked, reminded, confirmed)."""

    model = PolicyAcknowledgement
    permission = AckPerm.VIEW_ACKNOWLEDGEMENT
    template_name = "policy/acknowledgement_detail.html"
    context_object_name = "ack"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("user", "version", "user__employee__department")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = history_entries(self.object)
        return context


@require_POST
def acknowledgement_remind_view(request: HttpRequest) -> HttpResponse:
    """One click: remind the unconfirmed of the version within the user's scope (the service selects them from
    visible_to). A function view: a bulk action over the list, not one record."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    if not request.user.has_perm(AckPerm.REMIND_ACKNOWLEDGEMENT):
        raise PermissionDenied
    version = _ack_version(request)
    if version is None:
        raise Http404
    count = services.policy_acknowledgements_remind(actor=request.user, version=version)
    messages.success(request, _("%(count)s employees were reminded.") % {"count": count})
    return redirect(f"{reverse('policy:acknowledgement_list')}?version={version.pk}")


ACK_COLUMNS = [
    excel.Column("department", gettext_lazy("Department"), width=20),
    excel.Column("name", gettext_lazy("Name"), width=14),
    excel.Column("username", gettext_lazy("Username"), width=14),
    excel.Column("version", gettext_lazy("Version"), width=10),
    excel.Column("status", gettext_lazy("Status"), width=12),
    excel.Column("confirmed_at", gettext_lazy("Confirmed at"), width=20),
    excel.Column("reminders", gettext_lazy("Reminders sent"), kind=excel.INT, width=10),
]
ACK_SUMMARY_COLUMNS = [
    excel.Column("department", gettext_lazy("Department"), width=20),
    excel.Column("asked", gettext_lazy("Employees"), kind=excel.INT),
    excel.Column("confirmed", gettext_lazy("Confirmed"), kind=excel.INT),
    excel.Column("pending", gettext_lazy("Not confirmed"), kind=excel.INT),
    excel.Column("share", gettext_lazy("Share confirmed (%)")),
]


def acknowledgement_export_view(request: HttpRequest) -> HttpResponse:
    """The acknowledgement report as Excel: one row per employee within the user's scope (the selector starts from
    visible_to). A function view: a file download."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    if not request.user.has_perm(AckPerm.VIEW_ACKNOWLEDGEMENT):
        raise PermissionDenied
    version = _ack_version(request)
    if version is None:
        raise Http404
    qs = selectors.acknowledgement_list(user=request.user, version=version).order_by(
        "user__employee__department__path", "user__name", "pk"
    )
    if request.GET.get("summary"):
        rows, total = selectors.acknowledgement_by_department(qs)
        rows.append(selectors.AcknowledgementRow(None, str(_("Total")), total.asked, total.confirmed))
        data = [
            {
                "department": r.department,
                "asked": r.asked,
                "confirmed": r.confirmed,
                "pending": r.pending,
                "share": f"{r.share}",
            }
            for r in rows
        ]
        content = excel.write_workbook(ACK_SUMMARY_COLUMNS, data, title=_("Acknowledgements"))
        resource = "policy.acknowledgement_summary"
    else:
        data = [
            {
                "department": getattr(getattr(a.user, "employee", None), "department", "") or "",
                "name": a.user.get_full_name(),
                "username": a.user.username,
                "version": version.label,
                "status": _("Confirmed") if a.confirmed_at else _("Not confirmed"),
                "confirmed_at": timezone.localtime(a.confirmed_at).strftime("%Y-%m-%d %H:%M") if a.confirmed_at else "",
                "reminders": a.reminder_count,
            }
            for a in qs
        ]
        content = excel.write_workbook(ACK_COLUMNS, data, title=_("Acknowledgements"))
        resource = "policy.acknowledgement"
    export_logged(
        actor=request.user, resource=resource, scope="all", filters=f"version={version.label}", row_count=len(data)
    )
    response = HttpResponse(content, content_type=excel.XLSX_CONTENT_TYPE)
    filename = excel.export_filename(_("Policy acknowledgements"))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)
