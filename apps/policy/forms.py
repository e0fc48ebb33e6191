"""Forms of the amendment pages: a new draft, an article, a section of the rules, a vote, the decision, the date.

The rules forms are generated from the rules themselves (``Rules.to_json()``, one field per value, labelled with
the words of the rules pages) and checked by ``parse_rules``, so every problem is reported as the rules report it,
in the interface language and naming the rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.policy.choices import Frequency, RewardPenaltyAction, VoteChoice
from apps.policy.models import Article
from apps.policy.rules import SECTION_LABELS, Rules, key_label, parse_rules

# Values of these sections are choices, not numbers.
_CHOICE_SECTIONS = {"evaluation_frequencies": Frequency, "proposals": RewardPenaltyAction}
SEP = "__"


def _date_input() -> forms.DateInput:
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})  # the ISO value a date input needs


class DraftForm(forms.Form):
    label = forms.CharField(label=_("version"), max_length=20, help_text=_("e.g. 1.1"))


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title_zh", "title_en", "text_zh", "text_en"]
        widgets = {"text_zh": forms.Textarea(attrs={"rows": 6}), "text_en": forms.Textarea(attrs={"rows": 6})}


def _leaves(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    leaves: list[tuple[tuple[str, ...], Any]] = []
    for key, value in data.items():
        if isinstance(value, Mapping):
            leaves.extend(_leaves(value, (*prefix, key)))
        else:
            leaves.append(((*prefix, key), value))
    return leaves


def _field(path: tuple[str, ...], value: Any) -> forms.Field:
    label = " · ".join(key_label(k) for k in path[1:]) or key_label(path[0])
    choices = next((c for key, c in _CHOICE_SECTIONS.items() if key in path), None)
    if choices is not None:
        return forms.ChoiceField(label=label, choices=choices.choices)
    if isinstance(value, int):
        return forms.IntegerField(label=label)  # bounds are checked by the rules, with their own words
    return forms.DecimalField(label=label, decimal_places=2)


class RulesSectionForm(forms.Form):
    """One section of a draft's rules (deadlines, cadences, pool rules, thresholds, weights and bands…), a field
    per value; ``clean`` parses the whole section over the draft's rules and reports every problem."""

    def __init__(self, *args: Any, rules: Rules, section: str, **kwargs: Any) -> None:
        self.rules, self.section = rules, section
        current = rules.to_json()[section]
        leaves = _leaves({section: current})
        kwargs.setdefault("initial", {SEP.join(path): value for path, value in leaves})
        super().__init__(*args, **kwargs)
        self.paths = {SEP.join(path): path for path, _value in leaves}
        for name, path in self.paths.items():
            self.fields[name] = _field(path, dict(leaves)[path])
        self.title = SECTION_LABELS.get(section, section)

    def section_data(self) -> dict[str, Any]:
        """The cleaned values as the nested data ``parse_rules`` reads."""
        nested: dict[str, Any] = {}
        for name, path in self.paths.items():
            value = self.cleaned_data.get(name)
            if isinstance(value, Decimal):
                value = str(value)
            node = nested
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = value
        return nested

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            try:
                parse_rules(self.section_data(), base=self.rules)
            except ValidationError as exc:
                for message in exc.messages:
                    self.add_error(None, message)
        return cleaned

    def rules_data(self) -> dict[str, Any]:
        return self.section_data()


class VoteForm(forms.Form):
    vote = forms.ChoiceField(label=_("vote"), choices=VoteChoice.choices, widget=forms.RadioSelect)


class DecisionCloseForm(forms.Form):
    meeting_date = forms.DateField(label=_("meeting date"), widget=_date_input())
    minutes = forms.CharField(label=_("minutes"), widget=forms.Textarea(attrs={"rows": 4}))


class PublishForm(forms.Form):
    effective_from = forms.DateField(label=_("effective from"), widget=_date_input())
    next_review_on = forms.DateField(label=_("next review on"), required=False, widget=_date_input())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, review = cleaned.get("effective_from"), cleaned.get("next_review_on")
        if isinstance(start, dt.date) and isinstance(review, dt.date) and review <= start:
            self.add_error("next_review_on", _("The next review must come after the date the version takes effect."))
        return cleaned
