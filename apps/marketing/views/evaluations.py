"""Market development evaluation pages (市场开发评估): list, start an evaluation of a plan for a period, the page that
computes actual vs target live while the manager writes feedback and raises improvement actions, and "complete"
which freezes the figures."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.scoping import can, get_visible_or_404
from apps.core.views import ScopedListView, add_service_errors
from apps.marketing.choices import EvaluationStatus, PlanStatus
from apps.marketing.forms_plans import EvaluationCreateForm, EvaluationFilterForm, EvaluationForm
from apps.marketing.models import MarketEvaluation
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
    return plan_selectors.plan_list(user=user).filter(
        status__in=[PlanStatus.APPROVED, PlanStatus.EXECUTING, PlanStatus.CLOSED]).order_by("-period_start")


@login_required
def evaluation_create_view(request: HttpRequest) -> HttpResponse:
    """Start an evaluation; the period defaults to the last complete period of the frequency in the rules."""
    if not request.user.has_perm("marketing.add_marketevaluation"):
        raise PermissionDenied
    start, end = selectors.previous_period(selectors.evaluation_frequency(rules_in_force().rules), policy_today())
    form = EvaluationCreateForm(request.POST or None, plans=_evaluable_plans(request.user),
                                initial={"plan": request.GET.get("plan"), "period_start": start, "period_end": end})
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.evaluation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("marketing:evaluation_detail", pk=evaluation.pk)
    return render(request, "marketing/evaluation_create.html", {"form": form})


@login_required
def evaluation_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Actual vs target per goal line (live in draft, frozen once completed), the manager's writing, improvement
    actions raised from it, history."""
    evaluation = get_visible_or_404(MarketEvaluation, request.user, pk)
    is_draft = evaluation.status == EvaluationStatus.DRAFT
    may_edit = is_draft and can(request.user, "change", evaluation)
    form = EvaluationForm(request.POST or None, initial={name: getattr(evaluation, name)
                                                         for name in services.EVALUATION_FIELDS})
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.evaluation_update(actor=request.user, evaluation=evaluation, data=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
                evaluation.refresh_from_db()
            else:
                messages.success(request, _("Evaluation saved."))
                return redirect("marketing:evaluation_detail", pk=evaluation.pk)
    return render(request, "marketing/evaluation_detail.html", {
        "evaluation": evaluation, "plan": evaluation.plan, "lines": selectors.evaluation_figures(evaluation=evaluation),
        "form": form, "may_edit": may_edit,
    })


@login_required
@require_POST
def evaluation_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_visible_or_404(MarketEvaluation, request.user, pk, action="change")
    try:
        services.evaluation_complete(actor=request.user, evaluation=evaluation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Evaluation completed; the figures are frozen and senior management is told."))
    return redirect("marketing:evaluation_detail", pk=evaluation.pk)
