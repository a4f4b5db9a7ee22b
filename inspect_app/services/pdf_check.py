"""A light structural check of an uploaded PDF (a repair invoice, a verification certificate).

The server has no PDF library of its own in production (rendering one to check it would
bring a large parser into every upload), so a PDF is checked by its structure and served only
as a download (``Content-Disposition: attachment``, ``nosniff``, ``CSP: sandbox``); what opens
it is the reader's own PDF viewer. The check, in order (docs/merchant-portal.md):

1. **Header**: the file starts with ``%PDF-1.x`` or ``%PDF-2.x`` (ISO 32000-2 §7.5.2).
2. **Trailer**: ``startxref``, a byte offset inside the file and ``%%EOF`` within the last
   1024 bytes (§7.5.5), at least one indirect object (``N G obj``) and a cross-reference
   (an ``xref`` table or an ``/XRef`` stream).
3. **No active content**: none of the names in :data:`ACTIVE_NAMES` (JavaScript, launch and
   remote actions, embedded files, rich media, XFA forms, form submission, encryption) in the
   file's structure: its objects outside stream data, and the objects packed in object streams
   (``/Type /ObjStm``, §7.5.7), which are decompressed (FlateDecode only, within a budget).
   Names are compared after ``#xx`` escapes are decoded (``/J#61vaScript`` is ``/JavaScript``,
   §7.3.5). Stream data (page content, images, fonts) is skipped: compressed bytes would match
   a short name like ``/JS`` by chance.

An object stream that cannot be read (another filter, broken data, over the budget) cannot be
checked, so the file is refused as not readable. A file that passes may still be malformed in
ways only a renderer notices; its reader's viewer then shows an error, nothing runs.
"""

from __future__ import annotations

import re
import zlib
from pathlib import Path

from inspect_app.errors import AppError

#: Names that make a PDF do something when opened, fetch or launch something, carry other
#: files, or hide its objects from this check (``/Encrypt``).
ACTIVE_NAMES = frozenset(
    {
        b"JavaScript",
        b"JS",
        b"Launch",
        b"GoToR",
        b"GoToE",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"RichMedia",
        b"XFA",
        b"SubmitForm",
        b"ImportData",
        b"Encrypt",
    }
)
#: Decompressed object streams are read up to this many bytes in all (a zip-bomb guard).
INFLATE_BUDGET = 32 * 1024 * 1024

_HEADER = re.compile(rb"%PDF-[12]\.\d")
_TRAILER = re.compile(rb"startxref\s+(\d{1,12})\s+%%EOF\s*$")
_OBJECT = re.compile(rb"\d{1,10}\s+\d{1,5}\s+obj\b")
_XREF = re.compile(rb"(?:^|[\r\n])xref\s|/Type\s*/XRef\b")
#: A stream's data begins after its dictionary's ``>>``, the keyword and one end of line.
_STREAM_START = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
_STREAM_END = re.compile(rb"(?:\r\n|\n|\r)?endstream\b")
#: A name: a solidus and regular characters (§7.3.5; delimiters and white space end it).
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r /<>\[\]()%{}]*)")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
#: The dictionary of the object a stream belongs to: from its ``obj`` keyword to the stream.
_LAST_OBJ = re.compile(rb"obj\b")


def _invalid() -> AppError:
    return AppError("EVIDENCE_PDF_INVALID")


def _names(structure: bytes) -> set[bytes]:
    return {
        _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), n) for n in _NAME.findall(structure)
    }


def _inflate(data: bytes, budget: int) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, budget + 1)
    except zlib.error as exc:
        raise _invalid() from exc
    if len(out) > budget:
        raise _invalid()
    return out


def _object_stream(dictionary: bytes, data: bytes, budget: int) -> bytes | None:
    """The decompressed objects of an object stream, None for any other stream."""
    names = _names(dictionary)
    # By its type, or by the two entries a reader needs to use it as one (a lenient reader
    # may not look at the type).
    if b"ObjStm" not in names and not {b"N", b"First"} <= names:
        return None
    filters = names & {b"FlateDecode", b"Fl"}
    others = names & {
        b"ASCIIHexDecode", b"ASCII85Decode", b"LZWDecode", b"RunLengthDecode", b"Crypt",
        b"AHx", b"A85", b"LZW", b"RL", b"DecodeParms",
    }  # fmt: skip
    if others:
        raise _invalid()  # a filter (or predictor) this check does not read
    return _inflate(data, budget) if filters else data


def _structure(content: bytes) -> tuple[bytes, list[bytes]]:
    """The file with stream data left out, and the decompressed object streams."""
    parts: list[bytes] = []
    packed: list[bytes] = []
    budget = INFLATE_BUDGET
    position = 0
    while (start := _STREAM_START.search(content, position)) is not None:
        end = _STREAM_END.search(content, start.end())
        if end is None:
            raise _invalid()
        head = content[position : start.start() + 2]
        parts.append(head)
        starts = [match.end() for match in _LAST_OBJ.finditer(head)]
        dictionary = head[starts[-1] :] if starts else head
        objects = _object_stream(dictionary, content[start.end() : end.start()], budget)
        if objects is not None:
            budget -= len(objects)
            packed.append(objects)
        position = end.end()
    parts.append(content[position:])
    return b"\n".join(parts), packed


def check(path: Path) -> None:
    """Refuse a file that is not a plain PDF (see the module docstring); return if it is.

    :raises AppError: ``EVIDENCE_PDF_INVALID`` (header, trailer, structure, unreadable object
        streams) or ``EVIDENCE_PDF_ACTIVE_CONTENT``.
    """
    content = path.read_bytes()  # at most the evidence size limit (10 MiB by default)
    if not _HEADER.match(content):
        raise _invalid()
    trailer = _TRAILER.search(content[-1024:])
    if trailer is None or int(trailer.group(1)) >= len(content):
        raise _invalid()
    structure, packed = _structure(content)
    if not _OBJECT.search(structure) or not _XREF.search(structure):
        raise _invalid()
    for part in (structure, *packed):
        if _names(part) & ACTIVE_NAMES:
            raise AppError("EVIDENCE_PDF_ACTIVE_CONTENT")
