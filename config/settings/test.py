"""Tests: fast hasher, locmem cache, jobs run in-process."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdefghijkl")

from config.settings.base import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
NOTIFICATION_COUNT_CACHE_SECONDS = 600  # the navbar's count as production reads it
ACCESS_CACHE_SECONDS = 600  # one process: the tests read permissions and scopes the way production does
STORAGES = {  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["*"]
AXES_ENABLED = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not Django's shared in-memory database: the concurrency tests need SQLite's real locking (WAL, the
    # busy timeout, IMMEDIATE transactions — the settings `make run` serves with); in-memory shared-cache locks
    # behave differently. One file per test run under var/ (two runs at once must not share it); Django deletes it
    # at the end of the run.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
