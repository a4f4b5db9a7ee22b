"""Reading label sheets back: render each PDF page (pdfium) and decode its QR codes (zxing-cpp).

Nothing here trusts the code that drew the sheet: the codes are found and decoded in the
rendered pixels the way a phone would, and placed back on the 3 × 8 grid by their position.
"""

from __future__ import annotations

from dataclasses import dataclass

import pypdfium2 as pdfium
import zxingcpp
from PIL import Image

MM_PER_INCH = 25.4


@dataclass(frozen=True)
class Found:
    """One decoded QR code: its text and its bounding box on the page, in mm."""

    text: str
    left: float
    top: float
    right: float
    bottom: float

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.left + self.right) / 2, (self.top + self.bottom) / 2)


@dataclass(frozen=True)
class Page:
    image: Image.Image
    dpi: int
    text: str
    codes: list[Found]
    width_mm: float
    height_mm: float

    def px(self, mm: float) -> int:
        return round(mm * self.dpi / MM_PER_INCH)


def read_sheets(pdf: bytes, dpi: int = 150) -> list[Page]:
    """Every page of ``pdf``: its pixels, its text and its QR codes in reading order."""
    pages = []
    document = pdfium.PdfDocument(pdf)
    try:
        for index in range(len(document)):
            page = document[index]
            width_pt, height_pt = page.get_size()
            image = page.render(scale=dpi / 72).to_pil().convert("L")
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
            codes = []
            for barcode in zxingcpp.read_barcodes(image):
                points = [barcode.position.top_left, barcode.position.top_right]
                points += [barcode.position.bottom_left, barcode.position.bottom_right]
                xs = [p.x * MM_PER_INCH / dpi for p in points]
                ys = [p.y * MM_PER_INCH / dpi for p in points]
                codes.append(Found(barcode.text, min(xs), min(ys), max(xs), max(ys)))
            codes.sort(key=lambda c: (round(c.top), c.left))
            pages.append(
                Page(
                    image,
                    dpi,
                    text,
                    codes,
                    width_pt / 72 * MM_PER_INCH,
                    height_pt / 72 * MM_PER_INCH,
                )
            )
    finally:
        document.close()
    return pages
