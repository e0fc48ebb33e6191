"""What ``visible_to``, ``can`` and ``get_visible_or_404`` mean, role by role (STYLE.md 2.5).

The org models are the only scoped models of the foundation; ``Employee`` (owner ``user``, unit ``department``)
stands in for every owned record.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from apps.core.scoping import (
    DataScope,
    can,
    clear_scope_cache,
    get_visible_or_404,
    user_scope,
    widest,
)
from apps.org.models import Department, Employee, Role, RoleGrant, User
from apps.org.tests.factories import DepartmentFactory, EmployeeFactory

pytestmark = pytest.mark.django_db

VIEW = ["view_employee", "view_department"]


def make_role(code: str, scope: str, perms: list[str] = VIEW, **grants: str) -> Role:
    """A role with ``org`` permissions, a default scope and per-app grants (``org="own"``)."""
    role = Role.objects.create(code=code, name=code, data_scope=scope)
    role.permissions.set(Permission.objects.filter(content_type__app_label="org", codename__in=perms))
    for app_label, app_scope in grants.items():
        RoleGrant.objects.create(role=role, app_label=app_label, data_scope=app_scope)
    return role


def fresh(user: User) -> User:
    """The user as a new request would load them (no cached scope or permissions)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def tree() -> dict[str, Any]:
    """company → A → A1, and B; one employee (without roles) in each."""
    company = DepartmentFactory(name="公司")
    a = DepartmentFactory(parent=company)
    a1 = DepartmentFactory(parent=a)
    b = DepartmentFactory(parent=company)
    people = {
        key: EmployeeFactory(department=unit) for key, unit in (("company", company), ("a", a), ("a1", a1), ("b", b))
    }
    return {"units": {"company": company, "a": a, "a1": a1, "b": b}, "people": people}


def visible_employees(user: User, action: str = "view") -> set[int]:
    return set(Employee.objects.visible_to(fresh(user), action).values_list("pk", flat=True))


def pks(tree: dict[str, Any], *keys: str) -> set[int]:
    return {tree["people"][key].pk for key in keys}


class WidestTests:
    def test_the_widest_scope_wins(self) -> None:
        assert widest(["own", "unit_tree", "unit"]) == DataScope.UNIT_TREE
        assert widest(["own", "all"]) == DataScope.ALL

    def test_no_scopes_is_none(self) -> None:
        assert widest([]) is None


class VisibleToTests:
    def test_own_sees_only_own_records(self, tree: dict) -> None:
        me = tree["people"]["a"]
        me.roles.add(make_role("r-own", DataScope.OWN))
        assert visible_employees(me.user) == pks(tree, "a")

    def test_unit_is_the_own_department_only(self, tree: dict) -> None:
        me = tree["people"]["a"]
        me.roles.add(make_role("r-unit", DataScope.UNIT))
        assert visible_employees(me.user) == pks(tree, "a")
        colleague = EmployeeFactory(department=tree["units"]["a"])
        assert visible_employees(me.user) == pks(tree, "a") | {colleague.pk}

    def test_unit_tree_adds_the_sub_departments(self, tree: dict) -> None:
        me = tree["people"]["a"]
        me.roles.add(make_role("r-tree", DataScope.UNIT_TREE))
        assert visible_employees(me.user) == pks(tree, "a", "a1")

    def test_all_sees_everything(self, tree: dict) -> None:
        me = tree["people"]["a1"]
        me.roles.add(make_role("r-all", DataScope.ALL))
        assert visible_employees(me.user) == set(Employee.objects.values_list("pk", flat=True))

    def test_roles_combine_by_or_to_the_widest(self, tree: dict) -> None:
        me = tree["people"]["a"]
        me.roles.add(make_role("r-own", DataScope.OWN), make_role("r-tree", DataScope.UNIT_TREE, perms=[]))
        assert visible_employees(me.user) == pks(tree, "a", "a1")

    def test_a_per_app_grant_replaces_the_roles_default_in_that_app(self, tree: dict) -> None:
        me = tree["people"]["a"]
        me.roles.add(make_role("r-all-but-own-org", DataScope.ALL, org=DataScope.OWN))
        assert visible_employees(me.user) == pks(tree, "a")
        scope = user_scope(fresh(me.user))
        assert scope.for_app("org") == DataScope.OWN
        assert scope.for_app("policy") == DataScope.ALL

    def test_grants_of_different_roles_still_combine_by_or(self, tree: dict) -> None:
        me = tree["people"]["a"]
        me.roles.add(make_role("r1", DataScope.ALL, org=DataScope.OWN), make_role("r2", DataScope.UNIT, perms=[]))
        assert user_scope(fresh(me.user)).for_app("org") == DataScope.UNIT
        assert visible_employees(me.user) == pks(tree, "a")

    def test_no_permission_sees_nothing(self, tree: dict) -> None:
        me = tree["people"]["a"]
        me.roles.add(make_role("r-noperm", DataScope.ALL, perms=[]))
        assert visible_employees(me.user) == set()

    def test_the_action_needs_its_own_permission(self, tree: dict) -> None:
        me = tree["people"]["a"]
        me.roles.add(make_role("r-view", DataScope.ALL))
        assert visible_employees(me.user, "change") == set()

    def test_no_role_sees_nothing(self, tree: dict) -> None:
        assert visible_employees(tree["people"]["a"].user) == set()

    def test_an_inactive_employee_sees_nothing(self, tree: dict) -> None:
        me = tree["people"]["a"]
        me.roles.add(make_role("r-all", DataScope.ALL))
        Employee.objects.filter(pk=me.pk).update(is_active=False)
        assert visible_employees(me.user) == set()

    def test_an_inactive_user_sees_nothing(self, tree: dict) -> None:
        me = tree["people"]["a"]
        me.roles.add(make_role("r-all", DataScope.ALL))
        User.objects.filter(pk=me.user_id).update(is_active=False)
        assert visible_employees(me.user) == set()

    def test_anonymous_sees_nothing(self, tree: dict) -> None:
        assert not Employee.objects.visible_to(AnonymousUser()).exists()

    def test_a_superuser_sees_everything_without_roles(self, tree: dict) -> None:
        root = User.objects.create_superuser("root", password="pw-123456")
        assert Employee.objects.visible_to(root).count() == Employee.objects.count()

    def test_a_path_prefix_does_not_leak_into_a_longer_id(self, tree: dict) -> None:
        """A unit at "/7/" must not see a unit at "/70/": paths end in "/" and match whole segments."""
        near, far = DepartmentFactory(), DepartmentFactory()
        Department.objects.filter(pk=near.pk).update(path="/7/")
        Department.objects.filter(pk=far.pk).update(path="/70/")
        me = EmployeeFactory(department=near)
        other = EmployeeFactory(department=far)
        me.roles.add(make_role("r-tree", DataScope.UNIT_TREE))
        assert visible_employees(me.user) == {me.pk}
        assert other.pk not in visible_employees(me.user)

    def test_departments_without_owner_use_the_unit(self, tree: dict) -> None:
        me = tree["people"]["a"]
        me.roles.add(make_role("r-own", DataScope.OWN))
        seen = set(Department.objects.visible_to(fresh(me.user)).values_list("pk", flat=True))
        assert seen == {tree["units"]["a"].pk}


