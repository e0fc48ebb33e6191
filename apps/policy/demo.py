"""Demo records of the policy app (``manage.py load_demo``)."""

from __future__ import annotations

from typing import Any

from apps.policy import demo_ack


def load(stdout: Any) -> None:
    demo_ack.load(stdout)
