"""The documents a newcomer reads stay true to the code."""

from __future__ import annotations

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
