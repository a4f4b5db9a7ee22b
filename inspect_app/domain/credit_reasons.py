"""Reason codes of a credit grade: machine strings, and the zh/en sentence for each.

Two shapes, stable across rule versions (stored in snapshots, sent by the API):

* ``provisional`` — fewer inspections in the window than the rule's minimum: grade ``P``.
* ``<cap id>:<finding code>:<found on>:<lifts on>`` — a cap holds the grade down, e.g.
  ``cap_s4_12m:SCALE_CHEATING_DEVICE:2026-01-15:2027-01-16``. ``cap id`` is the ``id`` of the
  cap in the rule file (``[a-z][a-z0-9_]*``; v1: ``cap_s4_12m``, ``cap_s4_36m``,
  ``cap_s3_6m``), ``finding code`` the violation catalogue code (``UPPER_SNAKE``), ``found on``
  the date of the inspection that found it, ``lifts on`` the first day on which that finding is
  too old to hold this cap (ISO dates). The finding named is the most recent one holding that
  cap, so ``lifts on`` is the day the cap itself lifts (unless a new finding arrives).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

PROVISIONAL = "provisional"
_CAP_RE = re.compile(
    r"(?P<cap>[a-z][a-z0-9_]*):(?P<code>[A-Z][A-Z0-9_]*):"
    r"(?P<found>\d{4}-\d{2}-\d{2}):(?P<lifts>\d{4}-\d{2}-\d{2})"
)


@dataclass(frozen=True)
class CapReason:
    """A parsed cap reason code."""

    cap: str
    code: str
    found_on: date
    lifts_on: date

    def __str__(self) -> str:
        return f"{self.cap}:{self.code}:{self.found_on.isoformat()}:{self.lifts_on.isoformat()}"


def cap_reason(cap: str, code: str, found_on: date, lifts_on: date) -> str:
    """The reason code for ``cap`` held by finding ``code`` found on ``found_on``."""
    return str(CapReason(cap, code, found_on, lifts_on))


def parse_reason(reason: str) -> CapReason | None:
    """The parts of a cap reason code; ``None`` for ``provisional`` or anything else."""
    match = _CAP_RE.fullmatch(reason)
    if match is None:
        return None
    try:
        found, lifts = date.fromisoformat(match["found"]), date.fromisoformat(match["lifts"])
    except ValueError:
        return None
    return CapReason(match["cap"], match["code"], found, lifts)


def describe_reason(reason: str, lang: str, titles: Mapping[str, str] | None = None) -> str:
    """One sentence a person can read, in English when ``lang`` starts with ``en``, else Chinese.

    ``titles`` maps a finding code to its title in ``lang`` (the caller reads the violation
    catalogue; this module never does); a code without a title is shown as the code. A string
    that is not a reason code of the documented shapes is returned unchanged.
    """
    english = lang.lower().startswith("en")
    if reason == PROVISIONAL:
        if english:
            return "Not enough inspections yet for a grade."
        return "检查次数尚不足以评定等级。"
    parsed = parse_reason(reason)
    if parsed is None:
        return reason
    title = (titles or {}).get(parsed.code) or parsed.code
    found, lifts = parsed.found_on.isoformat(), parsed.lifts_on.isoformat()
    if english:
        return f"{title}, found {found}; the cap lifts on {lifts}."
    return f"{title}（{found} 发现）；该限制于 {lifts} 解除。"
