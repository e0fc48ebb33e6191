"""Policy pages: the policy in force article by article, the rules in force, and the versions."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView, TemplateView, View

from apps.core import excel
from apps.core.history import history_entries
from apps.core.pdf import pdf_from_template
from apps.core.views import ScopedActionView, ScopedCreateView, ScopedDetailView, ScopedListView, ScopedUpdateView
from apps.policy import forms, selectors, services
from apps.policy.choices import (
    AssessedKind,
    AssessmentLevel,
    CustomerLevel,
    EvaluationKind,
    Frequency,
    Grade,
    InterpretationStatus,
    KpiCode,
    KpiItem,
    PolicyVersionStatus,
    RewardPenaltyAction,
    ScoringMethod,
    TicketPriority,
    TicketType,
)
from apps.policy.context_processors import remember as remember_banner
from apps.policy.forms_ack import (
    InterpretationAnswerForm,
    InterpretationAskForm,
    InterpretationDeclineForm,
    PolicyReviewForm,
)
from apps.policy.models import Article, Interpretation, PolicyAcknowledgement, PolicyReview, PolicyVersion
from apps.policy.permissions import AckPerm, PolicyPerm
from apps.policy.rules import SECTION_LABELS, Rules, SchemeLine


class PolicyReaderMixin(LoginRequiredMixin):
    """Pages anyone who may read the policy sees (every built-in role); others get 403.

    Not the generic scoped views: the policy has no data scope, everyone who may read it reads the same version."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_perm(PolicyPerm.VIEW_VERSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _number(value: Any) -> str:
    """A rule's decimal as written: 80, 4.5 (no trailing zeros, no exponent)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def scoring_text(line: SchemeLine) -> str:
    """How a scheme line turns its completion into a score, with its parameters, in the interface language."""
    method = ScoringMethod(line.scoring)
    if method == ScoringMethod.BANDS:
        steps = gettext("; ").join(  # the list separator of the language (；)
            gettext("completion ≥ %(low)s%% → %(score)s") % {"low": _number(low), "score": _number(score)}
            for low, score in line.bands
        )
        return gettext("%(method)s: %(steps)s; below them 0") % {"method": method.label, "steps": steps}
    if method == ScoringMethod.THRESHOLD:
        return gettext(
            "%(method)s: 0 below %(threshold)s%% completion, from it on the completion, capped at the KPI's cap"
        ) % {"method": method.label, "threshold": _number(line.threshold)}
    if method == ScoringMethod.DEDUCTION:
        return gettext("%(method)s: %(start)s less %(points)s per occurrence, never below 0") % {
            "method": method.label,
            "start": _number(line.start),
            "points": _number(line.points),
        }
    return gettext("%(method)s: the completion of the target, capped at the KPI's cap") % {"method": method.label}


def rule_tables(rules: Rules) -> dict[str, Any]:
    """Every rule as rows with their labels, for the rules tables."""
    bands = rules.grade_bands
    return {
        "kpi_weights": [(KpiItem(i).label, rules.kpi_weights.weight(i)) for i in KpiItem.values],
        "kpi_total": rules.kpi_weights.total,
        "grade_bands": [
            (Grade(b.grade).label, b.min_score, bands[n - 1].min_score if n else None) for n, b in enumerate(bands)
        ],
        "priorities": TicketPriority.labels,
        "deadlines": [(t.label, [rules.deadline(t.value, p) for p in TicketPriority.values]) for t in TicketType],
        "cadence": [(CustomerLevel(c.level).label, c.days) for c in rules.contact_cadence],
        "recycle": [
            (CustomerLevel(r.level).label, r.days_without_follow_up, r.days_without_deal)
            for r in rules.public_pool.recycle
        ],
        "escalation": rules.service_escalation,
        "pool": rules.public_pool,
        "approval": rules.approval_thresholds,
        # Grouped by thousands in every language, as Chinese financial figures are (¥1,234,567.89).
        "contract_amount": f"¥{rules.approval_thresholds.contract_amount:,.2f}",
        "frequencies": [(k.label, Frequency(rules.evaluation_frequencies.of(k.value)).label) for k in EvaluationKind],
        "schemes": [
            (
                AssessedKind(s.kind).label,
                AssessmentLevel(s.level).label,
                [(KpiCode(line.kpi).label, line.weight, line.target, scoring_text(line)) for line in s.lines],
            )
            for s in rules.assessment.schemes
        ],
        "assessment": rules.assessment,
        "proposals": [(Grade(g).label, RewardPenaltyAction(a).label) for g, a in rules.assessment.proposals],
    }


def _date_param(request: HttpRequest) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return None


class PolicyInForceView(PolicyReaderMixin, TemplateView):
    """The policy in force, chapter by chapter, in the interface language."""

    template_name = "policy/policy_in_force.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            version = selectors.policy_in_force()
        except selectors.NoPolicyInForce:
            return context
        context["version"] = version
        context["chapters"] = selectors.chapter_list(selectors.article_list(version))
        return context


class RulesInForceView(PolicyReaderMixin, TemplateView):
    """The rules in force today (or on ``?on=YYYY-MM-DD``), read-only."""

    template_name = "policy/rules_in_force.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        on = _date_param(self.request) or selectors.policy_today()
        context["on"] = on
        try:
            in_force = selectors.rules_in_force(on)
        except selectors.NoPolicyInForce:
            return context
        context["in_force"] = in_force
        context["tables"] = rule_tables(in_force.rules)
        return context


class VersionListView(PolicyReaderMixin, ListView):
    template_name = "policy/version_list.html"
    context_object_name = "versions"
    paginate_by = 20

    def get_queryset(self) -> Any:
        return selectors.version_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(today=selectors.policy_today(), in_force_id=selectors.policy_in_force_id())
        return context


class VersionDetailView(PolicyReaderMixin, TemplateView):
    """One version: its articles, its rules and its history."""

    template_name = "policy/version_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        version = selectors.version_get(user=self.request.user, pk=kwargs["pk"])
        context["version"] = version
        context["chapters"] = selectors.chapter_list(selectors.article_list(version))
        context["tables"] = rule_tables(selectors.version_rules(version))
        context.update(today=selectors.policy_today(), in_force_id=selectors.policy_in_force_id())
        allowed = selectors.version_allowed(self.request.user, version)
        context["allowed"] = allowed
        context["sections"] = list(SECTION_LABELS.items())
        decisions = list(selectors.decision_list(user=self.request.user).filter(version=version))
        context["decisions"] = [(d, selectors.decision_tally(d)) for d in decisions]
        open_decision = next((d for d in decisions if d.is_open), None)
        if open_decision is not None:
            context["open_decision"] = open_decision
            me = self.request.user.pk
            context["my_vote"] = next((v.vote for v in open_decision.votes.all() if v.member_id == me), "")
            context["vote_form"] = forms.VoteForm(initial={"vote": context["my_vote"] or None})
            context["close_form"] = forms.DecisionCloseForm(initial={"meeting_date": open_decision.meeting_date})
        if "publish" in allowed:
            context["publish_form"] = forms.PublishForm(
                initial={"effective_from": selectors.policy_today() + dt.timedelta(days=1)}
            )
        return context


class VersionPageMixin:
    """Amendment pages address a version: fetched among those the user may see (drafts only for editors), else
    404. The policy has no data scope (see ``PolicyReaderMixin``)."""

    model = PolicyVersion
    request: HttpRequest

    def get_queryset(self) -> Any:
        return selectors.version_list(user=self.request.user)


PDF_CSS = Path(__file__).resolve().parent / "pdf.css"


class VersionPdfView(PolicyReaderMixin, View):
    """The full text of a version the user may see (a draft only for its editors: 404 otherwise), chapter by
    chapter, as a PDF to print or file; the Chinese text is the authoritative one."""

    model = PolicyVersion  # not scoped: who sees which version is ``version_list``

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        version = selectors.version_get(user=request.user, pk=kwargs["pk"])
        chapters = selectors.chapter_list(selectors.article_list(version))
        context = {"version": version, "chapters": chapters, "printed_at": timezone.localtime()}
        data = pdf_from_template("policy/version_pdf.html", context, stylesheets=[PDF_CSS])
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="policy-{version.label}.pdf"'
        return response


class VersionDiffView(PolicyReaderMixin, TemplateView):
    """What a version changes against the one it was drafted from: article by article, rule by rule, in words."""

    model = PolicyVersion
    template_name = "policy/version_diff.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        version = selectors.version_get(user=self.request.user, pk=kwargs["pk"])
        context.update(version=version, diff=selectors.version_diff(version))
        return context


class VersionImpactView(PolicyReaderMixin, TemplateView):
    """For a draft (or any version): per changed rule, what it will touch, counted from the records."""

    model = PolicyVersion
    template_name = "policy/version_impact.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        version = selectors.version_get(user=self.request.user, pk=kwargs["pk"])
        context.update(version=version, impacts=selectors.version_impact(version, _date_param(self.request)))
        return context


class DraftCreateView(ScopedCreateView):
    """Start an amendment from the version in force."""

    model = PolicyVersion
    permission = PolicyPerm.ADD_VERSION
    form_class = forms.DraftForm
    template_name = "policy/draft_form.html"
    service = services.policy_version_draft_from_in_force
    success_message = _("Draft %(name)s started from the version in force.")
    success_url = "policy:version_detail"

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"name": obj.label}


class ArticleUpdateView(ScopedUpdateView):
    """Edit one article of a draft, in Chinese and in English."""

    model = Article
    permission = PolicyPerm.CHANGE_ARTICLE
    form_class = forms.ArticleForm
    template_name = "policy/article_form.html"
    service = services.policy_article_update
    success_message = _("%(name)s saved.")

    def get_queryset(self) -> Any:
        return Article.objects.filter(
            version__in=selectors.version_list(user=self.request.user), version__status=PolicyVersionStatus.DRAFT
        ).select_related("version")

    def get_form(self) -> Any:
        return self.form_class(data=self.request.POST or None, instance=copy.copy(self.object))

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"name": obj.label}

    def get_success_url(self, obj: Any) -> str:
        return reverse("policy:version_detail", kwargs={"pk": obj.version_id}) + f"#article-{obj.number}"


class RulesSectionUpdateView(VersionPageMixin, ScopedUpdateView):
    """Edit one section of a draft's rules in a form generated from the rules; an HTMX request with
    ``_validate`` only checks the values (the form validates as one types) and saves nothing."""

    permission = PolicyPerm.CHANGE_VERSION
    form_class = forms.RulesSectionForm
    template_name = "policy/rules_form.html"
    service = services.policy_version_update_rules
    success_message = _("The rules of draft %(name)s are saved.")
    success_url = "policy:version_detail"

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(status=PolicyVersionStatus.DRAFT)

    def get_form(self) -> Any:
        section = self.kwargs["section"]
        if section not in SECTION_LABELS:
            raise Http404
        return forms.RulesSectionForm(
            data=self.request.POST or None, rules=selectors.version_rules(self.object), section=section
        )

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"version": self.object, "rules": form.rules_data()}

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"name": obj.label}

    def handle(self) -> HttpResponse:
        if self.request.headers.get("HX-Request") and "_validate" in self.request.POST:
            self.object = self.get_object()
            form = self.get_form()
            form.is_valid()
            return self.render_to_response(
                self.get_context_data(form=form, checked=True), template_name="policy/_rules_form_body.html"
            )
        return super().handle()

    def render_to_response(
        self, context: dict[str, Any], template_name: str | None = None, **kwargs: Any
    ) -> HttpResponse:
        if template_name is not None:
            from django.template.response import TemplateResponse

            return TemplateResponse(self.request, template_name, context)
        return super().render_to_response(context, **kwargs)


class VersionActionView(VersionPageMixin, ScopedActionView):
    """A move of the amendment flow on a version; the service checks the table and the person."""

    success_url = "policy:version_detail"

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"name": obj.label}


class VersionSubmitView(VersionActionView):
    service = services.policy_version_submit
    success_message = _("Version %(name)s is submitted to the leadership group.")

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"version": self.object}


def _open_decision(version: PolicyVersion) -> Any:
    decision = next((d for d in version.decisions.all() if d.is_open), None)
    if decision is None:
        raise Http404
    return decision


class VersionVoteView(VersionActionView):
    service = services.policy_vote_cast
    form_class = forms.VoteForm
    success_message = _("Your vote on version %(name)s is recorded.")

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"decision": _open_decision(self.object), "vote": data["vote"]}


class VersionDecideView(VersionActionView):
    service = services.policy_decision_close
    form_class = forms.DecisionCloseForm
    success_message = _("The decision on version %(name)s is recorded.")

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"decision": _open_decision(self.object), **data}


class VersionPublishView(VersionActionView):
    service = services.policy_version_publish
    form_class = forms.PublishForm
    success_message = _("Version %(name)s is published; every employee has been told.")

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"version": self.object, **data}


class VersionWithdrawView(VersionActionView):
    service = services.policy_version_withdraw
    success_message = _("Version %(name)s is withdrawn; the version in force stays in force.")

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"version": self.object}


# Acknowledgement, interpretation, review


class AcknowledgeView(PolicyReaderMixin, TemplateView):
    """Read the changed articles of the version in force and confirm 我已阅读并知晓 (POST). A special page: it is
    about the user's own confirmation of the one version in force, not a record addressed by the URL."""

    template_name = "policy/acknowledge.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            version = selectors.policy_in_force()
        except selectors.NoPolicyInForce:
            return context
        changed = selectors.changed_articles(version)
        remember_banner(self.request)  # refresh what the banner shows (e.g. after confirming through the API)
        context.update(
            version=version,
            changed=changed,
            previous=selectors.previous_version(version),
            acknowledgement=PolicyAcknowledgement.objects.filter(version=version, user=self.request.user.pk).first(),
            deadline=selectors.acknowledgement_deadline(version),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            version = selectors.policy_in_force()
            services.policy_acknowledgement_confirm(actor=request.user, version=version)
            remember_banner(request)
        except selectors.NoPolicyInForce as exc:
            raise Http404 from exc
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Thank you: your confirmation of version %(label)s is recorded.") % {"label": version.label}
            )
        return redirect("policy:acknowledge")


