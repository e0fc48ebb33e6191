"""Forms of the notification service: a user's channels per kind, an outside channel's configuration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.selectors.notifications import KindChoices


def choice_field_name(kind: str, channel: str) -> str:
    return f"{kind}__{channel}"


class NotificationPreferencesForm(forms.Form):
    """One checkbox per kind of message and outside channel (the in-app centre is always on)."""

    def __init__(self, *args: Any, rows: list[KindChoices], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            for choice in row.channels:
                self.fields[choice_field_name(row.kind.code, choice.channel)] = forms.BooleanField(
                    required=False, initial=choice.chosen, label=f"{row.kind.label} · {choice.label}"
                )

    def choices(self) -> dict[tuple[str, str], bool]:
        return {
            (row.kind.code, choice.channel): self.cleaned_data[choice_field_name(row.kind.code, choice.channel)]
            for row in self.rows
            for choice in row.channels
        }

    def table(self) -> list[tuple[KindChoices, list[tuple[Any, forms.BoundField]]]]:
        """The rows of the page: each kind with its channels' choices and checkboxes."""
        return [
            (row, [(choice, self[choice_field_name(row.kind.code, choice.channel)]) for choice in row.channels])
            for row in self.rows
        ]


class NotificationChannelForm(forms.Form):
    enabled = forms.BooleanField(label=_("enabled"), required=False)
    url = forms.CharField(
        label=_("webhook address"),
        required=False,
        max_length=500,
        help_text=_("Leave empty for the service's standard address."),
    )
    key = forms.CharField(
        label=_("robot key / access token"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Leave empty to keep the stored one."),
    )
    secret = forms.CharField(
        label=_("signing secret"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("DingTalk's signed mode (SEC…); leave empty to keep the stored one."),
    )
    clear_secret = forms.BooleanField(label=_("remove the signing secret"), required=False)
    rate_per_minute = forms.IntegerField(label=_("messages per minute at most"), min_value=1, max_value=600)
