"""The export file formats: CSV (UTF-8 with BOM), XLSX (openpyxl write-only) and GeoJSON.

Each encoder consumes an iterator of rows and produces bytes a chunk at a time, so memory holds
one chunk (about ``FLUSH_AT`` bytes) whatever the number of rows. The XLSX workbook is built in
a temporary file (openpyxl's write-only mode keeps each sheet's XML on disk and writes strings
inline, never a shared-strings table) and then read out in chunks; a sheet holds at most
Excel's 1,048,576 rows, so longer exports continue on further sheets.

Text cells that a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a
carriage return; OWASP "CSV Injection") are written as text: in CSV with a leading apostrophe,
in XLSX as an explicit string cell.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

#: Bytes gathered before a chunk is handed to the server.
FLUSH_AT = 64 * 1024
#: Rows per XLSX sheet, header included (Excel's limit).
SHEET_ROWS = 1_048_576
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text_safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """UTF-8 CSV with a byte-order mark (so Excel reads Chinese correctly), CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header)
    for values in rows:
        writer.writerow([_text_safe(v) for v in values])
        if buffer.tell() >= FLUSH_AT:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # never a formula, whatever it starts with
    return cell


def xlsx_file(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> IO[bytes]:
    """A workbook of ``rows`` in a temporary file (deleted when closed), positioned at 0."""
    workbook = Workbook(write_only=True)
    sheets = 0
    sheet: Any = None
    used = SHEET_ROWS
    for values in rows:
        if used == SHEET_ROWS:
            sheets += 1
            sheet = workbook.create_sheet(title if sheets == 1 else f"{title} ({sheets})")
            sheet.append(list(header))
            used = 1
        sheet.append([_xlsx_cell(sheet, v) for v in values])
        used += 1
    if sheet is None:
        workbook.create_sheet(title).append(list(header))
    output = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the caller, who closes it)
    workbook.save(output)
    output.seek(0)
    return output


def file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    """Read ``handle`` out a chunk at a time and close it (a temporary file goes with it)."""
    try:
        while chunk := handle.read(FLUSH_AT):
            yield chunk
    finally:
        handle.close()


def geojson_chunks(
    header: Sequence[str], rows: Iterable[Sequence[Any]], lat: str = "lat", lon: str = "lon"
) -> Iterator[bytes]:
    """A FeatureCollection: one Point per row at ``[lon, lat]`` (RFC 7946 order), the other
    columns as its properties. Rows without a position are left out."""
    at_lat, at_lon = header.index(lat), header.index(lon)
    names = [(n, name) for n, name in enumerate(header) if n not in (at_lat, at_lon)]
    parts = ['{"type":"FeatureCollection","features":[']
    size = 0
    separator = ""
    for values in rows:
        if values[at_lat] is None or values[at_lon] is None:
            continue
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [values[at_lon], values[at_lat]]},
            "properties": {name: values[n] for n, name in names},
        }
        text = separator + json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
        separator = ","
        parts.append(text)
        size += len(text)
        if size >= FLUSH_AT:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    parts.append("]}")
    yield "".join(parts).encode("utf-8")
