"""Every model, imported here so Alembic's autogenerate and ``flask db check`` see all tables."""

from inspect_app.models.audit import AuditCheckpoint, AuditEntry
from inspect_app.models.change import ChangeLogEntry
from inspect_app.models.inspection import Attachment, Finding, Inspection, InspectionAttachment
from inspect_app.models.instrument import Instrument, RetiredQrToken
from inspect_app.models.place import Market, Merchant, Region
from inspect_app.models.report import Report
from inspect_app.models.user import Device, User

__all__ = [
    "Attachment",
    "AuditCheckpoint",
    "AuditEntry",
    "ChangeLogEntry",
    "Device",
    "Finding",
    "Inspection",
    "InspectionAttachment",
    "Instrument",
    "Market",
    "Merchant",
    "Region",
    "Report",
    "RetiredQrToken",
    "User",
]
