"""``flask demo synth``: a realistic synthetic history, in bulk, with its read models.

Into an empty migrated database (or, with ``append``, onto one holding only synthetic data):
the world of :mod:`.synth_world`, then ``count`` inspection records spread over
:data:`HISTORY_YEARS` years up to yesterday: more of them in later years and on weekdays, a
failure rate that falls from about 20 % to 9 % over the years (one district worse, some
markets worse), geotags near the market or shop (one in ten missing, a few far away or
imprecise, judged by the domain's own geotag rule), review states by age, and about 1.5 % of
the records corrected by a later record that supersedes them. Each record's answers, verdict,
evaluation and findings come from a template the metrology engine judged
(:mod:`.synth_templates`).

Rows go in a chunk at a time through the driver (PostgreSQL ``COPY``, SQLite ``executemany``:
SQLAlchemy's per-row parameter work would be half of the run), and each chunk's contributions
go to :func:`inspect_app.services.rollups.apply`, the same upsert ingest uses (a correction:
the correction enters, the original leaves). Audit: synthetic rows are demo data (``is_demo``), so
a run writes two entries, ``demo.synth`` when it starts (what was asked) and
``demo.synth.finished`` (what was written, the id range), rather than one
``inspection.create`` entry per record (docs/dashboards.md, "Synthetic history").
"""

from __future__ import annotations

import enum
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, text

from inspect_app.extensions import db
from inspect_app.formdefs import FormRegistry
from inspect_app.models import AuditEntry, Inspection, Merchant, Region, User
from inspect_app.services import audit, rollups, synth_templates, synth_world
from inspect_app.services.rollups import Deltas
from inspect_app.services.synth_rows import Record, RowMaker

HISTORY_YEARS = 6
CHUNK = 5000
CORRECTION_SHARE = 0.015
ACTION = "demo.synth"
ROLLUP_TABLES = (
    "inspection_rollup",
    "inspection_rollup_by_form",
    "inspection_rollup_by_market",
    "finding_rollup",
)


class SynthRefused(RuntimeError):
    """The database holds data the synthetic history must not be mixed with."""


