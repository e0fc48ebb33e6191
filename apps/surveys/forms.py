"""Forms of the survey pages: the questionnaire builder, campaigns and their segment, scheduling, analysis, filters."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.customers.models import Customer, Tag
from apps.org.models import Department
from apps.policy.choices import CustomerLevel, TicketType
from apps.surveys.choices import QuestionKind, SurveyKind, SurveyStatus
from apps.surveys.models import Questionnaire
from apps.surveys.registry import segment_sources

OPTIONS_HELP = _(
    "Choice questions: one option per line, Chinese first, then “|” and the English text, "
    "e.g. 产品质量 | Product quality."
)


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "title_en", "intro", "intro_en", "is_active", "for_resolved_tickets"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 2}), "intro_en": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "for_resolved_tickets": _("Sent automatically when a ticket is resolved; only one questionnaire can be.")
        }


class QuestionForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Question type"), choices=QuestionKind.choices, initial=QuestionKind.RATING)
    text = forms.CharField(label=_("Question"), max_length=300, required=False)
    text_en = forms.CharField(label=_("Question (English)"), max_length=300, required=False)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    options = forms.CharField(
        label=_("Options"), required=False, help_text=OPTIONS_HELP, widget=forms.Textarea(attrs={"rows": 3})
    )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not data.get("id") and not (data.get("text") or "").strip() and not (data.get("options") or "").strip()


class BaseQuestionFormSet(forms.BaseFormSet):
    def questions(self) -> list[dict[str, Any]]:
        """The submitted questions in their order (ORDER field, then position), without deleted or blank rows."""
        rows = []
        for position, form in enumerate(self.forms):
            data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
            if not data or data.get("DELETE") or form.is_blank():
                continue
            rows.append(
                (
                    data.get("ORDER") if data.get("ORDER") is not None else 10_000 + position,
                    position,
                    {
                        "id": data.get("id"),
                        "kind": data["kind"],
                        "text": data.get("text", ""),
                        "text_en": data.get("text_en", ""),
                        "required": data.get("required", False),
                        "options": options_from_text(data.get("options", "")),
                    },
                )
            )
        return [row for _order, _pos, row in sorted(rows, key=lambda r: (r[0], r[1]))]


QuestionFormSet = forms.formset_factory(
    QuestionForm, formset=BaseQuestionFormSet, extra=0, can_delete=True, can_order=True
)


def options_from_text(text: str) -> list[dict[str, str]]:
    options = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        zh, _sep, en = line.partition("|")
        options.append({"zh": zh.strip(), "en": en.strip()})
    return options


def options_to_text(options: list[dict[str, str]]) -> str:
    return "\n".join(
        f"{o.get('zh', '')} | {o.get('en', '')}" if o.get("en") else o.get("zh", "") for o in options or []
    )


def question_initial(questionnaire: Questionnaire) -> list[dict[str, Any]]:
    return [
        {
            "id": q.pk,
            "kind": q.kind,
            "text": q.text,
            "text_en": q.text_en,
            "required": q.required,
            "options": options_to_text(q.options),
            "ORDER": q.order,
        }
        for q in questionnaire.questions.order_by("order", "id")
    ]


def _provinces() -> list[tuple[str, Any]]:
    names = Customer.objects.exclude(province="").order_by("province").values_list("province", flat=True).distinct()
    return [("", _("All provinces"))] + [(p, p) for p in names]


class SegmentForm(forms.Form):
    """The customer segment (客户分群); every field left empty selects more."""

    levels = forms.MultipleChoiceField(
        label=_("Customer levels"),
        choices=CustomerLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("None ticked: all levels."),
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Customer tags"),
        queryset=Tag.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("Customers with any of the ticked tags."),
    )
    province = forms.ChoiceField(label=_("Province"), required=False)
    source = forms.ChoiceField(label=_("Customers who"), required=False)
    period_start = forms.DateField(
        label=_("Period from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(label=_("Period to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["province"]).choices = _provinces()
        sources = [("", _("Any customer"))] + [(s.key, s.label) for s in segment_sources()]
        cast(forms.ChoiceField, self.fields["source"]).choices = sources
        cast(forms.ModelChoiceField, self.fields["tags"]).queryset = Tag.objects.order_by("name")

    def segment(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "levels": data.get("levels") or [],
            "tags": [t.pk for t in data.get("tags") or []],
            "province": data.get("province") or "",
            "source": data.get("source") or "",
        }


class CampaignForm(SegmentForm):
    name = forms.CharField(label=_("Survey name"), max_length=100)
    questionnaire = forms.ModelChoiceField(label=_("Questionnaire"), queryset=Questionnaire.objects.none())
    link_valid_days = forms.IntegerField(label=_("Link valid for (days)"), min_value=1, max_value=180, initial=14)
    remind_after_days = forms.IntegerField(
        label=_("Remind non-responders after (days)"),
        min_value=0,
        max_value=90,
        initial=3,
        help_text=_("0: no reminders; at most two."),
    )

    field_order = [
        "name",
        "questionnaire",
        "levels",
        "tags",
        "province",
        "source",
        "period_start",
        "period_end",
        "link_valid_days",
        "remind_after_days",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        active = Questionnaire.objects.filter(is_active=True)
        cast(forms.ModelChoiceField, self.fields["questionnaire"]).queryset = active

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "questionnaire": data["questionnaire"],
            "segment": self.segment(),
            "period_start": data.get("period_start"),
            "period_end": data.get("period_end"),
            "link_valid_days": data["link_valid_days"],
            "remind_after_days": data["remind_after_days"],
        }

    @classmethod
    def initial_from(cls, campaign: Any) -> dict[str, Any]:
        segment = campaign.segment or {}
        return {
            "name": campaign.name,
            "questionnaire": campaign.questionnaire_id,
            "levels": segment.get("levels", []),
            "tags": segment.get("tags", []),
            "province": segment.get("province", ""),
            "source": segment.get("source", ""),
            "period_start": campaign.period_start,
            "period_end": campaign.period_end,
            "link_valid_days": campaign.link_valid_days,
            "remind_after_days": campaign.remind_after_days,
        }


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(
        label=_("Send at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class AnalysisForm(forms.Form):
    analysis = forms.CharField(
        label=_("Analysis"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the results say, the causes found and what will be done."),
    )


class CampaignFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses")), *SurveyStatus.choices])
    kind = forms.ChoiceField(required=False, choices=[("", _("All kinds")), *SurveyKind.choices])


class ResultsFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("Answered from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("Answered to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    level = forms.ChoiceField(
        label=_("Customer level"), required=False, choices=[("", _("All levels")), *CustomerLevel.choices]
    )
    ticket_type = forms.ChoiceField(
        label=_("Ticket type"), required=False, choices=[("", _("All ticket types")), *TicketType.choices]
    )
    department = forms.ModelChoiceField(
        label=_("Responsible department"),
        required=False,
        queryset=Department.objects.none(),
        empty_label=_("All departments"),
    )
    kind = forms.ChoiceField(
        label=_("Survey kind"), required=False, choices=[("", _("All kinds")), *SurveyKind.choices]
    )
    questionnaire = forms.ModelChoiceField(
        label=_("Questionnaire"),
        required=False,
        queryset=Questionnaire.objects.none(),
        empty_label=_("All questionnaires"),
    )

    def __init__(self, *args: Any, campaign: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = Department.objects.order_by("path")
        questionnaires = Questionnaire.objects.order_by("-is_active", "title")
        cast(forms.ModelChoiceField, self.fields["questionnaire"]).queryset = questionnaires
        if campaign is not None:  # a campaign's own page: its kind and questionnaire are given
            del self.fields["kind"]
            del self.fields["questionnaire"]

    def filters(self) -> dict[str, Any]:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            key: data.get(key) or ("" if key in ("level", "ticket_type", "kind") else None)
            for key in ("date_from", "date_to", "level", "ticket_type", "department", "kind")
            if key in self.fields
        }
