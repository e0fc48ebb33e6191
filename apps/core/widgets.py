"""Form widgets shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms


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