def _ack_version(request: HttpRequest) -> PolicyVersion | None:
    """The version the acknowledgement pages are about: ``?version=<id>`` of a published version, else the one in
    force."""
    pk = request.GET.get("version", "")
    if pk.isdigit():
        return PolicyVersion.objects.filter(pk=pk, status__in=selectors.PUBLISHED).first()
    try:
        return selectors.policy_in_force()
    except selectors.NoPolicyInForce:
        return None


class AcknowledgementListView(ScopedListView):
    """Who has confirmed the version in force, by department, within the viewer's scope (staff: themselves;
    managers: their tree; senior management and the leadership group: everyone)."""

    model = PolicyAcknowledgement
    permission = AckPerm.VIEW_ACKNOWLEDGEMENT
    template_name = "policy/acknowledgement_list.html"
    search_fields = ("user__name", "user__username", "user__employee__department__name")
    sort_fields = ("user__name", "user__employee__department__path", "confirmed_at", "reminded_at")
    default_sort = "user__employee__department__path"
    paginate_by = 50

    def get_queryset(self) -> Any:
        self.version = _ack_version(self.request)
        qs = selectors.acknowledgement_list(user=self.request.user, version=self.version)
        self.scoped = qs
        status = self.request.GET.get("status", "")
        if status == "pending":
            qs = qs.filter(confirmed_at__isnull=True)
        elif status == "confirmed":
            qs = qs.filter(confirmed_at__isnull=False)
        term = self.request.GET.get("q", "").strip()
        if term:
            from django.db.models import Q

            cond = Q()
            for name in self.search_fields:
                cond |= Q(**{f"{name}__icontains": term})
            qs = qs.filter(cond)
        return qs.order_by(self.current_sort(), "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows, total = selectors.acknowledgement_by_department(self.scoped)
        context.update(
            version=self.version,
            departments=rows,
            total=total,
            status=self.request.GET.get("status", ""),
            deadline=selectors.acknowledgement_deadline(self.version) if self.version else None,
            versions=PolicyVersion.objects.filter(status__in=selectors.PUBLISHED).order_by("-effective_from"),
            may_remind=self.request.user.has_perm(AckPerm.REMIND_ACKNOWLEDGEMENT),
        )
        return context


class AcknowledgementDetailView(ScopedDetailView):
    """One employee's confirmation of one version, with its history (asked, reminded, confirmed)."""

    model = PolicyAcknowledgement
    permission = AckPerm.VIEW_ACKNOWLEDGEMENT
    template_name = "policy/acknowledgement_detail.html"
    context_object_name = "ack"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("user", "version", "user__employee__department")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = history_entries(self.object)
        return context


@require_POST
def acknowledgement_remind_view(request: HttpRequest) -> HttpResponse:
    """One click: remind the unconfirmed of the version within the user's scope (the service selects them from
    visible_to). A function view: a bulk action over the list, not one record."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    if not request.user.has_perm(AckPerm.REMIND_ACKNOWLEDGEMENT):
        raise PermissionDenied
    version = _ack_version(request)
    if version is None:
        raise Http404
    count = services.policy_acknowledgements_remind(actor=request.user, version=version)
    messages.success(request, _("%(count)s employees were reminded.") % {"count": count})
    return redirect(f"{reverse('policy:acknowledgement_list')}?version={version.pk}")


ACK_COLUMNS = [
    excel.Column("department", gettext_lazy("Department"), width=20),
    excel.Column("name", gettext_lazy("Name"), width=14),
    excel.Column("username", gettext_lazy("Username"), width=14),
    excel.Column("version", gettext_lazy("Version"), width=10),
    excel.Column("status", gettext_lazy("Status"), width=12),
    excel.Column("confirmed_at", gettext_lazy("Confirmed at"), width=20),
    excel.Column("reminders", gettext_lazy("Reminders sent"), kind=excel.INT, width=10),
]
ACK_SUMMARY_COLUMNS = [
    excel.Column("department", gettext_lazy("Department"), width=20),
    excel.Column("asked", gettext_lazy("Employees"), kind=excel.INT),
    excel.Column("confirmed", gettext_lazy("Confirmed"), kind=excel.INT),
    excel.Column("pending", gettext_lazy("Not confirmed"), kind=excel.INT),
    excel.Column("share", gettext_lazy("Share confirmed (%)")),
]


def acknowledgement_export_view(request: HttpRequest) -> HttpResponse:
    """The acknowledgement report as Excel: one row per employee within the user's scope (the selector starts from
    visible_to). A function view: a file download."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    if not request.user.has_perm(AckPerm.VIEW_ACKNOWLEDGEMENT):
        raise PermissionDenied
    version = _ack_version(request)
    if version is None:
        raise Http404
    qs = selectors.acknowledgement_list(user=request.user, version=version).order_by(
        "user__employee__department__path", "user__name", "pk"
    )
    if request.GET.get("summary"):
        rows, total = selectors.acknowledgement_by_department(qs)
        rows.append(selectors.AcknowledgementRow(None, str(_("Total")), total.asked, total.confirmed))
        data = [
            {
                "department": r.department,
                "asked": r.asked,
                "confirmed": r.confirmed,
                "pending": r.pending,
                "share": f"{r.share}",
            }
            for r in rows
        ]
        content = excel.write_workbook(ACK_SUMMARY_COLUMNS, data, title=_("Acknowledgements"))
    else:
        data = [
            {
                "department": getattr(getattr(a.user, "employee", None), "department", "") or "",
                "name": a.user.get_full_name(),
                "username": a.user.username,
                "version": version.label,
                "status": _("Confirmed") if a.confirmed_at else _("Not confirmed"),
                "confirmed_at": timezone.localtime(a.confirmed_at).strftime("%Y-%m-%d %H:%M") if a.confirmed_at else "",
                "reminders": a.reminder_count,
            }
            for a in qs
        ]
        content = excel.write_workbook(ACK_COLUMNS, data, title=_("Acknowledgements"))
    response = HttpResponse(content, content_type=excel.XLSX_CONTENT_TYPE)
    filename = excel.export_filename(_("Policy acknowledgements"))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


