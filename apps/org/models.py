"""The organisation (policy arts. 2, 7): users, the department tree, employees, roles and their data scopes."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, Permission
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel, optional_fk
from apps.core.scoping import DataScope, ScopedQuerySet, ScopeFields
from apps.core.validators import validate_mobile
from apps.org.choices import BuiltinRole, DepartmentKind, UserLanguage


class User(AbstractUser):
    """A login. Chinese names are one field (姓名), not first/last."""

    name = models.CharField(_("name"), max_length=50, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=UserLanguage.choices, default=UserLanguage.ZH_HANS
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")  # type: ignore[assignment]  # django-stubs types AbstractUser.Meta's as str
        verbose_name_plural = _("users")  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or self.username


class Department(TimeStampedModel):
    """A node of the organisation tree: the company, its departments, their teams.

    ``path`` is the materialised chain of ids ("/1/4/9/") so a subtree is one ``startswith`` filter.
    """

    name = models.CharField(_("department name"), max_length=100)
    code = models.SlugField(_("department code"), max_length=50, unique=True)
    kind = models.CharField(
        _("department kind"), max_length=30, choices=DepartmentKind.choices, default=DepartmentKind.OTHER
    )
    parent = optional_fk("self", _("parent department"), on_delete=models.PROTECT, related_name="children")
    manager = optional_fk(User, _("manager"), on_delete=models.SET_NULL, related_name="managed_departments")
    order = models.PositiveIntegerField(_("display order"), default=0)
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    scope_fields = ScopeFields(owner=None, unit="")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class Role(TimeStampedModel):
    """A set of permissions and the data scope they apply with (仅本人 / 本部门 / 本部门及以下 / 全部)."""

    code = models.SlugField(_("role code"), max_length=50, unique=True)
    name = models.CharField(_("role name"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)
    data_scope = models.CharField(_("data scope"), max_length=20, choices=DataScope.choices, default=DataScope.OWN)
    permissions = models.ManyToManyField(Permission, verbose_name=_("permissions"), blank=True)
    is_builtin = models.BooleanField(_("built-in"), default=False)
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["id"]

    def __str__(self) -> str:
        """A built-in role reads in the reader's language (its stored name is the language of the migrate run)."""
        if self.is_builtin and self.code in BuiltinRole.values:
            return str(BuiltinRole(self.code).label)
        return self.name


class RoleGrant(models.Model):
    """A per-app exception to a role's data scope (e.g. staff see their own customers but their whole department's
    colleagues)."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    app_label = models.CharField(_("application"), max_length=50)
    data_scope = models.CharField(_("data scope"), max_length=20, choices=DataScope.choices)

    class Meta:
        verbose_name = _("role data scope")
        verbose_name_plural = _("role data scopes")
        constraints = [models.UniqueConstraint(fields=["role", "app_label"], name="org_rolegrant_unique_app")]

    def __str__(self) -> str:
        return f"{self.role} · {self.app_label} · {self.get_data_scope_display()}"


class RoleKindGrant(models.Model):
    """The permissions a role adds for the people of one kind of department: a sales clerk works contracts, a service
    clerk tickets, a marketing clerk leads — the same built-in role, the work of the department they are in."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="kind_grants")
    department_kind = models.CharField(_("department kind"), max_length=30, choices=DepartmentKind.choices)
    permissions = models.ManyToManyField(
        Permission, verbose_name=_("permissions"), blank=True, related_name="role_kind_grants"
    )

    class Meta:
        verbose_name = _("role permissions by department kind")
        verbose_name_plural = _("role permissions by department kind")
        constraints = [
            models.UniqueConstraint(fields=["role", "department_kind"], name="org_rolekindgrant_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.role} · {self.get_department_kind_display()}"


class Employee(TimeStampedModel):
    """A person of the company: the user, their department (their unit for the data scope) and roles."""

    user = models.OneToOneField(User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="employee")
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="employees"
    )
    employee_no = models.CharField(_("employee number"), max_length=30, unique=True)
    title = models.CharField(_("job title"), max_length=50, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True, validators=[validate_mobile])
    email = models.EmailField(_("email"), blank=True)
    roles = models.ManyToManyField(Role, verbose_name=_("roles"), related_name="employees", blank=True)
    is_active = models.BooleanField(_("in service"), default=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    history = HistoricalRecords()

    scope_fields = ScopeFields(owner="user", unit="department")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        permissions = [("handover_employee", _("Can hand over a leaving employee's records"))]
        ordering = ["department__path", "employee_no"]

    def __str__(self) -> str:
        return str(self.user)
