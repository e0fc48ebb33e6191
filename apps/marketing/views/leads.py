"""Lead pages (线索): the list with its scenes and bulk handover, the detail with status actions, claim,
handover and conversion (with the duplicate check's hits), create and edit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.scoping import can
from apps.core.views import ScopedListView, add_service_errors
from apps.customers.choices import Industry
from apps.customers.selectors.dedupe import find_duplicates, mask_mobile
from apps.marketing.choices import LeadStatus
from apps.marketing.forms_leads import (
    LeadBulkHandoverForm,
    LeadConvertForm,
    LeadFilterForm,
    LeadForm,
    LeadHandoverForm,
    LeadStatusForm,
)
from apps.marketing.models import Lead
from apps.marketing.selectors import leads as selectors
from apps.marketing.selectors.campaigns import campaign_choices
from apps.marketing.selectors.visits import visits_of_lead
from apps.marketing.services import leads as services


def _scenes() -> list[tuple[str, str]]:
    return [("all", _("All leads")), ("mine", _("My leads")), ("handed_to_me", _("Handed to me")),
            ("department", _("My department")), ("pool", _("Lead pool"))]


def _decorate(leads: list[Lead], user: Any) -> list[Lead]:
    """Mask the mobile of every lead the user is not personally responsible for."""
    for lead in leads:
        full = selectors.lead_sees_personal_data(lead, user)
        lead.shown_mobile = lead.mobile if full or not lead.mobile else mask_mobile(lead.mobile)  # type: ignore
    return leads


class LeadListView(ScopedListView):
    """Leads in the user's scope by scene (all, mine, handed to me, my department, the pool), filtered by
    status, source and campaign, searched; managers hand selected leads over in bulk."""

    model = Lead
    template_name = "marketing/lead_list.html"
    sort_fields = ("created_at", "company_name", "status", "updated_at", "handed_at")
    default_sort = "-created_at"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.scene = request.GET.get("scene", "all")
        self.filter_form = LeadFilterForm(request.GET or None, campaigns=campaign_choices(user=request.user))
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        f = self.filter_form
        qs = selectors.lead_list(
            user=self.request.user, scene=self.scene, status=f.value("status") or "",
            source=f.value("source") or "", campaign=f.value("campaign"), q=f.value("q") or "",
        )
        return qs.order_by(self.current_sort(), "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        _decorate(list(context["object_list"]), user)
        bulk = selectors.has_wide_scope(user) and user.has_perm("marketing.handover_lead")
        context.update(
            filter_form=self.filter_form, scene=self.scene, scenes=_scenes(), bulk=bulk,
            handover_form=LeadHandoverForm(people=selectors.sales_people()) if bulk else None,
        )
        return context


def _detail_context(request: HttpRequest, lead: Lead, **forms: Any) -> dict[str, Any]:
    user = request.user
    may_change = can(user, "change", lead)
    transitions = services.LEAD_TRANSITIONS.get(lead.status, ()) if may_change else ()
    context: dict[str, Any] = {
        "lead": lead, "may_change": may_change, "in_pool": lead.owner_id is None,
        "transitions": [(value, label) for value, label in LeadStatus.choices if value in transitions],
        "status_form": forms.get("status_form") or LeadStatusForm(),
        "visits": visits_of_lead(lead=lead),
        "industry_label": dict(Industry.choices).get(lead.industry, lead.industry),
        "shown_mobile": _decorate([lead], user)[0].shown_mobile,
    }
    if may_change and lead.status in services.HANDOVER_FROM and user.has_perm("marketing.handover_lead"):
        context["handover_form"] = forms.get("handover_form") or LeadHandoverForm(
            people=selectors.sales_people(), initial={"to_user": lead.handed_to_id})
    if lead.status in services.CONVERT_FROM and services.may_convert(user, lead):
        hits = find_duplicates(name=lead.company_name, mobiles=[lead.mobile] if lead.mobile else [])
        context["hits"] = hits
        context["convert_form"] = forms.get("convert_form") or LeadConvertForm(
            hit_ids=[h.customer_id for h in hits])
    return context


@login_required
def lead_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(user=request.user, pk=pk)
    return render(request, "marketing/lead_detail.html", _detail_context(request, lead))


def _lead_form(request: HttpRequest, instance: Lead | None = None) -> LeadForm:
    user = request.user
    initial = {k: request.GET.get(k) for k in ("campaign", "research", "source") if request.GET.get(k)}
    return LeadForm(request.POST or None, instance=instance, initial=initial,
                    campaigns=campaign_choices(user=user), research=selectors.research_choices(user=user),
                    plans=selectors.plan_choices(user=user))


def _show_duplicates(form: LeadForm, error: ValidationError) -> None:
    """Put the service's error on the form and list the customers the duplicate check found; a similar name
    alone offers the "save anyway" box, an exact hit (USCC, mobile) does not."""
    add_service_errors(form, error)
    form.duplicates = getattr(error, "duplicates", [])
    form.show_similar_confirm = bool(form.duplicates) and not any(hit.exact for hit in form.duplicates)


@login_required
def lead_create_view(request: HttpRequest) -> HttpResponse:
    """New lead, owned by the user (or put straight into the lead pool)."""
    if not request.user.has_perm("marketing.add_lead"):
        raise PermissionDenied
    form = _lead_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(actor=request.user, data=form.cleaned_data,
                                        to_pool=request.POST.get("to_pool") == "1",
                                        allow_similar_name=form.cleaned_data["allow_similar_name"])
        except ValidationError as error:
            _show_duplicates(form, error)
        else:
            messages.success(request, _("Lead “%(name)s” created.") % {"name": lead})
            return redirect("marketing:lead_detail", pk=lead.pk)
    return render(request, "marketing/lead_form.html", {"form": form, "lead": None})


@login_required
def lead_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(user=request.user, pk=pk, action="change")
    form = _lead_form(request, instance=lead)
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_update(actor=request.user, lead=Lead.objects.get(pk=lead.pk), data=form.cleaned_data,
                                 allow_similar_name=form.cleaned_data["allow_similar_name"])
        except ValidationError as error:
            _show_duplicates(form, error)
        else:
            messages.success(request, _("Lead “%(name)s” saved.") % {"name": lead})
            return redirect("marketing:lead_detail", pk=lead.pk)
    return render(request, "marketing/lead_form.html", {"form": form, "lead": lead})


def _rerender(request: HttpRequest, lead: Lead, **forms: Any) -> HttpResponse:
    lead = selectors.lead_get(user=request.user, pk=lead.pk)
    return render(request, "marketing/lead_detail.html", _detail_context(request, lead, **forms), status=400)


@login_required
@require_POST
def lead_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the lead to another status; "invalid" without a reason shows the error on the form."""
    lead = selectors.lead_get(user=request.user, pk=pk, action="change")
    form = LeadStatusForm(request.POST)
    if form.is_valid():
        try:
            services.lead_set_status(actor=request.user, lead=lead, status=form.cleaned_data["status"],
                                     reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Status changed to “%(status)s”.") % {"status": lead.get_status_display()})
            return redirect("marketing:lead_detail", pk=lead.pk)
    return _rerender(request, lead, status_form=form)


@login_required
@require_POST
def lead_claim_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(user=request.user, pk=pk)
    try:
        services.lead_claim(actor=request.user, lead=lead)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("You now own the lead “%(name)s”.") % {"name": lead})
    return redirect("marketing:lead_detail", pk=lead.pk)