class InterpretationVisibleMixin:
    """Interpretations have no department scope: the published ones for everyone, one's own questions, all for
    those who answer (``selectors.interpretation_list``)."""

    request: HttpRequest

    def get_queryset(self) -> Any:
        return selectors.interpretation_list(user=self.request.user)


class InterpretationListView(InterpretationVisibleMixin, ScopedListView):
    model = Interpretation
    permission = AckPerm.VIEW_INTERPRETATION
    template_name = "policy/interpretation_list.html"
    search_fields = ("question", "answer")
    sort_fields = ("created_at", "status", "article__number")
    default_sort = "-created_at"

    def get_queryset(self) -> Any:
        qs = super().get_queryset()
        status = self.request.GET.get("status", "")
        if status in InterpretationStatus.values:
            qs = qs.filter(status=status)
        term = self.request.GET.get("q", "").strip()
        if term:
            from django.db.models import Q

            qs = qs.filter(Q(question__icontains=term) | Q(answer__icontains=term))
        return qs.order_by(self.current_sort(), "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(statuses=InterpretationStatus.choices, status=self.request.GET.get("status", ""))
        return context


class InterpretationDetailView(InterpretationVisibleMixin, ScopedDetailView):
    model = Interpretation
    permission = AckPerm.VIEW_INTERPRETATION
    template_name = "policy/interpretation_detail.html"
    context_object_name = "item"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            moves=services.interpretation_allowed(self.request.user, self.object),
            answer_form=InterpretationAnswerForm(initial={"answer": self.object.answer}),
            decline_form=InterpretationDeclineForm(),
            history=history_entries(self.object),
        )
        return context


