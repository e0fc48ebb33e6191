"""Sales target evaluation pages (销售目标评估, art. 9): list, start an evaluation of a target node over whole
months, the page with live figures where the manager writes the gap analysis and raises improvement actions, and
"complete" which freezes the figures."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from apps.core.views import ScopedActionView, ScopedCreateView, ScopedListView, ScopedUpdateView
from apps.policy.selectors import policy_today, rules_in_force
from apps.sales.choices import EvaluationStatus, TargetStatus
from apps.sales.forms.evaluations import SalesEvaluationCreateForm, SalesEvaluationFilterForm, SalesEvaluationForm
from apps.sales.models import SalesEvaluation, TargetNode
from apps.sales.permissions import SalesPerm
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
        return super().get_context_data(
            filter_form=self.filter_form,
            may_create=selectors.is_senior(self.request.user)
            or bool(selectors.managed_department_ids(self.request.user)),
            **kwargs,
        )


def _evaluable_nodes(user: Any) -> QuerySet:
    qs = (
        TargetNode.objects.visible_to(user)
        .filter(target_set__status=TargetStatus.APPROVED)
        .select_related("target_set", "department", "person")
        .order_by("-target_set__fiscal_year", "target_set__metric", "department__path", "person_id")
    )
    if selectors.is_senior(user):
        return qs
    return qs.filter(department_id__in=selectors.managed_department_ids(user))


class EvaluationCreateView(ScopedCreateView):
    """Start an evaluation (senior management, or a manager of the node's department); the period defaults to the
    last complete period of the frequency in the rules."""

    model = SalesEvaluation
    permission = SalesPerm.VIEW_SALESEVALUATION  # who may start one: senior management or a department's manager
    form_class = SalesEvaluationCreateForm
    service = services.sales_evaluation_create
    template_name = "sales/evaluation_create.html"
    success_url = "sales:evaluation_detail"

    def get_object(self) -> None:
        user = self.request.user
        if not selectors.is_senior(user) and not selectors.managed_department_ids(user):
            raise PermissionDenied

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "nodes": _evaluable_nodes(self.request.user)}

    def get_initial(self) -> dict[str, Any]:
        start, end = selectors.previous_period(selectors.evaluation_frequency(rules_in_force().rules), policy_today())
        return {"node": self.request.GET.get("node"), "period_start": start, "period_end": end}


class EvaluationDetailView(ScopedUpdateView):
    """Figures (live in draft, frozen once completed), the manager's writing, improvement actions, history. The
    page is the evaluation seen (``view`` scope); saving the writing needs the evaluator of the node in draft."""

    model = SalesEvaluation
    action = "view"
    permission = SalesPerm.VIEW_SALESEVALUATION
    form_class = SalesEvaluationForm
    service = services.sales_evaluation_update
    record_kwarg = "evaluation"
    template_name = "sales/evaluation_detail.html"
    context_object_name = "evaluation"
    success_message = gettext_lazy("Evaluation saved.")
    success_url = "sales:evaluation_detail"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("node__department", "node__person", "node__target_set", "owner")

    def may_edit(self) -> bool:
        evaluation = self.object
        return evaluation.status == EvaluationStatus.DRAFT and selectors.may_evaluate(
            self.request.user, evaluation.node
        )

    def get_initial(self) -> dict[str, Any]:
        return {name: getattr(self.object, name) for name in ["period_start", "period_end", *services.TEXT_FIELDS]}

    def handle(self) -> HttpResponse:
        if self.request.method == "POST":
            self.object = self.get_object()
            if not self.may_edit():
                raise PermissionDenied
        return super().handle()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        evaluation = self.object
        return super().get_context_data(
            node=evaluation.node,
            figures=selectors.evaluation_figures(evaluation),
            may_edit=self.may_edit(),
            metric=evaluation.node.target_set.metric,
            **kwargs,
        )


class EvaluationCompleteView(ScopedActionView):
    model = SalesEvaluation
    permission = SalesPerm.VIEW_SALESEVALUATION  # the service checks the evaluator
    service = services.sales_evaluation_complete
    success_message = gettext_lazy("Evaluation completed; the figures are frozen and senior management is told.")
    success_url = "sales:evaluation_detail"

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"evaluation": self.object}
