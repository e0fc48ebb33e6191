"""Performance assessment pages (arts. 11–13): 我的考核, cycles with their rankings, scorecards with the records
behind every KPI, review, confirmation and appeal, the rewards and penalties register, violations, the KPI library.
Thin: selectors in, services out; every single record through ``get_visible_or_404``."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core import excel
from apps.core.scoping import get_visible_or_404
from apps.core.services.exports import export_logged
from apps.core.views import (
    ScopedActionView,
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
)
from apps.org.models import User
from apps.performance import services
from apps.performance.choices import (
    AssessmentStatus,
    CycleStatus,
    KpiMethod,
    ProposalStatus,
    ViolationStatus,
)
from apps.performance.forms import (
    AppealDecisionForm,
    AppealForm,
    CycleForm,
    ProposalDecisionForm,
    ReviewForm,
    ViolationAppealDecisionForm,
    ViolationDecisionForm,
    ViolationForm,
)
from apps.performance.models import Appeal, Assessment, AssessmentCycle, Kpi, RewardPenalty, Violation
from apps.performance.permissions import Perm
from apps.performance.selectors import scorecards as selectors
from apps.performance.tasks import compute_cycle_start


def _need(request: HttpRequest, perm: Perm) -> None:
    if not request.user.has_perm(str(perm)):
        raise PermissionDenied


def _page(request: HttpRequest, qs: Any, size: int = 50) -> Any:
    return Paginator(qs, size).get_page(request.GET.get("page"))


@login_required
def index_view(request: HttpRequest) -> HttpResponse:
    """A function view: a redirect, no record. Managers and senior management start at the cycles, everyone
    else at their own scorecards."""
    if request.user.has_perm(str(Perm.REVIEW_ASSESSMENT)) or request.user.has_perm(str(Perm.COMPUTE_CYCLE)):
        return redirect("performance:cycle_list")
    return redirect("performance:my_assessments")


@login_required
def my_assessments_view(request: HttpRequest) -> HttpResponse:
    """A function view: the user's own scorecards and rewards and penalties (selected by owner), two lists."""
    _need(request, Perm.VIEW_ASSESSMENT)
    return render(
        request,
        "performance/my_assessments.html",
        {
            "cards": selectors.my_assessments(user=request.user),
            "proposals": selectors.proposal_list(user=request.user).filter(person=cast(User, request.user)),
        },
    )


