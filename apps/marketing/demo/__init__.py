"""The demo company's market development: research, plans and evaluations first, then campaigns, leads, visits
and intelligence that refer to them."""

from __future__ import annotations

from typing import Any

from apps.marketing.demo import leads as demo_leads
from apps.marketing.demo import plans as demo_plans


def load(stdout: Any) -> None:
    demo_plans.load(stdout)
    demo_leads.load(stdout)
    demo_plans.load_evaluations(stdout)  # evaluations need the leads and visits to have figures
