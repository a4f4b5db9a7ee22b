"""neutralize_controls: invisible format characters out, everything visible kept."""

from __future__ import annotations

import unicodedata

import pytest

from inspect_app.domain.text import neutralize_controls


@pytest.mark.parametrize(
    "char",
    [
        *map(chr, range(0x200B, 0x2010)),  # zero-width space/non-joiner/joiner, LRM, RLM
        *map(chr, range(0x202A, 0x202F)),  # embeddings and overrides
        *map(chr, range(0x2060, 0x2065)),  # word joiner, invisible operators
        *map(chr, range(0x2066, 0x206A)),  # isolates
        "\u061c",  # Arabic letter mark
        "\ufeff",  # byte order mark
        "\u00ad",  # soft hyphen
        "\U000e0041",  # tag LATIN CAPITAL A ("ASCII smuggling")
    ],
)
def test_format_characters_are_removed(char: str) -> None:
    assert neutralize_controls(f"王{char}记") == "王记"


def test_every_format_character_but_the_mongolian_vowel_separator_goes() -> None:
    kept = [
        c
        for c in map(chr, range(0x110000))
        if unicodedata.category(c) == "Cf" and neutralize_controls(c) == c
    ]
    assert kept == ["\u180e"]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain ascii",
        "王记蔬菜 A-07",
        "ᠮᠣᠩᠭᠣᠯ\u180eᠠ",  # Traditional Mongolian with its vowel separator
        "café",  # a combining accent
        "葛\U000e0100",  # an ideographic variation selector (Mn, not Cf)
        "שלום 123",  # right-to-left text stays
        "line\nbreak\ttab",
    ],
)
def test_visible_text_is_unchanged(text: str) -> None:
    assert neutralize_controls(text) == text


def test_it_is_idempotent() -> None:
    once = neutralize_controls("a\u202eb\u200bc")
    assert once == "abc" == neutralize_controls(once)
