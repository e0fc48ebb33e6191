"""Forms of the organisation pages: validation and widgets only; the services do the writing."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from apps.core.validators import normalize_mobile, validate_mobile
from apps.org.choices import DepartmentKind
from apps.org.models import Department, Employee, Role, User

INDENT = "\u3000"  # a full-width space: indents the tree in a <select> the same in Chinese and English


def _successor_label(employee: Any) -> str:
    return f"{employee} · {employee.department} · {employee.employee_no}"


class DepartmentChoiceField(forms.ModelChoiceField):
    """A department select that shows the tree: each name indented by its depth."""

    def label_from_instance(self, obj: Department) -> str:
        return f"{INDENT * obj.depth}{obj.name}"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        department = getattr(getattr(obj, "employee", None), "department", None)
        return f"{obj} · {department}" if department else str(obj)


def _departments(departments: Any) -> Any:
    return departments.order_by("path")


#
# Departments
#


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("Department name"), max_length=100)
    code = forms.SlugField(
        label=_("Department code"), max_length=50, help_text=_("Letters, digits, - and _; unique, e.g. sales-east.")
    )
    kind = forms.ChoiceField(label=_("Department kind"), choices=DepartmentKind.choices)
    parent = DepartmentChoiceField(
        label=_("Parent department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("(none — the company itself)"),
    )
    manager = UserChoiceField(label=_("Manager"), queryset=User.objects.none(), required=False)
    order = forms.IntegerField(label=_("Display order"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, departments: Any, managers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = _departments(departments)
        cast(forms.ModelChoiceField, self.fields["manager"]).queryset = managers


#
# Employees
#


class EmployeeForm(forms.Form):
    """Create or edit an employee and their login; on edit the username and initial password are absent."""

    # The service refuses an employee without a department with a clear message; the form lets it.
    marked_required = ("department",)

    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("Used to sign in: letters, digits and @ . + - _"),
    )
    name = forms.CharField(label=_("Name"), max_length=50)
    department = DepartmentChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("— choose a department —"),
    )
    employee_no = forms.CharField(label=_("Employee number"), max_length=30)
    title = forms.CharField(label=_("Job title"), max_length=50, required=False)
    mobile = forms.CharField(
        label=_("Mobile"),
        max_length=20,
        required=False,
        validators=[validate_mobile],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("Email"), required=False)
    joined_on = forms.DateField(label=_("Joined on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    roles = forms.ModelMultipleChoiceField(
        label=_("Roles"),
        queryset=Role.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to set a password later."),
    )

    def __init__(self, *args: Any, departments: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = _departments(departments)
        if editing:
            del self.fields["username"]
            del self.fields["password"]

    def clean_mobile(self) -> str:
        value = self.cleaned_data.get("mobile", "")
        return normalize_mobile(value) if value else ""

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if password:
            password_validation.validate_password(password)
        return password


class EmployeeFilterForm(forms.Form):
    """The filters of the employee list (search, department, status, page size)."""

    STATUS_CHOICES = [("active", _("In service")), ("left", _("Left")), ("all", _("All"))]
    PAGE_SIZES = [(20, "20"), (50, "50"), (100, "100")]

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Name, username, number, title, mobile")}),
    )
    department = DepartmentChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label=_("All departments")
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    page_size = forms.TypedChoiceField(label=_("Per page"), choices=PAGE_SIZES, coerce=int, required=False)

    def __init__(self, *args: Any, departments: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["department"]).queryset = _departments(departments)

    def active_filter(self) -> bool | None:
        """True for in service (the default), False for left, None for everyone."""
        status = self.cleaned_data.get("status") if self.is_valid() else ""
        return {"left": False, "all": None}.get(status or "active", True)

    def chosen_department(self) -> Department | None:
        return self.cleaned_data.get("department") if self.is_valid() else None


class OffboardForm(forms.Form):
    """离职交接: who takes over, and the last working day."""

    successor = forms.ModelChoiceField(
        label=_("Successor"), queryset=Employee.objects.none(), empty_label=_("— choose who takes over —")
    )
    left_on = forms.DateField(
        label=_("Last working day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, successors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["successor"]).queryset = successors
        successor = cast(forms.ModelChoiceField, self.fields["successor"])
        successor.label_from_instance = _successor_label  # type: ignore[method-assign,assignment]
