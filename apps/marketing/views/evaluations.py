"""Market development evaluation pages (市场开发评估): list, start an evaluation of a plan for a period, the page that
computes actual vs target live while the manager writes feedback and raises improvement actions, and "complete"
which freezes the figures."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy

from apps.core.scoping import can
from apps.core.views import (
    ScopedActionView,
    ScopedCreateView,
    ScopedFormView,
    ScopedListView,
)
from apps.marketing.choices import EvaluationStatus, PlanStatus
from apps.marketing.forms.plans import EvaluationCreateForm, EvaluationFilterForm, EvaluationForm
from apps.marketing.models import MarketEvaluation
from apps.marketing.permissions import MarketingPerm
from apps.marketing.selectors import evaluations as selectors
from apps.marketing.selectors import plans as plan_selectors
from apps.marketing.services import evaluations as services
from apps.policy.selectors import policy_today, rules_in_force


class EvaluationListView(ScopedListView):
    model = MarketEvaluation
    template_name = "marketing/evaluation_list.html"
    search_fields = ("plan__title", "feedback", "owner__name")
    sort_fields = ("period_end", "plan__title", "status", "owner__name")
    default_sort = "-period_end"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filter_form = EvaluationFilterForm(request.GET or None)
        return super().get(request, *args, **kwargs)

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        status = self.filter_form.cleaned_data.get("status", "") if self.filter_form.is_valid() else ""
        return selectors.evaluation_list(user=self.request.user, status=status)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


def _evaluable_plans(user: Any) -> QuerySet:
    return (
        plan_selectors.plan_list(user=user)
        .filter(status__in=[PlanStatus.APPROVED, PlanStatus.EXECUTING, PlanStatus.CLOSED])
        .order_by("-period_start")
    )


class EvaluationCreateView(ScopedCreateView):
    """Start an evaluation; the period defaults to the last complete period of the frequency in the rules."""

    model = MarketEvaluation
    permission = MarketingPerm.ADD_EVALUATION
    form_class = EvaluationCreateForm
    service = services.evaluation_create
    template_name = "marketing/evaluation_create.html"
    success_url = "marketing:evaluation_detail"

    def get_initial(self) -> dict[str, Any]:
        start, end = selectors.previous_period(selectors.evaluation_frequency(rules_in_force().rules), policy_today())
        return {"plan": self.request.GET.get("plan"), "period_start": start, "period_end": end}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "plans": _evaluable_plans(self.request.user)}


class EvaluationDetailView(ScopedFormView):
    """Actual vs target per goal line (live in draft, frozen once completed), the manager's writing (the form of
    this page, saved while in draft by whoever may change it), improvement actions raised from it, history."""

    model = MarketEvaluation
    permission = MarketingPerm.VIEW_EVALUATION
    form_class = EvaluationForm
    service = services.evaluation_update
    template_name = "marketing/evaluation_detail.html"
    context_object_name = "evaluation"
    success_message = gettext_lazy("Evaluation saved.")
    success_url = "marketing:evaluation_detail"

    def get_object(self) -> MarketEvaluation:
        evaluation = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.may_edit = evaluation.status == EvaluationStatus.DRAFT and can(self.request.user, "change", evaluation)
        if self.request.method == "POST" and not self.may_edit:
            raise PermissionDenied
        return evaluation

    def get_initial(self) -> dict[str, Any]:
        return {name: getattr(self.object, name) for name in services.EVALUATION_FIELDS}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"evaluation": self.object, "data": form.cleaned_data}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        evaluation = self.object
        return super().get_context_data(
            plan=evaluation.plan,
            may_edit=self.may_edit,
            lines=selectors.evaluation_figures(evaluation=evaluation),
            **kwargs,
        )


class EvaluationCompleteView(ScopedActionView):
    model = MarketEvaluation
    permission = MarketingPerm.VIEW_EVALUATION  # without the change permission the change scope is empty: 404
    action = "change"
    service = services.evaluation_complete
    success_message = gettext_lazy("Evaluation completed; the figures are frozen and senior management is told.")
    success_url = "marketing:evaluation_detail"

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"evaluation": self.object}
