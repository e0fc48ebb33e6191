"""Forms of relationship maintenance: the contact record (回访) and skipping a due contact."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.widgets import CustomerPicker
from apps.customers.models import Customer
from apps.service.choices import Satisfaction
from apps.service.models import RelationshipContact

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RelationshipContactForm(forms.ModelForm):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none(), widget=CustomerPicker)
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Not asked")), *Satisfaction.choices],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )

    class Meta:
        model = RelationshipContact
        fields = [
            "customer",
            "contact",
            "channel",
            "occurred_at",
            "content",
            "satisfaction",
            "personal_notes",
            "next_contact_on",
        ]
        widgets = {
            "occurred_at": DATETIME_LOCAL,
            "next_contact_on": DATE,
            "content": forms.Textarea(attrs={"rows": 4}),
            "personal_notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "personal_notes": _("Preferences and personal matters to remember (个性化服务)."),
            "next_contact_on": _("Puts the next contact on the service owner's list for that day."),
        }

    def __init__(self, *args: Any, customers: Any, contacts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["customer"]).queryset = customers
        cast(forms.ModelChoiceField, self.fields["contact"]).queryset = contacts
        cast(forms.DateTimeField, self.fields["occurred_at"]).input_formats = [
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d %H:%M:%S",
        ]


class SkipForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
