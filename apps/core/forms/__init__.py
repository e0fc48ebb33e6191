"""The base of the record forms: fields declared once, by the model; the service writes."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EMPTY_VALUES


class ServiceModelForm(forms.ModelForm):
    """A ModelForm that declares fields by the model (labels, lengths, choices, the model's validators) but neither
    builds nor validates an instance: the service writes and runs ``full_clean``.

    The model's validators run with the field's own, on the value as typed; a field named in ``validate_cleaned``
    has its ``clean_<field>`` normalise the value first (a mobile with spaces, a credit code in lower case), and the
    model's validators then check the normalised value, as a ModelForm does."""

    validate_cleaned: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._model_fields = {f.name: f for f in self._meta.model._meta.get_fields()}
        for name, field in self.fields.items():  # a form-only field (not the model's) keeps its own
            if name in self.validate_cleaned:
                continue
            for validator in getattr(self._model_fields.get(name), "validators", ()):
                if validator not in field.validators:
                    field.validators.append(validator)

    def _post_clean(self) -> None:
        for name in self.validate_cleaned:
            value = self.cleaned_data.get(name)
            if name not in self.cleaned_data or value in EMPTY_VALUES:
                continue
            try:
                self._model_fields[name].run_validators(value)
            except ValidationError as error:
                self.add_error(name, error)


def limit_choices(form: forms.BaseForm, name: str, queryset: Any) -> None:
    """Offer only ``queryset`` (from a scoped selector) in the drop-down ``name`` of ``form``."""
    cast(forms.ModelChoiceField, form.fields[name]).queryset = queryset
