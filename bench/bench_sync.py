"""Sync ingest speed, as a ratio against a floor measured in the same run.

    python bench/bench_sync.py [--items 500] [--rounds 3] [--postgres] [--profile service|http]

Builds a migrated throw-away database (SQLite file, or a PostgreSQL database on
127.0.0.1:5432 with --postgres), registers a stall with a scale, then times for one batch of
N bazaar-scale inspections:

* floor:   a raw bulk INSERT of the same N inspection rows (what storing costs at least): a
           row push_batch stored, copied with fresh uuids and each item's answers;
* bare floor: the floor of the first version of this script, kept for comparison: the same
           insert with an empty ``evaluation`` and dummy hash (cheaper than the real rows);
* push_batch alone: ``sync_push.push_batch`` (validation, evaluation, insert, audit,
           after-insert hooks) and the commit, on envelopes parsed beforehand;
* service: the same with the envelopes' parsing (``InspectionIn().load``, as the first
           version of this script timed it);
* http:    the same batch through ``POST /api/v1/sync/push`` (JSON, auth, schema), test client.

Each is the best of ``--rounds`` runs on fresh uuids, the cases taking turns so that load
from other processes hits them alike. ``--profile service|http`` then prints where the time
of one more run goes. Not a test: numbers go to docs/benchmarks.md with the machine they
came from.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import platform
import pstats
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import Inspection, Region, User  # noqa: E402
from inspect_app.models.instrument import InstrumentKind  # noqa: E402
from inspect_app.models.place import MerchantKind  # noqa: E402
from inspect_app.models.user import Role  # noqa: E402
from inspect_app.registry import forms, rule_pack  # noqa: E402
from inspect_app.schemas.sync import InspectionIn  # noqa: E402
from inspect_app.services import accounts, reference, sync_push  # noqa: E402
from inspect_app.services.inspection_record import PushItem  # noqa: E402
from tests.payloads import item, scale_answers  # noqa: E402


def _database(postgres: bool, workdir: Path) -> tuple[str, Callable[[], None]]:
    if not postgres:
        return f"sqlite:///{workdir / 'bench.sqlite3'}", lambda: None
    admin = sa.create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres", isolation_level="AUTOCOMMIT"
    )
    name = f"inspect_bench_{os.getpid()}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def _best(rounds: int, *runs: Callable[[], float | None]) -> list[float]:
    """The best wall time of each run over ``rounds`` rounds, the runs taking turns (a run
    that times itself returns its time)."""
    best = [float("inf")] * len(runs)
    for _ in range(rounds):
        for index, run in enumerate(runs):
            start = time.perf_counter()
            own = run()
            best[index] = min(best[index], own or time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument(
        "--profile",
        choices=["service", "http"],
        help="after timing, run one more round of this path under cProfile and print the top",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        uri, drop = _database(args.postgres, Path(tmp))
        try:
            engine = "PostgreSQL" if args.postgres else "SQLite"
            _run(uri, Path(tmp), args.items, args.rounds, engine, args.profile)
        finally:
            drop()


def _profile(run: Callable[[], None]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    run()
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)


def _run(uri: str, tmp: Path, n: int, rounds: int, engine: str, profile: str | None) -> None:
    app = create_app(
        {
            "SECRET_KEY": "bench-secret-key-0123",
            "AUDIT_KEY": "bench-audit-key-0123",
            "SQLALCHEMY_DATABASE_URI": uri,
            "ATTACHMENTS_DIR": str(tmp / "att"),
        }
    )
    with app.app_context():
        upgrade()
        region = Region(code="B", name_zh="区", name_en="Region")
        db.session.add(region)
        db.session.flush()
        market = reference.add_market(
            None,
            region_id=region.id,
            code="BM",
            name_zh="市场",
            name_en="Market",
            lat=40.856,
            lon=111.684,
            geofence_radius_m=150,
        )
        merchant = reference.add_merchant(
            None, region_id=region.id, market_id=market.id, kind=MerchantKind.STALL, name="摊位"
        )
        scale = reference.add_instrument(
            None,
            merchant,
            code="NM-B-1",
            kind=InstrumentKind.PRICE_COMPUTING_SCALE,
            accuracy_class="III",
            max_capacity=15000,
            min_capacity=40,
            e_value=5,
            d_value=5,
        )
        inspector = User(
            username="bench",
            display_name="bench",
            role=Role.INSPECTOR,
            region_id=region.id,
            password_hash=accounts.hash_password("bench-pw"),
        )
        db.session.add(inspector)
        db.session.commit()
        rules = (forms(), rule_pack())

        def batch() -> list[dict[str, object]]:
            return [item("bazaar_scale", scale_answers(merchant.id, scale.code)) for _ in range(n)]

        # The row push_batch stores for one item, as the floor's template (ids and uuid aside).
        service_once = [item("bazaar_scale", scale_answers(merchant.id, scale.code))]
        sync_push.push_batch(
            inspector, None, [PushItem.from_wire(InspectionIn().load(service_once[0]))], *rules
        )
        db.session.commit()
        template = dict(db.session.execute(sa.select(Inspection.__table__)).mappings().one())
        del template["id"]

        def floor() -> None:
            rows = [
                template | {"uuid": str(uuid.uuid4()), "answers": b["answers"]} for b in batch()
            ]
            db.session.execute(sa.insert(Inspection), rows)
            db.session.commit()

        def bare_floor() -> None:
            now = datetime.now(UTC)
            rows = [
                {
                    "uuid": str(uuid.uuid4()),
                    "form_key": "bazaar_scale",
                    "form_version": 1,
                    "inspector_id": inspector.id,
                    "merchant_id": merchant.id,
                    "instrument_id": scale.id,
                    "captured_at": now,
                    "received_at": now,
                    "geotag_status": "ok",
                    "answers": b["answers"],
                    "content_sha256": "0" * 64,
                    "evaluation": {},
                    "verdict": "pass",
                    "review_state": "received",
                    "is_demo": False,
                }
                for b in batch()
            ]
            db.session.execute(sa.insert(Inspection), rows)
            db.session.commit()

        def service() -> None:
            items = [PushItem.from_wire(InspectionIn().load(b)) for b in batch()]
            results = sync_push.push_batch(inspector, None, items, *rules)
            assert all(r.status == "created" for r in results)
            db.session.commit()

        def push_only() -> float:
            items = [PushItem.from_wire(InspectionIn().load(b)) for b in batch()]
            start = time.perf_counter()
            results = sync_push.push_batch(inspector, None, items, *rules)
            db.session.commit()
            elapsed = time.perf_counter() - start
            assert all(r.status == "created" for r in results)
            return elapsed

        client = app.test_client()
        token = client.post(
            "/api/v1/auth/token",
            json={"username": "bench", "password": "bench-pw", "device_name": "bench"},
        ).get_json()
        headers = {"Authorization": f"Bearer {token['token']}"}

        def http() -> None:
            response = client.post(
                "/api/v1/sync/push", json={"inspections": batch()}, headers=headers
            )
            assert response.status_code == 200
            assert all(r["status"] == "created" for r in response.get_json()["results"])

        t_floor, t_bare, t_push, t_service, t_http = _best(
            rounds, floor, bare_floor, push_only, service, http
        )
        if profile:
            _profile(service if profile == "service" else http)
        db.engine.dispose()
    print(f"engine: {engine}; batch of {n} bazaar_scale inspections; best of {rounds}")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}"
    )
    print(f"floor (raw bulk insert)  {t_floor * 1000:8.1f} ms   1.0x")
    print(f"bare floor (as before)   {t_bare * 1000:8.1f} ms  {t_bare / t_floor:5.1f}x")
    for name, t in (
        ("push_batch alone      ", t_push),
        ("service (parse + push)", t_service),
        ("http (POST sync/push) ", t_http),
    ):
        print(
            f"{name}   {t * 1000:8.1f} ms  {t / t_floor:5.1f}x "
            f"({t / t_bare:.1f}x the bare floor; {t / n * 1000:.2f} ms per inspection)"
        )


if __name__ == "__main__":
    main()
