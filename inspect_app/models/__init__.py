"""Every model, imported here so Alembic's autogenerate and ``flask db check`` see all tables."""

from inspect_app.models.alert import Alert, AlertDelivery, AlertEvent
from inspect_app.models.audit import AuditCheckpoint, AuditEntry
from inspect_app.models.change import ChangeLogEntry
from inspect_app.models.credit import CreditSnapshot, MerchantGrade, Plan, PlanItem
from inspect_app.models.enforcement import (
    Commitment,
    InspectionReview,
    MerchantReply,
    Order,
    OrderEvent,
    OrderEvidence,
)
from inspect_app.models.inspection import Attachment, Finding, Inspection, InspectionAttachment
from inspect_app.models.instrument import Instrument, RetiredQrToken
from inspect_app.models.place import Market, Merchant, Region
from inspect_app.models.report import Report
from inspect_app.models.rollup import (
    FindingRollup,
    InspectionRollup,
    InspectionRollupByForm,
    InspectionRollupByMarket,
)
from inspect_app.models.user import Device, User

__all__ = [
    "Alert",
    "AlertDelivery",
    "AlertEvent",
    "Attachment",
    "AuditCheckpoint",
    "AuditEntry",
    "ChangeLogEntry",
    "Commitment",
    "CreditSnapshot",
    "Device",
    "Finding",
    "FindingRollup",
    "Inspection",
    "InspectionAttachment",
    "InspectionReview",
    "InspectionRollup",
    "InspectionRollupByForm",
    "InspectionRollupByMarket",
    "Instrument",
    "Market",
    "Merchant",
    "MerchantGrade",
    "MerchantReply",
    "Order",
    "OrderEvent",
    "OrderEvidence",
    "Plan",
    "PlanItem",
    "Region",
    "Report",
    "RetiredQrToken",
    "User",
]
