"""Every model, imported here so Alembic's autogenerate and ``flask db check`` see all tables."""

from inspect_app.models.audit import AuditEntry
from inspect_app.models.change import ChangeLogEntry
from inspect_app.models.inspection import Attachment, Finding, Inspection, InspectionAttachment
from inspect_app.models.instrument import Instrument
from inspect_app.models.place import Market, Merchant, Region
from inspect_app.models.user import Device, User

__all__ = [
    "Attachment",
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
    "User",
]
