"""Forms of the campaign, lead, visit and intelligence pages: validation and widgets only; services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.forms import ServiceModelForm, limit_choices
from apps.core.validators import normalize_mobile, validate_mobile
from apps.core.widgets import CustomerPicker
from apps.customers.choices import Industry
from apps.customers.models import Customer
from apps.customers.selectors.dedupe import normalize_uscc
from apps.marketing.choices import (
    CampaignKind,
    CampaignStatus,
    Importance,
    IntelCategory,
    IntelStatus,
    LeadStatus,
)
from apps.marketing.models import Campaign, Lead, MarketIntel, Visit
from apps.org.models import User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PAGE_SIZES = [("20", "20"), ("50", "50"), ("100", "100")]


class PersonChoiceField(forms.ModelChoiceField):
    """A person with their department, so two people of the same name are told apart."""

    def label_from_instance(self, obj: User) -> str:
        department = getattr(getattr(obj, "employee", None), "department", None)
        return f"{obj} · {department}" if department else str(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return PersonChoiceField.label_from_instance(self, obj)  # type: ignore[arg-type]


def _blank(choices: Any, label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


#
# Leads
#


class LeadForm(ServiceModelForm):
    validate_cleaned = ("uscc", "mobile")
    industry = forms.ChoiceField(label=_("Industry"), required=False, choices=[("", "—"), *Industry.choices])

    class Meta:
        model = Lead
        fields = [
            "company_name",
            "uscc",
            "contact_name",
            "mobile",
            "phone",
            "email",
            "contact_title",
            "industry",
            "region",
            "source",
            "campaign",
            "research",
            "plan",
            "notes",
        ]
        widgets = {
            "mobile": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off", "placeholder": "13800138000"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "region": forms.TextInput(attrs={"placeholder": _("e.g. 江苏省 南京市")}),
        }

    # Shown (with the hits) only when the duplicate check found a customer with a similar name.
    allow_similar_name = forms.BooleanField(
        label=_("I have checked: this is not the same company, save it anyway"), required=False
    )

    def __init__(self, *args: Any, campaigns: Any, research: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicates: list[Any] = []
        self.show_similar_confirm = False
        limit_choices(self, "campaign", campaigns)
        limit_choices(self, "research", research)
        limit_choices(self, "plan", plans)
        self.fields["plan"].help_text = _("Left empty, a lead from a campaign counts for the campaign's plan.")

    def clean_mobile(self) -> str:
        value = normalize_mobile(self.cleaned_data.get("mobile") or "")
        if value:
            validate_mobile(value)
        return value

    def clean_uscc(self) -> str:
        return normalize_uscc(self.cleaned_data.get("uscc"))


class LeadStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=LeadStatus.choices)
    reason = forms.CharField(
        label=_("Reason"), max_length=200, required=False, help_text=_("Required when the lead is invalid.")
    )


class LeadHandoverForm(forms.Form):
    to_user = PersonChoiceField(
        label=_("Sales person"), queryset=User.objects.none(), empty_label=_("— choose a sales person —")
    )
    note = forms.CharField(
        label=_("Handover notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the sales person should know: needs, budget, timing, contacts."),
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "to_user", people)


class LeadBulkHandoverForm(LeadHandoverForm):
    leads = forms.ModelMultipleChoiceField(queryset=Lead.objects.none())

    def __init__(self, *args: Any, people: Any, leads: Any, **kwargs: Any) -> None:
        super().__init__(*args, people=people, **kwargs)
        limit_choices(self, "leads", leads)


class LeadConvertForm(forms.Form):
    merge_into = forms.ModelChoiceField(
        label=_("Merge into"), queryset=Customer.objects.none(), required=False, empty_label=_("Create a new customer")
    )
    allow_similar_name = forms.BooleanField(label=_("Create it anyway although a similar name exists"), required=False)

    def __init__(self, *args: Any, hit_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "merge_into", Customer.objects.filter(pk__in=hit_ids))


#
# Campaigns
#


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "kind",
            "channel",
            "plan",
            "start_date",
            "end_date",
            "budget",
            "actual_cost",
            "target_segment",
            "description",
        ]
        widgets = {"start_date": DATE, "end_date": DATE, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, plans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "plan", plans)


class CampaignFilterForm(forms.Form):
    q = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": _("Name, channel, segment")}))
    status = forms.ChoiceField(required=False, choices=_blank(CampaignStatus.choices, _("All statuses")))
    kind = forms.ChoiceField(required=False, choices=_blank(CampaignKind.choices, _("All types")))

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None


#
# Visits
#


class VisitForm(forms.ModelForm):
    visitors = PeopleChoiceField(
        label=_("Colleagues who went along"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )

    class Meta:
        model = Visit
        fields = ["customer", "lead", "visited_on", "purpose", "outcome", "next_step", "next_step_on"]
        widgets = {
            "customer": CustomerPicker,
            "visited_on": DATE,
            "next_step_on": DATE,
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, customers: Any, leads: Any, colleagues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "customer", customers)
        limit_choices(self, "lead", leads)
        limit_choices(self, "visitors", colleagues)
        self.fields["customer"].help_text = _("The customer or the lead that was visited (one of the two).")


#
# Market intelligence
#


class IntelForm(forms.ModelForm):
    class Meta:
        model = MarketIntel
        fields = ["title", "category", "importance", "source", "content"]
        widgets = {"content": forms.Textarea(attrs={"rows": 8})}


class IntelFilterForm(forms.Form):
    q = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": _("Title, content, source")}))
    category = forms.ChoiceField(required=False, choices=_blank(IntelCategory.choices, _("All categories")))
    importance = forms.ChoiceField(required=False, choices=_blank(Importance.choices, _("Any importance")))
    status = forms.ChoiceField(required=False, choices=_blank(IntelStatus.choices, _("All statuses")))

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None