class CycleListView(ScopedListView):
    """The cycles, newest first, with the form senior management opens a cycle with."""

    model = AssessmentCycle
    permission = Perm.VIEW_CYCLE
    template_name = "performance/cycle_list.html"
    default_sort = "-start"
    sort_fields = ("start",)

    def filter_queryset(self, qs: Any) -> Any:
        return selectors.cycle_list(user=self.request.user).filter(pk__in=qs.values("pk"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(**kwargs) | {
            "form": CycleForm(),
            "to_review": selectors.to_review(user=self.request.user).count(),
        }


class CycleCreateView(ScopedCreateView):
    model = AssessmentCycle
    permission = Perm.ADD_CYCLE
    form_class = CycleForm
    template_name = "performance/cycle_form.html"
    service = services.cycle_create
    success_message = gettext_lazy("Cycle “%(name)s” opened.")
    success_url = "performance:cycle_detail"


class CycleDetailView(ScopedDetailView):
    """A cycle: its status and progress, the people ranked and the departments, within the viewer's scope."""

    model = AssessmentCycle
    permission = Perm.VIEW_CYCLE
    template_name = "performance/cycle_detail.html"
    context_object_name = "cycle"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        cycle, user = self.object, self.request.user
        tab = self.request.GET.get("tab", "people")
        cards = selectors.department_ranking if tab == "departments" else selectors.ranking
        return super().get_context_data(**kwargs) | {
            "tab": tab,
            "cards": _page(self.request, cards(user=user, cycle=cycle)),
            "may_compute": user.has_perm(str(Perm.COMPUTE_CYCLE))
            and CycleStatus.COMPUTING in services.CYCLE_FLOW[cycle.status],
            "may_finalise": user.has_perm(str(Perm.FINALISE_CYCLE)) and cycle.status == CycleStatus.COMPUTED,
            "may_publish": user.has_perm(str(Perm.FINALISE_CYCLE)) and cycle.status == CycleStatus.FINALISED,
            "distribution_problems": services.forced_distribution_problems(cycle, services.cycle_rules(cycle))
            if cycle.status == CycleStatus.COMPUTED
            else [],
        }


class CycleProgressView(CycleDetailView):
    """The progress bar alone, which the page polls (HTMX) while the cycle computes."""

    template_name = "performance/_progress.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {"cycle": self.object}


class _CycleActionView(ScopedActionView):
    model = AssessmentCycle
    permission = Perm.FINALISE_CYCLE
    success_url = "performance:cycle_detail"

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"cycle": self.object}


class CycleComputeView(_CycleActionView):
    """Start computing as a job (a worker in production, in-process in the embedded set-up); the page polls."""

    permission = Perm.COMPUTE_CYCLE
    service = compute_cycle_start
    success_message = gettext_lazy("Computing started.")


class CycleDistributeView(_CycleActionView):
    service = services.cycle_apply_distribution
    success_message = gettext_lazy(
        "The forced distribution is applied: the excellent grades beyond each department's share are now good."
    )


class CycleFinaliseView(_CycleActionView):
    service = services.cycle_finalise
    success_message = gettext_lazy("The cycle is finalised; rewards and penalties are proposed.")


class CyclePublishView(_CycleActionView):
    service = services.cycle_publish
    success_message = gettext_lazy("The results are published.")


EXPORT_COLUMNS = [
    excel.Column("name", _("Assessed"), width=16),
    excel.Column("department", _("Department"), width=16),
    excel.Column("level", _("Level"), width=10),
    excel.Column("kpi", _("KPI"), width=28),
    excel.Column("weight", _("Weight (%)"), excel.INT, width=8),
    excel.Column("target", _("Target"), excel.MONEY),
    excel.Column("actual", _("Actual"), excel.MONEY),
    excel.Column("completion", _("Completion (%)"), excel.MONEY),
    excel.Column("score", _("Score"), excel.MONEY),
    excel.Column("contribution", _("Contribution"), excel.MONEY),
    excel.Column("total", _("Total score"), excel.MONEY),
    excel.Column("grade", _("Grade"), width=8),
    excel.Column("rank", _("Rank in company"), excel.INT, width=8),
]


@login_required
def cycle_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The cycle's results in scope as .xlsx: one row per KPI line (numbers as numbers); the export is logged."""
    cycle = get_object_or_404(selectors.cycle_list(user=request.user), pk=pk)
    cards = selectors.cards_with_items(selectors.assessment_list(user=request.user, cycle=cycle)).order_by(
        "subject_kind", "rank_in_company", "pk"
    )
    rows = [
        {
            "name": card.subject_name,
            "department": card.owner_unit.name,
            "level": card.get_level_display(),
            "kpi": item.kpi.display_name,
            "weight": item.weight,
            "target": item.target,
            "actual": item.actual,
            "completion": item.completion,
            "score": item.score,
            "contribution": item.contribution,
            "total": card.total,
            "grade": card.get_grade_display(),
            "rank": card.rank_in_company,
        }
        for card in cards
        for item in card.items.all()
    ]
    export_logged(
        actor=request.user,
        resource=f"performance.cycle:{cycle.period_key}",
        scope="filtered",
        row_count=len(rows),
    )
    response = HttpResponse(
        excel.write_workbook(EXPORT_COLUMNS, rows, title=cycle.period_key), content_type=excel.XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=excel.export_filename(cycle.name)
    )
    return response


class AssessmentDetailView(ScopedDetailView):
    """A scorecard: each KPI's actual, target, completion, score, weight and contribution, the total, grade, ranks,
    the change on the previous cycle and a trend; the forms the viewer may use."""

    model = Assessment
    permission = Perm.VIEW_ASSESSMENT
    template_name = "performance/assessment_detail.html"
    context_object_name = "card"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("owner", "owner_unit", "cycle__rules_version")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        card, user = self.object, self.request.user
        context.update(selectors.scorecard(card))
        manual = [i for i in context["items"] if i.kpi.method == KpiMethod.MANUAL]
        final = card.cycle.is_final
        is_own = card.owner_id == user.pk
        appeal = context["appeal"]
        may_review = (
            not final
            and user.has_perm(str(Perm.REVIEW_ASSESSMENT))
            and not is_own
            and card.status in (AssessmentStatus.COMPUTED, AssessmentStatus.REVIEWED)
        )
        context.update(
            {
                "may_review": may_review,
                "review_form": ReviewForm(
                    manual=manual,
                    initial={
                        "adjustment": card.adjustment,
                        "adjustment_reason": card.adjustment_reason,
                        "comment": card.manager_comment,
                    },
                )
                if may_review
                else None,
                "may_confirm": is_own and not final and card.status == AssessmentStatus.REVIEWED,
                "may_appeal": is_own and not final and card.status == AssessmentStatus.REVIEWED and appeal is None,
                "appeal_form": AppealForm(),
                "may_decide_appeal": appeal is not None and bool(services.moves(user, appeal)),
                "decision_form": AppealDecisionForm(initial={"new_total": card.total}),
            }
        )
        return context


class AssessmentReviewView(ScopedActionView):
    model = Assessment
    permission = Perm.REVIEW_ASSESSMENT
    form_class = ReviewForm
    service = services.assessment_review
    success_message = gettext_lazy("Review saved; the employee is asked to confirm.")
    success_url = "performance:assessment_detail"

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "assessment": self.object,
            "hand_scores": self.form.hand_scores(),
            "adjustment": data.get("adjustment") or 0,
            "adjustment_reason": data.get("adjustment_reason") or "",
            "comment": data.get("comment") or "",
        }


