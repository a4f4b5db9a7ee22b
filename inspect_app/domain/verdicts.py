"""Shared pieces of every metrology verdict: reasons, the pack reference and rule citations.

A verdict is stored as JSON next to the inspection and must explain itself years later, so
each one carries the pack id and version that produced it and a :class:`Citation` for every
published table it used, with that table's ``verified`` flag (``False`` when the rows were not
checked against the primary legal text; see ``docs/metrology.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

JSON = str | int | bool | None | list["JSON"] | dict[str, "JSON"]
JSONDict = dict[str, JSON]


@dataclass(frozen=True)
class Reason:
    """One human-readable finding of a verdict, in both languages, with a stable code.

    ``ok`` is ``True`` for a requirement met, ``False`` for one failed and ``None`` for a
    note that decides nothing (e.g. "no average test for lots of 10 or fewer").
    """

    code: str
    en: str
    zh: str
    ok: bool | None = None

    def text(self, lang: str) -> str:
        """Return the sentence in ``lang`` ("zh" or "en")."""
        return self.zh if lang == "zh" else self.en

    def to_dict(self) -> JSONDict:
        """Return ``{"code", "en", "zh", "ok"}``."""
        return {"code": self.code, "en": self.en, "zh": self.zh, "ok": self.ok}


@dataclass(frozen=True)
class PackRef:
    """Identity of the rule pack that produced a verdict."""

    id: str
    version: str

    def to_dict(self) -> JSONDict:
        """Return ``{"id", "version"}``."""
        return {"id": self.id, "version": self.version}


@dataclass(frozen=True)
class Source:
    """Where a table of a rule pack comes from.

    ``marker`` grades the evidence for the rows: ``V`` read in the cited source itself
    (``document``, at ``url``), ``V-2`` read in a secondary source (a summary, a trade article,
    a national law adopting the text), ``U`` not found in any source (general knowledge;
    docs/metrology.md lists these rows).
    ``verified`` is ``True`` only when the rows were read in the primary text (marker ``V``).
    """

    document: str
    clause: str
    marker: str
    verified: bool
    url: str = ""
    note: str = ""
    short: str = ""

    @property
    def label(self) -> str:
        """The short name used in explanations ("JJG 539"), else the document title."""
        return self.short or self.document

    def to_dict(self) -> JSONDict:
        """Return every field as JSON."""
        return {
            "document": self.document,
            "short": self.label,
            "clause": self.clause,
            "marker": self.marker,
            "verified": self.verified,
            "url": self.url,
            "note": self.note,
        }


@dataclass(frozen=True)
class Citation:
    """A table (and the row of it) that a verdict used, with its source."""

    table: str
    row: str
    source: Source
    verified: bool

    def to_dict(self) -> JSONDict:
        """Return the table key, the row text, the source and the row's verified flag."""
        return {
            "table": self.table,
            "row": self.row,
            "verified": self.verified,
            "source": self.source.to_dict(),
        }


def unique_citations(citations: tuple[Citation, ...]) -> tuple[Citation, ...]:
    """Drop repeated citations, keeping the first occurrence's order."""
    seen: dict[tuple[str, str], Citation] = {}
    for citation in citations:
        seen.setdefault((citation.table, citation.row), citation)
    return tuple(seen.values())


def provisional_note(citations: tuple[Citation, ...], lang: str) -> str:
    """Return a warning line when any cited row is unverified, else an empty string."""
    tables = sorted({c.table for c in citations if not c.verified})
    if not tables:
        return ""
    if lang == "zh":
        return "注意：以下规则行尚未与原始法规文本核对：" + "、".join(tables)
    return "Note: rows not yet checked against the primary legal text: " + ", ".join(tables)


@dataclass(frozen=True)
class Verdict:
    """What every verdict has: the pack, the outcome, the reasons and the rules cited.

    Subclasses add the numbers that led to the outcome and call :meth:`common_dict` and
    :meth:`reason_lines` from their ``to_dict`` and ``explain``.
    """

    pack: PackRef
    passed: bool
    reasons: tuple[Reason, ...]
    citations: tuple[Citation, ...]

    @property
    def unverified(self) -> bool:
        """Whether any rule behind this verdict is not verified against the primary text."""
        return any(not c.verified for c in self.citations)

    def common_dict(self) -> JSONDict:
        """Return ``pack``, ``passed``, ``unverified``, ``reasons`` and ``citations``."""
        return {
            "pack": self.pack.to_dict(),
            "passed": self.passed,
            "unverified": self.unverified,
            "reasons": [r.to_dict() for r in self.reasons],
            "citations": [c.to_dict() for c in self.citations],
        }

    def reason_lines(self, lang: str) -> list[str]:
        """Return each reason in ``lang``, then the unverified-rules note if there is one."""
        lines = [r.text(lang) for r in self.reasons]
        note = provisional_note(self.citations, lang)
        return [*lines, note] if note else lines
