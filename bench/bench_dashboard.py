"""Dashboard read models and exports at scale, as ratios measured in the same run.

    python bench/bench_dashboard.py [--sizes 100000,1000000] [--postgres] [--rounds 25]
                                    [--write]

For each size, on a fresh migrated database (a SQLite file, or with --postgres a throw-away
PostgreSQL database on 127.0.0.1:5432):

* synth:   ``flask demo synth``'s service writes the history (wall time, rows/s, CPU time);
* summary: ``GET /api/v1/dashboard/summary`` for one district over the last 365 days, through
           the test client with a supervisor's token (best of --rounds), against the naive
           aggregate of the raw rows for the same figures (tests/api/naive_summary.py, best of
           a few), after checking that both give the same numbers;
* export:  ``GET /api/v1/exports/inspections.csv`` of the whole history as the admin, in a
           child process that reads the streamed body chunk by chunk: rows/s, and the
           process's peak RSS against its RSS before the request; against a raw ``SELECT`` of
           the same rows (the export's own query, DBAPI cursor, ``fetchmany``) in another child.

Ratios: summary at the largest size / at the smallest (the issue asks ≤ 1.5), naive / summary
(≥ 10), export rows/s / raw SELECT rows/s. With --write the table replaces the section between
the ``bench_dashboard`` markers of docs/benchmarks.md. Not a test; minutes, not seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.formdefs import load_registry  # noqa: E402
from inspect_app.models import Region, User  # noqa: E402
from inspect_app.services import exports, synth  # noqa: E402
from inspect_app.services.dashboard import Filter, Period  # noqa: E402
from inspect_app.services.rollups import local_day  # noqa: E402
from tests.api.naive_summary import naive_summary  # noqa: E402
from tests.conftest import PG_ADMIN_URL, base_config, throwaway_pg_database  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def make_app(url: str, workdir: Path) -> Flask:
    return create_app(base_config(workdir, url) | {"RATELIMIT_ENABLED": False})


def run_synth(app: Flask, count: int) -> dict[str, float]:
    with app.app_context():
        upgrade()
        now = datetime.now(UTC)
        job = synth.Synth(
            count, 1, local_day(now), now, load_registry(Path(app.config["FIELD_FORMS_DIR"]))
        )
        wall, cpu = time.perf_counter(), time.process_time()
        job.prepare(False)
        db.session.commit()
        for _ in job.chunks():
            db.session.commit()
        job.finish()
        db.session.commit()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"synth_s": wall, "synth_rate": count / wall, "synth_cpu_s": cpu}


def _token(client: Any, username: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": f"{username}-demo", "device_name": "bench"},
    )
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _best(rounds: int, call: Any) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def time_summary(app: Flask, rounds: int) -> dict[str, float]:
    with app.app_context():
        region = db.session.scalars(select(Region).order_by(Region.id)).first()
        assert region is not None
        today = local_day(datetime.now(UTC))
        start, end = today - timedelta(days=365), today - timedelta(days=1)
        client = app.test_client()
        headers = _token(client, f"synth-sup-{region.code}")
        url = f"/api/v1/dashboard/summary?from={start}&to={end}"
        body = client.get(url, headers=headers).get_json()
        naive = naive_summary([region.id], start, end)
        assert (body["inspections"], body["failed"]) == (naive["inspections"], naive["failed"])
        db.session.rollback()
        summary_s = _best(rounds, lambda: client.get(url, headers=headers).get_json())
        naive_s = _best(
            max(3, rounds // 8),
            lambda: (naive_summary([region.id], start, end), db.session.rollback()),
        )
        year = body["inspections"]
    return {"summary_ms": summary_s * 1000, "naive_ms": naive_s * 1000, "year_rows": year}


def child(kind: str, url: str, workdir: str) -> None:
    """In a fresh process: stream the export (or the raw SELECT), print JSON figures."""
    app = make_app(url, Path(workdir))
    with app.app_context():
        admin = db.session.scalars(select(User).where(User.username == "synth-admin")).one()
        today = local_day(datetime.now(UTC))
        start, end = today - timedelta(days=365 * 7), today
        client = app.test_client()
        headers = _token(client, "synth-admin")
        db.session.rollback()
        # Reset the peak (VmHWM) so that it measures the export, not the password hash above.
        Path("/proc/self/clear_refs").write_text("5")
        base_kb = _status_kb("VmRSS")
        started = time.perf_counter()
        rows = 0
        if kind == "export":
            response = client.get(
                f"/api/v1/exports/inspections.csv?from={start}&to={end}", headers=headers
            )
            assert response.status_code == 200
            for chunk in response.response:
                rows += chunk.count(b"\n")
            rows -= 1  # the header
        else:
            # The export's own query and cursor settings, rows counted: no shaping, no CSV.
            query = exports.inspections_query(Filter(admin, None, None, None), Period(start, end))
            with db.engine.connect() as connection:
                result = connection.execution_options(yield_per=exports.CHUNK).execute(query)
                for part in result.partitions():
                    rows += len(part)
        seconds = time.perf_counter() - started
    peak_kb = _status_kb("VmHWM")
    print(
        json.dumps(
            {"rows": rows, "s": seconds, "base_mb": base_kb / 1024, "peak_mb": peak_kb / 1024}
        )
    )


def _status_kb(field: str) -> int:
    """A memory figure of this process from /proc/self/status (VmRSS now, VmHWM peak), kB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def time_export(url: str, workdir: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    for kind in ("export", "raw"):
        result = subprocess.run(
            [sys.executable, __file__, "--child", kind, "--url", url, "--workdir", str(workdir)],
            check=True,
            capture_output=True,
            text=True,
        )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        out[f"{kind}_rows"] = figures["rows"]
        out[f"{kind}_rate"] = figures["rows"] / figures["s"]
        out[f"{kind}_base_mb"] = figures["base_mb"]
        out[f"{kind}_peak_mb"] = figures["peak_mb"]
    return out


def measure(engine: str, size: int, rounds: int, workdir: Path) -> dict[str, float]:
    if engine == "postgresql":
        with throwaway_pg_database("bench_dash") as url:
            return _measure(url, size, rounds, workdir)
    path = workdir / f"bench_{size}.sqlite3"
    try:
        return _measure(f"sqlite:///{path}", size, rounds, workdir)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


def _measure(url: str, size: int, rounds: int, workdir: Path) -> dict[str, float]:
    app = make_app(url, workdir)
    figures = run_synth(app, size)
    print(f"  synth {size:,}: {figures['synth_s']:.0f} s", file=sys.stderr)
    figures |= time_summary(app, rounds)
    figures |= time_export(url, workdir)
    with app.app_context():
        db.engine.dispose()
    return figures


def table(engine: str, results: dict[int, dict[str, float]]) -> str:
    sizes = sorted(results)
    small, large = results[sizes[0]], results[sizes[-1]]
    lines = [
        f"**{engine}** (load average at the end: {os.getloadavg()[0]:.1f})",
        "",
        "| inspections | synth | synth rate | summary (district, 1 year) | naive aggregate "
        "| naive ÷ summary | CSV export | raw SELECT | export ÷ raw | export RSS before → peak |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for size in sizes:
        r = results[size]
        lines.append(
            f"| {size:,} | {r['synth_s']:.0f} s ({r['synth_cpu_s']:.0f} s CPU) | "
            f"{r['synth_rate']:,.0f}/s | {r['summary_ms']:.1f} ms ({r['year_rows']:,.0f} insp.) | "
            f"{r['naive_ms']:.0f} ms | {r['naive_ms'] / r['summary_ms']:.0f}× | "
            f"{r['export_rate']:,.0f} rows/s ({r['export_rows']:,.0f} rows) | "
            f"{r['raw_rate']:,.0f} rows/s | {r['export_rate'] / r['raw_rate']:.2f} | "
            f"{r['export_base_mb']:.0f} → {r['export_peak_mb']:.0f} MB |"
        )
    lines += [
        "",
        f"Summary at {sizes[-1]:,} ÷ at {sizes[0]:,}: "
        f"**{large['summary_ms'] / small['summary_ms']:.2f}** (issue: ≤ 1.5). "
        f"Export peak RSS at {sizes[-1]:,} − at {sizes[0]:,}: "
        f"**{large['export_peak_mb'] - small['export_peak_mb']:+.0f} MB**.",
    ]
    return "\n".join(lines)


def write(engine: str, text: str) -> None:
    """Replace this engine's block between its markers in docs/benchmarks.md (or append it)."""
    path = ROOT / "docs" / "benchmarks.md"
    doc = path.read_text(encoding="utf-8")
    start, end = (
        f"<!-- bench_dashboard:{engine}:start -->",
        f"<!-- bench_dashboard:{engine}:end -->",
    )
    block = f"{start}\n{text}\n{end}"
    if start in doc:
        before, rest = doc.split(start, 1)
        doc = before + block + rest.split(end, 1)[1]
    else:
        doc = doc.rstrip() + "\n\n" + block + "\n"
    path.write_text(doc, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--workdir")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.url, args.workdir)
        return
    engine = "postgresql" if args.postgres else "sqlite"
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        for size in sizes:
            results[size] = measure(engine, size, args.rounds, Path(tmp))
            print(json.dumps({engine: {size: results[size]}}), file=sys.stderr)
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    name = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[engine]
    where = f"; server {PG_ADMIN_URL.rsplit('@', 1)[-1]}" if engine == "postgresql" else ""
    text = f"{table(name, results)}\n\nMachine: {machine}{where}."
    print(text)
    if args.write:
        write(engine, text)


if __name__ == "__main__":
    main()
