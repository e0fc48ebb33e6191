"""Fixtures every test can use: the personas of ``apps.org.testing``."""

from apps.org.testing import personas  # noqa: F401