class InterpretationAskView(ScopedCreateView):
    """Any employee asks a question about an article of the version in force (``?article=<number>`` preselects)."""

    model = Interpretation
    permission = AckPerm.ASK_INTERPRETATION
    form_class = InterpretationAskForm
    template_name = "policy/interpretation_form.html"
    service = services.interpretation_ask
    success_message = gettext_lazy("Your question is sent to the leadership group.")
    success_url = "policy:interpretation_detail"

    def get_object(self) -> None:
        try:
            self.version = selectors.policy_in_force()
        except selectors.NoPolicyInForce as exc:
            raise Http404 from exc

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "articles": selectors.article_choices(self.version)}

    def get_initial(self) -> dict[str, Any]:
        number = self.request.GET.get("article", "")
        if number.isdigit():
            article = self.version.articles.filter(number=number).first()
            if article is not None:
                return {"article": article.pk}
        return {}


class InterpretationMoveView(InterpretationVisibleMixin, ScopedActionView):
    model = Interpretation
    permission = AckPerm.ANSWER_INTERPRETATION
    success_url = "policy:interpretation_detail"

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"interpretation": self.object, **data}


class InterpretationAnswerView(InterpretationMoveView):
    form_class = InterpretationAnswerForm
    service = services.interpretation_answer
    success_message = gettext_lazy("The answer is saved; publish it to show it to everyone.")


