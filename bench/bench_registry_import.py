"""Registry import: time and peak memory of a check and of a commit, CSV and XLSX.

    python bench/bench_registry_import.py [--rows 10000] [--postgres] [--xlsx]

Builds a migrated throw-away database (SQLite file, or a PostgreSQL database on
127.0.0.1:5432 with --postgres) with one region and five markets, writes a file of ``--rows``
new instruments (two per new stall), then, each in a fresh session as a request would:

* ``check``: what the preview does (nothing written);
* ``commit``: what "Import" does: check again, then write every row, one transaction;
* ``re-check``: the same file again (every instrument now unchanged).

Peak is the process's ``ru_maxrss`` (it includes building the file). Not a test: the numbers
go to docs/registry-import.md with the machine's load they came from.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--xlsx", action="store_true")
    args = parser.parse_args()

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from inspect_app import create_app
    from inspect_app.extensions import db
    from inspect_app.models import Region
    from inspect_app.services import reference, registry_import
    from inspect_app.services.registry_import import ImportSettings
    from tests.registry_import_files import csv_bytes, row, write_xlsx

    tmp = Path(tempfile.mkdtemp(prefix="bench-registry-"))
    admin = None
    if args.postgres:
        name = f"bench_registry_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        uri = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    else:
        uri = f"sqlite:///{tmp}/bench.sqlite3"
    app = create_app(
        {
            "SECRET_KEY": "bench-secret-key-0123",
            "AUDIT_KEY": "bench-audit-key-01234",
            "SQLALCHEMY_DATABASE_URI": uri,
            "ATTACHMENTS_DIR": str(tmp / "attachments"),
            "REGISTRY_IMPORT_MAX_ROWS": args.rows,
        }
    )
    try:
        with app.app_context():
            upgrade()
            region = Region(code="B", name_zh="区", name_en="District")
            db.session.add(region)
            db.session.flush()
            for m in range(5):
                reference.add_market(
                    None,
                    region_id=region.id,
                    code=f"M-{m}",
                    name_zh="市场",
                    name_en="Market",
                    lat=40.85,
                    lon=111.68,
                    geofence_radius_m=150,
                )
            db.session.commit()

            def rows() -> Iterator[dict[str, Any]]:
                for n in range(1, args.rows + 1):
                    values = row(f"M-{n % 5}", n, stall_no=f"S-{n // 10}")
                    yield values | {
                        "merchant_name": f"摊{n // 10}",
                        "instrument_code": f"NM-B-{n:07d}",
                    }

            if args.xlsx:
                numeric = [v | {c: int(v[c]) for c in ("max", "min", "e", "d")} for v in rows()]
                path = write_xlsx(tmp, numeric, "bench.xlsx")
                del numeric
            else:
                path = tmp / "bench.csv"
                with path.open("wb") as out:  # streamed: the file's rows are never all in memory
                    out.write(csv_bytes([]))
                    for values in rows():
                        out.write(csv_bytes([values]).split(b"\r\n", 1)[1])
            built = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            settings = ImportSettings.from_config(app.config)
            engine = db.engine.dialect.name
            print(
                f"{args.rows} rows, {path.suffix[1:]}, {path.stat().st_size / 1e6:.1f} MB, {engine}"
            )
            for step in ("check", "commit", "re-check"):
                db.session.remove()
                start = time.perf_counter()
                if step == "commit":
                    report = registry_import.commit(path, path.name, None, settings)
                    db.session.commit()
                else:
                    report = registry_import.check(path, path.name, None, settings)
                elapsed = time.perf_counter() - start
                print(
                    f"  {step:<9}{elapsed:6.1f} s  create {report.instruments_to_create}, "
                    f"unchanged {report.instruments_unchanged}, errors {report.errors}"
                )
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"  peak RSS {peak:.0f} MB (before the import: {built:.0f} MB); "
                f"load average {os.getloadavg()[0]:.1f}"
            )
            db.session.remove()
            db.engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()


if __name__ == "__main__":
    main()
