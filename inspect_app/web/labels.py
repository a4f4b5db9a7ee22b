"""Enum values shown to people, marked for extraction so both catalogues translate them.

Templates call ``_(value)`` on these; a test checks every enum value has a translation.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the conventional Babel marker name
    """Mark a string for extraction without translating it here."""
    return message


ENUM_LABELS = [
    # roles
    N_("admin"), N_("supervisor"), N_("inspector"), N_("merchant"),
    # merchant kinds
    N_("stall"), N_("optical_shop"), N_("grocery"), N_("packer"),
    # instrument kinds
    N_("price_computing_scale"), N_("platform_scale"), N_("dial_scale"), N_("steelyard"),
    N_("focimeter"), N_("refractometer"), N_("trial_lens_set"),
    # instrument status
    N_("in_service"), N_("repair_order"), N_("condemned"), N_("verification_expired"),
    N_("seized"), N_("retired"),
    # verdicts
    N_("pass"), N_("fail"),
]  # fmt: skip
