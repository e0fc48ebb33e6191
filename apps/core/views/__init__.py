"""Views every app builds on: the scoped mixin (enforcement point 1), a scoped list, the workbench, notifications."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView, View
from django.views.generic.base import TemplateResponseMixin

from apps.core import excel, selectors, services
from apps.core.filters import ListFilterSet
from apps.core.notifications.kinds import notification_kinds
from apps.core.scoping import permission_name
from apps.core.services.exports import export_logged
from apps.core.workbench import WorkbenchItem, overview_figures, workbench_items

NOTIFICATIONS_PER_PAGE = 20


class ScopedViewMixin(LoginRequiredMixin):
    """Restrict the view's queryset to what the user may ``action`` (STYLE.md 2.5, enforcement point 1).

    Without ``permission`` (an app's permission enum member; by default ``<app>.<action>_<model>``) the user gets
    403; a row outside the scope is simply absent, so a page for it answers 404.
    """

    action = "view"
    model: Any = None
    request: HttpRequest
    permission: str | None = None

    def get_permission(self) -> str:
        return str(self.permission or permission_name(self.model, self.action))

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_perm(self.get_permission()):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        queryset = self.model._default_manager.all()
        if getattr(self.model, "scope_fields", None) is None:
            return queryset  # a model without a data scope (a questionnaire): the permission is the whole rule
        return queryset.visible_to(self.request.user, self.action)


LIST_COUNT_CAP = 10_000
# How far a wide list counts before it says "more than N": the first screen of a list nobody narrowed yet (all the
# tickets or opportunities in a department's or the company's scope) counts this far, and as far as the pages
# around the one asked for; a filter or a search counts to ``LIST_COUNT_CAP``; ``?count=exact`` counts all.
WIDE_LIST_COUNT_CAP = 1_000
EXACT_COUNT_PARAM = "count"


class CappedPaginator(Paginator):
    """A paginator that counts at most ``cap`` rows (``SELECT COUNT(*) FROM (… LIMIT cap + 1)``), as the big systems
    do: past the cap the page says "10,000+ records" (``capped``) and offers the pages up to the cap; a narrower
    filter or the reversed sort reaches the rest. Below the cap the count is exact, as before.

    The count runs on the bare rows (primary keys only, no ordering, joins or annotations of the list), so its cost
    is that of the filter, never of the row decoration. ``limit`` (set by the list) lowers the cap for this request
    (a wide list's first screen), ``None`` there means the class's ``cap``; ``exact`` counts every row; ``known``
    is a count the page already has (the totals of its rows), used as it is.
    """

    cap = LIST_COUNT_CAP
    capped = False
    limit: int | None = None
    exact = False
    known: int | None = None

    @property
    def count_cap(self) -> int:
        return self.cap if self.limit is None else min(self.cap, self.limit)

    @cached_property
    def count(self) -> int:  # type: ignore[override]
        if self.known is not None:
            return self.known
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return super().count
        if self.exact:
            return rows.order_by().values("pk").count()
        cap = self.count_cap
        counted = rows.order_by().values("pk")[: cap + 1].count()
        self.capped = counted > cap
        return min(counted, cap)


class ScopedListView(ScopedViewMixin, ListView):
    """A scoped list that searches (``q``), sorts (``sort``, a whitelisted field, ``-`` for descending) and
    paginates; an HTMX request gets only the ``#rows`` partial of the page template.
    """

    paginate_by = 20
    paginator_class = CappedPaginator
    search_fields: tuple[str, ...] = ()
    sort_fields: tuple[str, ...] = ()
    default_sort = "pk"

    # The list's filters (a ``core.filters.ListFilterSet``), shared with its API viewset and its export; it also
    # searches ``q``. Its form is the page's ``filter_form``; an invalid value lists nothing and says why.
    filterset_class: type[ListFilterSet] | None = None
    filterset: ListFilterSet | None = None

    tie_break = "pk"  # the second sort key, so that pages never overlap

    def get_queryset(self) -> QuerySet:
        qs = self.filter_queryset(self.base_queryset())
        term = self.request.GET.get("q", "").strip()
        if term and self.search_fields and self.filterset_class is None:
            cond = Q()
            for name in self.search_fields:
                cond |= Q(**{f"{name}__icontains": term})
            qs = qs.filter(cond)
        return qs.order_by(self.current_sort(), self.tie_break)

    def base_queryset(self) -> QuerySet:
        """The rows in scope before any filter; a list whose rows come from a scoped selector (with its joins and
        annotations) returns that selector's queryset here."""
        return super().get_queryset()

    # Values the page assumes when the request does not give them (a default scene); the export, being the page,
    # assumes them too. The API has its own defaults (none).
    filter_defaults: dict[str, str] = {}  # noqa: RUF012 - read only

    def get_filterset(self, queryset: QuerySet) -> ListFilterSet:
        assert self.filterset_class is not None
        data = self.request.GET.copy()
        for name, value in self.filter_defaults.items():
            data.setdefault(name, value)
        return self.filterset_class(data or None, queryset=queryset, request=self.request)

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        """The list's filters: the ``filterset_class`` on the GET parameters; without one, nothing."""
        if self.filterset_class is None:
            return qs
        self.filterset = self.get_filterset(qs)
        return self.filterset.filtered()

    def current_sort(self) -> str:
        sort = self.request.GET.get("sort", "")
        return sort if sort.lstrip("-") in self.sort_fields else self.default_sort

    def get_paginate_by(self, queryset: QuerySet) -> int:
        try:
            size = int(self.request.GET.get("page_size", self.paginate_by))
        except ValueError:
            size = self.paginate_by
        return max(1, min(size, 200))

    # A list that may hold a department's or the company's records: its first screen, before any filter or
    # search (``wide_params`` are the values that narrow nothing, e.g. the "all" scene), counts only to
    # ``WIDE_LIST_COUNT_CAP`` (and as far as the pages around the one asked for); ``?count=exact`` counts all.
    wide_count_cap: int | None = None
    wide_params: dict[str, str] = {}  # noqa: RUF012 - read only

    def is_narrowed(self) -> bool:
        """A filter or a search narrows the list (not the page, its size, the sort, or a value in ``wide_params``)."""
        ignored = {"page", "page_size", "sort", EXACT_COUNT_PARAM}
        params = self.request.GET
        return any(
            str(params.get(name, "")).strip() and params.get(name) != self.wide_params.get(name, "")
            for name in params
            if name not in ignored
        )

    def count_limit(self, per_page: int) -> int | None:
        """How far this request's count goes (None: the paginator's own cap)."""
        if self.wide_count_cap is None or self.is_narrowed():
            return None
        try:
            page = max(1, int(self.request.GET.get("page", 1)))
        except ValueError:
            page = 1
        return max(self.wide_count_cap, (page + 5) * per_page)

    def get_paginator(self, queryset: Any, per_page: int, *args: Any, **kwargs: Any) -> Paginator:
        paginator = super().get_paginator(queryset, per_page, *args, **kwargs)
        if isinstance(paginator, CappedPaginator):
            paginator.exact = self.request.GET.get(EXACT_COUNT_PARAM) == "exact"
            paginator.limit = self.count_limit(int(per_page))
        return paginator

    def get_template_names(self) -> list[str]:
        names = super().get_template_names()
        htmx = getattr(self.request, "htmx", None)
        if htmx and not htmx.boosted:
            return [f"{names[0]}#rows"]
        return names

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(q=self.request.GET.get("q", ""), sort=self.current_sort())
        if self.filterset is not None:
            context.update(filterset=self.filterset, filter_form=self.filterset.form)
        return context


@dataclass(frozen=True)
class ExportFile:
    """What a list's ``export(rows)`` built: the .xlsx bytes, the number of records written, the download's name;
    ``scope`` and ``filters`` for the export log (by default the list as filtered and the page's filter)."""

    data: bytes
    row_count: int
    filename: str
    scope: str = "filtered"
    filters: str | None = None


class ListExportMixin:
    """The Excel export of a list page: put it before the page's ``ScopedListView`` subclass
    (``class TicketExportView(ListExportMixin, TicketListView)``), so the export has the page's permission, scope,
    FilterSet, search and sort on the same GET parameters — "export what I see", every page of it up to
    ``export_limit`` rows. An invalid filter answers 400 with the filter's errors, as the page and the API do.
    ``export(rows)`` builds the file from the ordered queryset; the mixin then writes the audit log row
    (``core.services.exports.export_logged``: who, ``export_resource``, how many rows, the filter) and answers the
    download — so no list export can leave the log out.
    """

    export_limit = 5000
    filterset: ListFilterSet | None
    request: HttpRequest
    model: Any

    if TYPE_CHECKING:  # the list view's, which follows this mixin

        def get_queryset(self) -> QuerySet: ...

    def export(self, rows: QuerySet) -> ExportFile:
        raise NotImplementedError

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rows = self.get_queryset()
        if self.filterset is not None and self.filterset.errors:
            return HttpResponse(self.filterset.error_text(), status=400, content_type="text/plain; charset=utf-8")
        exported = self.export(rows)
        export_logged(
            actor=request.user,
            resource=self.export_resource(),
            scope=exported.scope,
            filters=self.export_description() if exported.filters is None else exported.filters,
            row_count=exported.row_count,
        )
        return xlsx_response(exported.data, exported.filename)

    def export_resource(self) -> str:
        """What is exported, for the log: ``app_label.model_name`` of the list's model."""
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"

    def export_description(self) -> str:
        """The filter and search of the export, for its log row."""
        return self.filterset.described() if self.filterset is not None else ""


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """An .xlsx download."""
    response = HttpResponse(data, content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


class ScopedDetailView(ScopedViewMixin, DetailView):
    """A scoped detail page: out of scope is 404."""


class ServiceCallMixin:
    """Call the view's one ``service`` as the request's user and tell the user how it went.

    ``service`` is a plain function (``improvement_start``); ``service_kwargs`` says what it is given besides
    ``actor``; ``success_message`` is formatted with ``message_values(obj)``; ``success_url`` (a route name taking
    the object's ``pk``) says where to go next.
    """

    request: HttpRequest
    service: Callable[..., Any]
    success_message: Any = ""
    success_url: str = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        service = cls.__dict__.get("service")
        if service is not None and not isinstance(service, staticmethod):
            cls.service = staticmethod(service)  # a plain function, not a method of the view

    def call_service(self, **kwargs: Any) -> Any:
        return self.service(actor=self.request.user, **kwargs)

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"name": obj, "title": getattr(obj, "title", obj)}

    def succeed(self, obj: Any) -> None:
        if self.success_message:
            messages.success(self.request, str(self.success_message) % self.message_values(obj))

    def get_success_url(self, obj: Any) -> str:
        return reverse(self.success_url, kwargs={"pk": obj.pk})


class ScopedFormView(ServiceCallMixin, ScopedViewMixin, TemplateResponseMixin, View):
    """A form page whose valid POST calls one service: the service's ValidationError is shown on the form and
    changes nothing; success gives a message and a redirect. Subclasses are ``ScopedCreateView`` and
    ``ScopedUpdateView``; ``get_form_kwargs`` adds drop-down querysets from scoped selectors.
    """

    form_class: type[forms.BaseForm]
    context_object_name = "object"
    object: Any = None

    def get_object(self) -> Any:
        return None

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"data": self.request.POST or None, "initial": self.get_initial()}

    def get_form(self) -> forms.BaseForm:
        return self.form_class(**self.get_form_kwargs())

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return dict(form.cleaned_data)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {self.context_object_name: self.object, "view": self, **kwargs}

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.handle()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.handle()

    def handle(self) -> HttpResponse:
        self.object = self.get_object()
        form = self.get_form()
        if self.request.method == "POST" and form.is_valid():
            try:
                result = self.call_service(**self.service_kwargs(form))
            except ValidationError as error:
                self.service_failed(form, error)
                if self.object is not None:
                    self.object.refresh_from_db()  # the service may have set fields before refusing
            else:
                return self.form_valid(form, result)
        return self.render_to_response(self.get_context_data(form=form))

    def service_failed(self, form: Any, error: ValidationError) -> None:
        add_service_errors(form, error)

    def form_valid(self, form: Any, result: Any) -> HttpResponse:
        obj = self.object if self.object is not None else result
        self.succeed(obj)
        return redirect(self.get_success_url(obj))


class ScopedCreateView(ScopedFormView):
    """Create a record through ``service(actor=…, **cleaned_data)``; needs ``<app>.add_<model>``.

    A record made under another (a contact of a customer) names ``parent_model``: the URL's ``pk`` is the parent,
    fetched in the user's ``parent_action`` scope (else 404) as ``self.parent``.
    """

    action = "add"
    parent_model: Any = None
    parent_action = "change"
    parent: Any = None

    def get_queryset(self) -> QuerySet:  # nothing to fetch: the service checks what the new record refers to
        return self.model._default_manager.none()

    def get_object(self) -> None:
        if self.parent_model is not None:
            parents = self.parent_model._default_manager.all().visible_to(self.request.user, self.parent_action)
            self.parent = get_object_or_404(parents, pk=self.kwargs["pk"])


class ScopedUpdateView(ScopedFormView):
    """Change a record in the user's ``change`` scope (else 404) through ``service(actor=…, <model>=obj, data=…)``.

    The form starts from the record's values of the form's fields; the service's name for the record is
    ``record_kwarg`` (by default the model's name); ``service_kwargs`` adapts to other signatures.
    """

    action = "change"
    record_kwarg = ""

    def get_object(self) -> Any:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_initial(self) -> dict[str, Any]:
        fields = getattr(self.form_class, "base_fields", {})
        return {name: getattr(self.object, name) for name in fields if hasattr(self.object, name)}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {self.record_kwarg or self.model._meta.model_name: self.object, "data": form.cleaned_data}


class ScopedActionView(ServiceCallMixin, ScopedViewMixin, View):
    """One POST that calls one service on one record in scope (approve, start, verify…), then back to the record.

    An optional ``form_class`` validates the POST; its errors, the service's ValidationError and PermissionDenied
    come back as messages and nothing changes. Fetching uses the ``action`` scope (by default ``view``: the service
    decides who may make the move).
    """

    http_method_names = ["post"]
    form_class: type[forms.BaseForm] | None = None
    object: Any = None
    form: Any = None
    result: Any = None  # what the service returned, for ``message_values``

    # The moves of a workflow that differ only in their service and message, as one table served by one view:
    # move → (service, success message). Each route names its move (``as_view(move="submit")``, made from the
    # table by ``core.routes.move_routes``).
    moves: ClassVar[dict[str, tuple[Callable[..., Any], Any]]] = {}
    move = ""

    def setup(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        super().setup(request, *args, **kwargs)
        if self.move:
            self.service, self.success_message = self.moves[self.move]

    def get_object(self) -> Any:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        """Further arguments of ``form_class`` besides the POST (e.g. the record the choices depend on)."""
        return {}

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {self.model._meta.model_name: self.object, **data}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.object = self.get_object()
        form = self.form = self.form_class(request.POST, **self.get_form_kwargs()) if self.form_class else None
        if form is not None and not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(str(error) for error in errors))
            return redirect(self.get_success_url(self.object))
        try:
            self.result = self.call_service(**self.service_kwargs(form.cleaned_data if form else {}))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except PermissionDenied as error:
            messages.error(request, str(error) or _("You may not do this."))
        else:
            self.succeed(self.object)
        return redirect(self.get_success_url(self.object))


class WorkbenchView(LoginRequiredMixin, TemplateView):
    """我的工作台: greet the user, show the areas, what is due (grouped by area) and the latest notifications."""

    template_name = "core/workbench.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        items = workbench_items(self.request.user)
        context["items"] = items
        context["item_groups"] = group_by_area(items)
        context["overview"] = overview_figures(self.request.user)
        context["latest_notifications"] = selectors.notification_list(user=self.request.user)[:5]
        return context


def group_by_area(items: list[WorkbenchItem]) -> list[tuple[str, list[WorkbenchItem]]]:
    """Group due items by their area, keeping the order in which the areas first appear."""
    groups: dict[str, list[WorkbenchItem]] = {}
    for item in items:
        groups.setdefault(str(item.area), []).append(item)
    return list(groups.items())


@login_required
def notification_list_view(request: HttpRequest) -> HttpResponse:
    """The notification centre: the user's own notifications, newest first, optionally only the unread, grouped by
    kind (a tab per kind with its counts; one kind's tab lists only it and marks only it read)."""
    unread_only = request.GET.get("unread") == "1"
    kinds = {k.code: k for k in notification_kinds()}
    kind = request.GET.get("kind", "")
    kind = kind if kind in kinds else ""
    counts = selectors.notification_kind_counts(user=request.user)
    groups = [(k, *counts[k.code]) for k in kinds.values() if k.code in counts]
    notifications = selectors.notification_list(user=request.user, unread_only=unread_only, kind=kind)
    page = Paginator(notifications, NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "unread_only": unread_only,
        "kind": kinds.get(kind),
        "kind_groups": groups,
        "kind_labels": {code: k.label for code, k in kinds.items()},
        "kind_unread": counts.get(kind, (0, 0))[1] if kind else None,
    }
    return render(request, "core/notification_list.html", context)


@login_required
@require_POST
def notification_read_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read, then follow its link (only a link inside this site) unless asked to stay."""
    notification = selectors.notification_get(user=request.user, pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    target = notification.url
    if request.POST.get("stay") or not target:
        return redirect(_back_to_list(request))
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("core:notification_list")


@login_required
@require_POST
def notification_read_all_view(request: HttpRequest) -> HttpResponse:
    """Mark all of the user's notifications read (of one kind, from that kind's tab)."""
    kind = request.POST.get("kind", "")
    count = services.notification_mark_all_read(actor=request.user, kind=kind if kind in _kind_codes() else "")
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect(_back_to_list(request))


def _kind_codes() -> set[str]:
    return {k.code for k in notification_kinds()}


def _back_to_list(request: HttpRequest) -> str:
    """The notification list page the user came from (its filter and page), or the plain list."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("core:notification_list")


def add_service_errors(form: Any, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the form has that field, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
