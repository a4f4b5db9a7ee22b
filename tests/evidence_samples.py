"""Files a merchant might upload as evidence, good and bad: real PDFs (fpdf2), hand-built PDFs
with active content in plain sight, behind ``#xx`` escapes and inside a compressed object
stream, a web page renamed ``.pdf``, and photos with EXIF (make, GPS position)."""

from __future__ import annotations

import io
import zlib

from fpdf import FPDF
from PIL import Image


def real_pdf(text: str = "Repair invoice No. 2026-0042", pages: int = 1) -> bytes:
    """A PDF as invoicing software makes it (compressed page content, an xref table)."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=14)
    for n in range(pages):
        pdf.add_page()
        pdf.cell(text=f"{text} (page {n + 1})")
    return bytes(pdf.output())


def built_pdf(catalog_extra: bytes = b"", objects: list[bytes] | None = None) -> bytes:
    """A minimal one-page PDF with a correct xref table; ``catalog_extra`` goes into the
    catalogue dictionary, ``objects`` are added as objects 4, 5, … (bodies between ``obj`` and
    ``endobj``)."""
    bodies = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        *(objects or []),
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(bodies, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(bodies) + 1,
        xref,
    )
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return dictionary[:-2] + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def javascript_pdf() -> bytes:
    """Runs a script when opened (an ``/OpenAction`` of type JavaScript)."""
    return built_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert('hi')) >>")


def escaped_javascript_pdf() -> bytes:
    """The same, its names written with ``#xx`` escapes (``/J#61vaScript``)."""
    return built_pdf(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert('hi')) >>")


def launch_pdf() -> bytes:
    return built_pdf(b"/OpenAction << /S /Launch /F (calc.exe) >>")


def embedded_file_pdf() -> bytes:
    return built_pdf(b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>", [b"<< >>"])


def object_stream_javascript_pdf() -> bytes:
    """The script hidden in a compressed object stream (PDF 1.5), invisible in the raw bytes."""
    packed = b"4 0 << /S /JavaScript /JS (app.alert('hi')) >>"
    data = zlib.compress(packed)
    objstm = stream(b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>", data)
    return built_pdf(b"/OpenAction 4 0 R", [objstm])


def binary_stream_pdf() -> bytes:
    """Image-like stream data that happens to contain ``/JS `` and ``/Launch``: not structure,
    so not refused."""
    data = bytes(range(256)) * 4 + b"/JS /Launch /JavaScript" + bytes(range(255, -1, -1))
    return built_pdf(objects=[stream(b"<< /Type /XObject /Subtype /Image >>", data)])


def html_as_pdf() -> bytes:
    return b"<!doctype html><html><body><script>alert(1)</script></body></html>\n"


def photo(
    colour: str = "red", size: tuple[int, int] = (64, 48), fmt: str = "JPEG", exif: bool = True
) -> bytes:
    """A photo; with ``exif``, it names the camera and where it was taken."""
    image = Image.new("RGB", size, colour)
    out = io.BytesIO()
    if exif:
        data = Image.Exif()
        data[0x010F] = "Acme Phones"  # Make
        data[0x0110] = "Model X"  # Model
        gps = data.get_ifd(0x8825)
        gps[1] = "N"
        gps[2] = (40.0, 51.0, 21.6)
        gps[3] = "E"
        gps[4] = (111.0, 41.0, 2.4)
        image.save(out, format=fmt, exif=data)
    else:
        image.save(out, format=fmt)
    return out.getvalue()