class InterpretationPublishView(InterpretationMoveView):
    service = services.interpretation_publish
    success_message = gettext_lazy("The interpretation is published beside the article.")


class InterpretationDeclineView(InterpretationMoveView):
    form_class = InterpretationDeclineForm
    service = services.interpretation_decline
    success_message = gettext_lazy("The question is declined; the asker is told why.")


class PolicyReviewListView(ScopedListView):
    """The reviews of the policy (art. 15) and the next review date of the version in force."""

    model = PolicyReview
    permission = AckPerm.VIEW_REVIEW
    template_name = "policy/review_list.html"
    sort_fields = ("reviewed_on",)
    default_sort = "-reviewed_on"

    def get_queryset(self) -> Any:
        return selectors.review_list(user=self.request.user).order_by(self.current_sort(), "pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        try:
            context["in_force"] = selectors.policy_in_force()
        except selectors.NoPolicyInForce:
            context["in_force"] = None
        context["today"] = selectors.policy_today()
        return context


class PolicyReviewDetailView(ScopedDetailView):
    model = PolicyReview
    permission = AckPerm.VIEW_REVIEW
    template_name = "policy/review_detail.html"
    context_object_name = "review"

    def get_queryset(self) -> Any:
        return selectors.review_list(user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["history"] = history_entries(self.object)
        return context


class PolicyReviewCreateView(ScopedCreateView):
    """Record the review of a version in force (the URL's ``pk`` is the version)."""

    model = PolicyReview
    permission = AckPerm.ADD_REVIEW
    form_class = PolicyReviewForm
    template_name = "policy/review_form.html"
    service = services.policy_review_record
    success_message = gettext_lazy("The review is recorded.")
    success_url = "policy:review_detail"

    def get_object(self) -> None:
        self.version = selectors.version_get(user=self.request.user, pk=self.kwargs["pk"])

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"version": self.version, **form.cleaned_data}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "version": self.version, "today": selectors.policy_today()}
