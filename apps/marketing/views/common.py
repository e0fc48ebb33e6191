"""What the marketing pages share on top of the generic views of ``apps.core.views``."""

from __future__ import annotations

from typing import Any

from apps.core.views import ScopedUpdateView


class InstanceFormUpdateView(ScopedUpdateView):
    """An edit page whose form is a ModelForm: the form starts from (a copy of) the record, so validating the form
    leaves the record the service is given untouched; the service gets ``<model>=record, data=cleaned_data``."""

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        copy = type(self.object)._default_manager.get(pk=self.object.pk)
        return {**super().get_form_kwargs(), "instance": copy}
