"""Market development (policy arts. 3, 4, 8): research → plans → campaigns, leads, visits → intelligence shared
with sales → evaluation."""

from apps.marketing.models.campaigns import Campaign
from apps.marketing.models.evaluations import MarketEvaluation
from apps.marketing.models.intel import IntelRead, MarketIntel
from apps.marketing.models.leads import Lead
from apps.marketing.models.plans import MarketPlan, PlanGoal
from apps.marketing.models.research import MarketResearch
from apps.marketing.models.visits import Visit

__all__ = [
    "Campaign",
    "IntelRead",
    "Lead",
    "MarketEvaluation",
    "MarketIntel",
    "MarketPlan",
    "MarketResearch",
    "PlanGoal",
    "Visit",
]
