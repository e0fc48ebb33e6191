"""Performance assessment pages (arts. 11–13): 我的考核, cycles with their rankings, scorecards with the records
behind every KPI, review, confirmation and appeal, the rewards and penalties register, violations, the KPI library.
Thin: selectors in, services out; every single record through ``get_visible_or_404``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core import excel
from apps.core.models import ExportLog
from apps.core.scoping import get_visible_or_404
from apps.core.views import add_service_errors
from apps.org.models import User
from apps.performance import services
from apps.performance.choices import AssessmentStatus, CycleStatus, KpiMethod, ProposalStatus, ViolationStatus
from apps.performance.forms import (
    AppealDecisionForm,
    AppealForm,
    CycleForm,
    ProposalDecisionForm,
    ReviewForm,
    ViolationDecisionForm,
    ViolationForm,
)
from apps.performance.models import Appeal, Assessment, AssessmentItem, Kpi, RewardPenalty, Violation
from apps.performance.permissions import Perm
from apps.performance.selectors import scorecards as selectors
from apps.performance.tasks import compute_cycle


def _need(request: HttpRequest, perm: Perm) -> None:
    if not request.user.has_perm(str(perm)):
        raise PermissionDenied


def _act(request: HttpRequest, call: Callable[[], Any], done: str) -> bool:
    """Run one service call from a POST; a refusal comes back as a message and nothing changes."""
    try:
        call()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not do this."))
    else:
        messages.success(request, done)
        return True
    return False


def _page(request: HttpRequest, qs: Any, size: int = 50) -> Any:
    return Paginator(qs, size).get_page(request.GET.get("page"))


@login_required
def index_view(request: HttpRequest) -> HttpResponse:
    """The area's start: managers and senior management go to the cycles, everyone else to their scorecards."""
    if request.user.has_perm(str(Perm.REVIEW_ASSESSMENT)) or request.user.has_perm(str(Perm.COMPUTE_CYCLE)):
        return redirect("performance:cycle_list")
    return redirect("performance:my_assessments")


@login_required
def my_assessments_view(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.VIEW_ASSESSMENT)
    return render(request, "performance/my_assessments.html", {
        "cards": selectors.my_assessments(user=request.user),
        "proposals": selectors.proposal_list(user=request.user).filter(person=request.user),
    })


