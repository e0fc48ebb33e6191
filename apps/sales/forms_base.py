"""The base of the sales ModelForms: fields declared once, by the model; the service writes."""

from __future__ import annotations

from typing import Any

from django import forms


class ServiceModelForm(forms.ModelForm):
    """A ModelForm that declares fields by the model (labels, lengths, choices, the model's validators) but neither
    builds nor validates an instance: the service writes and runs ``full_clean``. (Belongs in ``core`` later.)"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_fields = {f.name: f for f in self._meta.model._meta.get_fields()}
        for name, field in self.fields.items():  # a form-only field (not the model's) keeps its own
            for validator in getattr(model_fields.get(name), "validators", ()):
                if validator not in field.validators:
                    field.validators.append(validator)

    def _post_clean(self) -> None:
        pass
