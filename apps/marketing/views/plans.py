"""Market development plan pages (市场开发计划): list, detail with goal lines and their computed actuals, the form
with the goal-line formset, and the workflow buttons (submit, approve, reject, start, close)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy

from apps.core.views import (
    ScopedActionView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedUpdateView,
)
from apps.marketing.choices import PlanStatus
from apps.marketing.forms.plans import PlanDecisionForm, PlanFilterForm, PlanForm, goal_formset
from apps.marketing.models import MarketPlan
from apps.marketing.models.plans import PLAN_ACTIONS
from apps.marketing.permissions import MarketingPerm
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


class PlanDetailView(ScopedDetailView):
    """The plan, its goal lines with actuals over the plan period so far, its campaigns, evaluations and history."""

    model = MarketPlan
    permission = MarketingPerm.VIEW_PLAN
    template_name = "marketing/plan_detail.html"
    context_object_name = "plan"

    def get_object(self, queryset: QuerySet | None = None) -> MarketPlan:
        plan = super().get_object(queryset)
        return selectors.plan_list(user=self.request.user).get(pk=plan.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """The buttons are exactly the steps ``PLAN_WORKFLOW`` allows this user now (``selectors.plan_allowed``)."""
        plan, user = self.object, self.request.user
        allowed = selectors.plan_allowed(user, plan)
        return super().get_context_data(
            lines=selectors.plan_goal_actuals(plan=plan, start=plan.period_start, end=plan.period_end),
            campaigns=plan.campaigns.order_by("-start_date")[:20],
            evaluations=evaluation_selectors.evaluation_list(user=user, plan=plan),
            allowed=allowed,
            **{f"can_{action}": action in allowed for action in PLAN_ACTIONS},
            may_evaluate=(
                user.has_perm(MarketingPerm.ADD_EVALUATION)
                and plan.status in (PlanStatus.APPROVED, PlanStatus.EXECUTING, PlanStatus.CLOSED)
            ),
            decision_form=PlanDecisionForm(),
            **kwargs,
        )


class _PlanFormView(ScopedFormView):
    """The plan form and its goal lines; both validate before the service is called, errors change nothing."""

    model = MarketPlan
    form_class = PlanForm
    template_name = "marketing/plan_form.html"
    context_object_name = "plan"
    success_message = gettext_lazy("Plan “%(title)s” saved.")
    success_url = "marketing:plan_detail"
    formset: Any = None

    def goals(self) -> list[dict[str, Any]]:
        return []

    def handle(self) -> HttpResponse:
        self.object = self.get_object()
        self.formset = goal_formset(self.request.POST or None, self.goals())
        return super().handle()

    def get_form(self) -> Any:
        form = super().get_form()
        if self.request.method == "POST" and not self.formset.is_valid():
            setattr(form, "is_valid", lambda: False)  # noqa: B010 -- both validate before the service is called
        return form

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(formset=self.formset, **kwargs)


class PlanCreateView(_PlanFormView):
    permission = MarketingPerm.ADD_PLAN
    service = services.plan_create

    def get_initial(self) -> dict[str, Any]:
        return {"budget": 0}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"goals": self.formset.goals(), **form.cleaned_data}


class PlanUpdateView(_PlanFormView, ScopedUpdateView):
    """Edit a draft plan; a plan past draft sends the user back to it with a message."""

    permission = MarketingPerm.VIEW_PLAN  # without the change permission the change scope is empty: 404
    service = services.plan_update

    def goals(self) -> list[dict[str, Any]]:
        return [{"metric": g.metric, "target_value": g.target_value} for g in self.object.goals.order_by("id")]

    def handle(self) -> HttpResponse:
        plan = self.get_object()
        if plan.status != PlanStatus.DRAFT:
            messages.error(self.request, services.ONLY_DRAFTS_EDITABLE % {"status": plan.get_status_display()})
            return redirect("marketing:plan_detail", pk=plan.pk)
        return super().handle()

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"plan": self.object, "data": form.cleaned_data, "goals": self.formset.goals()}


#
# Workflow moves: one POST, one service; a refusal comes back as a message and changes nothing.
#


class PlanMoveView(ScopedActionView):
    model = MarketPlan
    permission = MarketingPerm.VIEW_PLAN  # moving needs only sight of the plan: the service decides who may
    success_url = "marketing:plan_detail"
    moves = {
        "submit": (services.plan_submit, gettext_lazy("Plan submitted for approval.")),
        "start": (services.plan_start, gettext_lazy("Plan is now in execution.")),
        "close": (services.plan_close, gettext_lazy("Plan closed.")),
    }

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"plan": self.object, **data}


class PlanDecisionView(PlanMoveView):
    """Approve or reject, with the decider's comment."""

    moves = {
        "approve": (services.plan_approve, gettext_lazy("Plan approved; senior management has been told.")),
        "reject": (services.plan_reject, gettext_lazy("Plan sent back to its owner.")),
    }

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        form = PlanDecisionForm(self.request.POST)
        return {"plan": self.object, "comment": form.cleaned_data["comment"] if form.is_valid() else ""}
