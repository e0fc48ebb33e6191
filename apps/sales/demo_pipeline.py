"""Demo records of this area (idempotent)."""

from __future__ import annotations

from typing import Any


def load(stdout: Any) -> None:
    pass
