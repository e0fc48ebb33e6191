"""Row-level data scope, written once (STYLE.md 2.5).

A scoped model declares which fields carry ownership (``scope_fields``) and uses ``ScopedQuerySet``.
``visible_to(user, action)`` gives exactly the rows the user's roles may see for that action:
own records, the own department, the department and its sub-departments, or everything.
Who a user is (department path, per-app scope) is answered by the resolver that ``org`` registers,
so this module knows no domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q
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
    # was handed to while marketing still owns it.
    shared_with: tuple[str, ...] = ()
    # Lookups to further departments that count as the record's unit for the department scopes, e.g. the
    # department of a customer's service owner, so the service manager sees the customers the team looks after.
    also_units: tuple[str, ...] = ()


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
_CACHE_ATTR = "_salesops_scope_cache"


def register_scope_resolver(resolver: ScopeResolver) -> None:
    """Called once by ``org`` at start-up: tells the scope how to read a user's department and roles."""
    global _resolver
    _resolver = resolver


def user_scope(user: Any) -> UserScope:
    """Return the user's resolved scope, cached on the user object for the rest of the request."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        anonymous = _resolver is None or not getattr(user, "is_authenticated", False)
        cached = UserScope() if anonymous else _resolver(user)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def clear_scope_cache(user: Any) -> None:
    """Forget a user's cached scope (after their roles or department change)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_role_perm_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def permission_name(model: type[models.Model], action: str) -> str:
    return f"{model._meta.app_label}.{action}_{model._meta.model_name}"


def _lookup(prefix: str, suffix: str) -> str:
    return f"{prefix}__{suffix}" if prefix else suffix


def scope_q(model: type[models.Model], user: Any) -> Q | None:
    """Return the Q that limits ``model`` to the user's scope; None means nothing is visible."""
    fields: ScopeFields = model.scope_fields  # type: ignore[attr-defined]
    resolved = user_scope(user)
    scope = resolved.for_app(model._meta.app_label)
    if scope is None:
        return None
    if scope == DataScope.ALL:
        return Q()
    shared = Q()
    for lookup in fields.shared_with:
        shared |= Q(**{lookup: user})
    own = _own_scope_q(fields, resolved, scope, user)
    if own is None:
        return shared if fields.shared_with else None
    return own | shared


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
        q = scope_q(self.model, user)
        if q is None:
            return self.none()
        return self.filter(q)


def can(user: Any, action: str, obj: models.Model) -> bool:
    """Return whether ``user`` may ``action`` the object: the same rule as ``visible_to``, for one row."""
    manager = type(obj)._default_manager
    return manager.all().visible_to(user, action).filter(pk=obj.pk).exists()  # type: ignore[attr-defined]


def get_visible_or_404(model: type[models.Model], user: Any, pk: Any, action: str = "view") -> Any:
    """The one single-object fetch in views: out of scope answers 404, so existence is not revealed."""
    queryset = model._default_manager.all().visible_to(user, action)  # type: ignore[attr-defined]
    try:
        return queryset.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
