"""Tablet app figures, measured in Debian's Chromium (a script, not a timed test).

1. The gzip size of everything the service worker precaches (app shell + vendored code).
2. With 5 000 instruments pulled into IndexedDB through the real sync/pull, finding one by
   printed code or by QR token (IndexedDB indexes), timed in the page with performance.now().
3. The time until the app is usable after a reload with the server down and the browser
   offline (the service worker serves the shell; the data is in IndexedDB).

Writes the "## Tablet app" section of docs/benchmarks.md (other sections are left alone).
Run: ``.venv/bin/python bench/bench_field_app.py``.
"""

from __future__ import annotations

import gzip
import os
import re
import statistics
import sys
import tempfile
import threading
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from werkzeug.serving import WSGIRequestHandler, make_server  # noqa: E402

from inspect_app import create_app  # noqa: E402
from inspect_app.extensions import db  # noqa: E402
from inspect_app.models import Region, User  # noqa: E402
from inspect_app.models.instrument import InstrumentKind  # noqa: E402
from inspect_app.models.place import MerchantKind  # noqa: E402
from inspect_app.models.user import Role  # noqa: E402
from inspect_app.services import accounts, reference  # noqa: E402
from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

INSTRUMENTS = 5000
LOOKUPS = 200
RELOADS = 5
PASSWORD = "bench-inspector-pw"
# Time findInstrument (the app's own lookup) for random codes and QR tokens of the cache.
LOOKUP_JS = """async (n) => {
  const { findInstrument } = await import('/static/field/refdata.js');
  const db = await import('/static/field/db.js');
  const all = await db.all('instruments');
  const pick = () => all[Math.floor(Math.random() * all.length)];
  const time = async (ref) => {
    const t0 = performance.now();
    const hit = await findInstrument(ref);
    const dt = performance.now() - t0;
    if (!hit) throw new Error('not found ' + ref);
    return dt;
  };
  const byCode = [];
  const byToken = [];
  for (let i = 0; i < n; i++) {
    byCode.push(await time(pick().code));
    byToken.push(await time(pick().qr_token));
  }
  return { byCode, byToken };
}"""


class Quiet(WSGIRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def build_app(workdir: Path) -> Any:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench-secret-key-0123456789",
            "AUDIT_KEY": "bench-audit-key-0123456789",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "ATTACHMENTS_DIR": str(workdir / "attachments"),
            "RATELIMIT_LOGIN": "1000 per minute",
        }
    )
    with app.app_context():
        upgrade()
        region = Region(code="BX", name_zh="基准区", name_en="Bench district")
        db.session.add(region)
        db.session.flush()
        market = reference.add_market(
            None,
            region_id=region.id,
            code="BM1",
            name_zh="基准市场",
            name_en="Bench market",
            lat=40.856,
            lon=111.684,
            geofence_radius_m=150,
        )
        merchants = [
            reference.add_merchant(
                None,
                region_id=region.id,
                market_id=market.id,
                kind=MerchantKind.STALL,
                name=f"摊位 {n}",
                stall_no=f"A-{n:03d}",
            )
            for n in range(250)
        ]
        for n in range(INSTRUMENTS):
            reference.add_instrument(
                None,
                merchants[n % len(merchants)],
                code=f"NM-BENCH-{n:06d}",
                kind=InstrumentKind.PRICE_COMPUTING_SCALE,
                accuracy_class="III",
                max_capacity=Decimal("15000"),
                min_capacity=Decimal("100"),
                e_value=Decimal("5"),
                d_value=Decimal("5"),
                verified_at=date.today() - timedelta(days=100),
                valid_until=date.today() + timedelta(days=265),
            )
        db.session.add(
            User(
                username="bench",
                display_name="Bench inspector",
                role=Role.INSPECTOR,
                region_id=region.id,
                password_hash=accounts.hash_password(PASSWORD),
            )
        )
        db.session.commit()
        db.engine.dispose()
    return app


def shell_sizes(app: Any) -> dict[str, int]:
    """Raw and gzip (level 6, a server's usual) bytes of every precached URL."""
    from inspect_app.web.field import precache_urls

    sizes = {"app_raw": 0, "app_gzip": 0, "vendor_raw": 0, "vendor_gzip": 0, "files": 0}
    client = app.test_client()
    with app.test_request_context():
        urls = precache_urls()
    for url in urls:
        response = client.get(url)
        body = response.get_data()
        response.close()
        part = "vendor" if url.startswith("/static/vendor/") else "app"
        sizes[f"{part}_raw"] += len(body)
        sizes[f"{part}_gzip"] += len(gzip.compress(body, compresslevel=6))
        sizes["files"] += 1
    return sizes


