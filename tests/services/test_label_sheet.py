"""The PDF label sheet itself: grid, pages, decodable codes, quiet zones, text and the font."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fontTools.ttLib import TTFont
from PIL import Image

from inspect_app.models.instrument import InstrumentKind
from inspect_app.services import label_sheet
from inspect_app.services.label_sheet import (
    A4_3X8_70X37,
    LabelText,
    LabelTooDenseError,
    render_sheets,
)
from inspect_app.services.labels import stall_sort_key
from inspect_app.services.qr_labels import qr_matrix
from tests.pdf_labels import Page, read_sheets

ROOT = Path(__file__).resolve().parents[2]
FONT = ROOT / "static" / label_sheet.FONT_FILE
GLYPHS = ROOT / "static" / "fonts" / "label-glyphs.txt"
LAYOUT = A4_3X8_70X37


def label(n: int, **overrides: str | None) -> LabelText:
    fields: dict[str, str | None] = {
        "url": f"https://inspect.example.test/q/token-{n:04d}-abcdefghijklmnopqrstuv",
        "code": f"NM-0150-{n:06d}",
        "kind_zh": "电子计价秤",
        "kind_en": "Price-computing scale",
        "stall_no": f"A-{n:02d}",
    } | overrides
    return LabelText(**fields)


def cell(index: int) -> tuple[float, float, float, float]:
    """The label at ``index`` on its page: left, top, right, bottom in mm."""
    column, row = index % LAYOUT.columns, index // LAYOUT.columns
    left, top = LAYOUT.left + column * LAYOUT.pitch_x, LAYOUT.top + row * LAYOUT.pitch_y
    return left, top, left + LAYOUT.label_width, top + LAYOUT.label_height


def test_the_layout_is_the_documented_stock() -> None:
    assert (LAYOUT.page_width, LAYOUT.page_height) == (210.0, 297.0)
    assert (LAYOUT.columns, LAYOUT.rows, LAYOUT.per_page) == (3, 8, 24)
    assert (LAYOUT.label_width, LAYOUT.label_height) == (70.0, 37.0)
    # The grid fills the width exactly and leaves 0.5 mm above and below.
    assert LAYOUT.left + LAYOUT.columns * LAYOUT.pitch_x == 210.0
    assert LAYOUT.top == pytest.approx(297.0 - (LAYOUT.top + LAYOUT.rows * LAYOUT.pitch_y))


def test_fifty_labels_make_three_a4_pages_of_24_24_and_2_in_reading_order() -> None:
    labels = [label(n) for n in range(50)]
    pages = read_sheets(render_sheets(labels, FONT))
    assert [len(p.codes) for p in pages] == [24, 24, 2]
    for page in pages:
        assert page.width_mm == pytest.approx(210.0, abs=0.1)
        assert page.height_mm == pytest.approx(297.0, abs=0.1)
    decoded = [code.text for page in pages for code in page.codes]
    assert decoded == [item.url for item in labels]
    for page_no, page in enumerate(pages):
        for index, found in enumerate(page.codes):
            left, top, right, bottom = cell(index)
            x, y = found.centre
            assert left < x < right and top < y < bottom, f"page {page_no} label {index}"
            # The code sits in the left part of its label, the text on the right.
            assert found.right < left + LAYOUT.label_width / 2 + 1


def test_every_label_prints_its_code_kind_and_call_to_action() -> None:
    labels = [
        label(1),
        label(2, kind_zh="验光镜片箱", kind_en="Trial lens set", stall_no=None),
    ]
    [page] = read_sheets(render_sheets(labels, FONT))
    text = page.text
    for item in labels:
        assert item.code in text
        assert item.kind_zh in text
        assert item.kind_en in text
    assert text.count("扫码查验") == 2
    assert text.count("Scan to check") == 2
    assert text.count("摊位 Stall A-01") == 1
    assert "A-02" not in text  # no stall, no stall line


def _dark(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    region = image.crop(box)
    histogram = region.histogram()
    return sum(histogram[:128])


def test_modules_are_at_least_half_a_millimetre_with_a_clear_quiet_zone() -> None:
    labels = [label(n) for n in range(3)]
    [page] = read_sheets(render_sheets(labels, FONT), dpi=300)
    modules = len(qr_matrix(labels[0].url)) - 2 * 4  # without the quiet zone
    for index, found in enumerate(page.codes):
        module_mm = (found.right - found.left) / modules
        assert module_mm >= label_sheet.MIN_MODULE_MM
        quiet = 4 * module_mm
        left, top, right, bottom = cell(index)
        # The quiet zone lies inside the label and holds nothing dark (a hair's margin for the
        # finder pattern's edge pixels).
        assert found.left - quiet >= left and found.top - quiet >= top
        assert found.right + quiet <= right and found.bottom + quiet <= bottom
        hair = 0.25
        ring = [
            (found.left - quiet, found.top - quiet, found.right + quiet, found.top - hair),
            (found.left - quiet, found.bottom + hair, found.right + quiet, found.bottom + quiet),
            (found.left - quiet, found.top, found.left - hair, found.bottom),
            (found.right + hair, found.top, found.right + quiet, found.bottom),
        ]
        for box in ring:
            pixels = tuple(page.px(v) for v in box)
            assert _dark(page.image, pixels) == 0, f"marks in the quiet zone of label {index}"


def test_a_url_too_long_for_half_millimetre_modules_is_refused() -> None:
    long_url = "https://inspect.example.test/" + "x" * 400 + "/q/token"
    with pytest.raises(LabelTooDenseError):
        render_sheets([label(1, url=long_url)], FONT)


def test_characters_outside_the_font_print_as_question_marks() -> None:
    [page] = read_sheets(render_sheets([label(1, stall_no="菜-7")], FONT))
    assert "摊位 Stall ?-7" in page.text


def test_an_empty_sheet_says_so_in_both_languages() -> None:
    [page] = read_sheets(render_sheets([], FONT))
    assert page.codes == []
    assert "本市场暂无在用器具" in page.text
    assert "No instruments in service in this market." in page.text


def _catalogue(locale: str) -> dict[str, str]:
    path = ROOT / "inspect_app" / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh) if isinstance(m.id, str)}


def test_the_vendored_font_covers_everything_a_label_prints() -> None:
    """Renaming a kind in the catalogue to a character the subset lacks fails here: regenerate
    the font (docs/labels.md) with the character added to label-glyphs.txt."""
    with TTFont(FONT) as font:
        cmap = font.getBestCmap()
    required = set(GLYPHS.read_text(encoding="utf-8").replace("\n", ""))
    required |= {chr(c) for c in range(0x20, 0x7F)}
    zh, en = _catalogue("zh"), _catalogue("en")
    printed = "".join(zh[k.value] + (en[k.value] or k.value) for k in InstrumentKind)
    printed += label_sheet.CALL_TO_ACTION_ZH + label_sheet.CALL_TO_ACTION_EN
    printed += label_sheet.STALL_ZH + label_sheet.STALL_EN + "".join(label_sheet.NOTHING_TO_PRINT)
    assert set(printed) <= required, "label-glyphs.txt lacks characters the labels print"
    assert sorted(c for c in required if ord(c) not in cmap) == []


def test_the_font_is_a_small_subset_with_its_licence() -> None:
    assert FONT.stat().st_size < 64 * 1024
    licence = (FONT.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "Adobe" in licence


@pytest.mark.parametrize(
    ("unordered", "ordered"),
    [
        (["A-10", "A-2", "B-1", None, "a-3"], ["A-2", "a-3", "A-10", "B-1", None]),
        (["12号", "2号", "东区1"], ["2号", "12号", "东区1"]),
    ],
)
def test_stall_numbers_sort_naturally(unordered: list[str | None], ordered: list[str]) -> None:
    assert sorted(unordered, key=stall_sort_key) == ordered


def test_a_page_renders_within_the_printable_sheet_only() -> None:
    """Nothing is drawn in the 0.5 mm strips above the first and below the last row."""
    [page] = read_sheets(render_sheets([label(n) for n in range(24)], FONT), dpi=300)
    strip = page.px(LAYOUT.top)
    width, height = page.image.size
    assert _dark(page.image, (0, 0, width, strip)) == 0
    assert _dark(page.image, (0, height - strip, width, height)) == 0
    assert isinstance(page, Page) and math.isclose(page.dpi, 300)
