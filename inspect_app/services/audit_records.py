"""The content hash of a stored inspection: the ``record_sha256`` its audit entry carries.

One rule, used when ``sync_push`` writes the ``inspection.create`` entry and when
:func:`inspect_app.services.audit.verify_chain` checks it. Both read the record back from the
database with the same query, so what is hashed is what is stored: a JSON round trip, a float,
or a time zone conversion on SQLite or PostgreSQL cannot make the two disagree.

The record is every column fixed when the inspection was received (``review_state`` is left
out: review changes it later, legitimately) and its findings, sorted, so the hash does not
depend on row order. Migration ``b7e1a9c40d21`` carries a frozen copy of this rule to seal
existing entries: change one, change the other (or record a rule version in the entry).
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection

#: Inspection columns in the record, in the order of the canonical JSON (keys are sorted).
RECORD_COLUMNS = (
    Inspection.uuid,
    Inspection.form_key,
    Inspection.form_version,
    Inspection.inspector_id,
    Inspection.device_id,
    Inspection.merchant_id,
    Inspection.instrument_id,
    Inspection.started_at,
    Inspection.captured_at,
    Inspection.received_at,
    Inspection.lat,
    Inspection.lon,
    Inspection.altitude_m,
    Inspection.accuracy_m,
    Inspection.geotag_status,
    Inspection.geotag_distance_m,
    Inspection.answers,
    Inspection.content_sha256,
    Inspection.evaluation,
    Inspection.verdict,
    Inspection.client_verdict,
    Inspection.supersedes_id,
)
FINDING_COLUMNS = (
    Finding.code,
    Finding.domain,
    Finding.severity,
    Finding.extent,
    Finding.merchant_id,
    Finding.instrument_id,
    Finding.evidence,
    Finding.needs_alert,
)


def canonical_json(value: object) -> str:
    """Sorted keys, no whitespace, UTF-8 text: one byte string per value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _plain(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return aware.isoformat(timespec="microseconds")
    return value


def record_digest(row: Mapping[str, Any], findings: Iterable[Mapping[str, Any]]) -> str:
    """sha256 of the canonical JSON of one inspection row and its finding rows."""
    record = {key: _plain(value) for key, value in row.items()}
    record["findings"] = sorted(
        canonical_json({key: _plain(value) for key, value in f.items()}) for f in findings
    )
    return hashlib.sha256(canonical_json(record).encode()).hexdigest()


def digests_by_uuid(uuids: Collection[str]) -> dict[str, str]:
    """``{uuid: record_sha256}`` for the stored inspections among ``uuids`` (two queries).

    An inspection that is not stored is absent from the result.
    """
    if not uuids:
        return {}
    rows = db.session.execute(
        select(Inspection.id, *RECORD_COLUMNS).where(Inspection.uuid.in_(list(uuids)))
    ).all()
    if not rows:
        return {}
    findings: dict[int, list[Mapping[str, Any]]] = {}
    for f in db.session.execute(
        select(Finding.inspection_id, *FINDING_COLUMNS).where(
            Finding.inspection_id.in_([row.id for row in rows])
        )
    ).mappings():
        findings.setdefault(f["inspection_id"], []).append(
            {key: value for key, value in f.items() if key != "inspection_id"}
        )
    result = {}
    for row in rows:
        fields = {key: value for key, value in row._mapping.items() if key != "id"}
        result[row.uuid] = record_digest(fields, findings.get(row.id, []))
    return result
