"""stamp_first_page and split_pages: where the 归档章 lands as a viewer shows the page, what else it leaves alone.

Positions are measured on the page as shown (PDFium applies /Rotate and the crop box) in millimetres from its
top-left corner, by finding the stamp's red and blue pixels at 10 pixels a millimetre, or, on LibreOffice's
own pages, from the PDF's characters and filled shapes (tests/rendering/pdf_measure.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from service.config import Settings
from service.conversion import ConversionPool
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
from service.errors import RenderError
from service.postprocess.merge import PdfMetadata, PdfPart, merge_pdfs
from service.postprocess.preview import render_page_png
from service.postprocess.stamp import (
    STAMP_FROM_RIGHT,
    STAMP_FROM_TOP,
    PageBox,
    place_stamp,
    split_pages,
    stamp_first_page,
)
from service.typography.units import mm
from tests.conftest import body_for
from tests.postprocess.conftest import NOTICE_DATE
from tests.postprocess.pdf_factory import A4, BLUE_SQUARE, MM, STAMP_HEIGHT, STAMP_WIDTH, PageSpec, drawn_stamp, pdf_of
from tests.postprocess.pdfa_checks import catalog, pdfa_claim, pdfa_problems, read
from tests.rendering.pdf_measure import BLOCK_RIGHT, BLOCK_TOP, Char, read_pdf_bytes

PIXELS_PER_MM = 10
DPI = 254  # 10 pixels a millimetre
PIXEL = 1 / PIXELS_PER_MM
A5 = (148 * MM, 210 * MM)
STAMP_W_MM, STAMP_H_MM = 45.0, 16.0


@dataclass(frozen=True)
class Box:
    """A rectangle on the page as shown, mm from its top-left corner."""

    left: float
    top: float
    right: float
    bottom: float


def painted(pdf: bytes, page: int, colour: str) -> Box | None:
    """Where `colour` ("red" or "blue") is painted on `page` (from 1) as shown, to the pixel."""
    image = Image.open(io.BytesIO(render_page_png(pdf, page, dpi=DPI))).convert("RGB")
    red, green, blue = image.split()
    if colour == "red":
        mask = Image.eval(red, lambda v: 255 if v > 200 else 0)
        others = Image.eval(Image.merge("RGB", (green, blue, green)).convert("L"), lambda v: 255 if v < 80 else 0)
    else:
        mask = Image.eval(blue, lambda v: 255 if v > 200 else 0)
        others = Image.eval(Image.merge("RGB", (red, green, red)).convert("L"), lambda v: 255 if v < 80 else 0)
    found = Image.composite(mask, Image.new("L", image.size, 0), others).getbbox()
    if found is None:
        return None
    left, top, right, bottom = found
    return Box(left * PIXEL, top * PIXEL, right * PIXEL, bottom * PIXEL)


def shown_size(spec: PageSpec) -> tuple[float, float]:
    left, bottom, right, top = spec.crop or spec.media
    width, height = (right - left) / MM, (top - bottom) / MM
    return (height, width) if spec.rotate in (90, 270) else (width, height)


PAGES = {
    "a4": PageSpec(),
    "a4-rotated-90": PageSpec(rotate=90),
    "a4-rotated-180": PageSpec(rotate=180),
    "a4-rotated-270": PageSpec(rotate=270),
    "a4-landscape": PageSpec(media=(0, 0, A4[1], A4[0])),
    "a4-media-box-offset": PageSpec(media=(100, 200, 100 + A4[0], 200 + A4[1])),
    "a4-media-box-negative": PageSpec(media=(-300, -400, -300 + A4[0], -400 + A4[1])),
    "scan-with-crop-box": PageSpec(media=(0, 0, 650, 900), crop=(20, 30, 20 + A4[0], 30 + A4[1])),
    "a5-offset-rotated-90": PageSpec(media=(50, 60, 50 + A5[0], 60 + A5[1]), rotate=90),
    "a5": PageSpec(media=(0, 0, *A5)),
    "us-letter": PageSpec(media=(0, 0, 612, 792)),
}


@pytest.mark.parametrize("spec", PAGES.values(), ids=PAGES.keys())
def test_the_stamp_sits_at_the_top_right_of_the_page_as_shown_and_upright(spec: PageSpec) -> None:
    stamped = stamp_first_page(pdf_of([spec, PageSpec()]), drawn_stamp())
    width, height = shown_size(spec)
    place = place_stamp(PageBox(0, 0, width * MM, height * MM), mm(STAMP_W_MM), mm(STAMP_H_MM))
    frame, square = painted(stamped, 1, "red"), painted(stamped, 1, "blue")

    assert frame is not None and square is not None
    assert frame.right == pytest.approx((place.x + STAMP_WIDTH * place.scale) / MM, abs=2 * PIXEL)
    assert frame.top == pytest.approx(height - (place.y + STAMP_HEIGHT * place.scale) / MM, abs=2 * PIXEL)
    assert frame.right - frame.left == pytest.approx(STAMP_W_MM * place.scale, abs=2 * PIXEL)
    assert frame.bottom - frame.top == pytest.approx(STAMP_H_MM * place.scale, abs=2 * PIXEL)
    # Upright: the blue square is in the stamp's top-left corner, 1 mm in, as drawn.
    assert square.left - frame.left == pytest.approx(1 * place.scale, abs=2 * PIXEL)
    assert square.top - frame.top == pytest.approx(1 * place.scale, abs=2 * PIXEL)
    assert square.right - square.left == pytest.approx(BLUE_SQUARE / MM * place.scale, abs=2 * PIXEL)


def test_on_a4_the_stamp_ends_at_the_text_blocks_right_edge_10mm_from_the_top() -> None:
    frame = painted(stamp_first_page(pdf_of([PageSpec()]), drawn_stamp()), 1, "red")

    assert frame is not None
    assert frame.right == pytest.approx(BLOCK_RIGHT, abs=2 * PIXEL)  # 28 + 156 mm (GB/T 9704-2012 5.2.1)
    assert frame.top == pytest.approx(STAMP_FROM_TOP.mm, abs=2 * PIXEL)
    assert frame.bottom < BLOCK_TOP - 10  # 11 mm of blank 天头 under it
    assert 210 - frame.right == pytest.approx(STAMP_FROM_RIGHT.mm, abs=2 * PIXEL)


@pytest.mark.parametrize(
    ("width", "height", "scale"),
    [(210, 297, 1.0), (297, 210, 1.0), (148, 210, 1.0), (420, 594, 1.0), (40, 30, None)],
    ids=["a4", "a4-landscape", "a5", "a2", "receipt-40x30mm"],
)
def test_the_stamp_keeps_its_size_unless_the_page_is_too_small(
    width: float, height: float, scale: float | None
) -> None:
    place = place_stamp(PageBox(0, 0, width * MM, height * MM), mm(STAMP_W_MM), mm(STAMP_H_MM))
    factor = min(1.0, max(width, height) / 297, min(width, height) / 210)

    if scale is None:
        assert 0 < place.scale < 1
    else:
        assert place.scale == scale
    assert place.x / MM == pytest.approx(width - STAMP_FROM_RIGHT.mm * factor - STAMP_W_MM * place.scale, abs=1e-6)
    assert place.y >= 0 and place.x >= 0


def test_the_other_pages_and_the_first_pages_own_content_are_left_as_they_were() -> None:
    source = pdf_of([PageSpec(), PageSpec(rotate=90), PageSpec()])
    stamped = stamp_first_page(source, drawn_stamp())
    before, after = read(source), read(stamped)

    assert len(after.pages) == 3
    for number in (1, 2):
        assert after.pages[number].get_contents().get_data() == before.pages[number].get_contents().get_data()
        assert "/XObject" not in after.pages[number]["/Resources"]
    assert before.pages[0].get_contents().get_data() in after.pages[0].get_contents().get_data()
    assert painted(stamped, 2, "red") is None and painted(stamped, 3, "red") is None


def test_equal_inputs_give_equal_bytes() -> None:
    source = pdf_of([PageSpec(), PageSpec()])

    assert stamp_first_page(source, drawn_stamp()) == stamp_first_page(source, drawn_stamp())
    assert stamp_first_page(source, drawn_stamp()) != stamp_first_page(pdf_of([PageSpec(rotate=90)]), drawn_stamp())


def test_info_and_outline_are_kept() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_of([PageSpec(), PageSpec()]))))
    writer.add_outline_item(title="第二页", page_number=1)
    buffer = io.BytesIO()
    writer.write(buffer)
    stamped = read(stamp_first_page(buffer.getvalue(), drawn_stamp()))

    assert stamped.metadata is not None and stamped.metadata.title == "测试文件"
    assert [(item.title, stamped.get_destination_page_number(item)) for item in stamped.outline] == [("第二页", 1)]


@pytest.mark.parametrize(
    ("claim", "intent", "kept"),
    [
        ("2B", b"RGB ", ("2", "B")),
        ("2U", b"RGB ", ("2", "U")),
        ("2B", b"CMYK", (None, None)),
        ("1B", b"RGB ", (None, None)),
        ("2A", b"RGB ", (None, None)),
        (None, None, (None, None)),
    ],
    ids=["2b-rgb", "2u-rgb", "2b-cmyk", "1b", "2a", "plain"],
)
def test_the_pdfa_claim_stays_only_where_the_stamped_file_still_conforms(
    claim: str | None, intent: bytes | None, kept: tuple[str | None, str | None]
) -> None:
    """The stamp paints in DeviceRGB (needs an RGB output intent); PDF/A-1 needs font /CharSet entries the stamp's
    fonts lack; level A needs the structure tree pypdf drops."""
    source = pdf_of([PageSpec()], claim=claim, intent_space=intent)

    stamped = stamp_first_page(source, drawn_stamp())

    assert pdfa_claim(stamped) == kept
    assert ("/OutputIntents" in catalog(stamped)) == (intent is not None)


def test_what_is_not_a_pdf_is_a_render_error() -> None:
    with pytest.raises(RenderError):
        stamp_first_page(b"%PDF-1.7\n%%EOF", drawn_stamp())
    with pytest.raises(RenderError):
        stamp_first_page(pdf_of([PageSpec()]), b"<html>")


# -- split_pages ---------------------------------------------------------------------------------------------


def test_split_pages_gives_one_file_per_page_in_order() -> None:
    source = pdf_of([PageSpec(media=(0, 0, 100 + 10 * n, 200)) for n in range(4)])

    pages = split_pages(source)

    assert [len(read(page).pages) for page in pages] == [1, 1, 1, 1]
    assert [round(float(read(page).pages[0].mediabox.width)) for page in pages] == [100, 110, 120, 130]
    assert split_pages(source) == pages
    assert len(set(pages)) == 4


# -- with LibreOffice's pages -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_stamp(conversion_pool: ConversionPool) -> bytes:
    """The example 归档章 (J012, 2026, 0041 / 秘书科, 定期30年, 3) as the archive-stamp kind renders it."""
    catalog_ = TemplateCatalog(Settings().templates_dir)
    return render_document(
        catalog_, "archive-stamp", body_for("archive-stamp")(), OutputFormat.PDF, conversion_pool
    ).content


@pytest.fixture(scope="module")
def stamped_notice(pdfa_notice: bytes, real_stamp: bytes) -> bytes:
    return stamp_first_page(pdfa_notice, real_stamp)


STAMP_TEXT = "J012 2026 0041 秘书科 定期30年 3"


def chars_in(page_chars: list[Char], box: Box) -> list[Char]:
    return [c for c in page_chars if box.left <= c.centre <= box.right and box.top <= c.middle <= box.bottom]


def placed(char: Char) -> tuple[str, float, float, float, str]:
    return char.text, round(char.x0, 3), round(char.baseline, 3), char.size, char.font


def stamp_area() -> Box:
    return Box(BLOCK_RIGHT - STAMP_W_MM - 0.5, STAMP_FROM_TOP.mm - 0.5, BLOCK_RIGHT + 0.5, STAMP_FROM_TOP.mm + 16.5)


def test_on_a_real_notice_the_stamp_frame_ends_at_184mm_and_starts_10mm_down(stamped_notice: bytes) -> None:
    first = read_pdf_bytes(stamped_notice)[0]
    bars = [bar for bar in first.filled if bar.is_red and bar.top < BLOCK_TOP]

    assert len(bars) == 7  # the stamp's frame and inner rules
    assert max(bar.x1 for bar in bars) == pytest.approx(BLOCK_RIGHT, abs=0.1)
    assert min(bar.x0 for bar in bars) == pytest.approx(BLOCK_RIGHT - STAMP_W_MM, abs=0.1)
    assert min(bar.top for bar in bars) == pytest.approx(STAMP_FROM_TOP.mm, abs=0.1)
    assert max(bar.bottom for bar in bars) == pytest.approx(STAMP_FROM_TOP.mm + STAMP_H_MM, abs=0.1)


def test_on_a_real_notice_the_stamps_text_is_on_the_first_page_only(pdfa_notice: bytes, stamped_notice: bytes) -> None:
    before, after = read_pdf_bytes(pdfa_notice), read_pdf_bytes(stamped_notice)
    area = stamp_area()
    added = [c for c in chars_in(after[0].chars, area) if c.text.strip()]

    assert "".join(c.text for c in sorted(added, key=lambda c: (round(c.baseline), c.x0))) == STAMP_TEXT.replace(
        " ", ""
    )
    assert chars_in(before[0].chars, area) == []
    # Everything else on page 1, and every other page, is as it was (to a micrometre: pypdf rewrites the
    # media box's numbers).
    assert [placed(c) for c in after[0].chars if c not in added] == [placed(c) for c in before[0].chars]
    assert [[placed(c) for c in page.chars] for page in after[1:]] == [
        [placed(c) for c in page.chars] for page in before[1:]
    ]
    assert all("J012" not in "".join(c.text for c in page.chars) for page in after[1:])


def test_a_stamped_pdfa_notice_is_still_pdfa_2b(stamped_notice: bytes, pdfa_notice: bytes) -> None:
    assert pdfa_problems(stamped_notice) == []
    assert read(stamped_notice).metadata == read(pdfa_notice).metadata
    assert (
        catalog(stamped_notice)["/Metadata"].get_object().get_data()
        == catalog(pdfa_notice)["/Metadata"].get_object().get_data()
    )


def test_a_stamped_notice_merges_into_pdfa_2b(stamped_notice: bytes) -> None:
    merged = merge_pdfs([PdfPart(stamped_notice, "0041"), PdfPart(stamped_notice, "0042")], BOX)

    assert pdfa_problems(merged) == []


BOX = PdfMetadata(title="盒", author="青山县人民政府办公室", subject="归档", created=NOTICE_DATE)


def text_lines(pdf: bytes) -> Iterator[str]:
    for page in PdfReader(io.BytesIO(pdf)).pages:
        yield page.extract_text()


def test_on_an_offset_a5_scan_the_real_stamp_lands_by_the_same_rule(real_stamp: bytes) -> None:
    spec = PageSpec(media=(100, 150, 100 + A5[0], 150 + A5[1]))
    stamped = stamp_first_page(pdf_of([spec, spec]), real_stamp)
    place = place_stamp(PageBox(0, 0, *A5), mm(STAMP_W_MM), mm(STAMP_H_MM))
    frame = painted(stamped, 1, "red")

    assert frame is not None
    assert frame.right == pytest.approx((place.x + STAMP_WIDTH) / MM, abs=2 * PIXEL)
    assert frame.top == pytest.approx(210 - (place.y + STAMP_HEIGHT) / MM, abs=2 * PIXEL)
    first, second = text_lines(stamped)
    assert all(value in first for value in ("J012", "2026", "0041", "秘书科", "3"))
    assert "J012" not in second and painted(stamped, 2, "red") is None
