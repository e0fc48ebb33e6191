"""Fixtures every test can use: the personas of ``apps.org.testing``; and a fresh cache and the default language
for every test."""

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.utils import translation

from apps.org.testing import personas  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """The test cache is per process (locmem), so a test would otherwise inherit what earlier tests in the same
    xdist worker left: a channel's per-minute sending budget spent, a cached cockpit, a rate limiter's count."""
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the default language (zh-hans): a test that activated another one in this thread (a
    request handled in-process activates the user's language) must not change how the next test's ``shown()``
    renders a message."""
    translation.deactivate()
    yield
    translation.deactivate()
