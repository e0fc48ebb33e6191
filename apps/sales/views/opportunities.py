"""Opportunity pages (商机): the list with scenes, filters and totals; the detail with lines and stage history; the
form with product lines; the stage move (form and kanban drop); the kanban board; the stage probabilities."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.scoping import can, get_visible_or_404
from apps.core.views import ScopedListView, add_service_errors
from apps.customers.models import Customer
from apps.org.models import User
from apps.sales.choices import CLOSED_STAGES, OPEN_STAGES, OpportunityStage
from apps.sales.forms_pipeline import OpportunityForm, OpportunityLineFormSet, StageMoveForm, StageSettingsForm
from apps.sales.models import Opportunity
from apps.sales.selectors import opportunities as selectors
from apps.sales.services import opportunities as services

FILTER_KEYS = ("scene", "stage", "customer", "owner", "month", "q")


def _filters(request: HttpRequest) -> dict[str, str]:
    return {key: request.GET.get(key, "").strip() for key in FILTER_KEYS}


class OpportunityListView(ScopedListView):
    model = Opportunity
    template_name = "sales/opportunity_list.html"
    sort_fields = ("name", "customer__name", "amount", "stage", "expected_close_date", "owner__name",
                   "updated_at")
    default_sort = "-updated_at"

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        self.filters = _filters(self.request)
        self.filtered = selectors.opportunity_list(user=self.request.user, filters=self.filters)
        return self.filtered

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            filters=self.filters, totals=selectors.opportunity_totals(self.filtered),
            probabilities=selectors.stage_probabilities(), stages=OpportunityStage.choices,
            scenes=[("all", _("All in my scope")), ("mine", _("Mine")), ("team", _("My team"))],
            owners=User.objects.filter(pk__in=Opportunity.objects.visible_to(user).values("owner")).order_by("name"),
            q=self.filters["q"],
        )
        return context


def _contract_url(opportunity: Opportunity) -> str:
    """The contracts area's create page for a won opportunity, when that page exists."""
    try:
        return reverse("sales:contract_create") + f"?opportunity={opportunity.pk}"
    except NoReverseMatch:
        return ""


@login_required
def opportunity_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The opportunity, its lines, its stage history with the time spent in each stage, and its record history."""
    opp = selectors.opportunity_get(user=request.user, pk=pk)
    probabilities = selectors.stage_probabilities()
    may_change = can(request.user, "change", opp)
    return render(request, "sales/opportunity_detail.html", {
        "opp": opp, "lines": opp.lines.select_related("product"),
        "changes": selectors.stage_history(opportunity=opp),
        "probability": probabilities.get(opp.stage, 0),
        "weighted": selectors.weighted_amount(opp, probabilities),
        "may_change": may_change and opp.stage in OPEN_STAGES,
        "move_form": StageMoveForm(initial={"stage": opp.stage}),
        "contract_url": _contract_url(opp) if opp.stage == OpportunityStage.WON and may_change else "",
        "stages": OpportunityStage.choices,
    })


def _initial(opp: Opportunity | None, request: HttpRequest) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if opp is None:
        return {"customer": request.GET.get("customer") or None}, []
    initial = {name: getattr(opp, name) for name in ("name", "customer", "contact", "amount", "expected_close_date",
                                                      "next_action", "next_action_on", "description")}
    lines = [{"product": line.product_id, "quantity": line.quantity, "unit_price": line.unit_price,
              "discount_pct": line.discount_pct} for line in opp.lines.all()]
    return initial, lines


def _form_page(request: HttpRequest, opp: Opportunity | None) -> HttpResponse:
    """The form and its product lines; both validate before the service runs; a service error changes nothing."""
    initial, lines = _initial(opp, request)
    form = OpportunityForm(request.POST or None, initial=initial, user=request.user)
    formset = OpportunityLineFormSet(request.POST or None, initial=lines, prefix="lines")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            if opp is None:
                opp = services.opportunity_create(actor=request.user, data=form.cleaned_data,
                                                  lines=formset.lines())
            else:
                services.opportunity_update(actor=request.user, opportunity=opp, data=form.cleaned_data,
                                            lines=formset.lines())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Opportunity “%(name)s” saved.") % {"name": opp.name})
            return redirect("sales:opportunity_detail", pk=opp.pk)
    return render(request, "sales/opportunity_form.html", {"form": form, "formset": formset, "opp": opp})


@login_required
def opportunity_create_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("sales.add_opportunity"):
        raise PermissionDenied
    return _form_page(request, None)


@login_required
def opportunity_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    opp = get_visible_or_404(Opportunity, request.user, pk, action="change")
    if opp.stage in CLOSED_STAGES:
        messages.error(request, services.CLOSED_NOT_EDITABLE)
        return redirect("sales:opportunity_detail", pk=opp.pk)
    return _form_page(request, opp)


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
            opp = services.opportunity_move_stage(actor=request.user, opportunity=opp, **form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if htmx:
        opp = selectors.opportunity_list(user=request.user).get(pk=opp.pk)
        response = render(request, "sales/kanban_card.html", {
            "card": opp, "error": error, "open_stages": OPEN_STAGES, "stage_choices": OpportunityStage.choices})
        if error:
            response.status_code = 422
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Stage changed to %(stage)s.") % {"stage": opp.get_stage_display()})
    return redirect(request.POST.get("next") or reverse("sales:opportunity_detail", args=[opp.pk]))


@login_required
def opportunity_board_view(request: HttpRequest) -> HttpResponse:
    """The kanban board: a column per open stage with its cards, the closed stages collapsed."""
    if not request.user.has_perm("sales.view_opportunity"):
        raise PermissionDenied
    filters = _filters(request)
    filters.pop("stage")
    return render(request, "sales/kanban_board.html", {
        "columns": selectors.board_columns(user=request.user, filters=filters), "filters": filters,
        "stage_choices": OpportunityStage.choices, "open_stages": OPEN_STAGES,
        "card_limit": selectors.BOARD_CARDS_PER_COLUMN,
        "scenes": [("all", _("All in my scope")), ("mine", _("Mine")), ("team", _("My team"))],
        "reason_stages": [OpportunityStage.LOST.value, OpportunityStage.INVALID.value],
    })


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
            services.stage_settings_update(actor=request.user, probabilities=form.cleaned_data)
            messages.success(request, _("Win probabilities saved."))
            return redirect("sales:stage_settings")
    return render(request, "sales/opportunity_stage_settings.html", {"form": form, "may_change": may_change})


def customer_choices(user: Any) -> QuerySet[Customer]:
    return Customer.objects.visible_to(user).order_by("name")
