"""Excel import and export pages of the customer archive.

An uploaded file is kept (briefly, under a random token remembered in the session) so that the user can choose
"skip the failed rows and import the rest" or download the failed rows without uploading it again.
"""

from __future__ import annotations

import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from apps.core import excel
from apps.core.filters import ListFilterSet
from apps.core.models import Job
from apps.core.views import ExportFile, ListExportMixin, add_service_errors
from apps.customers.filters import CustomerFilterSet
from apps.customers.forms.pool import CustomerImportForm
from apps.customers.permissions import CustomerPerm
from apps.customers.selectors import archive as selectors
from apps.customers.selectors.pool import assignable_owners
from apps.customers.services import io as services
from apps.customers.views.archive import CustomerListView

SESSION_KEY = "customer_import_tokens"
UPLOAD_DIR = Path(tempfile.gettempdir()) / "salesops-imports"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
UPLOAD_KEEP_SECONDS = 24 * 3600
PROBLEMS_SHOWN = 200
SYNC_IMPORT_ROWS = 300  # more rows than this to import: a background job with progress
# More sheet rows than this: not even checked while the page waits (100,000 rows take seconds to check); the job
# checks them, and with failed rows (unless "skip the failed rows" was chosen) imports nothing and lists them.
SYNC_CHECK_ROWS = 5000


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _require_import(request: HttpRequest) -> None:
    if not (request.user.has_perm("customers.import_customer") and request.user.has_perm("customers.add_customer")):
        raise PermissionDenied


def _stored_path(request: HttpRequest, token: str) -> Path:
    """The uploaded file behind ``token``, only if this session uploaded it."""
    if token not in request.session.get(SESSION_KEY, []) or not token.isalnum():
        raise Http404
    path = UPLOAD_DIR / f"{token}.xlsx"
    if not path.exists():
        raise Http404
    return path


def _forget_old_uploads() -> None:
    cutoff = time.time() - UPLOAD_KEEP_SECONDS
    for old in UPLOAD_DIR.glob("*.xlsx"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)


