"""An instrument's status, derived from its active orders and its verification date.

Never edited by hand (an inspector's finding or a supervisor's acceptance of evidence changes
the orders; time changes the verification). The order of precedence says what a shopper most
needs to know first:

1. ``retired`` and ``seized`` are decided outside inspections and stay as they are;
2. an active condemnation (red tag, 禁止使用) → ``condemned``;
3. an active repair order (blue tag, 限期整改) → ``repair_order``;
4. an active re-verification order, or a verification that ran out before ``today``
   (``valid_until < today``: the mark is valid through its last day) → ``verification_expired``;
5. otherwise ``in_service`` (also when no verification date is recorded: unknown is not expired).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

IN_SERVICE = "in_service"
REPAIR_ORDER = "repair_order"
CONDEMNED = "condemned"
VERIFICATION_EXPIRED = "verification_expired"
#: Set by people outside the inspection flow; derivation leaves them alone.
KEPT = frozenset({"retired", "seized"})


def derive(
    current: str, active_order_kinds: Iterable[str], valid_until: date | None, today: date
) -> str:
    """The status an instrument should have now (see the module docstring for the rule)."""
    if current in KEPT:
        return current
    kinds = set(active_order_kinds)
    if "condemn" in kinds:
        return CONDEMNED
    if "repair" in kinds:
        return REPAIR_ORDER
    if "reverify" in kinds or (valid_until is not None and valid_until < today):
        return VERIFICATION_EXPIRED
    return IN_SERVICE
