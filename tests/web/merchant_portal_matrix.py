"""Rows of the authorisation matrix (tests/web/test_authorisation_matrix.py) for the merchant's
side of a finding: the portal's pages and actions (merchant users, their own merchant's only)
and evidence files (the order's merchant user and staff of its district).

Each relation's merchant gets an order the first time a path asks for one: a finding added to
the inspection the World pushed for it, the order it caused, and an evidence photo whose file
is stored as an upload leaves it.
"""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Finding, Inspection, Order, OrderEvidence
from inspect_app.models.enforcement import EvidenceKind, OrderKind, OrderStatus
from inspect_app.models.inspection import FindingDomain
from inspect_app.models.user import Role
from inspect_app.services import evidence_files
from tests import evidence_samples as samples

MERCHANT = {Role.MERCHANT}
SIGNED_IN = set(Role)


def _inspection(w: Any, rel: str) -> Inspection:
    merchant_id = w.merchants[rel].id
    found = db.session.scalar(
        select(Inspection).where(Inspection.merchant_id == merchant_id).order_by(Inspection.id)
    )
    assert found is not None, "the World pushes an inspection per relation"
    return found


def order_of(w: Any, rel: str) -> Order:
    """The relation's merchant's order (made the first time), with one evidence photo."""
    inspection = _inspection(w, rel)
    order = db.session.scalar(select(Order).where(Order.inspection_id == inspection.id))
    if order is not None:
        return order
    instrument = w.instruments[rel]
    finding = Finding(
        inspection_id=inspection.id,
        merchant_id=inspection.merchant_id,
        instrument_id=instrument.id,
        code="SCALE_OUT_OF_TOLERANCE",
        domain=FindingDomain.INSTR,
        severity=3,
        extent=1,
        evidence={},
    )
    db.session.add(finding)
    db.session.flush()
    order = Order(
        kind=OrderKind.REPAIR,
        status=OrderStatus.EVIDENCE_SUBMITTED,
        region_id=w.merchants[rel].region_id,
        merchant_id=inspection.merchant_id,
        instrument_id=instrument.id,
        inspection_id=inspection.id,
        finding_id=finding.id,
        finding_code=finding.code,
        due_date=date.today() + timedelta(days=7),
    )
    db.session.add(order)
    db.session.flush()
    root = Path(w.app.config["ATTACHMENTS_DIR"])
    copy = evidence_files.copy_path(root, f"{order.id:064d}")
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(samples.photo(exif=False))
    db.session.add(
        OrderEvidence(
            order_id=order.id,
            kind=EvidenceKind.PHOTO,
            sha256=f"{order.id:064d}",
            media_type="image/jpeg",
            size_bytes=copy.stat().st_size,
            uploaded_by_id=w.users[Role.INSPECTOR].id,
        )
    )
    db.session.commit()
    return order


def order_path(suffix: str = "") -> Any:
    return lambda w, rel: f"/merchant/orders/{order_of(w, rel).id}{suffix}"


def inspection_path(suffix: str = "") -> Any:
    return lambda w, rel: f"/merchant/inspections/{_inspection(w, rel).id}{suffix}"


def evidence_path(w: Any, rel: str) -> str:
    order = order_of(w, rel)
    evidence_id = db.session.scalar(
        select(OrderEvidence.id).where(OrderEvidence.order_id == order.id)
    )
    return f"/evidence/{evidence_id}/file"


def nothing(_w: Any, _rel: str) -> dict[str, Any]:
    return {}


def photo_upload(_w: Any, _rel: str) -> dict[str, Any]:
    return {"kind": "photo", "file": (io.BytesIO(samples.photo()), "repaired.jpg")}


def reply_body(_w: Any, _rel: str) -> dict[str, Any]:
    return {"body": "秤是新买的，已送检。"}


def commitment_body(_w: Any, _rel: str) -> dict[str, Any]:
    return {"signatory": "王五", "agree": "yes"}


def rows(row: Any, call: Any) -> dict[str, Any]:
    """The rows, built with the matrix's own ``Row`` and ``Call`` (passed in, so this module
    does not import the test module)."""
    return {
        "merchant_portal.order": row(call(False, "GET", order_path()), MERCHANT, scoped=True),
        "merchant_portal.acknowledge": row(
            call(False, "POST", order_path("/acknowledge"), nothing, form=True),
            MERCHANT,
            scoped=True,
        ),
        "merchant_portal.inspection": row(
            call(False, "GET", inspection_path()), MERCHANT, scoped=True
        ),
        "merchant_portal.reply": row(
            call(False, "POST", inspection_path("/reply"), reply_body, form=True),
            MERCHANT,
            scoped=True,
        ),
        "merchant_portal.commitment": row(
            call(False, "GET", lambda w, rel: "/merchant/commitment"), MERCHANT
        ),
        "merchant_portal.sign_commitment": row(
            call(False, "POST", lambda w, rel: "/merchant/commitment", commitment_body, form=True),
            MERCHANT,
        ),
        "evidence.upload": row(
            call(False, "POST", order_path("/evidence"), photo_upload, form=True),
            MERCHANT,
            scoped=True,
        ),
        "evidence.file": row(call(False, "GET", evidence_path), SIGNED_IN, scoped=True),
    }
