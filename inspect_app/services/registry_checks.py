"""The first pass of a registry import: row checks, checks across rows, then the registry.

Rows are checked one by one (:class:`~inspect_app.domain.registry_rows.RowParser`), then
across the file (an instrument code twice; one stall with two names or kinds), and rows that
pass are looked up in the registry a chunk at a time (bounded memory, few queries): the
market must be one the importer may use, a stall's merchant is matched or to be created, an
instrument code is new, an update of the same merchant's instrument, or refused (another
merchant's; outside the importer's district). The result is an :class:`ImportReport`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from inspect_app.domain.registry_cells import empty
from inspect_app.domain.registry_issues import ERROR, WARNING, Issue
from inspect_app.domain.registry_rows import Parsed, RegistryRow, RowParser, check_header
from inspect_app.services.registry_files import FileRefused
from inspect_app.services.registry_writes import Registry, instrument_fields, stall_label

#: At most this many issues are kept (all are counted): the first ones are what to fix.
MAX_ISSUES = 1000
#: Rows looked up in the database together.
CHUNK = 500


@dataclass
class ImportReport:
    filename: str
    sha256: str = ""
    rows: int = 0
    merchants_to_create: int = 0
    merchants_matched: int = 0
    instruments_to_create: int = 0
    instruments_to_update: int = 0
    instruments_unchanged: int = 0
    errors: int = 0
    warnings: int = 0
    issues: list[Issue] = field(default_factory=list)
    committed: bool = False

    @property
    def clean(self) -> bool:
        return self.errors == 0

    @property
    def issues_left_out(self) -> int:
        return self.errors + self.warnings - len(self.issues)

    def add(self, issue: Issue) -> None:
        if issue.level == ERROR:
            self.errors += 1
        else:
            self.warnings += 1
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "issues"}
        return data | {"issues": [issue.as_dict() for issue in self.issues]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        issues = [Issue.from_dict(item) for item in data.get("issues", [])]
        return cls(**{k: v for k, v in data.items() if k != "issues"}, issues=issues)


@dataclass
class _Stall:
    row: int
    name: str
    kind: str
    resolved: bool = False
    merchant_id: int | None = None
    ambiguous: bool = False


class Checker:
    """The first pass: row checks, checks across rows, then the registry, a chunk at a time."""

    def __init__(
        self, report: ImportReport, registry: Registry, classes: frozenset[str], max_rows: int
    ) -> None:
        self.report = report
        self.registry = registry
        self.classes = classes
        self.max_rows = max_rows
        self.parser: RowParser | None = None
        self.codes: dict[str, int] = {}
        self.duplicates_reported: set[str] = set()
        self.stalls: dict[tuple[str, str], _Stall] = {}
        self.pending: list[RegistryRow] = []

    def run(self, rows: Iterator[tuple[int, list[object]]]) -> None:
        for number, cells in rows:
            if self.parser is None:
                header, issues = check_header(cells)
                for issue in issues:
                    self.report.add(issue)
                self.parser = RowParser(header, self.classes)
                continue
            if all(empty(c) for c in cells):
                continue
            self.report.rows += 1
            if self.report.rows > self.max_rows:
                raise FileRefused(Issue("TOO_MANY_ROWS", params={"limit": self.max_rows}))
            self._row(self.parser.parse(number, cells), number)
            if len(self.pending) >= CHUNK:
                self._resolve()
        if self.parser is None:
            self.report.add(Issue("FILE_EMPTY"))
        elif self.report.rows == 0:
            self.report.add(Issue("NO_ROWS"))
        self._resolve()

    def _issue(self, code: str, row: int, column: str, /, **params: object) -> None:
        assert self.parser is not None
        self.report.add(Issue(code, row, column, self.parser.cell(column, row), params))

    def _row(self, parsed: Parsed, number: int) -> None:
        for issue in parsed.issues:
            self.report.add(issue)
        values = parsed.values
        code = values.get("instrument_code")
        if isinstance(code, str):
            first = self.codes.setdefault(code, number)
            if first != number:
                self._issue("DUPLICATE_CODE", number, "instrument_code", code=code, other=first)
                if code not in self.duplicates_reported:
                    self.duplicates_reported.add(code)
                    self._issue("DUPLICATE_CODE", first, "instrument_code", code=code, other=number)
        market = values.get("market_code")
        known = isinstance(market, str) and self.registry.market(market) is not None
        if isinstance(market, str) and not known:
            self._issue("MARKET_UNKNOWN", number, "market_code", value=market)
        stall_no, name, kind = (
            values.get(c) for c in ("stall_no", "merchant_name", "merchant_kind")
        )
        if isinstance(market, str) and isinstance(stall_no, str):
            stall = self.stalls.setdefault(
                (market, stall_no), _Stall(number, str(name or ""), str(kind or ""))
            )
            for column, mine, theirs in (
                ("merchant_name", name, stall.name),
                ("merchant_kind", kind, stall.kind),
            ):
                if isinstance(mine, str) and theirs and mine != theirs:
                    self._issue(
                        "STALL_CONFLICT",
                        number,
                        column,
                        stall=stall_no,
                        market=market,
                        column=column,
                        other_value=theirs,
                        other=stall.row,
                    )
        if parsed.row is not None and known and not parsed.issues:
            self.pending.append(parsed.row)

    def _resolve(self) -> None:
        """Look the pending rows' stalls and instruments up, and count what a commit does."""
        if not self.pending:
            return
        rows, self.pending = self.pending, []
        stalls = {(r.market_code, r.stall_no) for r in rows}
        unresolved = {key for key in stalls if not self.stalls[key].resolved}
        found = self.registry.merchants_at(unresolved)
        for key in unresolved:
            self._stall_resolved(key, found.get(key, []))
        existing = self.registry.instruments(r.instrument_code for r in rows)
        for row in rows:
            stall = self.stalls[(row.market_code, row.stall_no)]
            if stall.ambiguous:
                continue
            instrument = existing.get(row.instrument_code)
            if instrument is None:
                self.report.instruments_to_create += 1
            elif not self.registry.may_change(instrument):
                self._issue(
                    "INSTRUMENT_CODE_TAKEN", row.row, "instrument_code", code=row.instrument_code
                )
            elif instrument.merchant_id != stall.merchant_id:
                self._issue(
                    "INSTRUMENT_OTHER_MERCHANT",
                    row.row,
                    "instrument_code",
                    code=row.instrument_code,
                    merchant=stall_label(instrument.merchant),
                )
            elif any(getattr(instrument, k) != v for k, v in instrument_fields(row).items()):
                self.report.instruments_to_update += 1
            else:
                self.report.instruments_unchanged += 1

    def _stall_resolved(self, key: tuple[str, str], merchants: list[Any]) -> None:
        stall = self.stalls[key]
        stall.resolved = True
        if not merchants:
            self.report.merchants_to_create += 1
            return
        if len(merchants) > 1:
            stall.ambiguous = True
            self._issue("MERCHANT_AMBIGUOUS", stall.row, "stall_no", stall=key[1], market=key[0])
            return
        merchant = merchants[0]
        stall.merchant_id = merchant.id
        self.report.merchants_matched += 1
        for column, registered, given in (
            ("merchant_name", merchant.name, stall.name),
            ("merchant_kind", str(merchant.kind), stall.kind),
        ):
            if registered != given:
                assert self.parser is not None
                cell = self.parser.cell(column, stall.row)
                params = {"column": column, "registered": registered}
                self.report.add(Issue("MERCHANT_KEPT", stall.row, column, cell, params, WARNING))
