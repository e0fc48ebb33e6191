"""Forms of the public-pool pages (filter, assign, return): validation and widgets only."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.customers.choices import CustomerLevel, Industry
from apps.org.models import User

PAGE_SIZES = [("20", "20"), ("50", "50"), ("100", "100")]


class OwnerChoiceField(forms.ModelChoiceField):
    """A person, shown with their department so two people of the same name can be told apart."""

    def label_from_instance(self, obj: User) -> str:
        department = getattr(getattr(obj, "employee", None), "department", None)
        return f"{obj} · {department}" if department else str(obj)


class PoolFilterForm(forms.Form):
    q = forms.CharField(required=False, widget=forms.TextInput(attrs={"placeholder": _("Customer name or city")}))
    level = forms.ChoiceField(required=False, choices=[("", _("All levels")), *CustomerLevel.choices])
    industry = forms.ChoiceField(required=False, choices=[("", _("All industries")), *Industry.choices])
    page_size = forms.ChoiceField(required=False, choices=PAGE_SIZES)

    def filters(self) -> dict[str, Any]:
        """The chosen filters as model lookups (invalid input filters nothing)."""
        if not self.is_valid():
            return {}
        return {
            k: v for k, v in (("level", self.cleaned_data["level"]), ("industry", self.cleaned_data["industry"])) if v
        }


class AssignForm(forms.Form):
    to_owner = OwnerChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), help_text=_("People within your data scope.")
    )

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["to_owner"]).queryset = owners


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Everyone who later looks at the customer in the pool will read it."),
    )


#
# Excel import (the import pages belong to the same area: getting customers into hands or into the pool)
#

OWNER_ME, OWNER_POOL, OWNER_PERSON = "me", "pool", "person"


class CustomerImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"), required=False, widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )
    owner_choice = forms.ChoiceField(
        label=_("Owner of the imported customers"),
        initial=OWNER_ME,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        choices=[
            (OWNER_ME, _("Me")),
            (OWNER_PERSON, _("Someone in my team")),
            (OWNER_POOL, _("Nobody: straight into the public pool")),
        ],
    )
    owner = OwnerChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)
    skip_failed = forms.BooleanField(label=_("Skip the failed rows and import the rest"), required=False)
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, owners: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = owners

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("file") and not data.get("token"):
            self.add_error("file", _("Choose the Excel file to import."))
        elif data.get("file") and not data["file"].name.lower().endswith(".xlsx"):
            self.add_error("file", _("Only .xlsx files can be imported; save the file as an Excel workbook."))
        if data.get("owner_choice") == OWNER_PERSON and not data.get("owner"):
            self.add_error("owner", _("Choose the person who will own the imported customers."))
        return data

    def chosen_owner(self, actor: Any) -> Any:
        choice = self.cleaned_data["owner_choice"]
        return {OWNER_ME: actor, OWNER_POOL: None}.get(choice, self.cleaned_data.get("owner"))