def _count(model: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def check(append: bool) -> None:
    """Refuse anything but an empty database (or, to append, a synthetic one)."""
    rows = {
        name: _count(model)
        for name, model in (
            ("districts", Region),
            ("users", User),
            ("merchants", Merchant),
            ("inspections", Inspection),
        )
    }
    if not any(rows.values()):
        if append:
            raise SynthRefused(
                "the database is empty: there is no synthetic history to append to "
                "(leave out --append)"
            )
        return
    held = ", ".join(f"{n} {name}" for name, n in rows.items() if n)
    synthetic = (
        _count(AuditEntry, AuditEntry.action == ACTION) > 0
        and _count(User, ~User.username.startswith("synth-")) == 0
        and _count(Merchant, Merchant.is_demo.is_(False)) == 0
        and _count(Inspection, Inspection.is_demo.is_(False)) == 0
    )
    if not synthetic:
        raise SynthRefused(
            f"the database is not empty ({held}) and not a synthetic history; synth only "
            "writes into an empty migrated database"
        )
    if not append:
        raise SynthRefused(
            f"the database already holds a synthetic history ({held}); add --append to add more"
        )


@dataclass
class Synth:
    """One run: :meth:`prepare`, then :meth:`chunks` (commit after each), then :meth:`finish`."""

    count: int
    seed: int
    today: date
    now: datetime
    forms: FormRegistry
    logins: list[tuple[str, str]] = field(default_factory=list)
    written: int = 0
    corrections: int = 0
    first_id: int | None = None
    last_id: int | None = None

    def prepare(self, append: bool) -> None:
        check(append)
        detail = {"requested": self.count, "seed": self.seed, "append": append}
        audit.record(None, ACTION, "demo", None, detail)
        if not append:
            self.logins = synth_world.create(random.Random(self.seed), self.count, self.today)
        else:
            names = db.session.scalars(
                select(User.username).where(User.username.startswith("synth-")).order_by(User.id)
            )
            self.logins = [(name, f"{name}-demo") for name in names]
        already = _count(Inspection)
        self.rng = random.Random(f"{self.seed}:{already}")
        world = synth_world.load()
        pools = synth_templates.build(self.forms, self.seed)
        first = self.today - timedelta(days=round(365.25 * HISTORY_YEARS))
        span = (self.today - first).days
        days = [first + timedelta(days=n) for n in range(span)]  # up to yesterday
        weights = [
            (0.15, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5)[(d.weekday() + 1) % 7] * (1 + n / span)
            for n, d in enumerate(days)
        ]
        cumulative = list(_accumulate(weights))
        # Drawn for the whole run and sorted: each chunk covers a few days, as a live system's
        # batches do, so its rollup upserts touch a few hundred rows, not thousands.
        self.plan = sorted(self.rng.choices(days, cum_weights=cumulative, k=self.count))
        self.rows = RowMaker(
            self.rng,
            world,
            {key: synth_templates.split(pool) for key, pool in pools.items()},
            self.today,
            self.now,
            first,
            span,
            {r: (0.0, 0.04, -0.02)[n % 3] for n, r in enumerate(sorted(world.region_codes))},
        )

    def chunks(self) -> Iterator[int]:
        """Write the records a chunk at a time; yields how many each chunk wrote."""
        while self.written < self.count:
            size = min(CHUNK, self.count - self.written)
            self._chunk(size)
            self.written += size
            yield size

    def finish(self) -> None:
        """Record the run, and refresh the planner's statistics of the tables it filled (a
        bulk load leaves PostgreSQL planning for empty tables until autovacuum comes by)."""
        tables = ", ".join(
            ["inspection", "finding", "merchant", "instrument", "market", *ROLLUP_TABLES]
        )
        dialect = db.session.get_bind().dialect.name
        db.session.execute(text(f"ANALYZE {tables}" if dialect == "postgresql" else "ANALYZE"))
        audit.record(
            None,
            f"{ACTION}.finished",
            "demo",
            None,
            {
                "inspections": self.written,
                "corrections": self.corrections,
                "seed": self.seed,
                "first_id": self.first_id,
                "last_id": self.last_id,
            },
        )

    # ------------------------------------------------------------ one chunk

    def _chunk(self, size: int) -> None:
        rng = self.rng
        fixes = max(1, round(size * CORRECTION_SHARE)) if size >= 2 else 0
        days = self.plan[self.written : self.written + size - fixes]
        corrected = set(rng.sample(range(len(days)), fixes))
        records = [self.rows.record(day, n in corrected) for n, day in enumerate(days)]
        ids = self._insert(records)
        deltas = Deltas()
        for record in records:
            deltas.add(record.fact)
        again = [self.rows.correction(records[n], ids[n]) for n in sorted(corrected)]
        self._insert(again)
        for n, correction in zip(sorted(corrected), again, strict=True):
            deltas.add(correction.fact)
            deltas.add(records[n].fact, -1)
        self.corrections += len(again)
        rollups.apply(deltas)

    def _insert(self, records: list[Record]) -> list[int]:
        if not records:
            return []
        ids = _reserve_ids(len(records))
        _write("inspection", [{**r.row, "id": i} for r, i in zip(records, ids, strict=True)])
        findings = [
            {**f, "inspection_id": i} for r, i in zip(records, ids, strict=True) for f in r.findings
        ]
        if findings:
            _write("finding", findings)
        self.first_id = self.first_id or ids[0]
        self.last_id = ids[-1]
        return ids


#: Parameter names that stand for another column (JSON passed as text).
_COLUMN_OF = {"answers_raw": "answers", "evaluation_raw": "evaluation", "evidence_raw": "evidence"}


def _write(table: str, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys) below SQLAlchemy's per-row parameter work,
    which is half of the run's time otherwise: PostgreSQL's ``COPY``, SQLite's own
    ``executemany``, with values as the column types would bind them (enums by value, aware
    datetimes in UTC and, on SQLite, in SQLAlchemy's text format; JSON already text)."""
    keys = list(rows[0])
    columns = ", ".join(f'"{_COLUMN_OF.get(k, k)}"' for k in keys)
    driver: Any = db.session.connection().connection.driver_connection
    if db.session.get_bind().dialect.name == "postgresql":
        with driver.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_plain(row[k], False) for k in keys])
        return
    marks = ", ".join("?" * len(keys))
    driver.cursor().executemany(
        f"INSERT INTO {table} ({columns}) VALUES ({marks})",
        [[_plain(row[k], True) for k in keys] for row in rows],
    )


def _plain(value: Any, sqlite: bool) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        utc = value.astimezone(UTC)
        return utc.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else utc
    return value


def _reserve_ids(count: int) -> list[int]:
    """Ids for ``count`` new inspections, so their findings can be written without reading
    the rows back: the sequence's next values on PostgreSQL; after the largest id on SQLite,
    whose single writer holds the database from the first insert of the transaction on."""
    if db.session.get_bind().dialect.name == "postgresql":
        return list(
            db.session.scalars(
                text(
                    "SELECT nextval(pg_get_serial_sequence('inspection', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": count},
            )
        )
    start = int(db.session.scalar(select(func.max(Inspection.id))) or 0) + 1
    return list(range(start, start + count))


def _accumulate(values: list[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total
