"""Forms of customer feedback: record and route it; a department's reply."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.widgets import CustomerPicker
from apps.customers.models import Customer
from apps.service.choices import FeedbackCategory, FeedbackSource


class DepartmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class FeedbackForm(forms.Form):
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Customer.objects.none(), widget=CustomerPicker)
    category = forms.ChoiceField(label=_("Category"), choices=FeedbackCategory.choices)
    content = forms.CharField(
        label=_("Feedback"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the customer said, in their words where possible."),
    )
    departments = DepartmentChoiceField(
        label=_("Pass to departments"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,  # type: ignore[arg-type]
        help_text=_("Suggested by the category; pick any department concerned. Each must acknowledge and reply."),
    )
    source_kind = forms.ChoiceField(
        choices=FeedbackSource.choices, widget=forms.HiddenInput, initial=FeedbackSource.MANUAL
    )

    def __init__(self, *args: Any, customers: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["customer"]).queryset = customers
        cast(forms.ModelChoiceField, self.fields["departments"]).queryset = departments


class RoutingReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the department will do about it; the service owner is told."),
    )


class FeedbackFilterForm(forms.Form):
    q = forms.CharField(required=False)
    category = forms.ChoiceField(required=False, choices=[("", _("All categories")), *FeedbackCategory.choices])
    source = forms.ChoiceField(required=False, choices=[("", _("All sources")), *FeedbackSource.choices])
