"""Market development plan pages (市场开发计划): list, detail with goal lines and their computed actuals, the form
with the goal-line formset, and the workflow buttons (submit, approve, reject, start, close)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core.scoping import can, get_visible_or_404
from apps.core.views import ScopedListView, add_service_errors
from apps.marketing.choices import PlanStatus
from apps.marketing.forms_plans import PlanDecisionForm, PlanFilterForm, PlanForm, goal_formset
from apps.marketing.models import MarketPlan
from apps.marketing.selectors import evaluations as evaluation_selectors
from apps.marketing.selectors import plans as selectors
from apps.marketing.services import plans as services


class PlanListView(ScopedListView):
    model = MarketPlan
    template_name = "marketing/plan_list.html"
    search_fields = ("title", "strategic_goal", "owner__name")
    sort_fields = ("title", "period_start", "status", "owner__name", "budget")
    default_sort = "-period_start"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filter_form = PlanFilterForm(request.GET or None)
        return super().get(request, *args, **kwargs)

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        status = self.filter_form.cleaned_data.get("status", "") if self.filter_form.is_valid() else ""
        return selectors.plan_list(user=self.request.user, status=status)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


@login_required
def plan_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan, its goal lines with actuals over the plan period so far, its campaigns, evaluations and history."""
    plan = get_visible_or_404(MarketPlan, request.user, pk)
    plan = selectors.plan_list(user=request.user).get(pk=plan.pk)
    user = request.user
    may_change = can(user, "change", plan)
    return render(request, "marketing/plan_detail.html", {
        "plan": plan,
        "lines": selectors.plan_goal_actuals(plan=plan, start=plan.period_start, end=plan.period_end),
        "campaigns": plan.campaigns.order_by("-start_date")[:20],
        "evaluations": evaluation_selectors.evaluation_list(user=user, plan=plan),
        "may_change": may_change,
        "may_approve": (plan.status == PlanStatus.SUBMITTED and user.has_perm("marketing.approve_marketplan")
                        and may_change and plan.owner_id != user.pk),
        "may_evaluate": (user.has_perm("marketing.add_marketevaluation")
                         and plan.status in (PlanStatus.APPROVED, PlanStatus.EXECUTING, PlanStatus.CLOSED)),
        "decision_form": PlanDecisionForm(),
    })


def _plan_form_page(request: HttpRequest, plan: MarketPlan | None) -> HttpResponse:
    """The plan form and its goal lines; both validate before the service is called, errors change nothing."""
    if plan is None:
        initial: dict[str, Any] = {"budget": 0}
        goals: list[dict[str, Any]] = []
    else:
        initial = {name: getattr(plan, name) for name in services.PLAN_FIELDS}
        goals = [{"metric": g.metric, "target_value": g.target_value} for g in plan.goals.order_by("id")]
    form = PlanForm(request.POST or None, initial=initial)
    formset = goal_formset(request.POST or None, goals)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            if plan is None:
                plan = services.plan_create(actor=request.user, goals=formset.goals(), **form.cleaned_data)
            else:
                services.plan_update(actor=request.user, plan=plan, data=form.cleaned_data, goals=formset.goals())
        except ValidationError as error:
            add_service_errors(form, error)
            if plan is not None and plan.pk:
                plan.refresh_from_db()
        else:
            messages.success(request, _("Plan “%(title)s” saved.") % {"title": plan.title})
            return redirect("marketing:plan_detail", pk=plan.pk)
    return render(request, "marketing/plan_form.html", {"form": form, "formset": formset, "plan": plan})


@login_required
def plan_create_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("marketing.add_marketplan"):
        raise PermissionDenied
    return _plan_form_page(request, None)


@login_required
def plan_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(MarketPlan, request.user, pk, action="change")
    if plan.status != PlanStatus.DRAFT:
        messages.error(request, services.ONLY_DRAFTS_EDITABLE % {"status": plan.get_status_display()})
        return redirect("marketing:plan_detail", pk=plan.pk)
    return _plan_form_page(request, plan)


_MOVES = {
    "submit": (services.plan_submit, gettext_lazy("Plan submitted for approval.")),
    "approve": (services.plan_approve, gettext_lazy("Plan approved; senior management has been told.")),
    "reject": (services.plan_reject, gettext_lazy("Plan sent back to its owner.")),
    "start": (services.plan_start, gettext_lazy("Plan is now in execution.")),
    "close": (services.plan_close, gettext_lazy("Plan closed.")),
}


@login_required
@require_POST
def plan_transition_view(request: HttpRequest, pk: int, move: str) -> HttpResponse:
    """One workflow move; a refusal comes back as a message and changes nothing."""
    plan = get_visible_or_404(MarketPlan, request.user, pk)
    if move not in _MOVES:
        raise PermissionDenied
    service, done = _MOVES[move]
    kwargs: dict[str, Any] = {}
    if move in ("approve", "reject"):
        form = PlanDecisionForm(request.POST)
        kwargs["comment"] = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        service(actor=request.user, plan=plan, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not do this."))
    else:
        messages.success(request, str(done))
    return redirect("marketing:plan_detail", pk=plan.pk)
