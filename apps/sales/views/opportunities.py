"""Opportunity pages (商机): the list with scenes, filters and totals; the detail with lines and stage history; the
form with product lines; the stage move (form and kanban drop); the kanban board; the stage probabilities."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core import excel
from apps.core.routes import scoped_route
from apps.core.scoping import can, get_visible_or_404
from apps.core.views import (
    CappedPaginator,
    ExportFile,
    ListExportMixin,
    ScopedCreateView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedUpdateView,
)
from apps.customers.models import Customer
from apps.org.models import User
from apps.sales.choices import OPEN_STAGES, OpportunityStage
from apps.sales.filters import OPPORTUNITY_SCENES, OpportunityFilterSet
from apps.sales.forms.pipeline import OpportunityForm, StageMoveForm, StageSettingsForm
from apps.sales.models import Opportunity
from apps.sales.models.pipeline import STAGE_MOVES
from apps.sales.permissions import SalesPerm
from apps.sales.selectors import opportunities as selectors
from apps.sales.services import opportunities as services

FILTER_KEYS = ("scene", "stage", "customer", "owner", "month", "q")


def _filters(request: HttpRequest) -> dict[str, str]:
    """The filter values as the templates show them (the filtering itself is ``OpportunityFilterSet``'s)."""
    return {key: request.GET.get(key, "").strip() for key in FILTER_KEYS}


class OpportunityListView(ScopedListView):
    """商机列表: scenes, filters (``OpportunityFilterSet``, shared with the API and the export), totals."""

    model = Opportunity
    template_name = "sales/opportunity_list.html"
    filterset_class = OpportunityFilterSet
    sort_fields = ("name", "customer__name", "amount", "stage", "expected_close_date", "owner__name", "updated_at")
    default_sort = "-updated_at"

    @cached_property
    def probabilities(self) -> dict[str, int]:
        """The stage probabilities, read once for the rows' weighted amounts, the totals and the page."""
        return selectors.stage_probabilities()

    def base_queryset(self) -> QuerySet:
        return selectors.opportunity_list(user=self.request.user, probabilities=self.probabilities)

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        self.filtered = super().filter_queryset(qs)
        return self.filtered

    @cached_property
    def totals(self) -> dict[str, Any]:
        """Count, amount and weighted amount of the filtered list; its count is also the pagination's (exact, one
        query for both)."""
        return selectors.opportunity_totals(self.filtered, self.probabilities)

    def get_paginator(self, queryset: Any, per_page: int, *args: Any, **kwargs: Any) -> Paginator:
        paginator = super().get_paginator(queryset, per_page, *args, **kwargs)
        if isinstance(paginator, CappedPaginator):
            paginator.known = self.totals["count"]
        return paginator

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = _filters(self.request)
        context.update(
            filters=filters,
            totals=self.totals,
            probabilities=self.probabilities,
            stages=OpportunityStage.choices,
            scenes=OPPORTUNITY_SCENES,
            owners=context["filter_form"].fields["owner"].queryset,
            q=filters["q"],
        )
        return context


class OpportunityExportView(ListExportMixin, OpportunityListView):
    """The opportunities of the list as filtered, searched and sorted (within the scope) as .xlsx."""

    def export(self, rows: QuerySet) -> ExportFile:
        written = selectors.export_rows(rows[: self.export_limit])
        data = excel.write_workbook(selectors.EXPORT_COLUMNS, written)
        return ExportFile(data, len(written), excel.export_filename(_("Opportunities")))


opportunity_export = OpportunityExportView.as_view()


def _contract_url(opportunity: Opportunity) -> str:
    """The contracts area's create page for a won opportunity, when that page exists."""
    try:
        return reverse("sales:contract_create") + f"?opportunity={opportunity.pk}"
    except NoReverseMatch:
        return ""


class OpportunityDetailView(ScopedDetailView):
    """The opportunity, its lines, its stage history with the time spent in each stage, and its record history."""

    model = Opportunity
    permission = SalesPerm.VIEW_OPPORTUNITY
    template_name: str | None = "sales/opportunity_detail.html"
    context_object_name = "opp"

    def get_queryset(self) -> QuerySet:
        return (
            super()
            .get_queryset()
            .select_related("customer", "contact", "owner", "owner_unit", "source_lead", "campaign")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        opp = self.object
        probabilities = selectors.stage_probabilities()
        may_change = can(self.request.user, "change", opp)
        return super().get_context_data(
            lines=opp.lines.select_related("product"),
            changes=selectors.stage_history(opportunity=opp),
            probability=probabilities.get(opp.stage, 0),
            weighted=selectors.weighted_amount(opp, probabilities),
            may_change=may_change and bool(STAGE_MOVES[opp.stage]),
            move_form=StageMoveForm(initial={"stage": opp.stage}),
            contract_url=_contract_url(opp) if opp.stage == OpportunityStage.WON and may_change else "",
            stages=OpportunityStage.choices,
            **kwargs,
        )


def _line_rows(opp: Opportunity) -> list[dict[str, Any]]:
    return [
        {
            "product": line.product_id,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount_pct": line.discount_pct,
        }
        for line in opp.lines.all()
    ]


class _OpportunityFormView(ScopedFormView):
    """The form and its product lines; both validate before the service runs; a service error changes nothing."""

    model = Opportunity
    form_class: type[forms.BaseForm] = OpportunityForm
    template_name: str | None = "sales/opportunity_form.html"
    context_object_name = "opp"
    success_message = gettext_lazy("Opportunity “%(name)s” saved.")
    success_url = "sales:opportunity_detail"

    def rows(self) -> list[dict[str, Any]]:
        return []

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user, "rows": self.rows()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {**context, "formset": context["form"].rows}

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"name": obj.name}


class OpportunityCreateView(_OpportunityFormView, ScopedCreateView):
    permission = SalesPerm.ADD_OPPORTUNITY
    service = services.opportunity_create

    def get_initial(self) -> dict[str, Any]:
        return {"customer": self.request.GET.get("customer") or None}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"data": form.cleaned_data, "lines": form.rows.lines()}


