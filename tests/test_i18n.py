"""Both catalogues are complete for every string the code and templates show."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from inspect_app.models.inspection import Verdict
from inspect_app.models.instrument import InstrumentKind, InstrumentStatus
from inspect_app.models.place import MerchantKind
from inspect_app.models.user import Role

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "inspect_app" / "translations"
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def _read_po(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as handle:
        return read_po(handle)


def _extracted() -> set[str]:
    found = extract_from_dir(
        str(ROOT / "inspect_app"),
        METHOD_MAP,
        keywords={"_": None, "gettext": None, "N_": None, "lazy_gettext": None},
    )
    return {message for _file, _line, message, _comments, _context in found}


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_catalogue_translates_every_extracted_string(locale: str) -> None:
    po = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
    catalogue = _read_po(po)
    translated = {m.id for m in catalogue if m.id and m.string and not m.fuzzy}
    missing = sorted(_extracted() - translated)
    assert missing == [], f"untranslated in {locale}: {missing} (run make translations)"


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_compiled_catalogue_matches_its_source(locale: str) -> None:
    folder = TRANSLATIONS / locale / "LC_MESSAGES"
    po = {m.id: m.string for m in _read_po(folder / "messages.po") if m.id}
    with (folder / "messages.mo").open("rb") as handle:
        mo = {m.id: m.string for m in read_mo(handle) if m.id}
    assert po == mo, "messages.mo is stale: run make translations"


def test_every_enum_value_shown_to_people_is_translated() -> None:
    catalogue = _read_po(TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po")
    translated = {m.id for m in catalogue if m.id and m.string}
    values = {
        e.value
        for cls in (Role, MerchantKind, InstrumentKind, InstrumentStatus, Verdict)
        for e in cls
    }
    assert values - translated == set()
