"""System checks: the data scope stays honest; the database and the cache are fit for several people at once."""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, register

from apps.core.scoping import ScopedQuerySet


@register()
def scoped_models_use_scoped_queryset(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    """A model that declares ``scope_fields`` must offer ``visible_to`` on its default manager."""
    errors = []
    for model in apps.get_models():
        if getattr(model, "scope_fields", None) is None:
            continue
        if not isinstance(model._default_manager.all(), ScopedQuerySet):
            errors.append(
                Error(
                    f"{model._meta.label} declares scope_fields but its default manager is not a ScopedQuerySet.",
                    obj=model,
                    id="core.E001",
                )
            )
    return errors


# Cache backends whose counters live in one process: each gunicorn worker would count on its own.
PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register()
def shared_cache_in_production(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    """With DEBUG off the default cache must be shared by every worker (Redis): the public pages' rate limits
    count in it, and a process-local cache lets each worker count on its own (N workers, N times the limit)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if settings.DEBUG or backend not in PROCESS_LOCAL_CACHES:
        return []
    return [
        Error(
            f"The default cache ({backend}) is local to one process, but DEBUG is off.",
            hint="Set REDIS_URL (e.g. redis://127.0.0.1:6379/0): the public rate limits must be counted in a cache "
            "every worker shares.",
            id="core.E002",
        )
    ]


@register()
def sqlite_ready_for_several_people(app_configs, **kwargs):  # type: ignore[no-untyped-def]
    """An SQLite database must open IMMEDIATE transactions with a busy timeout (config/settings/base.py): the
    pool's claim cap and the import lock rely on one writer at a time, and without the timeout a second writer
    answers "database is locked"."""
    return sqlite_problems(settings.DATABASES)


def sqlite_problems(databases: dict) -> list[Error]:
    errors = []
    for alias, database in databases.items():
        if database.get("ENGINE") != "django.db.backends.sqlite3":
            continue
        options = database.get("OPTIONS", {})
        if str(options.get("transaction_mode", "")).upper() != "IMMEDIATE" or not options.get("timeout"):
            errors.append(
                Error(
                    f"The SQLite database {alias!r} is not set up for concurrent writers.",
                    hint='Set OPTIONS {"transaction_mode": "IMMEDIATE", "timeout": 30, '
                    '"init_command": "PRAGMA journal_mode=WAL"} (as config/settings/base.py does).',
                    id="core.E003",
                )
            )
    return errors
