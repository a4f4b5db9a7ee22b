"""Building one inspection record from a validated submission, and describing it back.

Used by ``sync_push`` (and by the demo history, which goes through the same path).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from inspect_app.domain.evaluation import Evaluation, InstrumentFacts, evaluate, verdict_of
from inspect_app.domain.forms import FormDefinition, FormStatus, photo_refs
from inspect_app.domain.geo import DEFAULT_RADIUS_M, Geofence, Geotag, evaluate_geotag
from inspect_app.domain.quantities import MeasurementError
from inspect_app.domain.rulepacks import RulePack
from inspect_app.errors import CATALOGUE
from inspect_app.extensions import db
from inspect_app.formdefs import FormRegistry
from inspect_app.models import (
    Attachment,
    Device,
    Inspection,
    Instrument,
    Merchant,
    User,
)
from inspect_app.models.inspection import FindingDomain, GeotagStatus, Verdict
from inspect_app.services.inspection_draft import InspectionDraft

if TYPE_CHECKING:
    from inspect_app.services.sync_lookups import Lookups

#: Inspections are judged on the local calendar day (verification expiry is a date).
LOCAL_TZ = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class PushItem:
    """One submission that passed the wire schema; ``content_sha256`` identifies its content."""

    uuid: str
    form_key: str
    form_version: int
    captured_at: datetime
    answers: dict[str, Any]
    geotag: dict[str, Any] | None = None
    started_at: datetime | None = None
    attachments: list[str] = field(default_factory=list)
    supersedes: str | None = None
    client_verdict: str | None = None
    content_sha256: str = ""

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> PushItem:
        """From the schema's output; the hash covers everything but the client's preview."""
        fields = {
            "uuid": str(data["uuid"]),
            "form_key": data["form_key"],
            "form_version": data["form_version"],
            "captured_at": data["captured_at"],
            "answers": data["answers"],
            "geotag": data.get("geotag"),
            "started_at": data.get("started_at"),
            "attachments": sorted(set(data.get("attachments") or [])),
            "supersedes": str(data["supersedes"]) if data.get("supersedes") else None,
        }
        canonical = json.dumps(fields, sort_keys=True, default=_json_default, ensure_ascii=False)
        # surrogatepass: the same bytes as UTF-8 for any real text (so stored hashes stay
        # valid), and no crash on a lone surrogate, which the edge refuses anyway.
        digest = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
        return cls(**fields, client_verdict=data.get("client_verdict"), content_sha256=digest)


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


@dataclass(frozen=True)
class ItemResult:
    uuid: str
    status: str
    code: str | None = None
    errors: dict[str, Any] | None = None
    verdict: str | None = None
    findings: list[dict[str, Any]] | None = None
    flags: dict[str, Any] | None = None
    missing_attachments: list[str] | None = None
    #: Orders this record closed (a re-inspection that no longer found their code).
    closed_orders: list[int] | None = None


class Rejected(Exception):
    """An item refused with a catalogue code; the batch goes on."""

    def __init__(self, code: str, errors: dict[str, Any] | None = None, status: str = "") -> None:
        super().__init__(code)
        assert code in CATALOGUE
        self.code = code
        self.errors = errors
        self.status = status or ("stale" if code == "SYNC_SUPERSEDE_STALE" else "rejected")

    def result(self, uuid: str) -> ItemResult:
        return ItemResult(uuid, self.status, code=self.code, errors=self.errors)


def definition_for(forms: FormRegistry, key: str, version: int) -> FormDefinition:
    """The definition a submission was made with; closed or unknown forms are refused."""
    if not forms.versions(key):
        raise Rejected("FORM_UNKNOWN", {"form_key": [f"unknown form {key!r}"]})
    definition = forms.get(key, version)
    if definition is None:
        raise Rejected(
            "FORM_VERSION_UNKNOWN", {"form_version": [f"published: {forms.versions(key)}"]}
        )
    if forms.status(key, version) == FormStatus.CLOSED:
        raise Rejected("FORM_CLOSED")
    return definition


def _facts(instrument: Instrument) -> InstrumentFacts:
    return InstrumentFacts(
        code=instrument.code,
        kind=instrument.kind.value,
        accuracy_class=instrument.accuracy_class,
        max=instrument.max_capacity,
        min=instrument.min_capacity,
        e=instrument.e_value,
        d=instrument.d_value,
        valid_until=instrument.valid_until,
    )


def _geofence(merchant: Merchant) -> Geofence | None:
    if merchant.market is not None:
        m = merchant.market
        return Geofence(m.lat, m.lon, float(m.geofence_radius_m))
    if merchant.lat is not None and merchant.lon is not None:
        return Geofence(merchant.lat, merchant.lon, DEFAULT_RADIUS_M)
    return None


def _evaluate(
    definition: FormDefinition,
    item: PushItem,
    instruments: dict[str, Instrument],
    pack: RulePack,
) -> Evaluation:
    facts = {path: _facts(instrument) for path, instrument in instruments.items()}
    try:
        local_day = item.captured_at.astimezone(LOCAL_TZ).date()
    except OverflowError as exc:  # e.g. 9999-12-31T23:59:59-12:00: past the calendar's end
        raise Rejected("VALIDATION_FAILED", {"captured_at": ["outside the calendar"]}) from exc
    try:
        return evaluate(definition, item.answers, facts, pack, local_day)
    except MeasurementError as exc:
        raise Rejected(
            "MEASUREMENT_INVALID",
            {
                "_measurement": [exc.en, exc.zh],
                "code": [exc.code],
                **{k: [v] for k, v in exc.details.items()},
            },
        ) from exc


def build_inspection(
    actor: User,
    device: Device | None,
    item: PushItem,
    definition: FormDefinition,
    forms: FormRegistry,
    pack: RulePack,
    received_at: datetime,
    lookups: Lookups,
) -> InspectionDraft:
    """The record to store for a submission, with its findings and expected attachments.

    Makes no query of its own: what the item cites comes from ``lookups``. A correction of a
    record still pending in the same batch gets its ``supersedes_id`` when that is inserted.

    :raises Rejected: unknown merchant / instrument, out of region, supersede problems,
        measurements the engine refuses.
    """
    merchant = lookups.merchant(actor, item.answers)
    instruments = lookups.cited_instruments(actor, merchant, definition, item.answers)
    original_id = lookups.superseded(actor, item.supersedes)
    evaluation = _evaluate(definition, item, instruments, pack)
    verdict = verdict_of(evaluation, forms.violations)
    geotag = None
    if item.geotag is not None:
        g = item.geotag
        geotag = Geotag(g["lat"], g["lon"], g["accuracy"], g.get("altitude"))
    geo = evaluate_geotag(geotag, _geofence(merchant))
    distinct = {i.id: i for i in instruments.values()}
    by_code = {i.code: i for i in instruments.values()}
    findings = []
    for draft in evaluation.findings:
        violation = forms.violations[draft.code]
        instrument = by_code.get(draft.instrument_code or "")
        findings.append(
            {
                "merchant_id": merchant.id,
                "instrument_id": instrument.id if instrument else None,
                "code": draft.code,
                "domain": FindingDomain(violation.domain),
                "severity": violation.severity_rank,
                "extent": 1,
                "evidence": {"path": draft.path, **draft.evidence},
                "needs_alert": "alert" in violation.triggers,
                "created_at": received_at,
            }
        )
    photos = [
        {"sha256": sha, "field_path": "photo"}
        for sha in dict.fromkeys([*photo_refs(definition, item.answers), *item.attachments])
    ]
    columns = {
        "uuid": item.uuid,
        "form_key": item.form_key,
        "form_version": item.form_version,
        "inspector_id": actor.id,
        "device_id": device.id if device else None,
        "merchant_id": merchant.id,
        "instrument_id": next(iter(distinct)) if len(distinct) == 1 else None,
        "started_at": item.started_at,
        "captured_at": item.captured_at,
        "received_at": received_at,
        "lat": geotag.lat if geotag else None,
        "lon": geotag.lon if geotag else None,
        "altitude_m": geotag.altitude_m if geotag else None,
        "accuracy_m": geotag.accuracy_m if geotag else None,
        "geotag_status": GeotagStatus(geo.status),
        "geotag_distance_m": geo.distance_m,
        "answers": item.answers,
        "content_sha256": item.content_sha256,
        "evaluation": evaluation.to_dict(),
        "verdict": Verdict(verdict),
        "client_verdict": item.client_verdict,
        "supersedes_id": original_id,
        "is_demo": actor.is_demo,
    }
    return InspectionDraft(columns, findings, photos)


def result_for(inspection: Inspection, status: str) -> ItemResult:
    """What the client is told about a stored inspection (the same on every resend)."""
    [result] = results_for([inspection], status)
    return result


def results_for(inspections: Sequence[Inspection], status: str) -> list[ItemResult]:
    """:func:`result_for` of each, with one query for the photos already received."""
    shas = {a.sha256 for inspection in inspections for a in inspection.attachments}
    received = (
        set(db.session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(shas))))
        if shas
        else set()
    )
    return [_describe(inspection, status, received) for inspection in inspections]


def _describe(inspection: Inspection, status: str, received: set[str]) -> ItemResult:
    shas = [a.sha256 for a in inspection.attachments]
    findings = [
        {"code": f.code, "severity": f"S{f.severity}", "domain": f.domain.value}
        for f in inspection.findings
    ]
    return ItemResult(
        uuid=inspection.uuid,
        status=status,
        verdict=inspection.verdict.value,
        findings=findings,
        flags={
            "geotag": inspection.geotag_status.value,
            "geotag_distance_m": None
            if inspection.geotag_distance_m is None
            else round(inspection.geotag_distance_m, 1),
            "clock_skew": inspection.clock_skew,
            "verdict_discrepancy": inspection.verdict_discrepancy,
        },
        missing_attachments=[s for s in shas if s not in received],
    )
