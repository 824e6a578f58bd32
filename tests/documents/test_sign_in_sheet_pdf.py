"""The sign-in sheet (签到表) as LibreOffice prints it: the GB/T 9704 page, and a table that pages cleanly.

Every PDF goes through the real pipeline and the warm LibreOffice pool, once per body per module. The table is
read back row by row: the full-width rules cut each page into bands, and each character falls into the band
and column it is printed in (read_table). A row split across pages would show up as a band holding part of a
row, so comparing the bands with the attendee list checks the header, the order and the split in one go.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import load_example
from tests.documents.conftest import MeasurePdf
from tests.rendering.pdf_measure import (
    BLACK,
    BLOCK_BOTTOM,
    BLOCK_LEFT,
    BLOCK_RIGHT,
    BLOCK_TOP,
    ROW,
    ROW_ASCENT,
    MeasuredPdf,
    TableRow,
    full_width_rules,
    page_number_errors,
    read_table,
    table_edge_errors,
    unmapped_fonts,
)

HEADERS = ("序号", "单位", "姓名", "职务", "签到")
# Column edges (mm from the paper's left edge): 13 | 51 | 24 | 30 | 38 (docs/decisions/0010).
EDGES = (28.0, 41.0, 92.0, 116.0, 146.0, 184.0)

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN_NAMES = ("建军", "秀梅", "国庆", "立新", "红霞", "志刚", "晓峰", "文斌", "丽华", "明", "帆", "磊", "静", "勇")
UNITS = (
    "城关镇人民政府",
    "东溪镇人民政府",
    "龙泉镇人民政府",
    "石门乡人民政府",
    "白水乡人民政府",
    "县应急管理局",
    "县公安局",
    "县住建局",
    "县市场监督管理局",
    "县自然资源和规划局",
    "县消防救援大队",
    "县交通运输局（县港航管理中心）",  # 15 characters: wraps to two lines in the 51 mm column
)
TITLES = ("副镇长", "安监站站长", "副局长", "科长", "副科长", "科员", "大队长", "综合科科长")


def many_attendees(count: int) -> list[dict[str, str]]:
    """`count` realistic rows; every twelfth unit wraps, so rows differ in height."""
    return [
        {
            "unit": UNITS[i % len(UNITS)],
            "name": SURNAMES[i % len(SURNAMES)] + GIVEN_NAMES[(i // len(SURNAMES)) % len(GIVEN_NAMES)],
            "title": TITLES[i % len(TITLES)],
        }
        for i in range(count)
    ]


# -- rendering ------------------------------------------------------------------------------------------


class MeasuredSheet(MeasuredPdf):
    @property
    def rows(self) -> list[TableRow]:
        return read_table(self.pages, EDGES)

    def expected_rows(self) -> list[tuple[str, ...]]:
        attendees = self.body.get("attendees", [])
        listed = [
            (str(n), a.get("unit", ""), a.get("name", ""), a.get("title", ""), "")
            for n, a in enumerate(attendees, start=1)
        ]
        blank = [(str(n), "", "", "", "") for n in range(len(listed) + 1, len(listed) + self.body["blank_rows"] + 1)]
        return [*listed, *blank]


@pytest.fixture
def measure_sheet(measure_pdf: MeasurePdf) -> Callable[[str], MeasuredSheet]:
    """measure_sheet(name): one of BODIES rendered to PDF and measured (once per module)."""
    return lambda name: measure_pdf("sign-in-sheet", BODIES[name](), MeasuredSheet)


def example() -> dict[str, Any]:
    return load_example("sign-in-sheet")


def five_hundred() -> dict[str, Any]:
    """The issue's case: 500 attendees (some units wrapping to two lines), no blank rows."""
    return {**example(), "attendees": many_attendees(500), "blank_rows": 0}


def sixty_short() -> dict[str, Any]:
    """60 one-line rows: every row one grid row tall, so full pages show the row count exactly."""
    attendees = [a for a in many_attendees(80) if "（" not in a["unit"]][:60]
    return {**example(), "attendees": attendees, "blank_rows": 0}


BODIES: dict[str, Callable[[], dict[str, Any]]] = {
    "example": example,
    "500": five_hundred,
    "60-short": sixty_short,
}
ALL = pytest.mark.parametrize("name", list(BODIES))


# -- the page ----------------------------------------------------------------------------------------------


@ALL
def test_every_page_is_a4(name: str, measure_sheet: Callable[[str], MeasuredSheet]) -> None:
    sheet = measure_sheet(name)

    assert all(abs(page.width - 210) <= 0.5 and abs(page.height - 297) <= 0.5 for page in sheet.pages)


def test_title_is_2hao_xiaobiaosong_centred_on_the_first_row(measure_sheet: Callable[[str], MeasuredSheet]) -> None:
    """Title on the block's first row (37 mm), 22 pt 小标宋 (Noto Serif CJK Bold), centred on the 版心."""
    page = measure_sheet("example").pages[0]
    title = page.line_with("签到表")

    assert title.text == "全县冬春季安全生产工作会议签到表"
    assert round(title.size, 2) == 22
    assert all(re.match(r"NotoSerifCJK\w*-Bold", font) for font in title.fonts), title.fonts
    assert abs((title.x0 + title.x1) / 2 - (BLOCK_LEFT + BLOCK_RIGHT) / 2) <= 1
    assert abs(title.baseline - ROW_ASCENT - BLOCK_TOP) <= 1


