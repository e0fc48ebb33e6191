"""Row-level data scope, written once (STYLE.md 2.5).

A scoped model declares which fields carry ownership (``scope_fields``) and uses ``ScopedQuerySet``.
``visible_to(user, action)`` gives exactly the rows the user's roles may see for that action:
own records, the own department, the department and its sub-departments, or everything.
Who a user is (department path, per-app scope) is answered by the resolver that ``org`` registers,
so this module knows no domain app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.utils.translation import gettext_lazy as _


class DataScope(models.TextChoices):
    # Ordered from narrowest to widest; a user's effective scope is the widest across their roles.
    OWN = "own", _("Own records only")
    UNIT = "unit", _("Own department")
    UNIT_TREE = "unit_tree", _("Own department and sub-departments")
    ALL = "all", _("All")


SCOPE_RANK = {DataScope.OWN: 0, DataScope.UNIT: 1, DataScope.UNIT_TREE: 2, DataScope.ALL: 3}


def widest(scopes: list[str]) -> DataScope | None:
    """Return the widest of ``scopes`` (OR across a user's roles), or None when there are none."""
    if not scopes:
        return None
    return max((DataScope(s) for s in scopes), key=SCOPE_RANK.__getitem__)


@dataclass(frozen=True)
class ScopeFields:
    """Where a model keeps its owner and department.

    ``owner`` is a lookup to the owning user (None when the model has no owner);
    ``unit`` is a lookup to the owning department, or ``""`` when the model *is* a department.
    Related models point through their parent, e.g. ``ScopeFields(owner="ticket__owner", unit="ticket__owner_unit")``.
    """

    owner: str | None = "owner"
    unit: str = "owner_unit"
    # Lookups to further users who see the record whatever their scope (协作人), e.g. the sales person a lead
    # was handed to while marketing still owns it. Sharing grants seeing only (``SHARED_ACTIONS``); the managers
    # of a sharer's department see it too (department scopes), never more.
    shared_with: tuple[str, ...] = ()
    # Lookups to further departments that count as the record's unit for the department scopes, e.g. the
    # department of a customer's service owner, so the service manager sees the customers the team looks after.
    also_units: tuple[str, ...] = ()
    # Share through a related record as one ``relation IN (SELECT pk FROM related WHERE …)`` per relation instead
    # of joins ORed with the record's own columns: the same rows, but the database can use the indexes on both
    # sides (tickets shared through their customer's owners: 300 ms → a few ms at 100k customers). A lookup that
    # is a user column of the record itself becomes ``column = me OR column IN (SELECT the members of my
    # department (tree))``: a handful of users, so no join and no other table is read per row.
    shared_via_subquery: bool = False


@dataclass
class UserScope:
    """What the scope needs to know about a user, resolved once per request and cached on the user."""

    unit_id: int | None = None
    unit_path: str | None = None
    app_scopes: dict[str, DataScope] = field(default_factory=dict)
    default_scope: DataScope | None = None

    def for_app(self, app_label: str) -> DataScope | None:
        return self.app_scopes.get(app_label, self.default_scope)


ScopeResolver = Callable[[Any], UserScope]
_resolver: ScopeResolver | None = None
# The lookup from a user to their department (``org`` registers ``employee__department``): how a department scope
# reaches the records shared with the department's members, and whom a user may assign.
_user_unit_lookup: str = ""
# The users who can be given work at all (``org``: active users with an active employee record).
_people: Callable[[], models.QuerySet] | None = None
_CACHE_ATTR = "_salesops_scope_cache"

# What sharing (``ScopeFields.shared_with``) grants: seeing the record. Apps check "may comment" as "view".
# Changing, assigning, deleting stay with the record's own scope (owner, department, department tree, all).
SHARED_ACTIONS = frozenset({"view"})


def register_scope_resolver(
    resolver: ScopeResolver, *, user_unit: str = "", people: Callable[[], models.QuerySet] | None = None
) -> None:
    """Called once by ``org`` at start-up: tells the scope how to read a user's department and roles, the lookup
    from a user to their department (so department scopes include what is shared with members) and who can be
    given work (``users_assignable``)."""
    global _resolver, _user_unit_lookup, _people
    _resolver = resolver
    _user_unit_lookup = user_unit
    _people = people


def user_scope(user: Any) -> UserScope:
    """Return the user's resolved scope, cached on the user object for the rest of the request."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        resolver = _resolver
        anonymous = resolver is None or not getattr(user, "is_authenticated", False)
        cached = UserScope() if resolver is None or anonymous else resolver(user)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def clear_scope_cache(user: Any) -> None:
    """Forget a user's cached scope (after their roles or department change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    # ``_salesops_access``: what ``org`` read for the request (its permissions, scope and employee).
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_role_perm_cache", "_salesops_access"):
        if hasattr(user, attr):
            delattr(user, attr)


def permission_name(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def _lookup(prefix: str, suffix: str) -> str:
    return f"{prefix}__{suffix}" if prefix else suffix


def scope_q(model: type[models.Model], user: Any, *, shared: bool = True) -> Q | None:
    """Return the Q that limits ``model`` to the user's scope; None means nothing is visible.

    ``shared`` adds the records shared with the user (``ScopeFields.shared_with``) and, for a department scope,
    those shared with the department's (or tree's) members: what a member sees through sharing, their manager
    sees too. Only seeing: ``visible_to`` passes ``shared=False`` for every action but ``SHARED_ACTIONS``.
    """
    fields: ScopeFields = model.scope_fields  # type: ignore[attr-defined]
    resolved = user_scope(user)
    scope = resolved.for_app(model._meta.app_label)
    if scope is None:
        return _shared_q(fields, resolved, None, user, model) if shared else None
    if scope == DataScope.ALL:
        return Q()
    own = _own_scope_q(fields, resolved, scope, user)
    if not shared:
        return own
    shares = _shared_q(fields, resolved, scope, user, model)
    if own is None:
        return shares
    return own if shares is None else own | shares


def _shared_q(
    fields: ScopeFields,
    resolved: UserScope,
    scope: DataScope | None,
    user: Any,
    model: type[models.Model] | None = None,
) -> Q | None:
    """Records shared with the user, or with a member of the user's department (tree) for department scopes."""
    if not fields.shared_with:
        return None
    q = Q()
    through: dict[str, Q] = {}  # shared_via_subquery: relation → condition on the related record
    for lookup in fields.shared_with:
        if fields.shared_via_subquery and "__" not in lookup:
            q |= _shared_column_q(lookup, resolved, scope, user)
            continue
        conditions = [Q(**{lookup: user})]
        if _user_unit_lookup and resolved.unit_id is not None:
            unit = f"{lookup}__{_user_unit_lookup}"
            if scope == DataScope.UNIT:
                conditions.append(Q(**{unit: resolved.unit_id}))
            elif scope == DataScope.UNIT_TREE:
                conditions.append(Q(**{f"{unit}__path__startswith": resolved.unit_path}))
        relation, _, rest = lookup.partition("__")
        if fields.shared_via_subquery and model is not None and rest:
            for condition in conditions:
                lookups = cast("list[tuple[str, Any]]", condition.children)  # built from keyword lookups above
                inner = Q(**{key[len(relation) + 2 :]: value for key, value in lookups})
                through[relation] = through.get(relation, Q()) | inner
        else:
            for condition in conditions:
                q |= condition
    for relation, condition in through.items():
        assert model is not None  # `through` is filled only when a model is given
        related = model._meta.get_field(relation).related_model
        assert related is not None and related != "self"  # a relation field: the related model is resolved
        q |= Q(**{f"{relation}__in": related._base_manager.filter(condition).values("pk")})
    return q


def _shared_column_q(column: str, resolved: UserScope, scope: DataScope | None, user: Any) -> Q:
    """A user column of the record shared with the user: the user, or for a department scope a member of the
    department (tree) as ``column IN (SELECT user …)`` — the same rows as following the column to the member's
    department, without a join per record."""
    q = Q(**{column: user})
    if _user_unit_lookup and resolved.unit_id is not None and scope in (DataScope.UNIT, DataScope.UNIT_TREE):
        from django.contrib.auth import get_user_model

        if scope == DataScope.UNIT:
            members = Q(**{_user_unit_lookup: resolved.unit_id})
        else:
            members = Q(**{f"{_user_unit_lookup}__path__startswith": resolved.unit_path})
        q |= Q(**{f"{column}__in": get_user_model()._base_manager.filter(members).values("pk")})
    return q


def _own_scope_q(fields: ScopeFields, resolved: UserScope, scope: DataScope, user: Any) -> Q | None:
    if scope == DataScope.OWN:
        if fields.owner:
            return Q(**{fields.owner: user})
        scope = DataScope.UNIT  # a record with no owner (a department) is "own" when it is the own unit
    if resolved.unit_id is None:
        return None
    units = (fields.unit, *fields.also_units)
    q = Q()
    for unit in units:
        if scope == DataScope.UNIT:
            q |= Q(**{_lookup(unit, "pk") if unit else "pk": resolved.unit_id})
        else:
            q |= Q(**{_lookup(unit, "path__startswith"): resolved.unit_path})
    if fields.owner:
        q |= Q(**{fields.owner: user})  # one's own records stay visible after moving department
    return q


class ScopedQuerySet(models.QuerySet):
    """A queryset that can restrict itself to what a user may see. It never filters implicitly."""

    def visible_to(self, user: Any, action: str = "view") -> ScopedQuerySet:
        """Return the rows ``user`` may ``action``; none without the permission ``<app>.<action>_<model>``."""
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return self.none()
        if user.is_superuser:
            return self
        if not user.has_perm(permission_name(self.model, action)):
            return self.none()
        q = scope_q(self.model, user, shared=action in SHARED_ACTIONS)
        if q is None:
            return self.none()
        return self.filter(q)


def can(user: Any, action: str, obj: models.Model) -> bool:
    """Return whether ``user`` may ``action`` the object: the same rule as ``visible_to``, for one row."""
    return can_each(user, obj, [action])[action]


def can_each(user: Any, obj: models.Model, actions: Iterable[str], *, own_scope: bool = False) -> dict[str, bool]:
    """``can`` for several actions on one record in at most one query (none when every answer follows from the
    permissions and scopes alone: no permission, or a scope without a condition such as "all"). With
    ``own_scope`` the answer also holds ``"own"``: ``in_own_scope(user, obj)``."""
    manager = type(obj)._default_manager
    answers: dict[str, bool] = {}
    checks: dict[str, QuerySet[Any]] = {}
    for action in actions:
        visible = manager.all().visible_to(user, action)  # type: ignore[attr-defined]
        if obj.pk is None or visible.query.is_empty():
            answers[action] = False
        elif not visible.query.where:  # no condition (superuser, or "all" for this app): the record is in scope
            answers[action] = True
        else:
            checks[action] = visible.filter(pk=obj.pk)
    if own_scope:
        q = _own_scope_condition(user, obj)
        if q is None or isinstance(q, bool):
            answers["own"] = bool(q)
        else:
            checks["own"] = manager.filter(q, pk=obj.pk)
    if checks:
        names = {f"c{i}": action for i, action in enumerate(checks)}
        row = manager.filter(pk=obj.pk).values(**{n: Exists(checks[a]) for n, a in names.items()}).first()
        answers.update({action: bool(row and row[n]) for n, action in names.items()})
    return answers


def can_expression(model: type[models.Model], user: Any, action: str) -> Any:
    """``can(user, action, row)`` as an expression over ``model``'s rows, to annotate the rows a page reads anyway
    (a constant when the answer follows from the permissions and scope alone)."""
    visible = model._default_manager.all().visible_to(user, action)  # type: ignore[attr-defined]
    if visible.query.is_empty():
        return Value(False, output_field=models.BooleanField())
    if not visible.query.where:
        return Value(True, output_field=models.BooleanField())
    return Exists(visible.filter(pk=OuterRef("pk")))


def _own_scope_condition(user: Any, obj: models.Model) -> Q | bool | None:
    """The user's own scope for the object (sharing left out): True / False when it needs no query, else the Q."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False) or obj.pk is None:
        return False
    if user.is_superuser:
        return True
    q = scope_q(type(obj), user, shared=False)
    if q is None:
        return False
    return q or True  # an empty Q: "all" for this app


def in_own_scope(user: Any, obj: models.Model) -> bool:
    """Whether the object lies in the user's own scope for its app (owner, department, tree, all), sharing left
    out and whatever the permissions: e.g. "may close tickets" applies to the tickets of one's own scope only."""
    return can_each(user, obj, [], own_scope=True)["own"]


def get_visible_or_404(
    model: type[models.Model], user: Any, pk: Any, action: str = "view", queryset: QuerySet[Any] | None = None
) -> Any:
    """The one single-object fetch in views: out of scope answers 404, so existence is not revealed. ``queryset``
    (of ``model``, e.g. with ``select_related``) reads what the page needs in the same query."""
    base: Any = model._default_manager.all() if queryset is None else queryset
    queryset = base.visible_to(user, action)
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def users_assignable(user: Any, app_label: str) -> models.QuerySet:
    """The one "whom may I assign?" rule: the people ``user`` may make responsible for a record of ``app_label``
    (an owner, an assignee, a service owner) are those within the user's own scope there — own: themselves;
    department: its members; department tree: the tree's members; all: everyone — always including themselves,
    never anyone when the user has no scope in the app. Only people who can be given work (active employees)."""
    from django.contrib.auth import get_user_model

    people = _people() if _people is not None else get_user_model()._default_manager.filter(is_active=True)
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return people.none()
    if user.is_superuser:
        return people
    resolved = user_scope(user)
    scope = resolved.for_app(app_label)
    if scope is None:
        return people.none()
    if scope == DataScope.ALL:
        return people
    mine = Q(pk=user.pk)
    if _user_unit_lookup and resolved.unit_id is not None:
        if scope == DataScope.UNIT:
            mine |= Q(**{_user_unit_lookup: resolved.unit_id})
        elif scope == DataScope.UNIT_TREE:
            mine |= Q(**{f"{_user_unit_lookup}__path__startswith": resolved.unit_path})
    return people.filter(mine)
