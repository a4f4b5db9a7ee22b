"""From the push that carries an S4 finding to the webhook's receipt, with the worker running.

    python bench/bench_alert_latency.py [--runs 20] [--engines sqlite,postgresql]

For each engine: a throw-away database (a SQLite file with SqliteHuey beside it; or a
PostgreSQL database on 127.0.0.1:5432 with RedisHuey on 127.0.0.1:6379) migrated and given a
district, a stall with ``--runs`` + 1 scales, an inspector and a supervisor; then the real
processes: ``gunicorn -w 2`` serving the app and ``flask worker`` (2 threads) consuming the
queue, both built by ``create_app`` with the same settings, and a local webhook receiver that
checks each signature. Each run POSTs one ``bazaar_scale`` inspection with
``cheating_device_found = true`` to ``/api/v1/sync/push`` (the tablet's request) and times,
from just before the request, until the receiver has the alert; runs are 1-2 s apart (random)
so the worker is idle between them, as it is between real alerts, and catches each one at a
random point of its polling. The first push is a warm-up. Prints the median and spread of the
latency and of the push alone. Not a test: the figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import Region, User  # noqa: E402
from inspect_app.models.instrument import InstrumentKind  # noqa: E402
from inspect_app.models.place import MerchantKind  # noqa: E402
from inspect_app.models.user import Role  # noqa: E402
from inspect_app.services import accounts, reference  # noqa: E402
from tests.alert_receivers import WebhookReceiver, free_port  # noqa: E402
from tests.payloads import item, scale_answers  # noqa: E402

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"
SECRET = "bench-webhook-secret-0123456789"
CHEATING = {"cheating_device_found": True, "cheating_methods": ["remote_control"]}


@contextmanager
def database(engine: str, workdir: Path) -> Iterator[str]:
    if engine == "sqlite":
        yield f"sqlite:///{workdir / 'bench.sqlite3'}"
        return
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"inspect_bench_alerts_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield re.sub(r"/[^/]*$", f"/{name}", PG_ADMIN_URL)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def settings(engine: str, uri: str, workdir: Path, receiver: WebhookReceiver) -> dict[str, Any]:
    config: dict[str, Any] = {
        "SECRET_KEY": "bench-secret-key-0123456789",
        "AUDIT_KEY": "bench-audit-key-0123456789",
        "SQLALCHEMY_DATABASE_URI": uri,
        "ATTACHMENTS_DIR": str(workdir / "attachments"),
        "ALERT_WEBHOOK_URL": receiver.url,
        "ALERT_WEBHOOK_SECRET": SECRET,
        "TASK_QUEUE_NAME": f"inspect-bench-{uuid.uuid4().hex[:8]}",
    }
    if engine == "sqlite":
        config["TASK_QUEUE_PATH"] = str(workdir / "tasks.sqlite3")
    else:
        config["TASK_QUEUE_URL"] = REDIS_URL
    return config


def prepare(config: dict[str, Any], runs: int) -> tuple[int, list[str]]:
    """Migrate; a district, a stall with a scale per run, an inspector. (merchant, scales)."""
    app = create_app(config)
    with app.app_context():
        upgrade()
        region = Region(code="B", name_zh="新城区", name_en="Xincheng")
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
        codes = []
        for n in range(runs + 1):
            scale = reference.add_instrument(
                None,
                merchant,
                code=f"NM-B-{n:03d}",
                kind=InstrumentKind.PRICE_COMPUTING_SCALE,
                accuracy_class="III",
                max_capacity=15000,
                min_capacity=40,
                e_value=5,
                d_value=5,
            )
            codes.append(scale.code)
        for role, name in ((Role.INSPECTOR, "bench"), (Role.SUPERVISOR, "boss")):
            db.session.add(
                User(
                    username=name,
                    display_name=name,
                    role=role,
                    region_id=region.id,
                    password_hash=accounts.hash_password("bench-pw-0123"),
                )
            )
        db.session.commit()
        merchant_id = merchant.id
        db.engine.dispose()
    return merchant_id, codes


@contextmanager
def processes(config: dict[str, Any], workdir: Path) -> Iterator[str]:
    """gunicorn (2 workers) and ``flask worker`` (2 threads) for ``config``; the base URL."""
    app = f"inspect_app:create_app({config!r})"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INSPECT_", "FLASK_"))}
    port = free_port()
    bin_dir = Path(sys.executable).parent
    started = []
    with (workdir / "processes.log").open("wb") as log:
        started.append(
            subprocess.Popen(
                [str(bin_dir / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", app],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        started.append(
            subprocess.Popen(
                [str(bin_dir / "flask"), "--app", app, "worker", "--workers", "2"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or any(p.poll() is not None for p in started):
                    raise RuntimeError((workdir / "processes.log").read_text()) from None
                time.sleep(0.2)
        yield base
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(timeout=30)


def post(url: str, document: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(
        url,
        data=json.dumps(document).encode(),
        headers={"Content-Type": "application/json"} | (headers or {}),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def measure(engine: str, runs: int) -> tuple[list[float], list[float]]:
    with tempfile.TemporaryDirectory() as tmp, database(engine, Path(tmp)) as uri:
        workdir = Path(tmp)
        receiver = WebhookReceiver(SECRET).start()
        config = settings(engine, uri, workdir, receiver)
        merchant_id, codes = prepare(config, runs)
        latencies, pushes = [], []
        try:
            with processes(config, workdir) as base:
                token = post(
                    f"{base}/api/v1/auth/token",
                    {"username": "bench", "password": "bench-pw-0123", "device_name": "bench"},
                )["token"]
                auth = {"Authorization": f"Bearer {token}"}
                for n, code in enumerate(codes):
                    time.sleep(random.uniform(1.0, 2.0))
                    seen = len(receiver.requests)
                    batch = {
                        "inspections": [
                            item("bazaar_scale", scale_answers(merchant_id, code, **CHEATING))
                        ]
                    }
                    start = time.monotonic()
                    [result] = post(f"{base}/api/v1/sync/push", batch, auth)["results"]
                    pushed = time.monotonic()
                    assert result["status"] == "created", result
                    if not receiver.wait_for(seen + 1, timeout=120):
                        raise RuntimeError("the webhook never received the alert")
                    got = receiver.requests[seen]
                    assert got.signature_ok
                    if n:  # the first is a warm-up
                        latencies.append(got.at - start)
                        pushes.append(pushed - start)
        finally:
            receiver.stop()
            if engine == "postgresql":
                import redis

                client = redis.Redis.from_url(REDIS_URL)
                keys = client.keys(f"huey*{config['TASK_QUEUE_NAME']}*")
                if keys:
                    client.delete(*keys)
                client.close()
    return latencies, pushes


def describe(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p90 = ms[max(0, int(round(0.9 * len(ms))) - 1)]
    return (
        f"median {statistics.median(ms):7.1f} ms  min {ms[0]:7.1f}  p90 {p90:7.1f}  "
        f"max {ms[-1]:7.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.machine()}, "
        f"Python {platform.python_version()}; {args.runs} runs per engine after a warm-up"
    )
    for engine in args.engines.split(","):
        latencies, pushes = measure(engine, args.runs)
        queue = "SqliteHuey" if engine == "sqlite" else "RedisHuey"
        print(f"{engine} + {queue}")
        print(f"  push to webhook receipt  {describe(latencies)}")
        print(f"  the push alone           {describe(pushes)}")
        rest = [a - b for a, b in zip(latencies, pushes, strict=True)]
        print(f"  after the push's answer  {describe(rest)}")


if __name__ == "__main__":
    main()
