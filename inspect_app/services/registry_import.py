"""Registry import: a CSV or XLSX file of instruments, checked whole, written all or nothing.

:func:`check` reads the file once (rows streamed in chunks, bounded memory) and returns an
:class:`ImportReport`: every problem by row and column, and what a commit would do (merchants
to create or matched, instruments to create, update or left unchanged). :func:`commit`
checks, and only when the whole file is clean reads it a second time and writes through
:mod:`inspect_app.services.reference` (so every change reaches the tablets through pull),
then appends one ``registry.import`` audit entry with the counts and the file's sha256. It
flushes; the caller commits (the request, or the command line), and a caller that gets an
exception or an unclean report commits nothing.

Rules (docs/registry-import.md): a merchant is matched by (market_code, stall_no) and created
when new; a matched merchant keeps its registered name and kind (a difference is a warning).
An instrument is matched by instrument_code and updated when it belongs to that same
merchant; an import never moves an instrument to another merchant. Markets must exist and be
ones the importer may register in (supervisors: their district); others are unknown.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspect_app.domain import rulepacks
from inspect_app.domain.registry_cells import empty
from inspect_app.domain.registry_issues import Issue
from inspect_app.domain.registry_rows import COLUMNS, RegistryRow, RowParser, check_header
from inspect_app.domain.registry_rules import scale_classes
from inspect_app.errors import AppError
from inspect_app.models import User
from inspect_app.services import audit, scoping
from inspect_app.services.registry_checks import CHUNK, Checker, ImportReport
from inspect_app.services.registry_files import (
    FileRefused,
    Limits,
    Progress,
    check_size,
    file_kind,
    read_rows,
)
from inspect_app.services.registry_writes import Registry

__all__ = [
    "CHUNK",
    "ImportAborted",
    "ImportReport",
    "ImportSettings",
    "check",
    "commit",
    "file_sha256",
]

#: Defaults of the settings ``REGISTRY_IMPORT_MAX_BYTES`` and ``REGISTRY_IMPORT_MAX_ROWS``.
#: 15 MiB keeps a web upload under the app's 16 MiB ``MAX_CONTENT_LENGTH``.
DEFAULT_MAX_BYTES = 15 * 1024 * 1024
DEFAULT_MAX_ROWS = 10_000


@dataclass(frozen=True)
class ImportSettings:
    limits: Limits
    #: Accuracy classes the configured rule pack covers (``registry_rules.scale_classes``).
    classes: frozenset[str]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ImportSettings:
        """From the app's settings: the two limits and ``RULE_PACK``."""
        max_bytes = int(config.get("REGISTRY_IMPORT_MAX_BYTES") or DEFAULT_MAX_BYTES)
        max_rows = int(config.get("REGISTRY_IMPORT_MAX_ROWS") or DEFAULT_MAX_ROWS)
        limits = Limits(max_bytes, max_rows, max_unpacked_bytes=max(10 * max_bytes, 64 << 20))
        pack = rulepacks.load(str(config.get("RULE_PACK") or rulepacks.DEFAULT_PACK))
        return cls(limits, scale_classes(pack))


class ImportAborted(Exception):
    """The file or the registry changed between the check and the write: nothing is kept."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.code)
        self.issue = issue


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _allowed(actor: User | None) -> None:
    if actor is not None and not scoping.may_import_registry(actor):
        raise AppError("FORBIDDEN")


def check(
    path: Path,
    filename: str,
    actor: User | None,
    settings: ImportSettings,
    progress: Progress | None = None,
) -> ImportReport:
    """Validate the whole file (writes nothing). ``actor`` None is the command line (admin)."""
    _allowed(actor)
    report = ImportReport(filename)
    try:
        kind = file_kind(filename)
        check_size(path.stat().st_size, settings.limits)
        report.sha256 = file_sha256(path)
        checker = Checker(report, Registry(actor), settings.classes, settings.limits.max_rows)
        checker.run(read_rows(path, kind, settings.limits, progress))
    except FileRefused as exc:
        report.add(exc.issue)
    order = {name: i for i, name in enumerate(COLUMNS)}
    report.issues.sort(key=lambda i: (i.row or 0, order.get(i.column or "", -1)))
    return report


def commit(
    path: Path,
    filename: str,
    actor: User | None,
    settings: ImportSettings,
    progress: Progress | None = None,
    checked: ImportReport | None = None,
) -> ImportReport:
    """Check (unless ``checked`` is this file's report from the same transaction), then
    write every row when the whole file is clean; an unclean report is returned unwritten.

    :raises ImportAborted: the file or the registry changed since the check (roll back).
    """
    _allowed(actor)
    report = checked if checked is not None else check(path, filename, actor, settings, progress)
    if not report.clean:
        return report
    registry = Registry(actor)
    rows = _data_rows(read_rows(path, file_kind(filename), settings.limits, progress), settings)
    for chunk in _chunks(rows):
        problem = registry.write(chunk)
        if problem is not None:
            raise ImportAborted(problem)
    if file_sha256(path) != report.sha256:
        raise ImportAborted(Issue("FILE_CHANGED"))
    detail = {
        "file_sha256": report.sha256,
        "filename": filename[:200],
        "rows": report.rows,
        "merchants_created": report.merchants_to_create,
        "merchants_matched": report.merchants_matched,
        "instruments_created": report.instruments_to_create,
        "instruments_updated": report.instruments_to_update,
        "instruments_unchanged": report.instruments_unchanged,
    }
    audit.record(actor, "registry.import", "registry", None, detail)
    report.committed = True
    return report


def _data_rows(
    rows: Iterator[tuple[int, list[object]]], settings: ImportSettings
) -> Iterator[RegistryRow]:
    """The second pass: every row must still be clean (else the file changed)."""
    parser: RowParser | None = None
    for number, cells in rows:
        if parser is None:
            parser = RowParser(check_header(cells)[0], settings.classes)
            continue
        if all(empty(c) for c in cells):
            continue
        parsed = parser.parse(number, cells)
        if parsed.row is None:
            raise ImportAborted(Issue("FILE_CHANGED"))
        yield parsed.row


def _chunks(rows: Iterator[RegistryRow]) -> Iterator[list[RegistryRow]]:
    chunk: list[RegistryRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
