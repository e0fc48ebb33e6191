"""factory_boy factories for the organisation: users, departments (with their materialised path), employees."""

from __future__ import annotations

from typing import Any

import factory

from apps.org.choices import DepartmentKind
from apps.org.models import Department, Employee, Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"员工{n}")
    password = factory.django.Password("pw-123456")


class DepartmentFactory(factory.django.DjangoModelFactory):
    """A department whose ``path`` is set as the service sets it (set-up only; tests of writes use the service)."""

    class Meta:
        model = Department
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"部门{n}")
    code = factory.Sequence(lambda n: f"dept-{n}")
    kind = DepartmentKind.SALES
    parent = None

    @classmethod
    def _create(cls, model_class: type[Department], *args: Any, **kwargs: Any) -> Department:
        department = super()._create(model_class, *args, **kwargs)
        parent = department.parent
        department.path = f"{parent.path if parent else '/'}{department.pk}/"
        department.save(update_fields=["path"])
        return department


class EmployeeFactory(factory.django.DjangoModelFactory):
    """An employee; ``roles`` takes role codes, e.g. ``EmployeeFactory(roles=["staff"])``."""

    class Meta:
        model = Employee
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    department = factory.SubFactory(DepartmentFactory)
    employee_no = factory.Sequence(lambda n: f"E{n:05d}")
    title = "专员"
    mobile = factory.Sequence(lambda n: f"138{n:08d}")

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.roles.set(Role.objects.filter(code__in=extracted))
