"""Parse the violation catalogue (``field_forms/violations.toml``)."""

from __future__ import annotations

from collections.abc import Mapping

from .model import Violation
from .parse import CODE_RE, invalid, parse_text

DOMAINS = ("INSTR", "TRANS", "MGMT")
SEVERITIES = ("S0", "S1", "S2", "S3", "S4")
TRIGGERS = ("repair_order", "condemnation", "alert", "reverification")
#: Triggers that make an order, and so need ``deadline_days``.
ORDER_TRIGGERS = ("repair_order", "condemnation", "reverification")
#: Longest deadline a catalogue entry may set (a year).
MAX_DEADLINE_DAYS = 366
BASIS_STATUSES = ("verified", "secondary", "unverified")


def parse_violations(data: Mapping[str, object]) -> dict[str, Violation]:
    """Build the violation catalogue from the parsed ``field_forms/violations.toml``.

    The file is ``[[violations]]`` tables with ``code`` (UPPER_SNAKE, unique), ``domain``
    (INSTR/TRANS/MGMT), ``severity`` (S0–S4), ``title`` and ``legal_basis`` {zh, en},
    ``basis_status`` (verified/secondary/unverified) and ``triggers`` (a list drawn from
    repair_order, condemnation, alert, reverification). Every S4 must trigger ``alert``.
    ``deadline_days`` (1–366) is present exactly when a trigger makes an order.

    :raises FormDefinitionError: naming the violation code.
    """
    if not isinstance(data, Mapping) or set(data) != {"violations"}:
        raise invalid("violations", "the file must hold only [[violations]] tables")
    raw = data["violations"]
    if not isinstance(raw, list) or not raw:
        raise invalid("violations", "no violations defined")
    out: dict[str, Violation] = {}
    allowed = {"code", "domain", "severity", "title", "legal_basis", "basis_status", "triggers"}
    for index, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise invalid(f"violations[{index}]", "must be a table")
        code = item.get("code")
        if not isinstance(code, str) or not CODE_RE.fullmatch(code):
            raise invalid(f"violations[{index}]", "code must be UPPER_SNAKE")
        at = f"violations: {code}"
        if code in out:
            raise invalid(at, "duplicate code")
        keys = set(item) - {"deadline_days"}  # checked once the triggers are known
        if keys != allowed:
            missing, extra = allowed - keys, keys - allowed
            raise invalid(at, f"missing {sorted(missing)} / unknown {sorted(map(str, extra))}")
        for name, options in (
            ("domain", DOMAINS),
            ("severity", SEVERITIES),
            ("basis_status", BASIS_STATUSES),
        ):
            if item[name] not in options:
                raise invalid(at, f"{name} must be one of {', '.join(options)}")
        triggers = item["triggers"]
        if (
            not isinstance(triggers, list)
            or any(t not in TRIGGERS for t in triggers)
            or len(set(triggers)) != len(triggers)
        ):
            raise invalid(at, f"triggers must be distinct values of {', '.join(TRIGGERS)}")
        if item["severity"] == "S4" and "alert" not in triggers:
            raise invalid(at, "an S4 violation must trigger 'alert'")
        makes_order = any(t in ORDER_TRIGGERS for t in triggers)
        deadline = item.get("deadline_days")
        if makes_order != ("deadline_days" in item):
            side = (
                "missing ['deadline_days'] / unknown []"
                if makes_order
                else ("missing [] / unknown ['deadline_days']")
            )
            raise invalid(at, side)
        if makes_order and (
            isinstance(deadline, bool)
            or not isinstance(deadline, int)
            or not 1 <= deadline <= MAX_DEADLINE_DAYS
        ):
            raise invalid(at, f"deadline_days must be a whole number 1–{MAX_DEADLINE_DAYS}")
        out[code] = Violation(
            code=code,
            domain=item["domain"],
            severity=item["severity"],
            title=parse_text(item["title"], at, "title"),
            legal_basis=parse_text(item["legal_basis"], at, "legal_basis"),
            basis_status=item["basis_status"],
            triggers=tuple(triggers),
            deadline_days=deadline if makes_order else None,
        )
    return out
