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

from apps.policy.choices import Frequency, Grade, KpiCode, RewardPenaltyAction, VoteChoice
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


SCHEMES = ("assessment", "schemes")
REMOVE, ADD = "remove", "add"
ADD_KPI_REQUIRED = _("Choose the KPI to add, or leave its weight and target empty.")
ADD_WEIGHT_REQUIRED = _("Give the weight of the KPI added.")


class RulesSectionForm(forms.Form):
    """One section of a draft's rules (deadlines, cadences, pool rules, thresholds, weights and bands…), a field
    per value; ``clean`` parses the whole section over the draft's rules and reports every problem.

    The assessment section also adds and drops lines: each KPI of a scheme has a "remove" box and each scheme an
    "add a KPI" row (KPI, weight, target); every grade has a proposal, "—" for none. The rules then check the
    result as a whole (weights adding up to 100 %, a scheme keeping at least one KPI)."""

    def __init__(self, *args: Any, rules: Rules, section: str, **kwargs: Any) -> None:
        self.rules, self.section = rules, section
        current = rules.to_json()[section]
        if section == "assessment":  # every grade may carry a proposal ("" none)
            current = {**current, "proposals": {g: current["proposals"].get(g, "") for g in Grade.values}}
        leaves = _leaves({section: current})
        initial = {SEP.join(path): value for path, value in leaves}
        self.lines: dict[str, tuple[str, ...]] = {}  # remove box → the line's path
        self.additions: dict[str, tuple[str, ...]] = {}  # add row prefix → the scheme's path
        self._last_line: tuple[str, ...] | None = None
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.paths = {SEP.join(path): path for path, _value in leaves}
        fields: dict[str, forms.Field] = {}
        for path, value in leaves:
            name = SEP.join(path)
            field = _field(path, value)
            if section == "assessment" and path[:2] == ("assessment", "proposals"):
                field = forms.ChoiceField(
                    label=field.label, choices=[("", "—"), *RewardPenaltyAction.choices], required=False
                )
            if path[: len(SCHEMES)] == SCHEMES and len(path) > 5:
                self._before_line(fields, path, current)
            fields[name] = field
        self._after_last_line(fields, current)
        self.fields = fields
        self.title = SECTION_LABELS.get(section, section)

    # Lines of the assessment schemes

    def _scheme_kpis(self, current: Mapping[str, Any], scheme: tuple[str, ...]) -> list[str]:
        return list(current["schemes"][scheme[2]][scheme[3]])

    def _add_fields(self, fields: dict[str, forms.Field], scheme: tuple[str, ...], current: Mapping[str, Any]) -> None:
        prefix = SEP.join((*scheme, ADD))
        present = set(self._scheme_kpis(current, scheme))
        where = " · ".join(key_label(k) for k in scheme[2:])
        fields[f"{prefix}{SEP}kpi"] = forms.ChoiceField(
            label=_("%(scheme)s · add a KPI") % {"scheme": where},
            choices=[("", "—"), *((v, label) for v, label in KpiCode.choices if v not in present)],
            required=False,
        )
        fields[f"{prefix}{SEP}weight"] = forms.IntegerField(
            label=_("%(scheme)s · weight (%%) of the KPI added") % {"scheme": where}, required=False
        )
        fields[f"{prefix}{SEP}target"] = forms.DecimalField(
            label=_("%(scheme)s · target of the KPI added") % {"scheme": where}, required=False, decimal_places=2
        )
        self.additions[prefix] = scheme
        self.initial.update({f"{prefix}{SEP}{key}": "" for key in ("kpi", "weight", "target")})

    def _remove_field(self, fields: dict[str, forms.Field], line: tuple[str, ...]) -> None:
        name = SEP.join((*line, REMOVE))
        fields[name] = forms.BooleanField(
            label=_("%(line)s · remove") % {"line": " · ".join(key_label(k) for k in line[2:])}, required=False
        )
        self.lines[name] = line
        self.initial[name] = False

    def _before_line(self, fields: dict[str, forms.Field], path: tuple[str, ...], current: Mapping[str, Any]) -> None:
        """Before the first field of a line: close the previous line (its remove box) and, on a new scheme, the
        previous scheme (its add row)."""
        line = path[:5]
        last = self._last_line
        if last == line:
            return
        if last is not None:
            self._remove_field(fields, last)
            if last[:4] != line[:4]:
                self._add_fields(fields, last[:4], current)
        self._last_line = line

    def _after_last_line(self, fields: dict[str, forms.Field], current: Mapping[str, Any]) -> None:
        last = self._last_line
        if last is None:
            return
        # Put the last line's remove box and its scheme's add row right after the last scheme field.
        names = list(fields)
        last_name = max(i for i, n in enumerate(names) if self.paths.get(n, ())[:5] == last)
        tail = {n: fields.pop(n) for n in names[last_name + 1 :]}
        self._remove_field(fields, last)
        self._add_fields(fields, last[:4], current)
        fields.update(tail)

    def section_data(self) -> dict[str, Any]:
        """The cleaned values as the nested data ``parse_rules`` reads (lines removed left out, lines added in)."""
        removed = {line for name, line in self.lines.items() if self.cleaned_data.get(name)}
        nested: dict[str, Any] = {}
        for name, path in self.paths.items():
            if path[:5] in removed:
                continue
            value = self.cleaned_data.get(name)
            if isinstance(value, Decimal):
                value = str(value)
            node = nested
            for key in path[:-1]:
                node = node.setdefault(key, {})
            node[path[-1]] = value
        for prefix, scheme in self.additions.items():
            kpi = self.cleaned_data.get(f"{prefix}{SEP}kpi")
            if not kpi:
                continue
            node = nested
            for key in scheme:
                node = node.setdefault(key, {})
            target = self.cleaned_data.get(f"{prefix}{SEP}target")
            node[kpi] = {"weight": self.cleaned_data.get(f"{prefix}{SEP}weight"), "target": str(target or 100)}
        for path in removed:  # a scheme left with no line stays, empty, for the rules to refuse
            node = nested
            for key in path[:4]:
                node = node.setdefault(key, {})
        return nested

    def _check_additions(self) -> None:
        for prefix in self.additions:
            kpi = self.cleaned_data.get(f"{prefix}{SEP}kpi")
            weight = self.cleaned_data.get(f"{prefix}{SEP}weight")
            target = self.cleaned_data.get(f"{prefix}{SEP}target")
            if not kpi and (weight is not None or target is not None):
                self.add_error(f"{prefix}{SEP}kpi", ADD_KPI_REQUIRED)
            elif kpi and weight is None:
                self.add_error(f"{prefix}{SEP}weight", ADD_WEIGHT_REQUIRED)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._check_additions()
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