def measure(app: Any) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=Quiet)
    port = server.socket.getsockname()[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    out: dict[str, Any] = {}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        out["chromium"] = browser.version
        context = browser.new_context(
            base_url=f"http://127.0.0.1:{port}", viewport={"width": 1280, "height": 800}
        )
        context.set_default_timeout(120000)
        page = context.new_page()
        page.goto("/field/")
        page.fill("input[name=username]", "bench")
        page.fill("input[name=password]", PASSWORD)
        started = page.evaluate("performance.now()")
        page.click("[data-testid=login-submit]")
        page.wait_for_selector("[data-testid=offline-ready]")
        out["prepare_ms"] = page.evaluate("performance.now()") - started
        out["cached"] = page.evaluate(
            "async () => (await import('/static/field/db.js')).count('instruments')"
        )
        out["lookups"] = page.evaluate(LOOKUP_JS, LOOKUPS)
        server.shutdown()
        server.server_close()
        context.set_offline(True)
        ready = []
        for _ in range(RELOADS):
            page.reload()
            page.wait_for_function("() => window.fieldReadyAt !== undefined")
            page.wait_for_selector("[data-testid=scan-button]")
            ready.append(page.evaluate("window.fieldReadyAt"))
        out["offline_ready_ms"] = ready
        browser.close()
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def report(sizes: dict[str, int], m: dict[str, Any]) -> str:
    code, token = m["lookups"]["byCode"], m["lookups"]["byToken"]
    total_gz = sizes["app_gzip"] + sizes["vendor_gzip"]
    raw_total = sizes["app_raw"] + sizes["vendor_raw"]
    lines = [
        "## Tablet app",
        "",
        "`python bench/bench_field_app.py` (here `.venv/bin/python`) serves the app from a",
        "temporary SQLite database, signs in as an inspector in Debian's Chromium (Playwright),",
        f"lets the app pull {INSTRUMENTS} instruments into IndexedDB through `sync/pull`, then",
        "times in the page with `performance.now()`. Not a timed test: nothing fails on a slow",
        "machine.",
        "",
        f"Machine: {os.cpu_count()} cores (nproc), Chromium {m['chromium']}, "
        f"{date.today().isoformat()}.",
        "",
        "| figure | value | aim |",
        "|---|---|---|",
        f"| app shell + vendored code, gzip (level 6), {sizes['files']} precached files | "
        f"{total_gz / 1024:.1f} KB (app {sizes['app_gzip'] / 1024:.1f} KB, vendor "
        f"{sizes['vendor_gzip'] / 1024:.1f} KB; raw {raw_total / 1024:.0f} KB) "
        "| < 200 KB |",
        f"| find an instrument by printed code ({m['cached']} cached, {LOOKUPS} lookups) | "
        f"median {statistics.median(code):.2f} ms, p95 {pct(code, 0.95):.2f} ms | ≪ 50 ms |",
        f"| find an instrument by QR token | median {statistics.median(token):.2f} ms, "
        f"p95 {pct(token, 0.95):.2f} ms | ≪ 50 ms |",
        f"| usable after an offline reload (server down, browser offline; {RELOADS} reloads) | "
        f"median {statistics.median(m['offline_ready_ms']):.0f} ms, worst "
        f"{max(m['offline_ready_ms']):.0f} ms | |",
        f"| sign-in to ready offline (forms, rules, {INSTRUMENTS} instruments, shell cached) | "
        f"{m['prepare_ms'] / 1000:.1f} s | |",
        "",
        "A lookup is one IndexedDB read transaction on the `qr_token` or `code` index (a code",
        'lookup may try the token index first, then the code index). "Usable" is the moment',
        "the home screen is drawn after the session, the outbox count and the sync status were",
        "read from IndexedDB, measured from navigation start.",
        "",
    ]
    return "\n".join(lines)


def write_section(text: str) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    doc = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(r"^## Tablet app\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(doc):
        doc = pattern.sub(lambda _: text, doc, count=1)
    else:
        doc = doc.rstrip("\n") + "\n\n" + text
    path.write_text(doc, encoding="utf-8")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp))
        sizes = shell_sizes(app)
        figures = measure(app)
    text = report(sizes, figures)
    print(text)
    write_section(text)


if __name__ == "__main__":
    main()