class CanAndGetTests:
    def test_can_agrees_with_visible_to(self, tree: dict) -> None:
        me = tree["people"]["a"]
        me.roles.add(make_role("r-tree", DataScope.UNIT_TREE))
        user = fresh(me.user)
        assert can(user, "view", tree["people"]["a1"]) is True
        assert can(user, "view", tree["people"]["b"]) is False
        assert can(user, "change", tree["people"]["a1"]) is False

    def test_get_visible_or_404(self, tree: dict) -> None:
        me = tree["people"]["a"]
        me.roles.add(make_role("r-tree", DataScope.UNIT_TREE))
        user = fresh(me.user)
        assert get_visible_or_404(Employee, user, tree["people"]["a1"].pk) == tree["people"]["a1"]
        for pk in (tree["people"]["b"].pk, 999_999, "not-a-number"):
            with pytest.raises(Http404):
                get_visible_or_404(Employee, user, pk)
        with pytest.raises(Http404):
            get_visible_or_404(Employee, user, tree["people"]["a1"].pk, action="change")


class ResolverCacheTests:
    def test_the_resolver_runs_once_per_user_object(
        self, tree: dict, django_assert_max_num_queries: Any, django_assert_num_queries: Any
    ) -> None:
        me = tree["people"]["a"]
        me.roles.add(make_role("r1", DataScope.UNIT_TREE, org=DataScope.UNIT), make_role("r2", DataScope.OWN))
        user = fresh(me.user)
        # The first read of a request loads the user's whole access at once (``org.scope.user_access``: their
        # permissions, department and scopes); the next ones cost nothing until they run.
        with django_assert_max_num_queries(5):
            user_scope(user)
        with django_assert_num_queries(0):
            user_scope(user)
            Employee.objects.visible_to(user)
            Department.objects.visible_to(user)
        # The next request (a fresh user object) finds it in the shared cache: no query at all.
        next_request = fresh(me.user)
        with django_assert_num_queries(0):
            user_scope(next_request)
            Employee.objects.visible_to(next_request)

    def test_scope_queries_do_not_grow_with_roles(self, tree: dict) -> None:
        me = tree["people"]["a"]
        counts = []
        for batch in range(2):
            me.roles.add(*[make_role(f"r{batch}-{i}", DataScope.OWN, app=DataScope.UNIT) for i in range(3)])
            user = fresh(me.user)
            with CaptureQueriesContext(connection) as ctx:
                user_scope(user)
            counts.append(len(ctx))
        assert counts[0] == counts[1]

    def test_clearing_the_cache_sees_new_roles(self, tree: dict) -> None:
        me = tree["people"]["a"]
        user = fresh(me.user)
        assert user_scope(user).for_app("org") is None
        me.roles.add(make_role("r-all", DataScope.ALL))
        assert user_scope(user).for_app("org") is None  # cached for the rest of the request
        clear_scope_cache(user)
        assert user_scope(user).for_app("org") == DataScope.ALL
        assert user.has_perm("org.view_employee")
