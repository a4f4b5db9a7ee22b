"""The rows of the synthetic history: one inspection record (and its findings) at a time.

See :mod:`inspect_app.services.synth` for what the history looks like; this module draws each
record: the merchant and inspector, a capture time on the planned day (08:00-18:30 local),
the form and an engine-judged template (pass or fail by a failure rate that falls over the
years, one district and some markets worse), its geotag, review state and content hash, and
the record's contribution to the rollups (:class:`inspect_app.services.rollups.Fact`).
"""

from __future__ import annotations

import hashlib
import math
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from inspect_app.domain.geo import Geofence, Geotag, evaluate_geotag
from inspect_app.models.inspection import FindingDomain, GeotagStatus, ReviewState, Verdict
from inspect_app.models.place import MerchantKind
from inspect_app.models.rollup import NO_MARKET
from inspect_app.services import rollups, synth_templates, synth_world
from inspect_app.services.rollups import LOCAL_TZ, Fact
from inspect_app.services.synth_templates import LAPSED_DAYS, VALID_DAYS, Template

_DAY, _LAPSED, _VALID = (
    d.isoformat() for d in (synth_templates.DAY, synth_templates.LAPSED, synth_templates.VALID)
)
Pools = dict[str, tuple[list[Template], list[Template]]]


_Geo = tuple[
    str, float | None, float | None, float | None, float | None, GeotagStatus, float | None
]
_MISSING: _Geo = ("null", None, None, None, None, GeotagStatus.MISSING, None)
MARKET_FIXES, SHOP_FIXES = 256, 12


@dataclass
class Record:
    """One inspection row, its finding rows and its contribution to the rollups."""

    row: dict[str, Any]
    findings: list[dict[str, Any]]
    fact: Fact
    merchant: synth_world.MerchantInfo
    captured: datetime


