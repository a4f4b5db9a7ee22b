"""Evidence files (services/evidence_files.py, services/pdf_check.py): what is accepted, what is
refused, and that nothing of a refused file is left behind."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from inspect_app.errors import AppError
from inspect_app.models.enforcement import EvidenceKind
from inspect_app.services import evidence_files, pdf_check
from tests import evidence_samples as samples

LIMIT = 1024 * 1024


def _check(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "upload"
    path.write_bytes(data)
    try:
        pdf_check.check(path)
    except AppError as exc:
        return exc.problem.code
    return "ok"


def test_real_pdfs_pass_and_really_are_pdfs(tmp_path: Path) -> None:
    for data in (samples.real_pdf(), samples.real_pdf(pages=3), samples.built_pdf()):
        assert _check(tmp_path, data) == "ok"
        document = pdfium.PdfDocument(data)  # what a PDF reader makes of it
        assert len(document) >= 1
        document.close()


@pytest.mark.parametrize(
    "sample",
    [
        samples.javascript_pdf,
        samples.escaped_javascript_pdf,
        samples.launch_pdf,
        samples.embedded_file_pdf,
        samples.object_stream_javascript_pdf,
    ],
)
def test_active_content_is_refused_wherever_it_hides(tmp_path: Path, sample: object) -> None:
    data = sample()  # type: ignore[operator]
    assert _check(tmp_path, data) == "EVIDENCE_PDF_ACTIVE_CONTENT"


def test_names_inside_stream_data_are_not_structure(tmp_path: Path) -> None:
    """Compressed or image bytes that happen to spell ``/JS`` do not refuse a PDF."""
    assert _check(tmp_path, samples.binary_stream_pdf()) == "ok"


@pytest.mark.parametrize(
    "data",
    [
        samples.html_as_pdf(),
        b"%PDF-1.7\nnothing else",  # a header, no trailer
        samples.real_pdf()[:-200],  # cut short: no %%EOF
        samples.real_pdf().replace(b"%PDF-1.", b"%PDX-1.", 1),
    ],
    ids=["html", "header-only", "truncated", "bad-header"],
)
def test_what_is_not_a_pdf_is_refused(tmp_path: Path, data: bytes) -> None:
    assert _check(tmp_path, data) == "EVIDENCE_PDF_INVALID"


def test_an_object_stream_this_check_cannot_read_is_refused(tmp_path: Path) -> None:
    objstm = samples.stream(b"<< /Type /ObjStm /N 1 /First 4 /Filter /LZWDecode >>", b"\x80\x0b")
    assert _check(tmp_path, samples.built_pdf(objects=[objstm])) == "EVIDENCE_PDF_INVALID"


def _received(
    tmp_path: Path, data: bytes, kind: EvidenceKind, claimed_pdf: bool = False
) -> evidence_files.CheckedFile | str:
    root = tmp_path / "attachments"
    try:
        with evidence_files.checked(io.BytesIO(data), root, LIMIT, kind, claimed_pdf) as file:
            return file
    except AppError as exc:
        return exc.problem.code


@pytest.mark.parametrize(
    ("data", "kind", "claimed", "code"),
    [
        (samples.html_as_pdf(), EvidenceKind.INVOICE, True, "EVIDENCE_PDF_INVALID"),
        (samples.html_as_pdf(), EvidenceKind.INVOICE, False, "EVIDENCE_FILE_UNSUPPORTED"),
        (samples.real_pdf(), EvidenceKind.PHOTO, True, "EVIDENCE_FILE_UNSUPPORTED"),
        (samples.javascript_pdf(), EvidenceKind.INVOICE, True, "EVIDENCE_PDF_ACTIVE_CONTENT"),
        (samples.photo()[:200], EvidenceKind.PHOTO, False, "ATTACHMENT_NOT_IMAGE"),
        (
            samples.photo(fmt="GIF", exif=False),
            EvidenceKind.PHOTO,
            False,
            "EVIDENCE_FILE_UNSUPPORTED",
        ),
        (b"x" * (LIMIT + 1), EvidenceKind.PHOTO, False, "ATTACHMENT_TOO_LARGE"),
    ],
    ids=["fake-pdf", "html", "pdf-as-photo", "javascript", "truncated-jpeg", "gif", "too-large"],
)
def test_refused_files_leave_nothing(
    tmp_path: Path, data: bytes, kind: EvidenceKind, claimed: bool, code: str
) -> None:
    assert _received(tmp_path, data, kind, claimed) == code
    leftovers = [p for p in (tmp_path / "attachments").rglob("*") if p.is_file()]
    assert leftovers == []


def test_an_image_gets_a_copy_without_exif_and_a_pdf_none(tmp_path: Path) -> None:
    from PIL import Image

    photo = _received(tmp_path, samples.photo(), EvidenceKind.PHOTO)
    assert isinstance(photo, evidence_files.CheckedFile)
    assert photo.media_type == "image/jpeg" and photo.served is not None
    # the context has ended: the temporary files are gone, so check the copy's bytes inside it
    with evidence_files.checked(
        io.BytesIO(samples.photo()), tmp_path / "a", LIMIT, EvidenceKind.PHOTO, False
    ) as file:
        assert file.served is not None
        with Image.open(file.served) as copy:
            assert dict(copy.getexif()) == {} and "exif" not in copy.info
    pdf = _received(tmp_path, samples.real_pdf(), EvidenceKind.CERTIFICATE, True)
    assert isinstance(pdf, evidence_files.CheckedFile)
    assert pdf.media_type == "application/pdf" and pdf.served is None
