"""Forms of the read acknowledgement, interpretations and reviews (arts. 14, 15)."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.policy.choices import ReviewOutcome
from apps.policy.models import Article


class ArticleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Article) -> str:
        return f"{obj.label} {obj.title}"


class InterpretationAskForm(forms.Form):
    article = ArticleChoiceField(label=_("Article"), queryset=Article.objects.none())
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)

    def __init__(self, *args: Any, articles: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if articles is not None:
            cast(forms.ModelChoiceField, self.fields["article"]).queryset = articles


class InterpretationAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)


class InterpretationDeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason for declining"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class PolicyReviewForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=ReviewOutcome.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    next_review_on = forms.DateField(
        label=_("Next review on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Default: a year from today."),
    )

    def clean_next_review_on(self) -> dt.date | None:
        return self.cleaned_data.get("next_review_on")
