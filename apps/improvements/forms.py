"""Forms of the improvement action pages (validation and UI only; writes go through the services)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.improvements.choices import EffectDirection, ImprovementSource, ImprovementStatus
from apps.improvements.selectors import VIEW_ALL, VIEW_DEPARTMENT, VIEW_MINE

PAGE_SIZES = [("20", "20"), ("50", "50"), ("100", "100")]


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        employee = getattr(obj, "employee", None)
        return f"{obj} · {employee.department}" if employee else str(obj)


class ImprovementActionForm(forms.Form):
    """Raise or edit an action: what, who is responsible (within the actor's scope), by when."""

    title = forms.CharField(label=_("Improvement measure"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = OwnerChoiceField(label=_("Person responsible"), queryset=None)
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    source_kind = forms.ChoiceField(
        label=_("Raised by"), choices=ImprovementSource.choices, initial=ImprovementSource.OTHER
    )
    effect_measure = forms.CharField(
        label=_("Figure it should move"),
        max_length=200,
        required=False,
        help_text=_("Read again at the next evaluation after verification, e.g. 投诉按时解决率 (%)."),
    )
    effect_baseline = forms.DecimalField(label=_("Figure when raised"), max_digits=16, decimal_places=2, required=False)
    effect_direction = forms.ChoiceField(
        label=_("The figure should"), choices=[("", "—"), *EffectDirection.choices], required=False
    )

    def __init__(self, *args: Any, owners: QuerySet, fixed_source: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners
        if fixed_source:
            del self.fields["source_kind"]


class ImprovementEditForm(ImprovementActionForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, fixed_source=True, **kwargs)


class CompleteForm(forms.Form):
    result = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(forms.Form):
    effective = forms.TypedChoiceField(
        label=_("Did it work?"),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        choices=[("1", _("Effective")), ("0", _("Not effective: rework needed"))],
    )
    verification = forms.CharField(label=_("How the effect was checked"), widget=forms.Textarea(attrs={"rows": 3}))


class EffectCheckForm(forms.Form):
    """The effectiveness check at the next evaluation: the figure read again (and, if the action did not name it,
    the figure, its baseline and direction)."""

    value = forms.DecimalField(label=_("Figure now"), max_digits=16, decimal_places=2)
    note = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    effect_measure = forms.CharField(label=_("Figure it should move"), max_length=200, required=False)
    effect_baseline = forms.DecimalField(label=_("Figure when raised"), max_digits=16, decimal_places=2, required=False)
    effect_direction = forms.ChoiceField(
        label=_("The figure should"), choices=[("", "—"), *EffectDirection.choices], required=False
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=100)


class ImprovementFilterForm(forms.Form):
    view = forms.ChoiceField(
        required=False,
        choices=[
            (VIEW_ALL, _("All in my scope")),
            (VIEW_MINE, _("Mine")),
            (VIEW_DEPARTMENT, _("My department")),
        ],
    )
    status = forms.ChoiceField(required=False, choices=[("", _("All statuses")), *ImprovementStatus.choices])
    source_kind = forms.ChoiceField(required=False, choices=[("", _("All sources")), *ImprovementSource.choices])
    overdue = forms.BooleanField(required=False, label=_("Overdue only"))
    page_size = forms.ChoiceField(required=False, choices=PAGE_SIZES)

    def value(self, name: str, default: Any = "") -> Any:
        if not self.is_valid():
            return default
        return self.cleaned_data.get(name) or default
