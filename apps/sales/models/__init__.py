"""Sales (policy arts. 5, 9): targets and their decomposition, sales plans, the pipeline, contracts, payments and
the evaluation of attainment and the gap to target."""

from apps.sales.models.contracts import (
    Contract,
    ContractAdjustment,
    ContractApproval,
    ContractLine,
    Payment,
    PaymentPlan,
    RefundRequest,
)
from apps.sales.models.evaluations import SalesEvaluation
from apps.sales.models.pipeline import Opportunity, OpportunityLine, OpportunityStageChange, Product, StageSetting
from apps.sales.models.plans import SalesPlan, SalesPlanAction
from apps.sales.models.targets import MONTH_FIELDS, TargetNode, TargetSet

__all__ = [
    "MONTH_FIELDS",
    "Contract",
    "ContractAdjustment",
    "ContractApproval",
    "ContractLine",
    "Opportunity",
    "OpportunityLine",
    "OpportunityStageChange",
    "Payment",
    "PaymentPlan",
    "Product",
    "RefundRequest",
    "SalesEvaluation",
    "SalesPlan",
    "SalesPlanAction",
    "StageSetting",
    "TargetNode",
    "TargetSet",
]
