"""Forms of the customer archive pages: validation and widgets only; the services do the writing."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from apps.core.scoping import users_assignable
from apps.core.validators import validate_mobile, validate_uscc
from apps.customers.choices import CustomerKind, CustomerLevel, CustomerSource, FollowUpChannel, Industry, Lifecycle
from apps.customers.models import Contact
from apps.customers.selectors.pool import customer_owners
from apps.org.models import User

# The provincial-level divisions (GB/T 2260), offered as suggestions for the province field.
PROVINCES = (
    "北京市",
    "天津市",
    "河北省",
    "山西省",
    "内蒙古自治区",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "上海市",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "广西壮族自治区",
    "海南省",
    "重庆市",
    "四川省",
    "贵州省",
    "云南省",
    "西藏自治区",
    "陕西省",
    "甘肃省",
    "青海省",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "香港特别行政区",
    "澳门特别行政区",
    "台湾省",
)
PAGE_SIZES = (("20", "20"), ("50", "50"), ("100", "100"))
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
MOBILE_ATTRS = {"inputmode": "tel", "autocomplete": "tel", "placeholder": "13800138000"}


def _blank(choices: Any, label: Any) -> list[tuple[str, Any]]:
    return [("", label), *choices]


def _datetime_widget() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        department = getattr(getattr(obj, "employee", None), "department", None)
        return f"{obj} · {department}" if department else str(obj)


def active_staff() -> QuerySet[User]:
    """People a customer can be given to: active users of employees in service."""
    return (
        User.objects.filter(is_active=True, employee__is_active=True)
        .select_related("employee__department")
        .order_by("employee__department__path", "name")
    )


#
# Customers
#


LIVE_CHECK_FIELDS = ("name", "uscc", "contact_mobile")
LIVE_CHECK_ATTRS = {
    "hx-get": reverse_lazy("customers:duplicate_check"),
    "hx-trigger": "input changed delay:400ms",
    "hx-target": "#live-duplicates",
    "hx-sync": "closest form:replace",
    "hx-include": "[name='name'], [name='uscc'], [name='contact_mobile'], [name='exclude']",
}


class CustomerForm(forms.Form):
    """Create or edit a customer. On create the primary contact is entered with it and a similar name can be
    confirmed; exact duplicates (USCC, mobile) cannot be overridden."""

    name = forms.CharField(label=_("Customer name"), max_length=200)
    kind = forms.ChoiceField(label=_("Customer kind"), choices=CustomerKind.choices)
    uscc = forms.CharField(
        label=_("Unified social credit code"),
        max_length=18,
        required=False,
        validators=[validate_uscc],
        help_text=_("18 characters, e.g. 91310000MA1FL4XQ2K."),
    )
    level = forms.ChoiceField(label=_("Customer level"), choices=CustomerLevel.choices, initial=CustomerLevel.B)
    source = forms.ChoiceField(label=_("Customer source"), choices=CustomerSource.choices, initial=CustomerSource.OTHER)
    industry = forms.ChoiceField(label=_("Industry"), choices=_blank(Industry.choices, "—"), required=False)
    lifecycle = forms.ChoiceField(label=_("Lifecycle stage"), choices=Lifecycle.choices)
    province = forms.CharField(
        label=_("Province"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"list": "provinces", "autocomplete": "off"}),
    )
    city = forms.CharField(label=_("City"), max_length=30, required=False)
    district = forms.CharField(label=_("District"), max_length=30, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Telephone"), max_length=30, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    service_owner = UserChoiceField(
        label=_("Service owner"), queryset=User.objects.none(), required=False, empty_label="—"
    )
    tags = forms.CharField(
        label=_("Tags"), max_length=200, required=False, help_text=_("Separate several tags with commas.")
    )
    is_locked = forms.BooleanField(label=_("Locked (never returned to the public pool)"), required=False)
    remarks = forms.CharField(label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    contact_name = forms.CharField(label=_("Contact name"), max_length=50, required=False)
    contact_mobile = forms.CharField(
        label=_("Mobile"),
        max_length=20,
        required=False,
        validators=[validate_mobile],
        widget=forms.TextInput(attrs=MOBILE_ATTRS),
    )
    contact_title = forms.CharField(label=_("Job title"), max_length=50, required=False)
    allow_similar_name = forms.BooleanField(
        label=_("I have checked: this is not the same company, save it anyway"), required=False
    )

    CONTACT_FIELDS = ("contact_name", "contact_mobile", "contact_title")

    def __init__(self, *args: Any, editing: bool = False, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The service owner: whom the user may assign in the service app (the current one stays on offer).
        people = active_staff()
        if user is not None:
            current = self.initial.get("service_owner")
            current_id = getattr(current, "pk", current)
            people = people.filter(Q(pk__in=users_assignable(user, "service").values("pk")) | Q(pk=current_id))
        cast(forms.ModelChoiceField, self.fields["service_owner"]).queryset = people
        self.show_similar_confirm = False
        if editing:
            for name in self.CONTACT_FIELDS:
                del self.fields[name]
        for name in LIVE_CHECK_FIELDS:  # the duplicate check while typing (HTMX attributes, no script)
            if name in self.fields:
                self.fields[name].widget.attrs.update(LIVE_CHECK_ATTRS)

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags", "").replace("，", ",").replace("、", ",")
        return [t.strip() for t in raw.split(",") if t.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "contact_name" in self.fields and data.get("contact_mobile") and not data.get("contact_name"):
            self.add_error("contact_name", _("Enter the contact's name for this mobile number."))
        return data

    def customer_data(self) -> dict[str, Any]:
        skip = {*self.CONTACT_FIELDS, "allow_similar_name"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip}

    def contacts(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        if not data.get("contact_name"):
            return []
        return [
            {
                "name": data["contact_name"],
                "mobile": data.get("contact_mobile", ""),
                "title": data.get("contact_title", ""),
                "is_primary": True,
            }
        ]


#
# Contacts, needs, follow-ups
#


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=20,
        required=False,
        validators=[validate_mobile],
        widget=forms.TextInput(attrs=MOBILE_ATTRS),
    )
    phone = forms.CharField(label=_("Landline"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    wechat = forms.CharField(label=_("WeChat"), max_length=50, required=False)
    title = forms.CharField(label=_("Job title"), max_length=50, required=False)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    is_decision_maker = forms.BooleanField(label=_("Decision maker"), required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)
    remarks = forms.CharField(label=_("Remarks"), max_length=200, required=False)


class NeedForm(forms.Form):
    content = forms.CharField(
        label=_("Need"),
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("What does the customer need? Product, quantity, timing, budget…")}
        ),
    )


class FollowUpForm(forms.Form):
    channel = forms.ChoiceField(label=_("Follow-up channel"), choices=FollowUpChannel.choices)
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False, empty_label="—"
    )
    content = forms.CharField(
        label=_("Follow-up content"),
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": _("What was discussed, what was agreed, what comes next")}
        ),
    )
    occurred_at = forms.DateTimeField(label=_("Follow-up time"), widget=_datetime_widget())
    next_contact_at = forms.DateTimeField(label=_("Next contact"), required=False, widget=_datetime_widget())

    def __init__(self, *args: Any, contacts: QuerySet[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["contact"]).queryset = contacts


class TransferForm(forms.Form):
    to_owner = UserChoiceField(
        label=_("New owner"), queryset=User.objects.none(), empty_label=_("— choose the new owner —")
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. regional realignment, the owner is leaving")}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = active_staff().filter(pk__in=customer_owners().values("pk"))
        cast(forms.ModelChoiceField, self.fields["to_owner"]).queryset = owners


class ServiceOwnerForm(forms.Form):
    """Name a customer's service owner (服务负责人): only people the user may assign in the service app."""

    service_owner = UserChoiceField(
        label=_("Service owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— nobody —"),
        widget=forms.Select(attrs={"class": "form-select form-select-sm w-auto"}),
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = active_staff().filter(pk__in=users_assignable(user, "service").values("pk"))
        cast(forms.ModelChoiceField, self.fields["service_owner"]).queryset = people