@dataclass
class RowMaker:
    """Draws records with one random generator, so a seed gives the same history."""

    rng: random.Random
    world: synth_world.World
    pools: Pools
    today: date
    now: datetime
    first: date
    span: int
    region_bias: dict[int, float]
    geo_pools: dict[tuple[float, float, float], list[_Geo]] = field(default_factory=dict)

    def _template(
        self, merchant: synth_world.MerchantInfo, day: date, fail_bias: float
    ) -> tuple[Template, dict[int, tuple[int, str]], int | None]:
        rng = self.rng
        if merchant.kind == MerchantKind.OPTICAL_SHOP:
            key, slots, instrument_id = (
                "optical_shop",
                {s: (i, c) for i, c, s in merchant.instruments},
                None,
            )
        elif merchant.kind == MerchantKind.PACKER or (
            merchant.kind == MerchantKind.GROCERY and rng.random() < 0.3
        ):
            key, slots, instrument_id = "prepackaged_goods", {}, None
        else:
            i, code, model = rng.choice(merchant.instruments)
            key, slots, instrument_id = f"scale:{model}", {0: (i, code)}, i
        t = (day - self.first).days / self.span
        market_bias = ((merchant.market_id or 0) % 5 - 2) * 0.015
        failing = (
            rng.random()
            < 0.20 - 0.11 * t + self.region_bias[merchant.region_id] + market_bias + fail_bias
        )
        passing_pool, failing_pool = self.pools[key]
        return rng.choice(failing_pool if failing else passing_pool), slots, instrument_id

    def record(self, day: date, corrected: bool, original: Record | None = None) -> Record:
        rng = self.rng
        if original is None:
            merchant = rng.choice(self.world.merchants)
            captured = datetime.combine(day, time(8), tzinfo=LOCAL_TZ) + timedelta(
                minutes=rng.randint(0, 630)
            )
            inspector = rng.choice(self.world.inspectors[merchant.region_id])
        else:
            merchant, inspector = original.merchant, original.row["inspector_id"]
            captured = original.captured + timedelta(minutes=rng.randint(5, 90))
        captured = captured.astimezone(UTC)
        template, slots, instrument_id = self._template(merchant, day, -0.1 if original else 0.0)
        delay = (
            timedelta(minutes=rng.randint(1, 120))
            if rng.random() < 0.8
            else timedelta(hours=rng.randint(3, 72))
        )
        received = min(captured + delay, self.now)
        started = captured - timedelta(minutes=rng.randint(3, 25))
        replace = [
            (_DAY, day.isoformat()),
            (_LAPSED, (day - timedelta(days=LAPSED_DAYS)).isoformat()),
            (_VALID, (day + timedelta(days=VALID_DAYS)).isoformat()),
        ]
        replace += [(f'"SYNTHSLOT{s}"', f'"{c}"') for s, (_i, c) in slots.items()]
        answers = template.answers.replace('"merchant": 987654321', f'"merchant": {merchant.id}')
        evaluation = template.evaluation
        for old, new in replace:
            answers, evaluation = answers.replace(old, new), evaluation.replace(old, new)
        geotag, lat, lon, accuracy, altitude, status, distance = self._geotag(merchant)
        uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        supersedes = f'"{original.row["uuid"]}"' if original else "null"
        canonical = (
            f'{{"answers": {answers}, "attachments": [], "captured_at": "{captured.isoformat()}", '
            f'"form_key": "{template.form_key}", "form_version": 1, "geotag": {geotag}, '
            f'"started_at": "{started.isoformat()}", "supersedes": {supersedes}, "uuid": "{uid}"}}'
        )
        age = (self.today - day).days
        review = ReviewState.HAS_ISSUES if corrected and rng.random() < 0.6 else _review(rng, age)
        verdict = Verdict(template.verdict)
        row = {
            "uuid": uid,
            "form_key": template.form_key,
            "form_version": 1,
            "inspector_id": inspector,
            "device_id": None,
            "merchant_id": merchant.id,
            "instrument_id": instrument_id,
            "started_at": started,
            "captured_at": captured,
            "received_at": received,
            "lat": lat,
            "lon": lon,
            "altitude_m": altitude,
            "accuracy_m": accuracy,
            "geotag_status": status,
            "geotag_distance_m": distance,
            "answers_raw": answers,
            "evaluation_raw": evaluation,
            "content_sha256": hashlib.sha256(canonical.encode()).hexdigest(),
            "verdict": verdict,
            "review_state": review,
            "is_demo": True,
            "client_verdict": verdict.value if rng.random() > 0.02 else _other(verdict),
            "supersedes_id": None,
        }
        findings = []
        for f in template.findings:
            evidence = f.evidence
            for old, new in replace:
                evidence = evidence.replace(old, new)
            findings.append(
                {
                    "merchant_id": merchant.id,
                    "code": f.code,
                    "domain": FindingDomain(f.domain),
                    "severity": f.severity,
                    "extent": 1,
                    "evidence_raw": evidence,
                    "needs_alert": f.needs_alert,
                    "created_at": received,
                    "instrument_id": None if f.slot is None else slots.get(f.slot, (None, ""))[0],
                }
            )
        fact = Fact(
            merchant.region_id,
            rollups.local_day(captured),
            merchant.market_id or NO_MARKET,
            template.form_key,
            verdict == Verdict.FAIL,
            lat is not None,
            tuple((f.code, f.severity) for f in template.findings),
        )
        return Record(row, findings, fact, merchant, captured)

    def correction(self, original: Record, original_id: int) -> Record:
        record = self.record(original.fact.day, False, original)
        record.row["supersedes_id"] = original_id
        return record

    def _geotag(self, merchant: synth_world.MerchantInfo) -> _Geo:
        """A geotag from the pool of the merchant's reference point (one in ten missing).

        Each pool is judged once by the domain's geotag rule: a market's pool holds
        :data:`MARKET_FIXES` fixes, a shop's :data:`SHOP_FIXES` (it never moves).
        """
        if merchant.ref is None or self.rng.random() < 0.10:
            return _MISSING
        pool = self.geo_pools.get(merchant.ref)
        if pool is None:
            size = MARKET_FIXES if merchant.market_id is not None else SHOP_FIXES
            pool = self.geo_pools[merchant.ref] = [self._fix(merchant.ref) for _ in range(size)]
        return self.rng.choice(pool)

    def _fix(self, ref: tuple[float, float, float]) -> _Geo:
        rng = self.rng
        ref_lat, ref_lon, radius = ref
        roll = rng.random()
        metres = (
            rng.uniform(0, 0.7 * radius)
            if roll < 0.85
            else (rng.uniform(radius, radius + 150) if roll < 0.95 else rng.uniform(300, 3000))
        )
        bearing = rng.uniform(0, 2 * math.pi)
        lat = round(ref_lat + metres * math.cos(bearing) / 111_320, 6)
        lon = round(
            ref_lon + metres * math.sin(bearing) / (111_320 * math.cos(math.radians(ref_lat))), 6
        )
        roll = rng.random()
        accuracy = (
            float(rng.randint(3, 35))
            if roll < 0.95
            else (0.0 if roll < 0.955 else float(rng.randint(101, 400)))
        )
        altitude = round(rng.gauss(1050, 8), 1)
        result = evaluate_geotag(
            Geotag(lat, lon, accuracy, altitude), Geofence(ref_lat, ref_lon, radius)
        )
        wire = (
            f'{{"accuracy": {accuracy!r}, "altitude": {altitude!r}, "fix_at": null, '
            f'"lat": {lat!r}, "lon": {lon!r}}}'
        )
        return wire, lat, lon, accuracy, altitude, GeotagStatus(result.status), result.distance_m


def _review(rng: random.Random, age_days: int) -> ReviewState:
    roll = rng.random()
    if age_days > 30:
        return (
            ReviewState.APPROVED
            if roll < 0.93
            else (ReviewState.HAS_ISSUES if roll < 0.97 else ReviewState.RECEIVED)
        )
    return (
        ReviewState.RECEIVED
        if roll < 0.7
        else (ReviewState.APPROVED if roll < 0.98 else ReviewState.HAS_ISSUES)
    )


def _other(verdict: Verdict) -> str:
    return (Verdict.PASS if verdict == Verdict.FAIL else Verdict.FAIL).value
