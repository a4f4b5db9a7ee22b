"""Nightly grade recomputation of a whole district, as a ratio against reading its rows.

    python bench/bench_credit.py [--merchants 10000] [--years 5] [--rounds 2] [--postgres]

Builds a migrated throw-away database (a SQLite file, or a PostgreSQL database on
127.0.0.1:5432 with --postgres) and inserts, directly and in bulk, a synthetic district:
``--merchants`` merchants with ``--years`` years of history each (an inspection about every
six months, a few awaiting review or corrected, a third with findings of every severity, the
orders of those findings closed on time, late, still open or withdrawn). Then times:

* floor:   a plain SELECT of the district's inspections and of their findings (the rows the
           recomputation reads at least), fetched whole; best of 3;
* history: ``credit_history.histories`` for every merchant (the three statements, the
           Shanghai days, the orders' verdicts), without computing;
* first:   ``credit.recompute_all(as_of, "daily", now, region)`` on an empty snapshot table:
           every history is stored in full; committed;
* nightly: the same again the next day (``--rounds`` times): unchanged histories are stored as
           references, as every night without new inspections; committed.

Prints each, the time per merchant, the ratio to the floor, the bytes a snapshot's inputs
take, and the extrapolation to 100 000 merchants. Not a test: the figures go to
docs/benchmarks.md with the machine they came from.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.domain.traffic_light import LOCAL_ZONE  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import (  # noqa: E402
    CreditSnapshot,
    Finding,
    Inspection,
    Market,
    Merchant,
    Order,
    Region,
    User,
)
from inspect_app.services import credit, credit_history  # noqa: E402

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
AS_OF = date(2026, 11, 30)
#: Catalogue codes by severity (field_forms/violations.toml), weights of how often each is found.
CODES = {
    0: ["SCALE_NOT_LEVEL"],
    1: ["SCALE_NO_VERIFICATION_MARK", "PRICE_LABEL_NON_LEGAL_UNIT", "SCALE_MARKINGS_INCOMPLETE"],
    2: ["SCALE_VERIFICATION_EXPIRED", "SCALE_NON_LEGAL_UNIT", "SCALE_SEAL_NONCONFORMING"],
    3: ["SCALE_OUT_OF_TOLERANCE"],
    4: ["SCALE_CHEATING_DEVICE", "SCALE_TAMPERING", "SCALE_SEAL_BROKEN"],
}
SEVERITY_WEIGHTS = [5, 35, 35, 20, 5]
BATCH = 5000


@contextmanager
def database(postgres: bool, workdir: Path) -> Iterator[str]:
    if not postgres:
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"inspect_bench_credit_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _insert(model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(sa.insert(model), rows[start : start + BATCH])


def _noon(day: date) -> datetime:
    return datetime.combine(day, clock(10), LOCAL_ZONE).astimezone(UTC)


def seed(merchants: int, years: int, rng: random.Random) -> int:
    """The synthetic district; returns its region id."""
    region = Region(code="BENCH", name_zh="基准区", name_en="Bench district")
    db.session.add(region)
    db.session.flush()
    market = Market(
        region_id=region.id,
        code="BENCH-M",
        name_zh="基准市场",
        name_en="Bench market",
        lat=40.856,
        lon=111.684,
        geofence_radius_m=150,
    )
    inspector = User(
        username="bench-inspector",
        display_name="Bench",
        role="inspector",
        region_id=region.id,
        password_hash="x",
    )
    db.session.add_all([market, inspector])
    db.session.flush()
    _insert(
        Merchant,
        [
            {"region_id": region.id, "market_id": market.id, "kind": "stall", "name": f"M{n}"}
            for n in range(merchants)
        ],
    )
    ids = db.session.scalars(sa.select(Merchant.id).order_by(Merchant.id)).all()
    inspections, plan = [], []
    for merchant_id in ids:
        day = AS_OF - timedelta(days=365 * years - rng.randrange(0, 120))
        while day <= AS_OF:
            review = "approved" if rng.random() < 0.95 else rng.choice(["received", "has_issues"])
            inspections.append(
                {
                    "uuid": str(uuid.uuid4()),
                    "form_key": "bazaar_scale",
                    "form_version": 1,
                    "inspector_id": inspector.id,
                    "merchant_id": merchant_id,
                    "captured_at": _noon(day),
                    "received_at": _noon(day),
                    "geotag_status": "ok",
                    "answers": {},
                    "content_sha256": "0" * 64,
                    "evaluation": {},
                    "verdict": "pass",
                    "review_state": review,
                }
            )
            plan.append((merchant_id, day))
            day += timedelta(days=rng.randrange(120, 250))
    _insert(Inspection, inspections)
    rows = db.session.execute(sa.select(Inspection.id).order_by(Inspection.id)).scalars().all()
    findings = []
    for inspection_id, (merchant_id, _day) in zip(rows, plan, strict=True):
        if rng.random() < 0.35:
            for _ in range(rng.choice([1, 1, 1, 2])):
                severity = rng.choices(range(5), SEVERITY_WEIGHTS)[0]
                findings.append(
                    {
                        "inspection_id": inspection_id,
                        "merchant_id": merchant_id,
                        "code": rng.choice(CODES[severity]),
                        "domain": "INSTR",
                        "severity": severity,
                        "extent": rng.choice([1, 1, 1, 2, 3]),
                        "evidence": {},
                    }
                )
    _insert(Finding, findings)
    # A correction of about 3 % of the inspections (a clean re-record of the same visit).
    corrected = rng.sample(list(zip(rows, plan, strict=True)), len(rows) // 33)
    _insert(
        Inspection,
        [
            inspections[0]
            | {
                "uuid": str(uuid.uuid4()),
                "merchant_id": merchant_id,
                "captured_at": _noon(day),
                "received_at": _noon(day),
                "supersedes_id": inspection_id,
            }
            for inspection_id, (merchant_id, day) in corrected
        ],
    )
    found = db.session.execute(
        sa.select(Finding.id, Finding.inspection_id, Finding.code, Finding.merchant_id)
        .where(Finding.severity >= 1)
        .order_by(Finding.id)  # the same district on both engines
    ).all()
    day_of = {i: d for i, (_m, d) in zip(rows, plan, strict=True)}
    orders = []
    for finding_id, inspection_id, code, merchant_id in found:
        due = day_of[inspection_id] + timedelta(days=15)
        fate = rng.choices(["on_time", "late", "open", "withdrawn"], [60, 20, 10, 10])[0]
        closed = {"on_time": due - timedelta(days=3), "late": due + timedelta(days=9)}.get(fate)
        if fate == "open" and due < AS_OF:
            fate = "overdue"
        orders.append(
            {
                "kind": "repair",
                "status": "closed" if closed else fate,
                "region_id": region.id,
                "merchant_id": merchant_id,
                "inspection_id": inspection_id,
                "finding_id": finding_id,
                "finding_code": code,
                "due_date": due,
                "closed_at": _noon(closed) if closed else None,
                "withdrawn_at": _noon(due) if fate == "withdrawn" else None,
            }
        )
    _insert(Order, orders)
    db.session.commit()
    print(
        f"district: {len(ids)} merchants, {len(inspections) + len(corrected)} inspections "
        f"({len(corrected)} corrections), {len(findings)} findings, {len(orders)} orders",
        flush=True,
    )
    return int(region.id)


@dataclass(frozen=True)
class Timed:
    wall: float
    #: This process's CPU time: on a machine shared with other work, steadier than the wall
    #: clock (and all of the work on SQLite; PostgreSQL's backend is not in it).
    cpu: float


def timed(work: Callable[[], Any]) -> Timed:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return Timed(time.perf_counter() - wall, time.process_time() - cpu)


def best(runs: int, work: Callable[[], Any]) -> Timed:
    times = []
    for _ in range(runs):
        times.append(timed(work))
        db.session.rollback()
    return min(times, key=lambda t: t.wall)


def floor(region_id: int) -> None:
    """The rows a recomputation reads at least: the inspections and their findings."""
    in_region = sa.select(Merchant.id).where(Merchant.region_id == region_id)
    inspections = db.session.execute(
        sa.select(
            Inspection.id,
            Inspection.merchant_id,
            Inspection.captured_at,
            Inspection.review_state,
            Inspection.supersedes_id,
        ).where(Inspection.merchant_id.in_(in_region))
    ).all()
    findings = db.session.execute(
        sa.select(
            Finding.id, Finding.inspection_id, Finding.code, Finding.severity, Finding.extent
        ).where(Finding.merchant_id.in_(in_region))
    ).all()
    assert inspections and findings


def inputs_bytes(trigger_day: date) -> float:
    lengths = [
        len(str(inputs))
        for inputs in db.session.scalars(
            sa.select(CreditSnapshot.inputs).where(CreditSnapshot.as_of == trigger_day)
        )
    ]
    return sum(lengths) / max(1, len(lengths))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--merchants", type=int, default=10_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args()
    engine = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"{engine}; {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, SQLAlchemy {sa.__version__}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp, database(args.postgres, Path(tmp)) as uri:
        app = create_app(
            {
                "SECRET_KEY": "bench-secret-key-0123456789",
                "AUDIT_KEY": "bench-audit-key-0123456789",
                "SQLALCHEMY_DATABASE_URI": uri,
                "ATTACHMENTS_DIR": str(Path(tmp) / "attachments"),
            }
        )
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            region = seed(args.merchants, args.years, random.Random(args.seed))
            print(f"seeded in {time.perf_counter() - started:.1f} s", flush=True)
            merchants = args.merchants
            read = best(3, lambda: floor(region))
            history = best(2, lambda: credit_history.histories(region_id=region))
            now = datetime.now(UTC)

            def run(day: date) -> None:
                assert credit.recompute_all(day, "daily", now, region_id=region) == merchants
                db.session.commit()

            def nightly(day: date) -> Timed:
                return timed(lambda: run(day))

            first = nightly(AS_OF)
            full_bytes = inputs_bytes(AS_OF)
            later = [nightly(AS_OF + timedelta(days=n + 1)) for n in range(args.rounds)]
            ref_bytes = inputs_bytes(AS_OF + timedelta(days=1))
            again = min(later, key=lambda t: t.wall)
            grades = dict(
                db.session.execute(
                    sa.select(CreditSnapshot.grade, sa.func.count())
                    .where(CreditSnapshot.as_of == AS_OF)
                    .group_by(CreditSnapshot.grade)
                ).all()
            )
            db.engine.dispose()

    def line(name: str, t: Timed) -> str:
        per, cpu = 1e6 * t.wall / merchants, 1e6 * t.cpu / merchants
        return (
            f"{name:<36} {t.wall:7.2f} s {per:6.0f} µs/merchant × floor {t.wall / read.wall:5.1f}"
            f"   CPU {t.cpu:7.2f} s {cpu:6.0f} µs/merchant × floor {t.cpu / read.cpu:5.1f}"
        )

    print(f"grades on {AS_OF}: {dict(sorted(grades.items()))}")
    print(line("floor: SELECT inspections+findings", read))
    print(line("histories (3 statements, no rule)", history))
    print(line("recompute_all, first (full inputs)", first))
    print(line("recompute_all, nightly (references)", again))
    print(f"inputs per snapshot: {full_bytes:.0f} bytes in full, {ref_bytes:.0f} as a reference")
    print(
        f"100 000 merchants, extrapolated (wall): first {first.wall * 1e5 / merchants / 60:.1f} "
        f"min, nightly {again.wall * 1e5 / merchants / 60:.1f} min"
    )


if __name__ == "__main__":
    main()