@login_required
@require_POST
def lead_handover_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = selectors.lead_get(user=request.user, pk=pk, action="change")
    form = LeadHandoverForm(request.POST, people=selectors.sales_people())
    if form.is_valid():
        try:
            services.lead_handover(actor=request.user, lead=lead, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Lead handed over to %(name)s, who has been notified.")
                             % {"name": form.cleaned_data["to_user"]})
            return redirect("marketing:lead_detail", pk=lead.pk)
    return _rerender(request, lead, handover_form=form)


@login_required
@require_POST
def lead_convert_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Convert into a new customer, or merge into a duplicate the user chose; refusals show on the form."""
    lead = selectors.lead_get(user=request.user, pk=pk)
    if not services.may_convert(request.user, lead):
        raise PermissionDenied
    hits = find_duplicates(name=lead.company_name, mobiles=[lead.mobile] if lead.mobile else [])
    form = LeadConvertForm(request.POST, hit_ids=[h.customer_id for h in hits])
    if form.is_valid():
        try:
            customer = services.lead_convert(actor=request.user, lead=lead, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Lead converted into customer “%(name)s”.") % {"name": customer})
            return redirect("marketing:lead_detail", pk=lead.pk)
    return _rerender(request, lead, convert_form=form)


@login_required
@require_POST
def lead_bulk_handover_view(request: HttpRequest) -> HttpResponse:
    """A manager hands the selected leads to one sales person."""
    user = request.user
    form = LeadBulkHandoverForm(request.POST, people=selectors.sales_people(),
                                leads=selectors.lead_visible(user=user, action="change"))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            handed, skipped = services.lead_bulk_handover(
                actor=user, leads=list(form.cleaned_data["leads"]), to_user=form.cleaned_data["to_user"],
                note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(handed)d leads handed over; %(skipped)d not qualified and skipped.")
                             % {"handed": handed, "skipped": skipped})
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("marketing:lead_list")
