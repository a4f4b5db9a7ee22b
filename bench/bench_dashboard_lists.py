"""The dashboard lists' first and a deep page at 1 M inspections against 100 k.

    python bench/bench_dashboard_lists.py [--sizes 100000,1000000] [--engines sqlite,postgresql]
                                          [--cache DIR] [--repeat 15] [--deep 2000] [--fresh]

Issue 12 asks that every list page, the first and a deep one, take at 1 M inspections at most
twice what the same page takes at 100 k. For each engine and size: a synthetic history built by
``flask demo synth --inspections N --seed 20261130`` into a migrated database, kept in the
cache (SQLite files under ``--cache``, default ``$INSPECT_BENCH_SYNTH_DIR`` or
``/tmp/inspect-bench-synth``; PostgreSQL databases ``inspect_bench_synth_<N>`` on
127.0.0.1:5432, user postgres) and reused by later runs after ``flask db upgrade`` (a 1 M history
takes minutes to build; ``--fresh`` rebuilds). The synthetic history has no honesty grades, so
the first run gives each merchant a random one (seeded; a ``credit_snapshot`` and its
``merchant_grade`` row) for the grade filter and sort to have rows; then ``ANALYZE``.

Then, signed in as the synthetic supervisor ``synth-sup-HM`` through the real login form, each
list page is requested through the app (Flask's test client: routing, session, schema, query,
template), over the last 365 days: the first page, and the page that starts ``--deep`` rows in
(its cursor taken from the list's own service; the same position at every size, or half of the
smallest size's rows when that has fewer); and the list's service call alone (its queries, no
template) for the same two pages. Each ``--repeat`` times after one warm-up, the sizes taking
turns; the best time is kept. Prints a table per engine with the ratio 1 M / 100 k of each;
stops if a page answers anything but 200. Not a test: the figures go to docs/benchmarks.md
with the machine they came from.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from inspect_app import create_app  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import CreditSnapshot, Merchant, MerchantGrade, User  # noqa: E402
from inspect_app.models.types import utcnow  # noqa: E402
from inspect_app.services import dashboard_lists, dashboard_registry  # noqa: E402
from inspect_app.services.dashboard import Period  # noqa: E402
from inspect_app.services.dashboard_lists import RecordFilter  # noqa: E402
from inspect_app.services.dashboard_registry import RegistryFilter  # noqa: E402
from inspect_app.services.rollups import local_day  # noqa: E402
from inspect_app.web.dashboard_query import encode_cursor  # noqa: E402

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECRET_KEY = "bench-secret-key-0123456789"
AUDIT_KEY = "bench-audit-key-0123456789"
SEED = 20261130
SUPERVISOR = "synth-sup-HM"

#: (label, path, list name, sort, descending, service call for a cursor deep in).
_I, _F, _T, _M = (
    f"/dashboard/{n}" for n in ("inspections", "findings", "instruments", "merchants")
)
PAGES: list[tuple[str, str, str, str, bool]] = [
    ("inspections, newest first", _I, "inspections", "date", True),
    ("inspections, oldest first", f"{_I}?dir=asc", "inspections", "date", False),
    ("inspections, failed", f"{_I}?verdict=fail", "inspections", "date", True),
    ("findings, newest first", _F, "findings", "date", True),
    ("findings, S3", f"{_F}?severity=S3", "findings", "date", True),
    ("instruments by code", _T, "instruments", "code", False),
    ("instruments by verification", f"{_T}?sort=valid_until", "instruments", "valid_until", False),
    ("instruments overdue", f"{_T}?verification=overdue", "instruments", "code", False),
    ("merchants by name", _M, "merchants", "name", False),
    ("merchants by grade", f"{_M}?sort=grade&dir=desc", "merchants", "grade", True),
    ("merchants graded D", f"{_M}?grade=D", "merchants", "name", False),
]


def env(uri: str) -> dict[str, str]:
    return {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": uri,
        "INSPECT_SECRET_KEY": SECRET_KEY,
        "INSPECT_AUDIT_KEY": AUDIT_KEY,
    }


def flask(uri: str, *args: str) -> None:
    subprocess.run(
        [str(ROOT / ".venv/bin/flask"), *args], cwd=ROOT, env=env(uri), check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip


def database(engine: str, size: int, cache: Path, fresh: bool) -> str:
    """The cached synthetic history of ``size`` inspections (built when missing)."""
    if engine == "sqlite":
        path = cache / f"synth_{size}.sqlite3"
        uri = f"sqlite:///{path}"
        if fresh and path.exists():
            path.unlink()
        exists = path.exists()
    else:
        name = f"inspect_bench_synth_{size}"
        uri = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
        admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if fresh:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            exists = bool(
                conn.exec_driver_sql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").scalar()
            )
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        admin.dispose()
    flask(uri, "db", "upgrade")
    if not exists:
        started = time.monotonic()
        print(f"  building {size:,} inspections on {engine} …", flush=True)
        flask(uri, "demo", "synth", "--inspections", str(size), "--seed", str(SEED))
        print(f"  built in {time.monotonic() - started:.0f} s", flush=True)
    return uri


def grades(app: Any) -> None:
    """A random grade for each merchant (once): the synthetic history has none."""
    with app.app_context():
        if db.session.scalar(sa.select(sa.func.count()).select_from(MerchantGrade)):
            return
        rng = random.Random(SEED)
        rows = db.session.execute(sa.select(Merchant.id, Merchant.region_id)).all()
        today, now = local_day(utcnow()), utcnow()
        for start in range(0, len(rows), 5000):
            chunk = rows[start : start + 5000]
            letters = [rng.choice("AABBBCCDP") for _ in chunk]
            db.session.execute(
                sa.insert(CreditSnapshot),
                [
                    {"merchant_id": m.id, "as_of": today, "computed_at": now, "grade": g,
                     "rule_version": "bench", "score": None, "reasons": [], "inputs": {},
                     "trigger": "bench"}
                    for m, g in zip(chunk, letters, strict=True)
                ],
            )  # fmt: skip
            ids = dict(
                db.session.execute(
                    sa.select(CreditSnapshot.merchant_id, CreditSnapshot.id).where(
                        CreditSnapshot.merchant_id.in_([m.id for m in chunk])
                    )
                ).all()
            )
            db.session.execute(
                sa.insert(MerchantGrade),
                [
                    {"merchant_id": m.id, "snapshot_id": ids[m.id], "region_id": m.region_id,
                     "grade": g, "score": None, "computed_at": now}
                    for m, g in zip(chunk, letters, strict=True)
                ],
            )  # fmt: skip
        db.session.commit()
        dialect = db.engine.dialect.name
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        print(f"  graded {len(rows):,} merchants ({dialect})", flush=True)


def _query(path: str) -> dict[str, str]:
    if "?" not in path:
        return {}
    return dict(part.split("=", 1) for part in path.split("?", 1)[1].split("&"))


def lister(user: User, name: str, path: str) -> tuple[Any, Any]:
    """The list's filter (the page's query, over the last 365 days) and its service call."""
    query, today = _query(path), local_day(utcnow())
    if name in ("inspections", "findings"):
        period = Period(today - timedelta(days=364), today)
        verdict = dashboard_lists.Verdict(query["verdict"]) if "verdict" in query else None
        severity = int(query["severity"][1]) if "severity" in query else None
        flt: Any = RecordFilter(user, period, verdict=verdict, severity=severity)
        fetch: Any = {
            "inspections": dashboard_lists.inspections_page,
            "findings": dashboard_lists.findings_page,
        }[name]
        return flt, fetch
    flt = RegistryFilter(
        user, today, grade=query.get("grade"), verification=query.get("verification")
    )
    fetch = {
        "instruments": dashboard_registry.instruments_page,
        "merchants": dashboard_registry.merchants_page,
    }[name]
    return flt, fetch


def deep_key(
    user: User, name: str, sort: str, descending: bool, path: str, rows: int
) -> tuple[Any, ...] | None:
    """The key of the row ``rows`` deep in the list (None if the list is shorter)."""
    flt, fetch = lister(user, name, path)
    return fetch(flt, sort, descending, None, rows).next_key  # type: ignore[no-any-return]


def count_rows(user: User, name: str, sort: str, descending: bool, path: str) -> int:
    """How many rows the list holds (walked in big pages; setup only)."""
    flt, fetch = lister(user, name, path)
    total, key = 0, None
    while True:
        page = fetch(flt, sort, descending, key, 20000)
        total += len(page.rows)
        key = page.next_key
        if key is None:
            return total


def _get(client: Any, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def app_for(uri: str) -> Any:
    config = {"SECRET_KEY": SECRET_KEY, "AUDIT_KEY": AUDIT_KEY, "SQLALCHEMY_DATABASE_URI": uri}
    return create_app({**config, "RATELIMIT_ENABLED": False})


def login(app: Any) -> Any:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    form = {"username": SUPERVISOR, "password": f"{SUPERVISOR}-demo", "csrf_token": token}
    answer = client.post("/login", data=form)
    assert answer.status_code == 302, answer.status_code
    return client


class Site:
    """One synthetic history: its app, a signed-in client and the page URLs to time."""

    def __init__(self, uri: str, deep: dict[str, int]) -> None:
        self.app = app_for(uri)
        grades(self.app)
        self.client = login(self.app)
        self.urls: dict[str, tuple[str, str | None]] = {}
        self.calls: dict[str, Any] = {}
        today = local_day(utcnow())
        span = f"from={today - timedelta(days=364)}&to={today}"
        with self.app.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == SUPERVISOR))
            assert user is not None, "no synthetic supervisor"
            for label, path, name, sort, descending in PAGES:
                base = path
                if name in ("inspections", "findings"):
                    base += ("&" if "?" in path else "?") + span
                key = deep_key(user, name, sort, descending, path, deep[label])
                deep_url = None
                if key is not None:
                    with self.app.test_request_context():
                        cursor = encode_cursor(name, sort, descending, key)
                    deep_url = f"{base}{'&' if '?' in base else '?'}after={cursor}"
                self.urls[label] = (base, deep_url)
                flt, fetch = lister(user, name, path)
                self.calls[label] = (fetch, flt, sort, descending, key)

    def query(self, label: str, which: int) -> float:
        """The list's service call alone (the page's queries, no template)."""
        fetch, flt, sort, descending, key = self.calls[label]
        if which and key is None:
            return float("nan")
        with self.app.app_context():
            started = time.perf_counter()
            fetch(flt, sort, descending, key if which else None, 50)
            elapsed = time.perf_counter() - started
            db.session.remove()
            return elapsed

    def time(self, label: str, which: int) -> float:
        url = self.urls[label][which]
        if url is None:
            return float("nan")
        with self.app.app_context():
            return _get(self.client, url)


Times = dict[int, dict[str, list[float]]]


def measure(sites: dict[int, Site], repeat: int) -> Times:
    """Best time per size of (page first, page deep, query first, query deep): the sizes take
    turns request by request, so a busy machine's drift hits both alike, and the best of
    several is what a page costs when nothing else interrupts it (a shared machine's other
    work only ever adds)."""
    samples: dict[int, dict[str, list[list[float]]]] = {
        size: {label: [[], [], [], []] for label, *_ in PAGES} for size in sites
    }
    for label, *_rest in PAGES:
        for site in sites.values():  # warm-up
            site.time(label, 0)
            site.time(label, 1)
        for _ in range(repeat):
            for size, site in sites.items():
                for which in (0, 1):
                    samples[size][label][which].append(site.time(label, which))
                    samples[size][label][2 + which].append(site.query(label, which))
    return {
        size: {label: [min(s) for s in series] for label, series in rows.items()}
        for size, rows in samples.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument(
        "--cache", default=os.environ.get("INSPECT_BENCH_SYNTH_DIR", "/tmp/inspect-bench-synth")
    )
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--deep", type=int, default=2000)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    machine = f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}"
    print(f"machine: {machine}, load {os.getloadavg()[0]:.1f}")
    failed = False
    for engine in args.engines.split(","):
        uris = {size: database(engine, size, cache, args.fresh) for size in sizes}
        # The deep position: --deep rows, or half of the smallest history's rows.
        smallest = app_for(uris[min(sizes)])
        grades(smallest)
        deep = {}
        with smallest.app_context():
            user = db.session.scalar(sa.select(User).where(User.username == SUPERVISOR))
            for label, path, name, sort, descending in PAGES:
                deep[label] = min(args.deep, count_rows(user, name, sort, descending, path) // 2)
        sites = {size: Site(uris[size], deep) for size in sizes}
        results = measure(sites, args.repeat)
        small, large = min(sizes), max(sizes)
        print(f"\n{engine}: best of {args.repeat}, ms; ratio = {large:,} / {small:,}")
        heads = ("first page", "ratio", "deep page", "ratio", "query first", "ratio", "query deep")
        print("| page | rows deep | " + " | ".join(heads) + " | ratio |")
        print("|" + " --- |" * 10)
        for label, *_rest in PAGES:
            a, b = results[small][label], results[large][label]
            cells = []
            for n in range(4):
                ratio = b[n] / a[n]
                failed |= n < 2 and ratio > 2
                cells.append(f"{a[n] * 1000:.1f} → {b[n] * 1000:.1f} | {ratio:.2f}")
            print(f"| {label} | {deep[label]:,} | " + " | ".join(cells) + " |")
    if failed:
        print("\nsome page took more than twice as long at the larger size")


if __name__ == "__main__":
    main()