def _store_upload(request: HttpRequest, upload: Any) -> str:
    UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    _forget_old_uploads()
    token = secrets.token_hex(16)
    with open(UPLOAD_DIR / f"{token}.xlsx", "wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    request.session[SESSION_KEY] = [*request.session.get(SESSION_KEY, [])[-9:], token]
    return token


def _run_import(request: HttpRequest, form: CustomerImportForm) -> tuple[str, services.ImportResult | Job | None]:
    """Check the file; import it now, or — more than ``SYNC_IMPORT_ROWS`` rows to import — start a background job."""
    upload = form.cleaned_data.get("file")
    if upload is not None and upload.size > MAX_UPLOAD_BYTES:
        form.add_error("file", _("The file is larger than 10 MB; split it into several files."))
        return "", None
    token = _store_upload(request, upload) if upload is not None else form.cleaned_data["token"]
    path = _stored_path(request, token)
    owner, skip_failed = form.chosen_owner(request.user), form.cleaned_data["skip_failed"]
    try:
        with open(path, "rb") as file:
            too_many_to_check = excel.sheet_row_count(file) > SYNC_CHECK_ROWS
        if too_many_to_check:  # checked by the job too: its page lists the failed rows
            job = services.customer_import_start(
                actor=request.user, data=path.read_bytes(), owner=owner, skip_failed=skip_failed
            )
            path.unlink(missing_ok=True)
            return token, job
        with open(path, "rb") as file:
            rows, checked = services.read_import_file(file)
        if checked.importable > SYNC_IMPORT_ROWS and (skip_failed or not checked.problems):
            job = services.customer_import_start(
                actor=request.user, data=path.read_bytes(), owner=owner, skip_failed=skip_failed
            )
            path.unlink(missing_ok=True)
            return token, job
        with open(path, "rb") as file:
            result = services.customer_import(actor=request.user, file=file, owner=owner, skip_failed=skip_failed)
    except ValidationError as error:
        add_service_errors(form, error)
        return token, None
    if result.created and not result.problems:
        path.unlink(missing_ok=True)  # kept while there are failed rows to download
    if result.created:
        messages.success(request, _("%(count)s customers imported.") % {"count": result.created})
    return token, result


@login_required
def customer_import_view(request: HttpRequest) -> HttpResponse:
    """导入: upload, validate every row, then import all — or, by explicit choice, all but the failed rows."""
    _require_import(request)
    owners = assignable_owners(user=request.user)
    form = CustomerImportForm(request.POST or None, request.FILES or None, owners=owners)
    token: str = ""
    result: services.ImportResult | None = None
    if request.method == "POST" and form.is_valid():
        token, outcome = _run_import(request, form)
        if isinstance(outcome, Job):  # a large file: its page shows the progress
            url = reverse("core:job_detail", args=[outcome.pk])
            return HttpResponse(headers={"HX-Redirect": url}) if getattr(request, "htmx", None) else redirect(url)
        result = outcome
    context = {
        "form": form,
        "result": result,
        "token": token,
        "problems_shown": PROBLEMS_SHOWN,
        "shown_problems": result.problems[:PROBLEMS_SHOWN] if result else [],
    }
    htmx = getattr(request, "htmx", None)
    template = "customers/import_customers.html"
    return render(request, f"{template}#result" if htmx and request.method == "POST" else template, context)


@login_required
def customer_import_failed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The failed rows of an uploaded file with a reason column, to fix and upload again."""
    _require_import(request)
    with open(_stored_path(request, token), "rb") as file:
        rows, result = services.read_import_file(file)
    data = services.failed_rows_workbook(rows=rows, result=result)
    return _xlsx_response(data, excel.export_filename(_("Customer import failed rows")))


@login_required
def customer_import_template_view(request: HttpRequest) -> HttpResponse:
    """The import template (.xlsx) in the user's language."""
    _require_import(request)
    return _xlsx_response(services.import_template(), f"{_('Customer import template')}.xlsx")


#
# Export
#


def _export_ids(request: HttpRequest) -> list[int]:
    raw = request.POST.getlist("ids") or request.GET.getlist("ids")
    ids = []
    for item in raw:
        ids += [int(part) for part in str(item).split(",") if part.strip().isdigit()]
    return ids


EXPORT_SCOPES = ("selected", "filtered", "all")


class CustomerExportView(ListExportMixin, CustomerListView):
    """导出: ``scope=filtered`` (the archive list as shown: its ``CustomerFilterSet``, search and sort on the same
    parameters), ``selected`` (``ids``) or ``all`` — always within the user's scope, audit-logged, mobiles masked
    unless the customer is the user's own. The parameters may come by GET or, for many ids, by POST."""

    permission = CustomerPerm.EXPORT_CUSTOMER

    @property
    def params(self) -> Any:
        return self.request.POST if self.request.method == "POST" else self.request.GET

    @property
    def scope(self) -> str:
        scope = self.params.get("scope", "filtered")
        return scope if scope in EXPORT_SCOPES else "filtered"

    def get_filterset(self, queryset: QuerySet) -> ListFilterSet:
        data = self.params.copy() if self.scope == "filtered" else QueryDict(mutable=True)
        data.setdefault("scene", selectors.SCENE_ALL)
        return CustomerFilterSet(data, queryset=queryset, request=self.request)

    def current_sort(self) -> str:
        sort = self.params.get("sort", "")
        return sort if sort.lstrip("-") in self.sort_fields else self.default_sort

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.get(request, *args, **kwargs)

    def export(self, rows: QuerySet) -> ExportFile:
        ids = _export_ids(self.request) if self.scope == "selected" else None
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        described = f"ids={len(ids)}" if ids is not None else self.export_description()
        data, count = services.customer_export(actor=self.request.user, customers=rows)
        return ExportFile(data, count, excel.export_filename(_("Customers")), scope=self.scope, filters=described)


customer_export_view = CustomerExportView.as_view()
