"""Wire format of ``/api/v1/sync``: push batches, per-item results, pull pages."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from inspect_app.schemas.common import MAX_JSON_DEPTH, StrictSchema

MAX_BATCH = 500
#: How deep one pushed item may nest (the item itself is level 1): the same bound as any
#: request body's, counted from the item (a batch adds two levels around it).
MAX_ITEM_DEPTH = MAX_JSON_DEPTH - 2
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="must be a lowercase sha256 hex digest")

#: The instants an inspection may carry (``captured_at``, ``started_at``, ``geotag.fix_at``):
#: from 2000-01-01 up to, not including, 2100-01-01 UTC. Nothing outside is a real field
#: record (a tablet whose clock was reset reads 1970), and inside the window every instant
#: converts to UTC and to local time without leaving the calendar (``9999-12-31T23:59:59
#: -12:00`` is in year 10000 in UTC) and fits every database's timestamp type.
EARLIEST_INSTANT = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(2100, 1, 1, tzinfo=UTC)


def plausible_instant(value: datetime) -> None:
    """Validator: ``value`` (timezone-aware) lies in [EARLIEST_INSTANT, LATEST_INSTANT)."""
    try:
        inside = EARLIEST_INSTANT <= value.astimezone(UTC) < LATEST_INSTANT
    except OverflowError:  # the offset pushes it past year 1 or year 9999
        inside = False
    if not inside:
        raise ValidationError("must lie between 2000-01-01T00:00:00Z and 2099-12-31T23:59:59Z")


class GeotagIn(StrictSchema):
    lat = fields.Float(required=True, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, validate=validate.Range(-180, 180))
    #: Metres; 0 is accepted (and flagged as suspect), negative is not.
    accuracy = fields.Float(required=True, validate=validate.Range(min=0, max=1_000_000))
    #: Metres; within 100 km of sea level (anything beyond is not a position on Earth).
    altitude = fields.Float(
        load_default=None, allow_none=True, validate=validate.Range(-100_000, 100_000)
    )
    fix_at = fields.AwareDateTime(load_default=None, allow_none=True, validate=plausible_instant)


class InspectionIn(StrictSchema):
    uuid = fields.UUID(required=True)
    form_key = fields.String(
        required=True, validate=[validate.Length(1, 64), validate.Regexp(r"^[a-z][a-z0-9_]*$")]
    )
    form_version = fields.Integer(required=True, strict=True, validate=validate.Range(1, 10_000))
    started_at = fields.AwareDateTime(
        load_default=None, allow_none=True, validate=plausible_instant
    )
    captured_at = fields.AwareDateTime(required=True, validate=plausible_instant)
    geotag = fields.Nested(GeotagIn, required=True, allow_none=True)
    #: Validated against the form definition by the domain, not here.
    answers = fields.Dict(keys=fields.String(validate=validate.Length(1, 64)), required=True)
    attachments = fields.List(
        fields.String(validate=SHA256), load_default=list, validate=validate.Length(max=100)
    )
    supersedes = fields.UUID(load_default=None, allow_none=True)
    client_verdict = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(["pass", "fail"])
    )


class PushBatchIn(StrictSchema):
    #: Any JSON value per item, null included: each is checked on its own (api/sync.py), so
    #: one malformed item is rejected alone instead of refusing the batch.
    inspections = fields.List(
        fields.Raw(allow_none=True), required=True, validate=validate.Length(1, MAX_BATCH)
    )


class PullQueryIn(StrictSchema):
    # The change log's seq is a 32-bit integer (int4 on PostgreSQL): a larger number cannot be
    # a cursor, and PostgreSQL refuses to compare int4 with it (a 500, found by fuzzing).
    cursor = fields.Integer(load_default=0, validate=validate.Range(min=0, max=2**31 - 1))
    limit = fields.Integer(load_default=500, validate=validate.Range(1, 1000))


class FindingOut(Schema):
    code = fields.String()
    severity = fields.String()
    domain = fields.String()
    title = fields.Dict()
    triggers = fields.List(fields.String())


class ItemResultOut(Schema):
    uuid = fields.String()
    status = fields.String()
    code = fields.String()
    message = fields.String()
    errors = fields.Dict()
    verdict = fields.String()
    findings = fields.List(fields.Nested(FindingOut))
    flags = fields.Dict()
    missing_attachments = fields.List(fields.String())
    closed_orders = fields.List(
        fields.Integer(), metadata={"description": "orders this record closed (re-inspection)"}
    )


def drop_none(data: dict[str, Any]) -> dict[str, Any]:
    """Optional result keys are omitted rather than sent as null."""
    return {k: v for k, v in data.items() if v is not None}


#: Built once and reused: a marshmallow 4 schema keeps no state between calls, and building
#: one (copying and binding its fields, the nested geotag schema's too) costs more than
#: loading an item with it: about 0.2 ms of the 0.3 ms an item took, and 0.14 of the 0.15 ms
#: of dumping its result. The same schemas, so the same validation and messages.
_INSPECTION_IN = InspectionIn()
_ITEM_RESULT_OUT = ItemResultOut()


def load_inspection(raw: dict[str, Any]) -> dict[str, Any]:
    """``InspectionIn().load(raw)`` without building the schema per item.

    :raises ValidationError: exactly as ``InspectionIn().load``.
    """
    loaded: dict[str, Any] = _INSPECTION_IN.load(raw)
    return loaded


def dump_result(result: object) -> dict[str, Any]:
    """``drop_none(ItemResultOut().dump(result))`` without building the schema per result."""
    return drop_none(_ITEM_RESULT_OUT.dump(result))


class PushResultsOut(Schema):
    """``POST /api/v1/sync/push``: one result per pushed item, in the order sent."""

    results = fields.List(fields.Nested(ItemResultOut), required=True)


class ChangeOut(Schema):
    """One entry of a pull page: a reference row as it is now, or its tombstone."""

    entity = fields.String(
        required=True, validate=validate.OneOf(["market", "merchant", "instrument", "order"])
    )
    id = fields.Integer(required=True)
    op = fields.String(required=True, validate=validate.OneOf(["upsert", "delete"]))
    data = fields.Dict(
        required=True, allow_none=True, metadata={"description": "null when op is delete"}
    )


class PullPageOut(Schema):
    """``GET /api/v1/sync/pull``: changes after the cursor; ask again with ``cursor`` while
    ``has_more``."""

    changes = fields.List(fields.Nested(ChangeOut), required=True)
    cursor = fields.String(
        required=True, metadata={"description": "Opaque; send it back as the next cursor."}
    )
    has_more = fields.Boolean(required=True)
