"""Sales target evaluation pages (销售目标评估, art. 9): list, start an evaluation of a target node over whole
months, the page with live figures where the manager writes the gap analysis and raises improvement actions, and
"complete" which freezes the figures."""

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

from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedListView, add_service_errors
from apps.policy.selectors import policy_today, rules_in_force
from apps.sales.choices import EvaluationStatus, TargetStatus
from apps.sales.forms_evaluations import SalesEvaluationCreateForm, SalesEvaluationFilterForm, SalesEvaluationForm
from apps.sales.models import SalesEvaluation, TargetNode
from apps.sales.selectors import evaluations as selectors
from apps.sales.services import evaluations as services


class SalesEvaluationListView(ScopedListView):
    model = SalesEvaluation
    template_name = "sales/evaluation_list.html"
    search_fields = ("node__department__name", "node__person__name", "gap_analysis", "owner__name")
    sort_fields = ("period_end", "status", "owner__name")
    default_sort = "-period_end"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filter_form = SalesEvaluationFilterForm(request.GET or None)
        return super().get(request, *args, **kwargs)

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        status = self.filter_form.cleaned_data.get("status", "") if self.filter_form.is_valid() else ""
        return selectors.evaluation_list(user=self.request.user, status=status)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(filter_form=self.filter_form,
                                        may_create=selectors.is_senior(self.request.user)
                                        or bool(selectors.managed_department_ids(self.request.user)), **kwargs)


def _evaluable_nodes(user: Any) -> QuerySet:
    qs = (TargetNode.objects.visible_to(user).filter(target_set__status=TargetStatus.APPROVED)
          .select_related("target_set", "department", "person").order_by("-target_set__fiscal_year",
                                                                        "target_set__metric", "department__path",
                                                                        "person_id"))
    if selectors.is_senior(user):
        return qs
    return qs.filter(department_id__in=selectors.managed_department_ids(user))


@login_required
def evaluation_create_view(request: HttpRequest) -> HttpResponse:
    """Start an evaluation; the period defaults to the last complete period of the frequency in the rules."""
    nodes = _evaluable_nodes(request.user)
    if not selectors.is_senior(request.user) and not selectors.managed_department_ids(request.user):
        raise PermissionDenied
    start, end = selectors.previous_period(selectors.evaluation_frequency(rules_in_force().rules), policy_today())
    form = SalesEvaluationCreateForm(request.POST or None, nodes=nodes, initial={
        "node": request.GET.get("node"), "period_start": start, "period_end": end})
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = services.sales_evaluation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("sales:evaluation_detail", pk=evaluation.pk)
    return render(request, "sales/evaluation_create.html", {"form": form})


@login_required
def evaluation_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Figures (live in draft, frozen once completed), the manager's writing, improvement actions, history."""
    evaluation = get_visible_or_404(SalesEvaluation, request.user, pk)
    evaluation = SalesEvaluation.objects.select_related("node__department", "node__person", "node__target_set",
                                                        "owner").get(pk=evaluation.pk)
    may_edit = evaluation.status == EvaluationStatus.DRAFT and selectors.may_evaluate(request.user, evaluation.node)
    form = SalesEvaluationForm(request.POST or None, initial={
        name: getattr(evaluation, name) for name in ["period_start", "period_end", *services.TEXT_FIELDS]})
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.sales_evaluation_update(actor=request.user, evaluation=evaluation, data=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
                evaluation.refresh_from_db()
            else:
                messages.success(request, _("Evaluation saved."))
                return redirect("sales:evaluation_detail", pk=evaluation.pk)
    return render(request, "sales/evaluation_detail.html", {
        "evaluation": evaluation, "node": evaluation.node, "figures": selectors.evaluation_figures(evaluation),
        "form": form, "may_edit": may_edit, "metric": evaluation.node.target_set.metric,
    })


@login_required
@require_POST
def evaluation_complete_view(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = get_visible_or_404(SalesEvaluation, request.user, pk)
    try:
        services.sales_evaluation_complete(actor=request.user, evaluation=evaluation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Evaluation completed; the figures are frozen and senior management is told."))
    return redirect("sales:evaluation_detail", pk=evaluation.pk)
