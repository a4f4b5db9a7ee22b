"""Text shown to people: invisible format characters taken out of stored names.

A merchant registered as ``"\u202eabc"`` would flip the direction of whatever follows it on a
page (a "right-to-left override" spoof), and a zero-width space makes two names that look alike
compare unequal. Neither has any business in a name on an inspection page or a tablet list.
"""

from __future__ import annotations

import unicodedata

#: Kept although its category is Cf: U+180E MONGOLIAN VOWEL SEPARATOR is part of the spelling
#: of Traditional Mongolian words, which merchants in Inner Mongolia write their names in.
_KEPT = frozenset({"\u180e"})


def _is_removed(char: str) -> bool:
    return unicodedata.category(char) == "Cf" and char not in _KEPT


def neutralize_controls(text: str) -> str:
    """``text`` without Unicode format (category Cf) characters, which render invisibly.

    Removed, among others: the bidirectional marks, embeddings, overrides and isolates
    (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069), zero-width space, non-joiner and
    joiner (U+200B–U+200D), word joiner and invisible operators (U+2060–U+2064), the byte
    order mark / zero-width no-break space (U+FEFF), soft hyphen (U+00AD), interlinear
    annotation marks and tag characters (U+E0000 block). Kept: U+180E (see ``_KEPT``), and
    every visible character, combining marks and variation selectors included.

    Dropping the joiners splits emoji sequences such as 👨‍👩‍👧 into their parts: accepted
    for names on inspection pages. Idempotent; a string without such characters is returned
    as it is.
    """
    if text.isascii():
        return text
    if not any(_is_removed(char) for char in text):
        return text
    return "".join(char for char in text if not _is_removed(char))
