"""Sales plan pages (销售计划, art. 9): the list, the detail with action items and their progress (overdue ones
highlighted), the form with the cited intelligence and the action-item formset, and the workflow buttons."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.scoping import can, get_visible_or_404
from apps.core.views import ScopedListView, add_service_errors
from apps.sales.choices import SalesPlanStatus
from apps.sales.forms_pipeline import ActionProgressForm, SalesPlanActionFormSet, SalesPlanFilterForm, SalesPlanForm
from apps.sales.models import SalesPlan, SalesPlanAction
from apps.sales.selectors import plans as selectors
from apps.sales.services import plans as services


class PlanListView(ScopedListView):
    model = SalesPlan
    template_name = "sales/plan_list.html"
    search_fields = ("title", "strategy", "owner__name")
    sort_fields = ("title", "period_start", "status", "owner__name")
    default_sort = "-period_start"

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        self.filter_form = SalesPlanFilterForm(self.request.GET or None)
        status = self.filter_form.cleaned_data.get("status", "") if self.filter_form.is_valid() else ""
        return selectors.plan_list(user=self.request.user, status=status)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


@login_required
def plan_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan, the intelligence it cites, its action items with progress, and its history."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    actions = selectors.plan_actions(plan=plan, today=timezone.localdate())
    return render(request, "sales/plan_detail.html", {
        "plan": plan, "actions": actions, "progress": selectors.plan_progress(actions),
        "intel": plan.intel.all(), "target_sets": plan.target_sets.all(),
        "may_change": can(request.user, "change", plan),
        "may_approve": plan.status == SalesPlanStatus.SUBMITTED and services.may_approve(request.user, plan),
    })


def _form_page(request: HttpRequest, plan: SalesPlan | None) -> HttpResponse:
    """The plan and its action items; both validate before the service runs; a refusal changes nothing."""
    user = request.user
    if plan is None:
        initial: dict[str, Any] = {}
        rows: list[dict[str, Any]] = []
    else:
        initial = {n: getattr(plan, n) for n in ("title", "period_start", "period_end", "strategy")}
        initial.update(intel=list(plan.intel.all()), target_sets=list(plan.target_sets.all()))
        rows = [{n: getattr(a, n) for n in services.ACTION_FIELDS} for a in plan.actions.all()]
    form = SalesPlanForm(request.POST or None, initial=initial, intel=selectors.intel_choices(user=user),
                         target_sets=selectors.target_set_choices())
    formset = SalesPlanActionFormSet(request.POST or None, initial=rows, prefix="actions")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = {**form.cleaned_data, "intel": list(form.cleaned_data["intel"]),
                "target_sets": list(form.cleaned_data["target_sets"])}
        try:
            if plan is None:
                plan = services.salesplan_create(actor=user, data=data, actions=formset.actions())
            else:
                services.salesplan_update(actor=user, plan=plan, data=data, actions=formset.actions())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Sales plan “%(title)s” saved.") % {"title": plan.title})
            return redirect("sales:plan_detail", pk=plan.pk)
    return render(request, "sales/plan_form.html", {"form": form, "formset": formset, "plan": plan})


@login_required
def plan_create_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("sales.add_salesplan"):
        raise PermissionDenied
    return _form_page(request, None)


@login_required
def plan_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(SalesPlan, request.user, pk, action="change")
    if plan.status != SalesPlanStatus.DRAFT:
        messages.error(request, services.NOT_EDITABLE)
        return redirect("sales:plan_detail", pk=plan.pk)
    return _form_page(request, plan)


_MOVES = {
    "submit": (services.salesplan_submit, gettext_lazy("Plan submitted for approval.")),
    "approve": (services.salesplan_approve, gettext_lazy("Plan approved; the people responsible have been told.")),
    "return": (services.salesplan_return, gettext_lazy("Plan sent back to its owner.")),
    "start": (services.salesplan_start, gettext_lazy("Plan is now in execution.")),
    "close": (services.salesplan_close, gettext_lazy("Plan closed.")),
}


@login_required
@require_POST
def plan_transition_view(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    if move not in _MOVES:
        raise Http404
    plan = selectors.plan_get(user=request.user, pk=pk)
    service, done = _MOVES[move]
    try:
        service(actor=request.user, plan=plan)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("sales:plan_detail", pk=plan.pk)


@login_required
@require_POST
def plan_action_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The responsible person reports the progress of an action item."""
    visible = SalesPlanAction.objects.visible_to(request.user).select_related("plan")
    action = get_object_or_404(visible, pk=pk)
    form = ActionProgressForm(request.POST)
    if form.is_valid():
        try:
            services.salesplan_action_progress(actor=request.user, action=action, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Progress saved."))
    else:
        messages.error(request, _("Give the progress as a percentage from 0 to 100."))
    return redirect("sales:plan_detail", pk=action.plan_id)
