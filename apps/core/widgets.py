"""Form widgets shared by the apps."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _


class FollowsCustomerSelect(forms.Select):
    """A select of records that belong to a customer (contacts, contracts, opportunities): each option says whose it
    is (``data-customer``) and the select follows the form's customer field (``data-follows-customer``), so the page
    offers only the chosen customer's (``static/js/forms.js``). The form checks the pair again on the server."""

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = ()) -> None:
        super().__init__({"data-follows-customer": "", **(attrs or {})}, choices)

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        instance = getattr(option["value"], "instance", None)
        if instance is not None:
            option["attrs"]["data-customer"] = instance.customer_id
        return option


class CustomerPicker(forms.Select):
    """A customer chosen from a long list: the page renders only the chosen customer (none on a blank form) and the
    picker (Tom Select, ``static/js/forms.js``) searches the customers API as the user types, which answers within
    the user's data scope. The field's queryset still decides on the server: a customer out of scope is refused."""

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = ()) -> None:
        picker = {
            "data-picker": "remote",
            "data-picker-url": reverse_lazy("customer-list"),
            "data-picker-placeholder": _("Type a customer's name or number"),
            "data-picker-empty": _("No customer in your scope matches"),
        }
        super().__init__({**picker, **(attrs or {})}, choices)

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> Any:
        chosen = [v for v in value if v not in (None, "")]
        choices = self.choices
        queryset = getattr(choices, "queryset", None)
        if queryset is not None:
            narrowed: Any = copy.copy(choices)
            narrowed.queryset = queryset.filter(pk__in=chosen) if chosen else queryset.none()
            self.choices = narrowed
        else:
            self.choices = [(k, label) for k, label in choices if k in ("", None) or str(k) in map(str, chosen)]
        try:
            return super().optgroups(name, value, attrs)
        finally:
            self.choices = choices

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        instance = getattr(option["value"], "instance", None)
        if instance is not None:
            option["label"] = instance.name
            option["attrs"]["data-code"] = instance.code or ""
        return option
