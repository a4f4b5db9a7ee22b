"""Rule packs: a jurisdiction's published metrology tables as data, one TOML file each.

``load("cn")`` returns the validated, frozen :class:`RulePack` (parsed once per process and
cached); ``available()`` lists the packs shipped; ``export_json("cn")`` gives the tables as
JSON for the tablet, which computes the same verdicts from them. ``loads`` parses TOML text
(used to test a new jurisdiction's pack before it is added). See ``docs/metrology.md``.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from functools import cache
from pathlib import Path

from inspect_app.domain.rulepacks.export import export_pack
from inspect_app.domain.rulepacks.model import RulePack
from inspect_app.domain.rulepacks.parse import parse_pack
from inspect_app.domain.rulepacks.reader import RulePackError
from inspect_app.domain.verdicts import JSONDict

__all__ = [
    "DEFAULT_PACK",
    "RulePack",
    "RulePackError",
    "available",
    "clear_cache",
    "export_json",
    "load",
    "loads",
    "resolve",
]

_DIR = Path(__file__).resolve().parent
DEFAULT_PACK = "cn"


def available() -> list[str]:
    """Return the ids of the packs shipped with the application, sorted."""
    return sorted(p.stem for p in _DIR.glob("*.toml"))


def loads(text: str, origin: str = "<string>") -> RulePack:
    """Parse and validate a pack from TOML text; ``origin`` names it in error messages.

    Numbers with a decimal point are read as :class:`~decimal.Decimal`, never as floats.

    :raises RulePackError: the TOML is malformed or a table fails validation.
    """
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise RulePackError(f"{origin}: not valid TOML: {exc}") from None
    return parse_pack(data, origin)


def load(pack_id: str = DEFAULT_PACK) -> RulePack:
    """Return the validated pack ``pack_id``, parsing its file only on the first call.

    :raises RulePackError: no such pack, or its file fails validation (the message names the
        table and row).
    """
    return _load(pack_id)


@cache  # keyed on the id alone, so load() and load("cn") share one parse
def _load(pack_id: str) -> RulePack:
    if pack_id not in available():
        raise RulePackError(f"unknown rule pack {pack_id!r}; available: {available()}")
    path = _DIR / f"{pack_id}.toml"
    pack = loads(path.read_text(encoding="utf-8"), path.name)
    if pack.id != pack_id:
        raise RulePackError(f"{path.name}: id {pack.id!r} does not match the file name")
    return pack


def clear_cache() -> None:
    """Forget the loaded packs, so the next ``load`` reads the files again (tests, tools)."""
    _load.cache_clear()


def resolve(pack: RulePack | str) -> RulePack:
    """Return ``pack`` itself, or the loaded pack when given its id."""
    return pack if isinstance(pack, RulePack) else load(pack)


def export_json(pack_id: str = DEFAULT_PACK) -> JSONDict:
    """Return every table of the pack as JSON-serialisable data (decimals as strings).

    This is what the tablet's JavaScript receives; it holds every table the verdict functions
    read, with each table's source and ``verified`` flags. Each call returns a new object.
    """
    return export_pack(load(pack_id))
