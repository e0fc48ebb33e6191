"""System checks for several people at once: a shared cache under DEBUG off (core.E002), SQLite set up for
concurrent writers (core.E003)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.test import override_settings

from apps.core import checks as core_checks

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/0"}}
SQLITE = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x.sqlite3"}


def _ids(found: list[checks.CheckMessage]) -> set[str]:
    return {message.id for message in found}


class SharedCacheCheckTests:
    def test_a_process_local_cache_in_production_is_an_error(self) -> None:
        with override_settings(DEBUG=False, CACHES=LOCMEM):
            assert _ids(core_checks.shared_cache_in_production(None)) == {"core.E002"}

    def test_redis_in_production_passes(self) -> None:
        with override_settings(DEBUG=False, CACHES=REDIS):
            assert core_checks.shared_cache_in_production(None) == []

    def test_development_may_use_the_local_cache(self) -> None:
        with override_settings(DEBUG=True, CACHES=LOCMEM):
            assert core_checks.shared_cache_in_production(None) == []

    def test_it_is_registered_with_django(self) -> None:
        assert core_checks.shared_cache_in_production in checks.registry.registry.registered_checks
        assert core_checks.sqlite_ready_for_several_people in checks.registry.registry.registered_checks


class SqliteCheckTests:
    def test_the_projects_settings_pass(self) -> None:
        assert core_checks.sqlite_ready_for_several_people(None) == []
        if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
            options = settings.DATABASES["default"]["OPTIONS"]
            assert options["transaction_mode"] == "IMMEDIATE" and "journal_mode=WAL" in options["init_command"]

    def test_sqlite_with_default_transactions_is_an_error(self) -> None:
        assert _ids(core_checks.sqlite_problems({"default": SQLITE})) == {"core.E003"}

    def test_sqlite_without_a_busy_timeout_is_an_error(self) -> None:
        options = {"transaction_mode": "IMMEDIATE"}
        assert _ids(core_checks.sqlite_problems({"default": {**SQLITE, "OPTIONS": options}})) == {"core.E003"}
