"""Storing inspections the way ingest does for the read models, and the counting rule
restated plainly, for the rollup and dashboard tests.

``store`` adds an inspection row (with findings) and then calls ``rollups.after_ingest`` on
it, which is the call push_batch makes once the lead wires it (docs/dashboards.md); the tests
do not depend on the ingest service being rewritten meanwhile.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection, InspectionRollup, Merchant, User
from inspect_app.models.inspection import FindingDomain, GeotagStatus, Verdict
from inspect_app.services import rollups

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Real catalogue codes with their severities (field_forms/violations.toml).
CODES = {
    "SCALE_NOT_LEVEL": 0,
    "SCALE_MARKINGS_INCOMPLETE": 1,
    "SCALE_VERIFICATION_EXPIRED": 2,
    "SCALE_OUT_OF_TOLERANCE": 3,
    "SCALE_CHEATING_DEVICE": 4,
}


def store(
    inspector: User,
    merchant: Merchant,
    captured_at: datetime,
    *,
    form_key: str = "bazaar_scale",
    codes: Sequence[str] = (),
    located: bool = True,
    supersedes: Inspection | None = None,
) -> Inspection:
    """Store one inspection with findings of ``codes`` and count it (flushes, no commit)."""
    failing = any(CODES[c] >= 1 for c in codes)
    inspection = Inspection(
        uuid=str(uuid.uuid4()),
        form_key=form_key,
        form_version=1,
        inspector_id=inspector.id,
        merchant_id=merchant.id,
        captured_at=captured_at,
        received_at=captured_at,
        lat=40.856 if located else None,
        lon=111.684 if located else None,
        accuracy_m=8.0 if located else None,
        geotag_status=GeotagStatus.OK if located else GeotagStatus.MISSING,
        answers={"merchant": merchant.id},
        content_sha256=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
        evaluation={"checks": []},
        verdict=Verdict.FAIL if failing else Verdict.PASS,
        supersedes_id=supersedes.id if supersedes else None,
        findings=[
            Finding(
                merchant_id=merchant.id,
                code=code,
                domain=FindingDomain.INSTR,
                severity=CODES[code],
                evidence={},
            )
            for code in codes
        ],
    )
    db.session.add(inspection)
    db.session.flush()
    rollups.after_ingest([inspection])
    return inspection


def expected_fine() -> dict[tuple[int, date, int, str], list[int]]:
    """The fine rollup restated: current inspections by district, local day, market, form."""
    superseded = set(db.session.scalars(select(Inspection.supersedes_id)))
    counts: dict[tuple[int, date, int, str], list[int]] = defaultdict(lambda: [0] * 8)
    for inspection in db.session.scalars(select(Inspection)):
        if inspection.id in superseded:
            continue
        merchant = db.session.get(Merchant, inspection.merchant_id)
        assert merchant is not None
        day = inspection.captured_at.astimezone(SHANGHAI).date()
        row = counts[(merchant.region_id, day, merchant.market_id or 0, inspection.form_key)]
        row[0] += 1
        row[1] += inspection.verdict == Verdict.FAIL
        for finding in inspection.findings:
            row[2 + finding.severity] += 1
            row[7] += inspection.lat is not None
    return dict(counts)


def stored_fine() -> dict[tuple[int, date, int, str], list[int]]:
    """The fine rollup as stored, all-zero rows left out."""
    out = {}
    for row in db.session.scalars(select(InspectionRollup)):
        values = [getattr(row, name) for name in rollups.COUNTS]
        if any(values):
            out[(row.region_id, row.day, row.market_key, row.form_key)] = values
    return out