class AssessmentConfirmView(ScopedActionView):
    model = Assessment
    permission = Perm.VIEW_ASSESSMENT
    service = services.assessment_confirm
    success_message = gettext_lazy("You confirmed your scorecard.")
    success_url = "performance:assessment_detail"


class AppealSubmitView(ScopedActionView):
    model = Assessment
    permission = Perm.ADD_APPEAL
    form_class = AppealForm
    service = services.appeal_submit
    success_message = gettext_lazy("Your appeal was submitted; you will be told the decision.")
    success_url = "performance:assessment_detail"


class AppealDecideView(ScopedActionView):
    """Senior management, the leadership group — or the manager's manager, who holds no decide permission: the
    service checks the appeal flow (``services.may_decide_appeal``)."""

    model = Appeal
    permission = Perm.VIEW_APPEAL
    form_class = AppealDecisionForm
    service = services.appeal_decide
    success_message = gettext_lazy("The appeal is decided.")

    def get_success_url(self, obj: Any) -> str:
        return reverse("performance:assessment_detail", args=[obj.assessment_id])


@login_required
def item_records_view(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    """The records behind one KPI line as frozen when computed; a row links only where the viewer may open it.
    A function view: two records in the URL, the scorecard (fetched through ``visible_to``) and its line."""
    card = get_visible_or_404(Assessment, request.user, pk)
    line = get_object_or_404(card.items.select_related("kpi"), pk=item)
    rows = selectors.item_sources(line, user=request.user)
    return render(
        request,
        "performance/item_records.html",
        {
            "item": line,
            "card": card,
            "rows": [r for r in rows if r["visible"]],
            "hidden": sum(1 for r in rows if not r["visible"]),
        },
    )


class AppealListView(ScopedListView):
    model = Appeal
    permission = Perm.VIEW_APPEAL
    template_name = "performance/appeal_list.html"
    sort_fields = ("status", "created_at")
    default_sort = "status"

    def get_queryset(self) -> Any:
        return (
            super()
            .get_queryset()
            .select_related("assessment__owner", "assessment__owner_unit", "assessment__cycle", "decided_by")
        )


class _StatusTabsMixin:
    """A register list with a tab per status (``?status=``; anything else shows all)."""

    request: HttpRequest
    statuses: Any

    def current_status(self) -> str:
        status = self.request.GET.get("status", "")
        return status if status in self.statuses.values else ""

    def filter_by_status(self, qs: Any) -> Any:
        status = self.current_status()
        return qs.filter(status=status) if status else qs

    def status_context(self) -> dict[str, Any]:
        return {"status": self.current_status(), "statuses": self.statuses.choices}


class RewardPenaltyListView(_StatusTabsMixin, ScopedListView):
    """The rewards and penalties register (奖惩登记), in scope; proposals wait for senior management."""

    model = RewardPenalty
    permission = Perm.VIEW_REWARD
    template_name = "performance/rewardpenalty_list.html"
    search_fields = ("reason", "person__name", "department__name")
    default_sort = "-created_at"
    sort_fields = ("created_at", "status")

    statuses = ProposalStatus

    def filter_queryset(self, qs: Any) -> Any:
        return self.filter_by_status(qs.select_related("person", "department", "decided_by"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        decidable = {p.pk for p in context["object_list"] if services.moves(self.request.user, p)}
        return context | self.status_context() | {"may_decide": bool(decidable), "decidable": decidable}


class RewardPenaltyDetailView(ScopedDetailView):
    """One entry of the register with its history (who proposed, who decided, when)."""

    model = RewardPenalty
    permission = Perm.VIEW_REWARD
    template_name = "performance/register_detail.html"
    context_object_name = "entry"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        entry, user = self.object, self.request.user
        return super().get_context_data(**kwargs) | {
            "kind": "rewardpenalty",
            "form": ProposalDecisionForm(),
            "may_decide": bool(services.moves(user, entry)),
        }


class RewardPenaltyDecideView(ScopedActionView):
    model = RewardPenalty
    permission = Perm.DECIDE_REWARD
    form_class = ProposalDecisionForm
    service = services.proposal_decide
    success_message = gettext_lazy("Decided.")
    success_url = "performance:rewardpenalty_detail"

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "proposal": self.object,
            "approve": data["approve"],
            "note": data.get("note") or "",
            "amount": data.get("amount"),
        }


class ViolationListView(_StatusTabsMixin, ScopedListView):
    model = Violation
    permission = Perm.VIEW_VIOLATION
    template_name = "performance/violation_list.html"
    search_fields = ("description", "owner__name")
    default_sort = "-happened_on"
    sort_fields = ("happened_on", "status")

    statuses = ViolationStatus

    def filter_queryset(self, qs: Any) -> Any:
        return self.filter_by_status(qs.select_related("owner", "owner_unit", "reported_by"))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return (
            super().get_context_data(**kwargs)
            | self.status_context()
            | {"may_report": self.request.user.has_perm(str(Perm.ADD_VIOLATION))}
        )


class ViolationDetailView(ScopedDetailView):
    model = Violation
    permission = Perm.VIEW_VIOLATION
    template_name = "performance/register_detail.html"
    context_object_name = "entry"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        entry, user = self.object, self.request.user
        return super().get_context_data(**kwargs) | {
            "kind": "violation",
            "form": ViolationDecisionForm(),
            "may_decide": ViolationStatus.CONFIRMED in (moves := services.moves(user, entry)),
            "may_appeal": ViolationStatus.APPEALED in moves,
            "appeal_form": AppealForm(),
            "may_decide_appeal": ViolationStatus.OVERTURNED in moves,
            "appeal_decision_form": ViolationAppealDecisionForm(),
        }


class ViolationCreateView(ScopedCreateView):
    model = Violation
    permission = Perm.ADD_VIOLATION
    form_class = ViolationForm
    template_name = "performance/violation_form.html"
    service = services.violation_report
    success_message = gettext_lazy("The violation is recorded; senior management will decide.")
    success_url = "performance:violation_detail"

    def get_form_kwargs(self) -> dict[str, Any]:
        return super().get_form_kwargs() | {
            "files": self.request.FILES or None,
            "people": selectors.reportable_people(user=self.request.user),
        }

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        data = form.cleaned_data
        return {name: data.get(name) for name in ("person", "article", "happened_on", "description", "evidence")}


class ViolationDecideView(ScopedActionView):
    model = Violation
    permission = Perm.DECIDE_VIOLATION
    form_class = ViolationDecisionForm
    service = services.violation_decide
    success_message = gettext_lazy("Decided.")
    success_url = "performance:violation_detail"

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {
            "violation": self.object,
            "confirm": data["confirm"],
            "decision": data["decision"],
            "action": data.get("action") or "",
        }


class ViolationAppealView(ScopedActionView):
    """申诉 of a confirmed violation by the person concerned (once)."""

    model = Violation
    permission = Perm.ADD_APPEAL
    form_class = AppealForm
    service = services.violation_appeal
    success_message = gettext_lazy("Your appeal was submitted; you will be told the decision.")
    success_url = "performance:violation_detail"


class ViolationAppealDecideView(ScopedActionView):
    model = Violation
    permission = Perm.DECIDE_APPEAL
    form_class = ViolationAppealDecisionForm
    service = services.violation_appeal_decide
    success_message = gettext_lazy("The appeal is decided.")
    success_url = "performance:violation_detail"


class KpiListView(ScopedListView):
    model = Kpi
    permission = Perm.VIEW_KPI
    template_name = "performance/kpi_list.html"
    paginate_by = 100
    default_sort = "article"
    sort_fields = ("article", "code")