def test_time_and_place_are_flush_left_on_rows_three_and_four(measure_sheet: Callable[[str], MeasuredSheet]) -> None:
    page = measure_sheet("example").pages[0]
    when, where = page.line_with("时间："), page.line_with("地点：")

    assert when.text == "时间：2026年12月3日（星期四）上午9:00—11:30"
    assert where.text == "地点：县行政中心三楼第一会议室"
    for row, line in ((3, when), (4, where)):
        assert abs(line.x0 - BLOCK_LEFT) <= 0.5
        assert round(line.size, 2) == 16
        assert abs(line.baseline - ROW_ASCENT - (BLOCK_TOP + (row - 1) * ROW)) <= 0.5
    assert full_width_rules(page)[0].top >= where.em_bottom


@ALL
def test_table_is_156mm_wide_from_the_28mm_block_edge(name: str, measure_sheet: Callable[[str], MeasuredSheet]) -> None:
    assert not table_edge_errors(measure_sheet(name).pages, EDGES)


@ALL
def test_table_rules_are_black(name: str, measure_sheet: Callable[[str], MeasuredSheet]) -> None:
    rules = [rule for page in measure_sheet(name).pages for rule in page.rules]

    assert rules
    assert all(rule.color in BLACK for rule in rules), {r.color for r in rules}


@ALL
def test_table_stays_inside_the_block(name: str, measure_sheet: Callable[[str], MeasuredSheet]) -> None:
    for page in measure_sheet(name).pages:
        rules = full_width_rules(page)
        assert rules, f"page {page.number} holds no table: a blank trailing page?"
        assert rules[0].top >= BLOCK_TOP - 0.3
        assert rules[-1].bottom <= BLOCK_BOTTOM


# -- the table across pages ----------------------------------------------------------------------------------


@ALL
def test_header_row_opens_every_page(name: str, measure_sheet: Callable[[str], MeasuredSheet]) -> None:
    sheet = measure_sheet(name)
    first_bands = {}
    for row in sheet.rows:
        first_bands.setdefault(row.page, row)

    assert sorted(first_bands) == [page.number for page in sheet.pages]
    assert all(row.cells == HEADERS for row in first_bands.values()), first_bands
    # On continuation pages the header is the block's first row.
    assert all(abs(row.top - BLOCK_TOP) <= 0.5 for page, row in first_bands.items() if page > 1)


@ALL
def test_rows_are_whole_in_order_and_numbered_continuously(
    name: str, measure_sheet: Callable[[str], MeasuredSheet]
) -> None:
    """Every band below a header is one whole row: a split row would leave part of its cells on each page."""
    sheet = measure_sheet(name)
    data = [row for row in sheet.rows if row.cells != HEADERS]

    assert [row.cells for row in data] == sheet.expected_rows()
    assert [int(row.cells[0]) for row in data] == list(range(1, len(data) + 1))
    headers = [row for row in sheet.rows if row.cells == HEADERS]
    assert len(headers) == len(sheet.pages)


@ALL
def test_rows_are_tall_enough_to_sign(name: str, measure_sheet: Callable[[str], MeasuredSheet]) -> None:
    heights = [row.height for row in measure_sheet(name).rows]

    assert min(heights) >= 10


def test_a_page_ends_only_when_the_next_row_does_not_fit(measure_sheet: Callable[[str], MeasuredSheet]) -> None:
    """No premature page breaks: the row that opens the next page would have run past the block's bottom."""
    rows = measure_sheet("500").rows
    for row, following in itertools.pairwise(rows):
        if following.page != row.page:
            next_row = rows[rows.index(following) + 1]  # the first row after the repeated header
            assert row.bottom + next_row.height > BLOCK_BOTTOM, (row, next_row)


def test_full_pages_hold_the_header_and_21_one_line_rows(measure_sheet: Callable[[str], MeasuredSheet]) -> None:
    """22 rows of 10.2 mm fill the 225 mm 版心 as the 22 grid lines do; page 1 gives four rows to the head."""
    sheet = measure_sheet("60-short")
    per_page = {page.number: sum(1 for row in sheet.rows if row.page == page.number) for page in sheet.pages}

    assert per_page[1] == 18
    assert all(count == 22 for page, count in per_page.items() if 1 < page < len(sheet.pages)), per_page


def test_five_hundred_rows_render_in_time(measure_sheet: Callable[[str], MeasuredSheet], capsys: Any) -> None:
    """Not a timed assertion: the render time is printed for the record (docs/decisions/0010)."""
    sheet = measure_sheet("500")
    with capsys.disabled():
        print(f"\n500-row sign-in sheet: {len(sheet.pages)} pages, rendered to PDF in {sheet.seconds:.2f} s")

    assert len(sheet.pages) >= 24


# -- fonts and page numbers ----------------------------------------------------------------------------------


@ALL
def test_every_embedded_font_is_a_mapped_open_font(name: str, measure_sheet: Callable[[str], MeasuredSheet]) -> None:
    fonts = measure_sheet(name).fonts

    assert fonts
    assert not unmapped_fonts(fonts), fonts


def test_header_is_heiti_and_cells_fangsong_at_3hao(measure_sheet: Callable[[str], MeasuredSheet]) -> None:
    page = measure_sheet("example").pages[0]
    header = page.line_with("序号")
    first = page.line_with("吴海涛")

    assert all(font.startswith("NotoSansCJK") for font in header.fonts), header.fonts
    assert all(font.startswith("FandolFang") for font in first.fonts), first.fonts
    assert round(header.size, 2) == round(first.size, 2) == 16


@ALL
def test_page_numbers_follow_gbt9704(name: str, measure_sheet: Callable[[str], MeasuredSheet]) -> None:
    """GB/T 9704-2012 7.5: "— N —" in 4号, 7 mm below the block, odd pages right and even pages left."""
    sheet = measure_sheet(name)
    numbers = sheet.page_numbers()

    assert sorted(numbers) == [page.number for page in sheet.pages]
    assert not page_number_errors(numbers)
