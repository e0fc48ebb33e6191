"""Sales plan pages (销售计划, art. 9): the list, the detail with action items and their progress (overdue ones
highlighted), the form with the cited intelligence and the action-item rows, and one page action per workflow move
(``PLAN_WORKFLOW``: the buttons shown are the moves ``plan_allowed`` gives, which the services accept)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from apps.core.views import (
    ScopedActionView,
    ScopedCreateView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedUpdateView,
)
from apps.org.models import User
from apps.sales.forms.pipeline import ActionProgressForm, SalesPlanFilterForm, SalesPlanForm
from apps.sales.models import SalesPlan, SalesPlanAction
from apps.sales.models.plans import PLAN_WORKFLOW
from apps.sales.permissions import SalesPerm
from apps.sales.selectors import plans as selectors
from apps.sales.services import plans as services

SAVED = gettext_lazy("Sales plan “%(title)s” saved.")


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


class PlanDetailView(ScopedDetailView):
    """The plan, the intelligence it cites, its action items with progress, its history, and the buttons of the
    moves the user may make now."""

    model = SalesPlan
    permission = SalesPerm.VIEW_SALESPLAN
    template_name: str | None = "sales/plan_detail.html"
    context_object_name = "plan"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("owner", "owner_unit", "approved_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        plan = self.object
        actions = selectors.plan_actions(plan=plan, today=timezone.localdate())
        user = cast(User, self.request.user)
        roles = selectors.plan_roles(user, plan)
        allowed = selectors.plan_allowed(user, plan, roles)
        return super().get_context_data(
            actions=actions,
            progress=selectors.plan_progress(actions),
            intel=plan.intel.all(),
            target_sets=plan.target_sets.all(),
            allowed=allowed,
            may_change=selectors.CHANGER in roles,
            may_approve="approve" in allowed,
            **kwargs,
        )


class _PlanFormView(ScopedFormView):
    """The plan form and its action-item rows; both validate before the service runs; a refusal changes nothing."""

    model = SalesPlan
    form_class: type[forms.BaseForm] = SalesPlanForm
    template_name: str | None = "sales/plan_form.html"
    context_object_name = "plan"
    success_message = SAVED
    success_url = "sales:plan_detail"

    def rows(self) -> list[dict[str, Any]]:
        return []

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "intel": selectors.intel_choices(user=self.request.user),
            "target_sets": selectors.target_set_choices(),
            "rows": self.rows(),
        }

    def plan_data(self, form: Any) -> dict[str, Any]:
        return {
            **form.cleaned_data,
            "intel": list(form.cleaned_data["intel"]),
            "target_sets": list(form.cleaned_data["target_sets"]),
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        return {**context, "formset": context["form"].rows}


class PlanCreateView(_PlanFormView, ScopedCreateView):
    permission = SalesPerm.ADD_SALESPLAN
    service = services.salesplan_create

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"data": self.plan_data(form), "actions": form.rows.actions()}


class PlanUpdateView(_PlanFormView, ScopedUpdateView):
    """Edit a plan the table lets one edit (a draft); otherwise back to the plan with the reason."""

    permission = SalesPerm.CHANGE_SALESPLAN
    service = services.salesplan_update

    def handle(self) -> HttpResponse:
        plan = self.get_object()
        if "edit" not in PLAN_WORKFLOW.get(plan.status, {}):
            messages.error(self.request, str(services.NOT_EDITABLE))
            return redirect("sales:plan_detail", pk=plan.pk)
        return super().handle()

    def rows(self) -> list[dict[str, Any]]:
        return [{n: getattr(a, n) for n in services.ACTION_FIELDS} for a in self.object.actions.all()]

    def get_initial(self) -> dict[str, Any]:
        plan = self.object
        return {
            "title": plan.title,
            "period_start": plan.period_start,
            "period_end": plan.period_end,
            "strategy": plan.strategy,
            "intel": list(plan.intel.all()),
            "target_sets": list(plan.target_sets.all()),
        }

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"plan": self.object, "data": self.plan_data(form), "actions": form.rows.actions()}


class PlanMoveView(ScopedActionView):
    """The moves of ``PLAN_WORKFLOW``; the service refuses what the table does not allow (shown as a message)."""

    model = SalesPlan
    permission = SalesPerm.VIEW_SALESPLAN  # the service decides by the table who may make the move
    success_url = "sales:plan_detail"
    moves = {
        "submit": (services.salesplan_submit, gettext_lazy("Plan submitted for approval.")),
        "approve": (services.salesplan_approve, gettext_lazy("Plan approved; the people responsible have been told.")),
        "return": (services.salesplan_return, gettext_lazy("Plan sent back to its owner.")),
        "start": (services.salesplan_start, gettext_lazy("Plan is now in execution.")),
        "close": (services.salesplan_close, gettext_lazy("Plan closed.")),
    }

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"plan": self.object}


class PlanActionProgressView(ScopedActionView):
    """The responsible person reports the progress of an action item."""

    model = SalesPlanAction
    permission = SalesPerm.VIEW_SALESPLANACTION
    form_class = ActionProgressForm
    service = services.salesplan_action_progress
    success_message = gettext_lazy("Progress saved.")

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("plan")

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"action": self.object, **data}

    def get_success_url(self, obj: Any) -> str:
        return reverse("sales:plan_detail", args=[obj.plan_id])
