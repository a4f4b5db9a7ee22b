"""Instrument QR labels: the public URL ``<PUBLIC_BASE_URL>/q/<qr_token>`` as PNG or SVG.

The label carries only the URL and the printed code, never the merchant or any person: it is
glued to a scale on a public stall. Error correction level M survives the scratches and grease
of a market counter while keeping the modules large enough for a cheap tablet camera.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from inspect_app.models.user import Role

#: Who may print labels: the people who stick them on instruments and those who check them.
LABEL_ROLES = (Role.INSPECTOR, Role.SUPERVISOR, Role.ADMIN)
#: Quiet zone around the code, in modules (ISO/IEC 18004 asks for 4).
BORDER = 4
PNG_MODULE_PX = 10


def label_url(base_url: str, qr_token: str) -> str:
    """The URL a label encodes; its form is fixed because printed labels outlive releases."""
    return f"{base_url.rstrip('/')}/q/{qr_token}"


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR code of ``url`` at error correction M, smallest version that holds it, with the
    4-module quiet zone included (``True`` = dark). PNG, SVG and the PDF sheets draw this."""
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER)
    qr.add_data(url)
    qr.make(fit=True)
    matrix: list[list[bool]] = qr.get_matrix()
    return matrix


def render_png(url: str, code: str) -> bytes:
    """A 1-bit-looking PNG: the QR code with the printed code centred beneath it."""
    matrix = qr_matrix(url)
    size = len(matrix) * PNG_MODULE_PX
    text_band = PNG_MODULE_PX * 6
    image = Image.new("L", (size, size + text_band), 255)
    draw = ImageDraw.Draw(image)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                x0, y0 = x * PNG_MODULE_PX, y * PNG_MODULE_PX
                draw.rectangle((x0, y0, x0 + PNG_MODULE_PX - 1, y0 + PNG_MODULE_PX - 1), fill=0)
    font = ImageFont.load_default(size=PNG_MODULE_PX * 3)
    # The code sits inside the bottom quiet zone band so the label stays compact.
    draw.text(
        (size / 2, size + text_band / 2 - PNG_MODULE_PX), code, fill=0, font=font, anchor="mm"
    )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_svg(url: str, code: str) -> str:
    """A scalable label for print shops: one path for the dark modules, the code as text."""
    matrix = qr_matrix(url)
    n = len(matrix)
    parts = [
        f"M{x},{y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark
    ]
    height = n + 5
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {height}" '
        f'width="{n * 4}mm" height="{height * 4}mm" shape-rendering="crispEdges">'
        f"<title>{escape(code)}</title>"
        f'<rect width="{n}" height="{height}" fill="#fff"/>'
        f'<path d="{"".join(parts)}" fill="#000"/>'
        f'<text x="{n / 2}" y="{n + 1.5}" font-family="DejaVu Sans Mono, monospace" '
        f'font-size="3" text-anchor="middle" fill="#000">{escape(code)}</text>'
        f"<desc>{escape(url)}</desc>"
        "</svg>\n"
    )
