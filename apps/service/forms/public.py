"""Forms of the public support pages (no account): open a ticket, write to it, say it was not resolved.

The ticket form carries a honeypot field (``website``): people never see it, form-filling robots do. A filled
honeypot makes the view pretend success and store nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.core.validators import normalize_mobile, validate_mobile
from apps.service.choices import ComplaintCategory, TicketType

DESCRIPTION_MIN = 10
DESCRIPTION_MAX = 2000
MESSAGE_MIN = 2
MESSAGE_MAX = 2000
HONEYPOT_FIELD = "website"

COMPLAINT_CATEGORY_REQUIRED = _("Choose what the complaint is about.")
DESCRIPTION_TOO_SHORT = _("Please describe the problem in at least %(min)s characters.")
MESSAGE_EMPTY = _("Please write a message.")
REOPEN_REASON_REQUIRED = _("Please tell us what is still not resolved.")


def _text(value: str) -> str:
    """Strip surrounding blanks (full-width ones too) from what a customer typed."""
    return (value or "").strip().strip("\u3000").strip()


class PublicTicketForm(forms.Form):
    company = forms.CharField(
        label=_("Company name"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "organization"})
    )
    name = forms.CharField(label=_("Your name"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "138 0013 8000"}),
    )
    email = forms.EmailField(
        label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"})
    )
    ticket_type = forms.ChoiceField(
        label=_("What can we help with?"),
        choices=TicketType.choices,
        initial=TicketType.REPAIR,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    complaint_category = forms.ChoiceField(
        label=_("Complaint about"),
        required=False,
        choices=[("", _("Choose…")), *ComplaintCategory.choices],
    )
    contract_number = forms.CharField(
        label=_("Contract number"),
        max_length=40,
        required=False,
        help_text=_("If you have it: it helps us find your order faster."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "minlength": DESCRIPTION_MIN, "maxlength": DESCRIPTION_MAX}),
        help_text=_("What happened, since when, which product or order; what you expect from us."),
    )
    # The honeypot: hidden from people (off-screen, not focusable), tempting for robots.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    # The service behind the form needs a category for complaints; the page marks it required.
    marked_required = ("complaint_category",)

    def clean_company(self) -> str:
        return _text(self.cleaned_data["company"])

    def clean_name(self) -> str:
        return _text(self.cleaned_data["name"])

    def clean_mobile(self) -> str:
        validate_mobile(self.cleaned_data["mobile"])
        return normalize_mobile(self.cleaned_data["mobile"])

    def clean_contract_number(self) -> str:
        return _text(self.cleaned_data.get("contract_number", "")).upper()

    def clean_description(self) -> str:
        text = _text(self.cleaned_data["description"])
        if len(text) < DESCRIPTION_MIN:
            raise ValidationError(DESCRIPTION_TOO_SHORT, code="too_short", params={"min": DESCRIPTION_MIN})
        return text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("ticket_type") == TicketType.COMPLAINT:
            if not data.get("complaint_category"):
                self.add_error("complaint_category", ValidationError(COMPLAINT_CATEGORY_REQUIRED, code="required"))
        else:
            data["complaint_category"] = ""
        return data

    @property
    def is_robot(self) -> bool:
        """Whether the honeypot was filled (check before ``is_valid``: a robot is answered as if all went well)."""
        return bool((self.data.get(HONEYPOT_FIELD) or "").strip())


class PublicMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_MAX}),
    )

    def clean_body(self) -> str:
        text = _text(self.cleaned_data["body"])
        if len(text) < MESSAGE_MIN:
            raise ValidationError(MESSAGE_EMPTY, code="too_short")
        return text


class PublicReopenForm(forms.Form):
    body = forms.CharField(
        label=_("What is still not resolved?"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MESSAGE_MAX}),
    )

    def clean_body(self) -> str:
        text = _text(self.cleaned_data["body"])
        if len(text) < MESSAGE_MIN:
            raise ValidationError(REOPEN_REASON_REQUIRED, code="too_short")
        return text
