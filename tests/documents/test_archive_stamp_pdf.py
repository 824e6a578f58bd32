"""The 归档章 as LibreOffice prints it: a 45 × 16 mm page, six 15 × 8 mm cells ruled red, values black.

Rendered through the real pipeline and LibreOffice pool; the page is what the archiving step overlays on a
document's first page, so its size and the cells' positions are measured in millimetres from its corner.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from functools import cached_property

import pytest
from pypdf import PageObject, PdfReader, PdfWriter, Transformation

from service.config import Settings
from service.conversion import ConversionPool
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
from tests.conftest import body_for, load_example
from tests.documents.conftest import MeasurePdf
from tests.rendering.pdf_measure import (
    BLACK,
    EM_ABOVE_BASELINE,
    EM_BELOW_BASELINE,
    MM_PER_PT,
    Char,
    MeasuredPdf,
    Rule,
)

WIDTH, HEIGHT = 45.0, 16.0  # DA/T 22-2015 7.2
CELL_WIDTH, CELL_HEIGHT = 15.0, 8.0
RULE = 0.5 * MM_PER_PT  # 0.5 pt
CELLS = ("fonds_no", "year", "item_no", "organization", "retention", "pages")


class Stamp(MeasuredPdf):
    """The stamp's page: its glyphs (blanks left out) and its filled bars, mm from the page's corner."""

    @property
    def width(self) -> float:
        return self.first.width

    @property
    def height(self) -> float:
        return self.first.height

    @cached_property
    def glyphs(self) -> list[Char]:
        return [char for char in self.first.chars if char.text.strip()]

    @property
    def bars(self) -> list[Rule]:
        return self.first.filled

    @property
    def horizontal(self) -> list[Rule]:
        return sorted((b for b in self.bars if b.x1 - b.x0 > b.bottom - b.top), key=lambda b: b.top)

    @property
    def vertical(self) -> list[Rule]:
        return sorted((b for b in self.bars if b.x1 - b.x0 < b.bottom - b.top), key=lambda b: b.x0)

    def cell_glyphs(self, index: int) -> list[Char]:
        """Glyphs whose centre lies in cell `index` (reading order, 3 columns × 2 rows)."""
        row, column = divmod(index, 3)
        return [
            g
            for g in self.glyphs
            if column * CELL_WIDTH < g.centre < (column + 1) * CELL_WIDTH
            and row * CELL_HEIGHT < g.middle < (row + 1) * CELL_HEIGHT
        ]

    def cell_text(self, index: int) -> str:
        return "".join(g.text for g in sorted(self.cell_glyphs(index), key=lambda g: (round(g.baseline, 1), g.x0)))


stamp_body = body_for("archive-stamp")


@pytest.fixture
def render_stamp(measure_pdf: MeasurePdf) -> Callable[..., Stamp]:
    """render_stamp(**overrides): the example stamp with overrides, as a measured PDF."""
    return lambda **overrides: measure_pdf("archive-stamp", stamp_body(**overrides), Stamp)


@pytest.fixture
def stamp(render_stamp: Callable[..., Stamp]) -> Stamp:
    return render_stamp()


def test_stamp_is_one_page_of_45_by_16mm(stamp: Stamp) -> None:
    assert len(stamp.pages) == 1
    assert stamp.width == pytest.approx(WIDTH, abs=0.2)
    assert stamp.height == pytest.approx(HEIGHT, abs=0.2)


def test_red_rules_divide_it_into_six_15_by_8mm_cells(stamp: Stamp) -> None:
    """Outer rules lie inside the page's edges; the inner ones are centred on 8, 15 and 30 mm."""
    horizontal, vertical = stamp.horizontal, stamp.vertical

    assert all(bar.is_red for bar in stamp.bars), {bar.color for bar in stamp.bars}
    assert len(horizontal) == 3 and len(vertical) == 4
    for bar in horizontal:
        assert (bar.x0, bar.x1) == (pytest.approx(0, abs=0.1), pytest.approx(WIDTH, abs=0.1))
        assert bar.bottom - bar.top == pytest.approx(RULE, abs=0.03)
    for bar in vertical:
        assert (bar.top, bar.bottom) == (pytest.approx(0, abs=0.1), pytest.approx(HEIGHT, abs=0.1))
        assert bar.x1 - bar.x0 == pytest.approx(RULE, abs=0.03)
    assert horizontal[0].top == pytest.approx(0, abs=0.05)
    assert (horizontal[1].top + horizontal[1].bottom) / 2 == pytest.approx(CELL_HEIGHT, abs=0.05)
    assert horizontal[2].bottom == pytest.approx(HEIGHT, abs=0.05)
    assert vertical[0].x0 == pytest.approx(0, abs=0.05)
    assert [(bar.x0 + bar.x1) / 2 for bar in vertical[1:3]] == [
        pytest.approx(CELL_WIDTH, abs=0.05),
        pytest.approx(2 * CELL_WIDTH, abs=0.05),
    ]
    assert vertical[3].x1 == pytest.approx(WIDTH, abs=0.05)


