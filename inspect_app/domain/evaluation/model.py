"""Value types of an evaluation."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from inspect_app.domain.quantities import MeasurementError, to_decimal
from inspect_app.domain.verdicts import JSON, JSONDict, PackRef


@dataclass(frozen=True)
class InstrumentFacts:
    """What the register says about an instrument (the answers never override it)."""

    code: str
    kind: str
    accuracy_class: str | None = None
    max: Decimal | None = None
    min: Decimal | None = None
    e: Decimal | None = None
    d: Decimal | None = None
    valid_until: date | None = None


@dataclass(frozen=True)
class FindingDraft:
    """A violation to record: catalogue ``code``, where in the answers, and the numbers."""

    code: str
    path: str
    instrument_code: str | None = None
    evidence: dict[str, JSON] = field(default_factory=dict)


@dataclass(frozen=True)
class Evaluation:
    """Every check that ran (verdict dicts with their paths) and the findings they gave."""

    pack: PackRef
    checks: tuple[JSONDict, ...]
    findings: tuple[FindingDraft, ...]

    def to_dict(self) -> JSONDict:
        return {
            "pack": self.pack.to_dict(),
            "checks": list(self.checks),
            "findings": [
                {"code": f.code, "path": f.path, "instrument": f.instrument_code, **f.evidence}
                for f in self.findings
            ],
        }


Checks = tuple[tuple[JSONDict, ...], tuple[FindingDraft, ...]]


def repeat_items(value: object) -> list[Mapping[str, object]]:
    """The items of an answered repeat group (validated answers; this narrows the type)."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def number(value: object, path: str) -> Decimal:
    """An answered number as a Decimal (answers passed form validation; this narrows type)."""
    if isinstance(value, bool) or not isinstance(value, int | str | Decimal | float):
        raise MeasurementError(
            "INVALID_NUMBER", f"{path}: not a number.", f"{path}：不是数字。", {"path": path}
        )
    return to_decimal(value, path)


def expiry_finding(
    code: str, path: str, facts: InstrumentFacts | None, marked: object, on: date
) -> FindingDraft | None:
    """Expired if the register's ``valid_until`` or the date on the mark is before ``on``."""
    dates = {"registered_valid_until": facts.valid_until if facts else None}
    if isinstance(marked, str):
        with contextlib.suppress(ValueError):  # validation already refused bad dates
            dates["marked_valid_until"] = date.fromisoformat(marked)
    expired = {k: v.isoformat() for k, v in dates.items() if v is not None and v < on}
    if not expired:
        return None
    return FindingDraft(
        code=code,
        path=path,
        instrument_code=facts.code if facts else None,
        evidence={"inspected_on": on.isoformat(), **expired},
    )