@login_required
def cycle_list_view(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.VIEW_CYCLE)
    form = CycleForm(request.POST or None)
    if request.method == "POST":
        _need(request, Perm.ADD_CYCLE)
        if form.is_valid():
            try:
                cycle = services.cycle_create(actor=request.user, period_key=form.cleaned_data["period_key"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Cycle “%(name)s” opened.") % {"name": cycle.name})
                return redirect("performance:cycle_detail", pk=cycle.pk)
    return render(request, "performance/cycle_list.html", {
        "cycles": _page(request, selectors.cycle_list(user=request.user)), "form": form,
        "to_review": selectors.to_review(user=request.user).count(),
    })


@login_required
def cycle_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A cycle: its status and progress, the people ranked and the departments, within the viewer's scope."""
    cycle = get_object_or_404(selectors.cycle_list(user=request.user), pk=pk)
    tab = request.GET.get("tab", "people")
    cards = selectors.department_ranking if tab == "departments" else selectors.ranking
    user = request.user
    return render(request, "performance/cycle_detail.html", {
        "cycle": cycle, "tab": tab, "cards": _page(request, cards(user=user, cycle=cycle)),
        "may_compute": user.has_perm(str(Perm.COMPUTE_CYCLE)) and CycleStatus.COMPUTING in services.CYCLE_FLOW[
            cycle.status],
        "may_finalise": user.has_perm(str(Perm.FINALISE_CYCLE)) and cycle.status == CycleStatus.COMPUTED,
        "may_publish": user.has_perm(str(Perm.FINALISE_CYCLE)) and cycle.status == CycleStatus.FINALISED,
        "distribution_problems": services.forced_distribution_problems(cycle, services.cycle_rules(cycle))
        if cycle.status == CycleStatus.COMPUTED else [],
    })


@login_required
@require_POST
def cycle_compute_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Start computing as a job (a worker in production, in-process in the embedded set-up); the page polls."""
    _need(request, Perm.COMPUTE_CYCLE)
    cycle = get_object_or_404(selectors.cycle_list(user=request.user), pk=pk)
    if CycleStatus.COMPUTING not in services.CYCLE_FLOW[cycle.status]:
        messages.error(request, _("This cycle can no longer be computed."))
    else:
        compute_cycle.delay(cycle.pk, request.user.pk)
        messages.success(request, _("Computing started."))
    return redirect("performance:cycle_detail", pk=pk)


@login_required
def cycle_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(selectors.cycle_list(user=request.user), pk=pk)
    return render(request, "performance/_progress.html", {"cycle": cycle})


@login_required
@require_POST
def cycle_distribute_view(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(selectors.cycle_list(user=request.user), pk=pk)
    _act(request, lambda: services.cycle_apply_distribution(actor=request.user, cycle=cycle),
         _("The forced distribution is applied: the excellent grades beyond each department's share are now good."))
    return redirect("performance:cycle_detail", pk=pk)


@login_required
@require_POST
def cycle_finalise_view(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(selectors.cycle_list(user=request.user), pk=pk)
    _act(request, lambda: services.cycle_finalise(actor=request.user, cycle=cycle),
         _("The cycle is finalised; rewards and penalties are proposed."))
    return redirect("performance:cycle_detail", pk=pk)


@login_required
@require_POST
def cycle_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    cycle = get_object_or_404(selectors.cycle_list(user=request.user), pk=pk)
    _act(request, lambda: services.cycle_publish(actor=request.user, cycle=cycle), _("The results are published."))
    return redirect("performance:cycle_detail", pk=pk)


EXPORT_COLUMNS = [
    excel.Column("name", _("Assessed"), width=16), excel.Column("department", _("Department"), width=16),
    excel.Column("level", _("Level"), width=10), excel.Column("kpi", _("KPI"), width=28),
    excel.Column("weight", _("Weight (%)"), excel.INT, width=8), excel.Column("target", _("Target"), excel.MONEY),
    excel.Column("actual", _("Actual"), excel.MONEY), excel.Column("completion", _("Completion (%)"), excel.MONEY),
    excel.Column("score", _("Score"), excel.MONEY), excel.Column("contribution", _("Contribution"), excel.MONEY),
    excel.Column("total", _("Total score"), excel.MONEY), excel.Column("grade", _("Grade"), width=8),
    excel.Column("rank", _("Rank in company"), excel.INT, width=8),
]


@login_required
def cycle_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The cycle's results in scope as .xlsx: one row per KPI line (numbers as numbers); the export is logged."""
    cycle = get_object_or_404(selectors.cycle_list(user=request.user), pk=pk)
    cards = selectors.cards_with_items(selectors.assessment_list(user=request.user, cycle=cycle)).order_by(
        "subject_kind", "rank_in_company", "pk")
    rows = [{"name": card.subject_name, "department": card.owner_unit.name, "level": card.get_level_display(),
             "kpi": item.kpi.display_name, "weight": item.weight, "target": item.target, "actual": item.actual,
             "completion": item.completion, "score": item.score, "contribution": item.contribution,
             "total": card.total, "grade": card.get_grade_display(), "rank": card.rank_in_company}
            for card in cards for item in card.items.all()]
    ExportLog.objects.create(user=request.user, resource=f"performance.cycle:{cycle.period_key}", scope="filtered",
                             row_count=len(rows))
    response = HttpResponse(excel.write_workbook(EXPORT_COLUMNS, rows, title=cycle.period_key),
                            content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=excel.export_filename(cycle.name))
    return response


@login_required
def assessment_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A scorecard: each KPI's actual, target, completion, score, weight and contribution, the total, grade, ranks,
    the change on the previous cycle and a trend; the forms the viewer may use."""
    card = get_visible_or_404(Assessment, request.user, pk)
    user = request.user
    context = selectors.scorecard(card)
    manual = [i for i in context["items"] if i.kpi.method == KpiMethod.MANUAL]
    final = card.cycle.is_final
    may_review = (not final and user.has_perm(str(Perm.REVIEW_ASSESSMENT)) and card.owner_id != user.pk
                  and card.status in (AssessmentStatus.COMPUTED, AssessmentStatus.REVIEWED))
    is_own = card.owner_id == user.pk
    appeal = context["appeal"]
    context.update({
        "may_review": may_review, "review_form": ReviewForm(manual=manual, initial={
            "adjustment": card.adjustment, "adjustment_reason": card.adjustment_reason,
            "comment": card.manager_comment}) if may_review else None,
        "may_confirm": is_own and not final and card.status == AssessmentStatus.REVIEWED,
        "may_appeal": is_own and not final and card.status == AssessmentStatus.REVIEWED and appeal is None,
        "appeal_form": AppealForm(),
        "may_decide_appeal": appeal is not None and appeal.status == "pending" and not is_own
        and user.has_perm(str(Perm.DECIDE_APPEAL)),
        "decision_form": AppealDecisionForm(initial={"new_total": card.total}),
    })
    return render(request, "performance/assessment_detail.html", context)


@login_required
@require_POST
def assessment_review_view(request: HttpRequest, pk: int) -> HttpResponse:
    card = get_visible_or_404(Assessment, request.user, pk)
    manual = [i for i in card.items.select_related("kpi") if i.kpi.method == KpiMethod.MANUAL]
    form = ReviewForm(request.POST, manual=manual)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    else:
        data = form.cleaned_data
        _act(request, lambda: services.assessment_review(
            actor=request.user, assessment=card, hand_scores=form.hand_scores(),
            adjustment=data.get("adjustment") or 0, adjustment_reason=data.get("adjustment_reason") or "",
            comment=data.get("comment") or ""), _("Review saved; the employee is asked to confirm."))
    return redirect("performance:assessment_detail", pk=pk)


@login_required
@require_POST
def assessment_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    card = get_visible_or_404(Assessment, request.user, pk)
    _act(request, lambda: services.assessment_confirm(actor=request.user, assessment=card),
         _("You confirmed your scorecard."))
    return redirect("performance:assessment_detail", pk=pk)


@login_required
@require_POST
def appeal_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    card = get_visible_or_404(Assessment, request.user, pk)
    form = AppealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you disagree with the assessment."))
    else:
        _act(request, lambda: services.appeal_submit(actor=request.user, assessment=card,
                                                     reason=form.cleaned_data["reason"]),
             _("Your appeal was submitted; you will be told the decision."))
    return redirect("performance:assessment_detail", pk=pk)


@login_required
def item_records_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The records behind one KPI line as frozen when computed; a row links only where the viewer may open it."""
    item = get_object_or_404(AssessmentItem.objects.select_related("kpi", "assessment__cycle"), pk=pk)
    card = get_visible_or_404(Assessment, request.user, item.assessment_id)
    rows = selectors.item_sources(item, user=request.user)
    return render(request, "performance/item_records.html", {
        "item": item, "card": card, "rows": [r for r in rows if r["visible"]],
        "hidden": sum(1 for r in rows if not r["visible"]),
    })


@login_required
def appeal_list_view(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.VIEW_APPEAL)
    appeals = Appeal.objects.visible_to(request.user).select_related(
        "assessment__owner", "assessment__cycle", "decided_by").order_by("status", "-created_at")
    return render(request, "performance/appeal_list.html", {"appeals": _page(request, appeals)})


@login_required
@require_POST
def appeal_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    appeal = get_visible_or_404(Appeal, request.user, pk)
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the decision so that the employee can read it."))
    else:
        data = form.cleaned_data
        _act(request, lambda: services.appeal_decide(actor=request.user, appeal=appeal, upheld=data["upheld"],
                                                     decision=data["decision"], new_total=data.get("new_total")),
             _("The appeal is decided."))
    return redirect("performance:assessment_detail", pk=appeal.assessment_id)


@login_required
def rewardpenalty_list_view(request: HttpRequest) -> HttpResponse:
    """The rewards and penalties register (奖惩登记), in scope; proposals wait for senior management."""
    _need(request, Perm.VIEW_REWARD)
    status = request.GET.get("status", "")
    rows = selectors.proposal_list(user=request.user, status=status if status in ProposalStatus.values else "")
    may_decide = request.user.has_perm(str(Perm.DECIDE_REWARD))
    return render(request, "performance/rewardpenalty_list.html", {
        "rows": _page(request, rows), "status": status, "statuses": ProposalStatus.choices,
        "may_decide": may_decide, "form": ProposalDecisionForm(),
    })


@login_required
def rewardpenalty_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One entry of the register with its history (who proposed, who decided, when)."""
    proposal = get_visible_or_404(RewardPenalty, request.user, pk)
    return render(request, "performance/register_detail.html", {
        "entry": proposal, "kind": "rewardpenalty",
        "may_decide": proposal.status == ProposalStatus.PROPOSED and proposal.person_id != request.user.pk
        and request.user.has_perm(str(Perm.DECIDE_REWARD)), "form": ProposalDecisionForm(),
    })


@login_required
@require_POST
def rewardpenalty_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_visible_or_404(RewardPenalty, request.user, pk)
    form = ProposalDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _act(request, lambda: services.proposal_decide(actor=request.user, proposal=proposal, approve=data["approve"],
                                                       note=data.get("note") or "", amount=data.get("amount")),
             _("Decided."))
    return redirect(reverse("performance:rewardpenalty_list") + "?status=proposed")


def _reportable_people(user: Any) -> Any:
    """People whose scorecards the manager sees are the people they may report on."""
    ids = Assessment.objects.visible_to(user).filter(owner__isnull=False).values("owner")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("name")


@login_required
def violation_list_view(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.VIEW_VIOLATION)
    status = request.GET.get("status", "")
    rows = selectors.violation_list(user=request.user,
                                    status=status if status in ViolationStatus.values else "")
    return render(request, "performance/violation_list.html", {
        "rows": _page(request, rows), "status": status, "statuses": ViolationStatus.choices,
        "may_decide": request.user.has_perm(str(Perm.DECIDE_VIOLATION)), "form": ViolationDecisionForm(),
        "may_report": request.user.has_perm(str(Perm.ADD_VIOLATION)),
    })


@login_required
def violation_create_view(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.ADD_VIOLATION)
    form = ViolationForm(request.POST or None, request.FILES or None, people=_reportable_people(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.violation_report(actor=request.user, person=data["person"], article=data["article"],
                                      happened_on=data["happened_on"], description=data["description"],
                                      evidence=data.get("evidence"))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The violation is recorded; senior management will decide."))
            return redirect("performance:violation_list")
    return render(request, "performance/violation_form.html", {"form": form})


@login_required
def violation_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    violation = get_visible_or_404(Violation, request.user, pk)
    return render(request, "performance/register_detail.html", {
        "entry": violation, "kind": "violation",
        "may_decide": violation.status == ViolationStatus.REPORTED and violation.owner_id != request.user.pk
        and request.user.has_perm(str(Perm.DECIDE_VIOLATION)), "form": ViolationDecisionForm(),
    })


@login_required
@require_POST
def violation_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    violation = get_visible_or_404(Violation, request.user, pk)
    form = ViolationDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _act(request, lambda: services.violation_decide(actor=request.user, violation=violation,
                                                        confirm=data["confirm"], decision=data["decision"],
                                                        action=data.get("action") or ""), _("Decided."))
    else:
        messages.error(request, _("Write the decision so that the employee can read it."))
    return redirect("performance:violation_list")


@login_required
def kpi_list_view(request: HttpRequest) -> HttpResponse:
    _need(request, Perm.VIEW_KPI)
    return render(request, "performance/kpi_list.html", {"kpis": Kpi.objects.all()})



