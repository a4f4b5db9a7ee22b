"""What the inspection page shows beyond the record's facts: the evaluation point by point, the
photos, the correction chain and where it was captured.

The evaluation is the server's, stored with the record (``inspection.evaluation``): the rule
pack id and version, then one check per measured field with every number that led to its
outcome. :func:`evaluation` lays each check out as a table of points against their limits
(weighings against the MPE, optical readings against their tolerance, the packages of a
sample against the tolerable deficiency T), with the engine's reasons in the page language.
Column names are keys the template translates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from inspect_app.extensions import db
from inspect_app.models import Attachment, Device, Inspection, Market, Merchant

#: How far back and forward the correction chain is followed (a record is rarely corrected
#: more than twice; the bound keeps a page cheap whatever is stored).
CHAIN_LIMIT = 20


@dataclass(frozen=True)
class Check:
    label: str
    kind: str
    passed: bool | None
    unverified: bool
    reasons: tuple[tuple[bool | None, str], ...]
    columns: tuple[str, ...]
    #: Cell texts of each point, whether the point is within its limit, and a note on the
    #: outcome ("T" / "2T": a package short by more than T or 2T).
    rows: tuple[tuple[tuple[str, ...], bool | None, str], ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    pack_id: str | None
    pack_version: str | None
    checks: tuple[Check, ...]


def _s(value: Any) -> str:
    return "" if value is None else str(value)


def _scale_rows(check: Mapping[str, Any]) -> tuple[tuple[str, ...], list[Any]]:
    columns = ("load", "indication", "error", "error_e", "mpe", "mpe_e", "band", "result")
    rows = [
        (
            (_s(p.get("load")), _s(p.get("indication")), _s(p.get("error")),
             _s(p.get("error_e")), "±" + _s(p.get("mpe")), "±" + _s(p.get("mpe_e")),
             _s(p.get("band"))),
            p.get("passed"),
            "",
        )
        for p in check.get("points", [])
        if isinstance(p, Mapping)
    ]  # fmt: skip
    return columns, rows


def _optics_rows(check: Mapping[str, Any]) -> tuple[tuple[str, ...], list[Any]]:
    columns = ("quantity", "nominal", "measured", "error", "tolerance", "band", "result")
    rows = [
        (
            (_s(p.get("quantity")), f"{_s(p.get('nominal'))} {_s(p.get('unit'))}",
             f"{_s(p.get('measured'))} {_s(p.get('unit'))}", _s(p.get("error")),
             "±" + _s(p.get("tolerance")), _s(p.get("band"))),
            p.get("passed"),
            "",
        )
        for p in check.get("points", [])
        if isinstance(p, Mapping)
    ]  # fmt: skip
    return columns, rows


def _lot_rows(check: Mapping[str, Any]) -> tuple[tuple[str, ...], list[Any]]:
    """Each package of the sample: its net quantity, its shortfall and the limit T."""
    deficiency = check.get("deficiency") or {}
    unit = _s(deficiency.get("unit"))
    t1, t2 = set(check.get("t1_packages") or ()), set(check.get("t2_packages") or ())
    try:
        nominal = Decimal(str(deficiency.get("nominal")))
    except (InvalidOperation, ValueError):
        nominal = None
    columns = ("package", "net", "shortfall", "limit", "result")
    rows = []
    for n, quantity in enumerate(check.get("quantities") or (), start=1):
        short = ""
        if nominal is not None:
            try:
                gap = nominal - Decimal(str(quantity))
                short = f"{gap} {unit}" if gap > 0 else "0"
            except (InvalidOperation, ValueError):
                short = ""
        band = "2T" if n in t2 else "T" if n in t1 else ""
        rows.append(
            ((str(n), f"{quantity} {unit}", short, f"T = {_s(check.get('t'))} {unit}"),
             n not in t1 and n not in t2, band)
        )  # fmt: skip
    return columns, rows


def _reasons(check: Mapping[str, Any], lang: str) -> tuple[tuple[bool | None, str], ...]:
    out = []
    for reason in check.get("reasons") or ():
        if isinstance(reason, Mapping):
            out.append((reason.get("ok"), _s(reason.get(lang) or reason.get("en"))))
    return tuple(out)


def _sources(check: Mapping[str, Any]) -> tuple[str, ...]:
    seen: list[str] = []
    for citation in check.get("citations") or ():
        source = citation.get("source") if isinstance(citation, Mapping) else None
        if isinstance(source, Mapping):
            label = (
                f"{_s(source.get('short'))} · {_s(citation.get('table'))} {_s(citation.get('row'))}"
            )
            if label not in seen:
                seen.append(label)
    return tuple(seen)


def evaluation(stored: Mapping[str, Any], labels: Mapping[str, str], lang: str) -> Evaluation:
    """The stored evaluation as tables (see the module docstring)."""
    raw_pack = stored.get("pack")
    pack: Mapping[str, Any] = raw_pack if isinstance(raw_pack, Mapping) else {}
    checks = []
    for check in stored.get("checks") or ():
        if not isinstance(check, Mapping):
            continue
        kind = _s(check.get("kind"))
        points = check.get("points") or []
        if kind == "lot":
            columns, rows = _lot_rows(check)
        elif points and isinstance(points[0], Mapping) and "load" in points[0]:
            columns, rows = _scale_rows(check)
        elif points:
            columns, rows = _optics_rows(check)
        else:
            columns, rows = (), []
        path = _s(check.get("path"))
        checks.append(
            Check(
                label=labels.get(path, path),
                kind=kind,
                passed=check.get("passed"),
                unverified=bool(check.get("unverified")),
                reasons=_reasons(check, lang),
                columns=columns,
                rows=tuple((tuple(cells), ok, note) for cells, ok, note in rows),
                sources=_sources(check),
            )
        )
    return Evaluation(_s(pack.get("id")) or None, _s(pack.get("version")) or None, tuple(checks))


# ---------------------------------------------------------------- the record around it


@dataclass(frozen=True)
class Photo:
    sha256: str
    field_path: str
    #: The bytes arrived (an EXIF-free copy can be served); else still expected.
    received: bool


def photos(inspection: Inspection) -> list[Photo]:
    """The photos the answers reference, in the order they were referenced."""
    refs = sorted(inspection.attachments, key=lambda a: a.id)
    shas = {a.sha256 for a in refs}
    stored = (
        set(db.session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(shas))))
        if shas
        else set()
    )
    return [Photo(a.sha256, a.field_path, a.sha256 in stored) for a in refs]


def chain(inspection: Inspection) -> list[Inspection]:
    """Every version of the record, oldest first: what it corrected, and what corrected it."""
    older: list[Inspection] = []
    current = inspection
    while current.supersedes_id is not None and len(older) < CHAIN_LIMIT:
        found = db.session.get(Inspection, current.supersedes_id)
        if found is None:
            break
        older.insert(0, found)
        current = found
    newer: list[Inspection] = []
    current = inspection
    while len(newer) < CHAIN_LIMIT:
        found = db.session.scalar(select(Inspection).where(Inspection.supersedes_id == current.id))
        if found is None:
            break
        newer.append(found)
        current = found
    return [*older, inspection, *newer]


def device(inspection: Inspection) -> Device | None:
    return db.session.get(Device, inspection.device_id) if inspection.device_id else None


@dataclass(frozen=True)
class Place:
    """Where the geotag is judged from: the market's centre and geofence, or the merchant's
    own location (shops outside a market), or nothing."""

    lat: float | None
    lon: float | None
    radius_m: int | None
    market: Market | None


def reference_place(merchant: Merchant) -> Place:
    market = db.session.get(Market, merchant.market_id) if merchant.market_id else None
    if market is not None:
        return Place(market.lat, market.lon, market.geofence_radius_m, market)
    return Place(merchant.lat, merchant.lon, None, None)
