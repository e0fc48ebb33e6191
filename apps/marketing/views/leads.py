"""Lead pages (线索): the list with its scenes and bulk handover, the detail with status actions, claim,
handover and conversion (with the duplicate check's hits), create and edit."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core import excel
from apps.core.scoping import can
from apps.core.views import (
    ExportFile,
    ListExportMixin,
    ScopedActionView,
    ScopedCreateView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    add_service_errors,
)
from apps.customers.choices import Industry
from apps.customers.selectors.dedupe import find_duplicates, mask_mobile
from apps.marketing.choices import LeadStatus
from apps.marketing.filters import LEAD_SCENES, LeadFilterSet
from apps.marketing.forms.leads import (
    LeadBulkHandoverForm,
    LeadConvertForm,
    LeadForm,
    LeadHandoverForm,
    LeadStatusForm,
)
from apps.marketing.models import Lead
from apps.marketing.models.leads import LEAD_ACTIONS, LEAD_STATUS_MOVES, LEAD_WORKFLOW
from apps.marketing.permissions import MarketingPerm
from apps.marketing.selectors import leads as selectors
from apps.marketing.selectors.campaigns import campaign_choices
from apps.marketing.selectors.visits import visits_of_lead
from apps.marketing.services import leads as services
from apps.marketing.views.common import InstanceFormUpdateView
from apps.org.models import User


def _decorate(leads: list[Lead], user: Any) -> list[Lead]:
    """Mask the mobile of every lead the user is not personally responsible for."""
    for lead in leads:
        full = selectors.lead_sees_personal_data(lead, user)
        lead.shown_mobile = lead.mobile if full or not lead.mobile else mask_mobile(lead.mobile)  # type: ignore
    return leads


class LeadListView(ScopedListView):
    """Leads in the user's scope by scene (all, mine, handed to me, my department, the pool), filtered by
    status, source and campaign, searched (``LeadFilterSet``, shared with the API and the export); managers hand
    selected leads over in bulk."""

    model = Lead
    template_name = "marketing/lead_list.html"
    filterset_class = LeadFilterSet
    filter_defaults = {"scene": "all"}  # noqa: RUF012 - the page opens on the leads with an owner; the pool is a scene
    sort_fields = ("created_at", "company_name", "status", "updated_at", "handed_at")
    default_sort = "-created_at"
    tie_break = "-pk"

    def base_queryset(self) -> QuerySet:
        return selectors.lead_visible(user=self.request.user).select_related(
            "campaign", "owner", "handed_to", "customer"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        _decorate(list(context["object_list"]), user)
        bulk = selectors.has_wide_scope(user) and user.has_perm(MarketingPerm.HANDOVER_LEAD)
        context.update(
            scene=self.request.GET.get("scene", "all"),
            scenes=LEAD_SCENES,
            bulk=bulk,
            handover_form=LeadHandoverForm(people=selectors.sales_people()) if bulk else None,
        )
        return context


class LeadExportView(ListExportMixin, LeadListView):
    """The leads of the list as filtered, searched and sorted (within the scope) as .xlsx; mobiles masked as on
    the page."""

    def export(self, rows: QuerySet) -> ExportFile:
        leads = _decorate(list(rows[: self.export_limit]), self.request.user)
        data = excel.write_workbook(selectors.EXPORT_COLUMNS, selectors.export_rows(leads), title=_("Leads"))
        return ExportFile(data, len(leads), excel.export_filename(_("Leads")))


lead_export = LeadExportView.as_view()


def _detail_context(user: Any, lead: Lead, **forms: Any) -> dict[str, Any]:
    """The lead page shows exactly the steps ``LEAD_WORKFLOW`` allows this user now (``selectors.lead_allowed``)."""
    allowed = selectors.lead_allowed(user, lead)
    moves = {LEAD_WORKFLOW[lead.status][move].target for move in LEAD_STATUS_MOVES if move in allowed}
    context: dict[str, Any] = {
        "lead": lead,
        "may_change": can(user, "change", lead),
        "in_pool": lead.owner_id is None,
        "allowed": allowed,
        **{f"can_{action}": action in allowed for action in LEAD_ACTIONS},
        "transitions": [(value, label) for value, label in LeadStatus.choices if value in moves],
        "status_form": forms.get("status_form") or LeadStatusForm(),
        "visits": visits_of_lead(lead=lead),
        "industry_label": dict(Industry.choices).get(lead.industry, lead.industry),
        "shown_mobile": cast(Any, _decorate([lead], user)[0]).shown_mobile,
    }
    if "handover" in allowed:
        context["handover_form"] = forms.get("handover_form") or LeadHandoverForm(
            people=selectors.sales_people(), initial={"to_user": lead.handed_to_id}
        )
    if "convert" in allowed:
        hits = find_duplicates(name=lead.company_name, mobiles=[lead.mobile] if lead.mobile else [])
        context["hits"] = hits
        context["convert_form"] = forms.get("convert_form") or LeadConvertForm(hit_ids=[h.customer_id for h in hits])
    return context


class LeadDetailView(ScopedDetailView):
    model = Lead
    permission = MarketingPerm.VIEW_LEAD
    template_name = "marketing/lead_detail.html"
    context_object_name = "lead"

    def get_object(self, queryset: QuerySet | None = None) -> Lead:
        return selectors.lead_get(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **_detail_context(self.request.user, self.object)}


class _LeadFormView(ScopedFormView):
    """The lead form: drop-downs from scoped selectors; the service's duplicate hits are listed on the form (a
    similar name alone offers the "save anyway" box, an exact hit — USCC, mobile — does not)."""

    model = Lead
    form_class = LeadForm
    template_name = "marketing/lead_form.html"
    context_object_name = "lead"
    success_url = "marketing:lead_detail"

    def get_initial(self) -> dict[str, Any]:
        return {k: self.request.GET.get(k) for k in ("campaign", "research", "source") if self.request.GET.get(k)}

    def get_form_kwargs(self) -> dict[str, Any]:
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "campaigns": campaign_choices(user=user),
            "research": selectors.research_choices(user=user),
            "plans": selectors.plan_choices(user=user),
        }

    def service_failed(self, form: Any, error: ValidationError) -> None:
        add_service_errors(form, error)
        form.duplicates = getattr(error, "duplicates", [])
        form.show_similar_confirm = bool(form.duplicates) and not any(hit.exact for hit in form.duplicates)


class LeadCreateView(_LeadFormView, ScopedCreateView):
    """New lead, owned by the user (or put straight into the lead pool)."""

    permission = MarketingPerm.ADD_LEAD
    service = services.lead_create
    success_message = gettext_lazy("Lead “%(name)s” created.")

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {
            "data": form.cleaned_data,
            "to_pool": self.request.POST.get("to_pool") == "1",
            "allow_similar_name": form.cleaned_data["allow_similar_name"],
        }


class LeadUpdateView(_LeadFormView, InstanceFormUpdateView):
    permission = MarketingPerm.VIEW_LEAD  # without the change permission the change scope is empty: 404
    service = services.lead_update
    success_message = gettext_lazy("Lead “%(name)s” saved.")

    def get_object(self) -> Lead:
        return selectors.lead_get(user=self.request.user, pk=self.kwargs["pk"], action="change")

    def get_initial(self) -> dict[str, Any]:
        return _LeadFormView.get_initial(self)

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {
            "lead": self.object,
            "data": form.cleaned_data,
            "allow_similar_name": form.cleaned_data["allow_similar_name"],
        }


class _LeadDetailForm(ScopedFormView):
    """A form of the lead page (status, handover, conversion): one POST, one service; a refusal shows the lead
    page again with the errors on that form (400) and changes nothing."""

    http_method_names = ["post"]
    model = Lead
    permission = MarketingPerm.VIEW_LEAD
    template_name = "marketing/lead_detail.html"
    success_url = "marketing:lead_detail"
    form_name = ""

    def get_object(self) -> Lead:
        return selectors.lead_get(user=self.request.user, pk=self.kwargs["pk"], action=self.action)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"data": self.request.POST}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        lead = selectors.lead_get(user=self.request.user, pk=self.object.pk)
        return {"view": self, **_detail_context(self.request.user, lead, **{self.form_name: kwargs["form"]})}

    def render_to_response(self, context: dict[str, Any], **response_kwargs: Any) -> HttpResponse:
        return super().render_to_response(context, status=400, **response_kwargs)


class LeadStatusView(_LeadDetailForm):
    """Move the lead to another status; "invalid" without a reason shows the error on the form."""

    action = "change"
    form_class = LeadStatusForm
    form_name = "status_form"
    service = services.lead_set_status
    success_message = gettext_lazy("Status changed to “%(status)s”.")

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"lead": self.object, **form.cleaned_data}

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"status": obj.get_status_display()}


class LeadHandoverView(_LeadDetailForm):
    action = "change"
    form_class = LeadHandoverForm
    form_name = "handover_form"
    service = services.lead_handover
    success_message = gettext_lazy("Lead handed over to %(name)s, who has been notified.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "people": selectors.sales_people()}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        self.to_user = form.cleaned_data["to_user"]
        return {"lead": self.object, **form.cleaned_data}

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"name": self.to_user}


class LeadConvertView(_LeadDetailForm):
    """Convert into a new customer, or merge into a duplicate the user chose; refusals show on the form."""

    form_class = LeadConvertForm
    form_name = "convert_form"
    service = services.lead_convert
    success_message = gettext_lazy("Lead converted into customer “%(name)s”.")

    def get_object(self) -> Lead:
        lead = super().get_object()
        if not services.may_convert(self.request.user, lead):
            raise PermissionDenied
        return lead

    def get_form_kwargs(self) -> dict[str, Any]:
        lead = self.object
        hits = find_duplicates(name=lead.company_name, mobiles=[lead.mobile] if lead.mobile else [])
        return {**super().get_form_kwargs(), "hit_ids": [h.customer_id for h in hits]}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"lead": self.object, **form.cleaned_data}

    def form_valid(self, form: Any, result: Any) -> HttpResponse:
        messages.success(self.request, self.success_message % {"name": result})
        return redirect(self.get_success_url(self.object))


class LeadClaimView(ScopedActionView):
    model = Lead
    permission = MarketingPerm.VIEW_LEAD  # claiming needs only sight of the pooled lead: the service decides
    service = services.lead_claim
    success_message = gettext_lazy("You now own the lead “%(name)s”.")
    success_url = "marketing:lead_detail"

    def get_object(self) -> Lead:
        return selectors.lead_get(user=self.request.user, pk=self.kwargs["pk"])

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"lead": self.object}


@login_required
@require_POST
def lead_bulk_handover_view(request: HttpRequest) -> HttpResponse:
    """A manager hands the selected leads to one sales person. A function view: a bulk page over the leads chosen
    in the list (each fetched in the user's change scope by the form), not one record."""
    user = request.user
    form = LeadBulkHandoverForm(
        request.POST, people=selectors.sales_people(), leads=selectors.lead_visible(user=user, action="change")
    )
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            handed, skipped = services.lead_bulk_handover(
                actor=cast(User, user),  # signed in: login_required
                leads=list(form.cleaned_data["leads"]),
                to_user=form.cleaned_data["to_user"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(handed)d leads handed over; %(skipped)d not qualified and skipped.")
                % {"handed": handed, "skipped": skipped},
            )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("marketing:lead_list")