class OpportunityUpdateView(_OpportunityFormView, ScopedUpdateView):
    """Edit an open opportunity (the stage rules: a closed one moves nowhere and is not edited)."""

    permission = SalesPerm.CHANGE_OPPORTUNITY
    service = services.opportunity_update

    def handle(self) -> HttpResponse:
        opp = self.get_object()
        if not STAGE_MOVES[opp.stage]:
            messages.error(self.request, str(services.CLOSED_NOT_EDITABLE))
            return redirect("sales:opportunity_detail", pk=opp.pk)
        return super().handle()

    def rows(self) -> list[dict[str, Any]]:
        return _line_rows(self.object)

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"opportunity": self.object, "data": form.cleaned_data, "lines": form.rows.lines()}


# A special page: the kanban's drop answers the card partial (HTMX, 422 with the error) or redirects back to the
# page it came from (``next``); the record is fetched in the change scope (tests/scope_routes.py).
@scoped_route(Opportunity)
@login_required
@require_POST
def opportunity_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the stage (detail page form, kanban select or drop). HTMX gets the card back (or the error, 422)."""
    opp = get_visible_or_404(Opportunity, request.user, pk, action="change")
    form = StageMoveForm(request.POST)
    htmx = getattr(request, "htmx", None)
    error = ""
    if form.is_valid():
        try:
            opp = services.opportunity_move_stage(actor=cast(User, request.user), opportunity=opp, **form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if htmx:
        opp = selectors.opportunity_list(user=request.user).get(pk=opp.pk)
        response = render(
            request,
            "sales/kanban_card.html",
            {"card": opp, "error": error, "open_stages": OPEN_STAGES, "stage_choices": OpportunityStage.choices},
        )
        if error:
            response.status_code = 422
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Stage changed to %(stage)s.") % {"stage": opp.get_stage_display()})
    return redirect(request.POST.get("next") or reverse("sales:opportunity_detail", args=[opp.pk]))


# A special page: the kanban board's columns are built by the selector per stage, not one queryset.
@login_required
def opportunity_board_view(request: HttpRequest) -> HttpResponse:
    """The kanban board: a column per open stage with its cards, the closed stages collapsed."""
    if not request.user.has_perm("sales.view_opportunity"):
        raise PermissionDenied
    filters = _filters(request)
    filters.pop("stage")
    data = request.GET.copy()
    data.pop("stage", None)  # the board's columns are the stages
    filterset = OpportunityFilterSet(
        data or None, queryset=selectors.opportunity_visible(user=request.user), request=request
    )
    return render(
        request,
        "sales/kanban_board.html",
        {
            "columns": selectors.board_columns(qs=filterset.filtered()),
            "filters": filters,
            "filter_form": filterset.form,
            "stage_choices": OpportunityStage.choices,
            "open_stages": OPEN_STAGES,
            "card_limit": selectors.BOARD_CARDS_PER_COLUMN,
            "scenes": OPPORTUNITY_SCENES,
            "reason_stages": [OpportunityStage.LOST.value, OpportunityStage.INVALID.value],
        },
    )


# A special page: one field per stage over StageSetting, company-wide settings without a data scope.
@login_required
def stage_settings_view(request: HttpRequest) -> HttpResponse:
    """The win probability per stage (赢单率), set by the sales manager."""
    if not request.user.has_perm("sales.view_stagesetting"):
        raise PermissionDenied
    may_change = request.user.has_perm("sales.change_stagesetting")
    form = StageSettingsForm(request.POST or None, probabilities=selectors.stage_probabilities())
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            services.stage_settings_update(actor=cast(User, request.user), probabilities=form.cleaned_data)
            messages.success(request, _("Win probabilities saved."))
            return redirect("sales:stage_settings")
    return render(request, "sales/opportunity_stage_settings.html", {"form": form, "may_change": may_change})


def customer_choices(user: Any) -> QuerySet[Customer]:
    return Customer.objects.visible_to(user).order_by("name")
