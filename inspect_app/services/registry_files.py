"""Reading registry import files row by row, in bounded memory: CSV (UTF-8) and XLSX.

* The size limit is checked on the file before anything is parsed.
* CSV is decoded strictly as UTF-8, a byte-order mark stripped; a byte that is not UTF-8 is
  reported with the row being read, the line of the file and the byte offset. Lines are
  decoded one at a time and fed to :mod:`csv` (a UTF-8 continuation byte is never a newline,
  so splitting the bytes at newlines first is exact).
* XLSX is opened with openpyxl in read-only mode with ``data_only=False``, so a formula is
  seen as a formula (and refused by the row checks), never as a cached value. The archive's
  unpacked size is checked first (a zip bomb stops there); openpyxl parses the XML through
  defusedxml. The first worksheet is read; its declared dimensions are ignored
  (``reset_dimensions``) so that a file lying about them cannot hide rows.

Rows come out as ``(row_number, cells)`` with the header as row 1, cell values as the row
checks expect (text, numbers, dates, :class:`Formula`, :class:`CellError`, None).
"""

from __future__ import annotations

import csv
import logging
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from inspect_app.domain.registry_cells import CellError, Formula
from inspect_app.domain.registry_issues import Issue

logger = logging.getLogger(__name__)

#: ``progress(done, total)``: bytes for CSV, rows for XLSX (total None when unknown).
Progress = Callable[[int, int | None], None]
_PROGRESS_EVERY = 256
_MB = 1024 * 1024


class FileRefused(Exception):
    """The file cannot be read on (too large, not UTF-8, not a workbook …)."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.code)
        self.issue = issue


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 15 * _MB
    max_rows: int = 10_000
    #: An XLSX archive may unpack to at most this many bytes (a zip bomb stops here).
    max_unpacked_bytes: int = 150 * _MB


def _mb(size: int) -> str:
    return f"{size / _MB:.1f}"


def file_kind(filename: str) -> str:
    """``csv`` or ``xlsx`` from the file's name; anything else is refused."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    raise FileRefused(Issue("FILE_TYPE", params={"suffix": suffix or "(none)"}))


def check_size(size: int, limits: Limits) -> None:
    if size > limits.max_bytes:
        params = {"size": _mb(size), "limit": _mb(limits.max_bytes)}
        raise FileRefused(Issue("FILE_TOO_LARGE", params=params))


def read_rows(
    path: Path, kind: str, limits: Limits, progress: Progress | None = None
) -> Iterator[tuple[int, list[object]]]:
    """Every row of the file, header first (row 1); raises :class:`FileRefused`."""
    check_size(path.stat().st_size, limits)
    if kind == "csv":
        yield from _csv_rows(path, progress)
    else:
        yield from _xlsx_rows(path, limits, progress)


# ---------------------------------------------------------------- CSV


class _Lines:
    """The file's lines, decoded strictly, counting bytes and lines for messages."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.offset = 0
        self.line = 0
        self.records = 0  # rows the csv reader has completed

    def __iter__(self) -> Iterator[str]:
        for raw in self.handle:
            start = self.offset
            self.offset += len(raw)
            self.line += 1
            if self.line == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw, start = raw[3:], start + 3
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                params = {"offset": start + exc.start, "line": self.line}
                raise FileRefused(Issue("CSV_NOT_UTF8", self.records + 1, params=params)) from None


def _csv_rows(path: Path, progress: Progress | None) -> Iterator[tuple[int, list[object]]]:
    total = path.stat().st_size
    with path.open("rb") as handle:
        lines = _Lines(handle)
        reader = csv.reader(lines, strict=True)
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                params = {"detail": str(exc)}
                raise FileRefused(Issue("CSV_SYNTAX", lines.records + 1, params=params)) from None
            lines.records += 1
            if progress is not None and lines.records % _PROGRESS_EVERY == 0:
                progress(lines.offset, total)
            yield lines.records, list(record)
    if progress is not None:
        progress(total, total)


# ---------------------------------------------------------------- XLSX


def _xlsx_invalid(detail: str) -> FileRefused:
    return FileRefused(Issue("XLSX_INVALID", params={"detail": detail}))


def _check_archive(path: Path, limits: Limits) -> None:
    if not zipfile.is_zipfile(path):
        raise _xlsx_invalid("not a zip archive")
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _xlsx_invalid(type(exc).__name__) from None
    if unpacked > limits.max_unpacked_bytes:
        params = {"size": _mb(unpacked), "limit": _mb(limits.max_unpacked_bytes)}
        raise FileRefused(Issue("XLSX_UNPACKED_TOO_LARGE", params=params))


def _cell_value(cell: object) -> object:
    value = getattr(cell, "value", None)
    data_type = getattr(cell, "data_type", None)
    if data_type == "f":
        text = getattr(value, "text", value)  # ArrayFormula / DataTableFormula keep .text
        return Formula(str(text if text is not None else "="))
    if data_type == "e":
        return CellError(str(value))
    return value


def _xlsx_rows(
    path: Path, limits: Limits, progress: Progress | None
) -> Iterator[tuple[int, list[object]]]:
    from openpyxl import load_workbook

    _check_archive(path, limits)
    with path.open("rb") as handle:  # a handle: openpyxl would judge a path by its suffix
        yield from _sheet_rows(handle, load_workbook, progress)


def _sheet_rows(
    handle: BinaryIO, load_workbook: Any, progress: Progress | None
) -> Iterator[tuple[int, list[object]]]:
    try:
        workbook = load_workbook(handle, read_only=True, data_only=False)
    except Exception as exc:  # untrusted file: any parser failure means "not readable"
        logger.info("registry import: unreadable workbook: %r", exc)
        raise _xlsx_invalid(type(exc).__name__) from None
    try:
        sheets = workbook.worksheets
        if not sheets or not hasattr(sheets[0], "iter_rows"):
            raise FileRefused(Issue("XLSX_NO_SHEET"))
        sheet = sheets[0]
        declared = sheet.max_row if isinstance(sheet.max_row, int) else None
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # read every row, whatever the file claims
        rows = sheet.iter_rows()
        number = 0
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                break
            except Exception as exc:  # malformed sheet XML, entity refused by defusedxml …
                logger.info("registry import: unreadable sheet: %r", exc)
                raise _xlsx_invalid(type(exc).__name__) from None
            number += 1
            values = [_cell_value(cell) for cell in cells]
            while values and values[-1] is None:
                values.pop()
            if progress is not None and number % _PROGRESS_EVERY == 0:
                progress(number, max(declared or 0, number))
            yield number, values
        if progress is not None:
            progress(number, number)
    finally:
        workbook.close()
