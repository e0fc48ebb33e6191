"""The demo company's sales: products and two years of opportunities, contracts and payments, then the targets
decomposed to both teams and all sales staff, consistent with them."""

from __future__ import annotations

from typing import Any

from apps.sales import demo_pipeline, demo_targets


def load(stdout: Any) -> None:
    demo_pipeline.load(stdout)
    demo_targets.load(stdout)
