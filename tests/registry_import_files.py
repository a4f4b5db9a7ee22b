"""Registry import files for tests: rows as dicts, written as CSV or XLSX."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from inspect_app.domain.registry_rows import COLUMNS

HEADER: list[str] = list(COLUMNS)


def row(market_code: str, n: int = 1, **overrides: Any) -> dict[str, Any]:
    """One clean row for a new stall ``Z-<n>`` and a new instrument ``NM-TEST-9<n>``."""
    values: dict[str, Any] = {
        "market_code": market_code,
        "merchant_name": f"测试蔬菜摊{n}",
        "merchant_kind": "stall",
        "stall_no": f"Z-{n:02d}",
        "instrument_code": f"NM-TEST-9{n:05d}",
        "instrument_kind": "price_computing_scale",
        "make": "上海友声",
        "model": "TCS-15",
        "serial_no": f"6201{n:04d}",
        "accuracy_class": "III",
        "max": "15000",
        "min": "40",
        "e": "5",
        "d": "5",
        "verified_at": "2026-05-01",
        "valid_until": "2027-04-30",
        "certificate_no": f"JD2026-{n:05d}",
    }
    return values | overrides


def csv_bytes(
    rows: Sequence[dict[str, Any]], header: Sequence[str] = HEADER, bom: bool = False
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for values in rows:
        writer.writerow(["" if values.get(c) is None else values.get(c) for c in header])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def write_csv(
    tmp_path: Path, rows: Sequence[dict[str, Any]], name: str = "import.csv", **kw: Any
) -> Path:
    path = tmp_path / name
    path.write_bytes(csv_bytes(rows, **kw))
    return path


def write_xlsx(
    tmp_path: Path,
    rows: Sequence[dict[str, Any]],
    name: str = "import.xlsx",
    tweak: Callable[[Any], None] | None = None,
) -> Path:
    """An XLSX workbook of ``rows`` (values as given: str, numbers, dates); ``tweak(sheet)``
    may change cells before saving."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for values in rows:
        sheet.append([values.get(c) for c in HEADER])
    if tweak is not None:
        tweak(sheet)
    path = tmp_path / name
    workbook.save(path)
    return path
