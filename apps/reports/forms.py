from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.improvements.selectors import assignable_owners
from apps.org.models import Department, User
from apps.reports.choices import Frequency, SubscriptionTarget
from apps.reports.selectors import reports as selectors

DATE = {"type": "date", "class": "form-control"}


class ReportGenerateForm(forms.Form):
    department = forms.ModelChoiceField(label=_("Department"), queryset=Department.objects.none())
    period_key = forms.CharField(
        label=_("Period"), max_length=10, help_text=_("2026-11 for a monthly report, 2026-Q4 for a quarterly one.")
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = selectors.departments_writable(user)


class ReportCommentaryForm(forms.Form):
    commentary = forms.CharField(label=_("Commentary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    causes = forms.CharField(label=_("Causes of the gaps"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_plans = forms.CharField(
        label=_("Plans for the next period"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ImprovementForm(forms.Form):
    title = forms.CharField(label=_("Improvement measure"), max_length=200)
    owner = forms.ModelChoiceField(label=_("Person responsible"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"))

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = assignable_owners(user=user)


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    target = forms.ChoiceField(label=_("Report"), choices=SubscriptionTarget.choices)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    recipients = forms.ModelMultipleChoiceField(label=_("Recipients"), queryset=User.objects.none())
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        recipients = cast(forms.ModelMultipleChoiceField, self.fields["recipients"])
        recipients.queryset = User.objects.filter(is_active=True, employee__is_active=True).order_by("name")