def test_each_value_sits_in_its_cell(stamp: Stamp) -> None:
    """Row 1: 全宗号, 年度, 件号; row 2: 机构（问题）, 保管期限, 页数."""
    assert [stamp.cell_text(i) for i in range(6)] == ["J012", "2026", "0041", "秘书科", "定期30年", "3"]
    assert sum(len(stamp.cell_glyphs(i)) for i in range(6)) == len(stamp.glyphs)


def test_values_are_centred_in_their_cells(stamp: Stamp) -> None:
    for index in range(6):
        glyphs = stamp.cell_glyphs(index)
        row, column = divmod(index, 3)
        centre = (min(g.x0 for g in glyphs) + max(g.x1 for g in glyphs)) / 2
        assert centre == pytest.approx((column + 0.5) * CELL_WIDTH, abs=0.3), CELLS[index]
        assert glyphs[0].middle == pytest.approx((row + 0.5) * CELL_HEIGHT, abs=0.3), CELLS[index]


def test_values_are_black_fangsong_xiaowu(stamp: Stamp) -> None:
    assert {g.size for g in stamp.glyphs} == {9.0}
    assert all(g.font.startswith("FandolFang") for g in stamp.glyphs)
    assert all(g.color in BLACK for g in stamp.glyphs)


def test_fonts_are_embedded(stamp: Stamp) -> None:
    fonts = stamp.fonts

    assert fonts and all(font.embedded and font.name.startswith("FandolFang") for font in fonts), fonts


def test_long_organization_wraps_inside_its_cell(render_stamp: Callable[..., Stamp]) -> None:
    stamp = render_stamp(organization="办公室综合信息科")
    glyphs = stamp.cell_glyphs(3)

    assert stamp.cell_text(3) == "办公室综合信息科"
    assert len({round(g.baseline, 1) for g in glyphs}) == 2
    assert {g.size for g in glyphs} == {6.5}
    assert all(g.x0 > 0.2 and g.x1 < CELL_WIDTH - 0.2 for g in glyphs)
    # The second row's cell runs from 8 to 16 mm.
    assert all(g.baseline - g.size * MM_PER_PT * EM_ABOVE_BASELINE > CELL_HEIGHT + 0.2 for g in glyphs)
    assert all(g.baseline + g.size * MM_PER_PT * EM_BELOW_BASELINE < HEIGHT - 0.2 for g in glyphs)
    assert {g.size for i in (0, 1, 2, 4, 5) for g in stamp.cell_glyphs(i)} == {9.0}


def test_blank_fonds_number_leaves_its_cell_empty(render_stamp: Callable[..., Stamp]) -> None:
    stamp = render_stamp(fonds_no="", organization="")

    assert [stamp.cell_text(i) for i in range(6)] == ["", "2026", "0041", "", "定期30年", "3"]


def test_markup_in_a_value_prints_literally(render_stamp: Callable[..., Stamp]) -> None:
    stamp = render_stamp(organization="<&>{{x}}")

    assert re.sub(r"\s", "", stamp.cell_text(3)) == "<&>{{x}}"


def test_stamp_overlays_the_top_right_of_an_a4_page(stamp: Stamp) -> None:
    """What the archiving step does with pypdf: the stamp's page merged, unscaled, onto a document's page."""
    a4 = PageObject.create_blank_page(width=210 / MM_PER_PT, height=297 / MM_PER_PT)
    x, y = (210 - 20 - WIDTH) / MM_PER_PT, (297 - 10 - HEIGHT) / MM_PER_PT  # 20 mm from the right, 10 from the top
    a4.merge_transformed_page(PdfReader(io.BytesIO(stamp.pdf)).pages[0], Transformation().translate(x, y))
    writer = PdfWriter()
    writer.add_page(a4)
    out = io.BytesIO()
    writer.write(out)
    stamped = Stamp.of(out.getvalue())

    assert "".join(g.text for g in stamped.glyphs if g.baseline < 10 + CELL_HEIGHT) == "J01220260041"
    assert min(g.x0 for g in stamped.glyphs) > 210 - 20 - WIDTH
    assert max(bar.x1 for bar in stamped.bars) == pytest.approx(210 - 20, abs=0.1)
    assert min(bar.top for bar in stamped.bars) == pytest.approx(10, abs=0.1)


def test_same_body_gives_identical_pdf_bytes(conversion_pool: ConversionPool, stamp: Stamp) -> None:
    catalog = TemplateCatalog(Settings().templates_dir)
    again = render_document(catalog, "archive-stamp", load_example("archive-stamp"), OutputFormat.PDF, conversion_pool)

    assert again.content == stamp.pdf
