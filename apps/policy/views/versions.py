"""Policy pages: the policy in force article by article, the rules in force, and the versions."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView, TemplateView, View

from apps.core.pdf import pdf_from_template
from apps.core.views import ScopedActionView, ScopedCreateView, ScopedUpdateView
from apps.policy import selectors, services
from apps.policy.choices import (
    AssessedKind,
    AssessmentLevel,
    CustomerLevel,
    EvaluationKind,
    Frequency,
    Grade,
    KpiCode,
    KpiItem,
    PolicyVersionStatus,
    RewardPenaltyAction,
    ScoringMethod,
    TicketPriority,
    TicketType,
)
from apps.policy.forms import versions as forms
from apps.policy.models import Article, PolicyVersion
from apps.policy.permissions import PolicyPerm
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


PDF_CSS = Path(__file__).resolve().parent.parent / "pdf.css"


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
