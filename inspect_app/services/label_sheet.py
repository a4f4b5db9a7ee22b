"""A4 sheets of QR labels as PDF, laid out for 3 × 8 labels of 70 × 37 mm (docs/labels.md).

Pure drawing: the caller passes what each label says and where the font is. Every length is in
millimetres. The QR code is drawn as vector squares (one filled path, so no hairline seams
between modules), each module at least :data:`MIN_MODULE_MM` wide, inside its 4-module quiet
zone (ISO/IEC 18004), which nothing else on the label enters.

Text uses the vendored subset of Noto Sans CJK SC (``static/fonts/``): printable ASCII, the
instrument kinds in Chinese, the fixed words and a few characters common in stall numbers. A
character outside it (a stall number in an unusual script) is printed as ``?`` rather than
as an empty box; the QR code, which is what matters, never depends on the font.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import TTFFont

from inspect_app.services.qr_labels import qr_matrix

#: The font file, relative to ``static/``; docs/labels.md says how to regenerate it.
FONT_FILE = "fonts/NotoSansCJKsc-Regular-labels.otf"
FONT = "labels"
#: Below this a cheap phone camera at arm's length stops reading the code reliably.
MIN_MODULE_MM = 0.5
#: Height of the band under the QR code that holds the printed code.
CODE_BAND_MM = 4.0
CALL_TO_ACTION_ZH = "扫码查验"
CALL_TO_ACTION_EN = "Scan to check"
STALL_ZH, STALL_EN = "摊位", "Stall"
NOTHING_TO_PRINT = ("本市场暂无在用器具", "No instruments in service in this market.")


@dataclass(frozen=True)
class SheetLayout:
    """Label stock: the page, the grid and where its first label sits (mm)."""

    name: str
    page_width: float
    page_height: float
    columns: int
    rows: int
    label_width: float
    label_height: float
    left: float
    top: float
    #: Distance from one label's left (top) edge to the next one's: label size plus gap.
    pitch_x: float
    pitch_y: float
    #: Blank border kept inside every label, for die-cut and printer registration tolerance.
    padding: float = 2.0

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


#: 70 × 37 mm, 3 × 8 on A4, no gaps (Avery Zweckform 3474 and its many equivalents): the
#: 8 rows take 296 mm of 297, and the spare millimetre is split above and below.
A4_3X8_70X37 = SheetLayout(
    name="A4 3 × 8, 70 × 37 mm",
    page_width=210.0,
    page_height=297.0,
    columns=3,
    rows=8,
    label_width=70.0,
    label_height=37.0,
    left=0.0,
    top=0.5,
    pitch_x=70.0,
    pitch_y=37.0,
)


@dataclass(frozen=True)
class LabelText:
    """What one label carries."""

    url: str
    code: str
    kind_zh: str
    kind_en: str
    stall_no: str | None


class LabelTooDenseError(ValueError):
    """The URL needs so many modules that they would print under :data:`MIN_MODULE_MM`."""


def _printable(font: TTFFont, text: str) -> str:
    return "".join(ch if ord(ch) in font.cmap else "?" for ch in text)


class _Sheet:
    def __init__(self, layout: SheetLayout, font_path: Path) -> None:
        self.layout = layout
        pdf = FPDF(unit="mm", format=(layout.page_width, layout.page_height))
        pdf.set_margins(0, 0, 0)
        pdf.set_auto_page_break(False)
        pdf.add_font(FONT, fname=str(font_path))
        pdf.set_font(FONT, size=8)
        font = pdf.current_font
        assert isinstance(font, TTFFont)
        self.pdf, self.font = pdf, font

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        width: float,
        *,
        centre: bool = False,
        min_size: float = 5.0,
    ) -> None:
        """``text`` on the baseline ``y``, shrunk (down to ``min_size`` pt) to fit ``width``."""
        text = _printable(self.font, text)
        self.pdf.set_font_size(size)
        while size > min_size and self.pdf.get_string_width(text) > width:
            size = max(min_size, size - 0.5)
            self.pdf.set_font_size(size)
        offset = (width - self.pdf.get_string_width(text)) / 2 if centre else 0.0
        self.pdf.text(x + offset, y, text)

    def qr(self, x: float, y: float, side: float, url: str) -> None:
        matrix = qr_matrix(url)
        module = side / len(matrix)
        if module < MIN_MODULE_MM:
            raise LabelTooDenseError(
                f"{len(matrix)} modules in {side} mm is {module:.2f} mm each; shorten the URL"
            )
        # One filled path of every dark run (raw operators, as fpdf2's own rect() writes them:
        # its drawing API deep-copies each element and is 50× slower). A single fill leaves no
        # anti-aliasing seams between rows on screen.
        k, page_height = self.pdf.k, self.pdf.h
        ops = ["q", "0 g"]
        for row_no, row in enumerate(matrix):
            top = page_height - (y + row_no * module)
            for run in re.finditer("1+", "".join("1" if dark else "0" for dark in row)):
                left, length = x + run.start() * module, (run.end() - run.start()) * module
                ops.append(f"{left * k:.3f} {top * k:.3f} {length * k:.3f} {-module * k:.3f} re")
        ops += ["f", "Q"]
        self.pdf._out("\n".join(ops))

    def label(self, index: int, label: LabelText) -> None:
        """One label: the QR code top left with the code beneath it; on the right the call to
        action, the kind in Chinese and English, and the stall number."""
        lay = self.layout
        column, row = index % lay.columns, index // lay.columns
        lx, ly = lay.left + column * lay.pitch_x, lay.top + row * lay.pitch_y
        pad = lay.padding
        side = lay.label_height - 2 * pad - CODE_BAND_MM
        self.qr(lx + pad, ly + pad, side, label.url)
        baseline = ly + lay.label_height - pad - 1.0
        code = _printable(self.font, label.code)
        self.pdf.set_font_size(8)
        if self.pdf.get_string_width(code) <= side:
            self.text(lx + pad, baseline, code, 8, side, centre=True)
        else:  # a long code takes the whole bottom band (the right column ends above it)
            self.text(lx + pad, baseline, code, 8, lay.label_width - 2 * pad)
        rx = lx + pad + side + 2.0
        width = lx + lay.label_width - pad - rx
        self.text(rx, ly + 8.5, CALL_TO_ACTION_ZH, 13, width)
        self.text(rx, ly + 12.5, CALL_TO_ACTION_EN, 8, width)
        self.pdf.set_line_width(0.2)
        self.pdf.line(rx, ly + 14.5, rx + width, ly + 14.5)
        self.text(rx, ly + 19.5, label.kind_zh, 10, width)
        self.text(rx, ly + 23.0, label.kind_en, 7, width)
        if label.stall_no:
            self.text(rx, ly + 29.0, f"{STALL_ZH} {STALL_EN} {label.stall_no}", 7, width)


def render_sheets(
    labels: Sequence[LabelText],
    font_path: Path,
    layout: SheetLayout = A4_3X8_70X37,
    title: str = "QR labels",
) -> bytes:
    """The PDF: ``labels`` in order, left to right then top to bottom, a new page every
    ``layout.per_page``. With nothing to print, one page says so (in both languages)."""
    sheet = _Sheet(layout, font_path)
    try:
        sheet.pdf.set_title(title)
        sheet.pdf.set_creator("inspect_app")
        if not labels:
            sheet.pdf.add_page()
            for line_no, line in enumerate(NOTHING_TO_PRINT):
                sheet.text(20, 40 + 8 * line_no, line, 12, layout.page_width - 40)
        for index, label in enumerate(labels):
            if index % layout.per_page == 0:
                sheet.pdf.add_page()
            sheet.label(index % layout.per_page, label)
        return bytes(sheet.pdf.output())
    finally:
        sheet.font.ttfont.close()  # fpdf2 reads the font lazily and leaves the file open
