"""The documents a newcomer reads stay true to the code."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from inspect_app.errors import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("document", ["README.md", "docs/sync-protocol.md"])
def test_every_error_code_is_documented(document: str) -> None:
    text = (ROOT / document).read_text(encoding="utf-8")
    if document == "docs/sync-protocol.md":
        # the protocol page documents what a sync client can meet
        codes = {c for c in CATALOGUE if c.startswith(("SYNC_", "FORM_", "ATTACHMENT_"))}
    else:
        codes = set(CATALOGUE)
    missing = sorted(code for code in codes if f"`{code}`" not in text and code not in text)
    assert missing == []


def test_readme_names_the_two_commands_and_demo_logins() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for needle in ("make demo", "make test", "`inspector`", "<username>-demo"):
        assert needle in text


#: Design notes that live outside the repository. A reader of the repository cannot open them,
#: so code and documents cite the sources themselves (a standard, a law, an issue, a library's
#: documentation) or a document of this repository. Spelled in two parts so that this file
#: does not match itself.
OUTSIDE_NOTES = ("DESIGN" + ".md", "shared" + "/reference")
#: Nothing may name them (the decision log included).
MAY_NAME_OUTSIDE_NOTES: set[str] = set()


def test_nothing_points_at_design_notes_outside_the_repository() -> None:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    offenders = []
    for name in sorted(listed.stdout.decode().split("\0")):
        path = ROOT / name
        if not name or name in MAY_NAME_OUTSIDE_NOTES or not path.is_file():
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        offenders += [f"{name}: {needle}" for needle in OUTSIDE_NOTES if needle in text]
    assert offenders == []
