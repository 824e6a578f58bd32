"""The 归档 cover set as LibreOffice prints it: cover, 归档文件目录, 备考表 and 盒脊 label (DA/T 22-2015).

Every PDF here goes through the real pipeline and the warm LibreOffice pool. Positions are millimetres from
the paper's top-left corner; table rules are read from the PDF's stroked lines, text from its characters.
The targets are in docs/decisions/0009-archive-forms.md. A box of 300 items with titles that wrap onto two,
three and four lines shows that the 目录 repeats its title and header rows on every page and never splits a row.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from typing import Any

import pytest

from service.config import Settings
from service.conversion import ConversionPool
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document
from tests.conftest import body_for
from tests.documents.conftest import MeasurePdf
from tests.rendering.pdf_measure import Char, MeasuredPdf, Page, Stroke, unmapped_fonts

A4 = (210.0, 297.0)
FORM_LEFT, FORM_RIGHT, FORM_TOP, FORM_BOTTOM = 25.0, 195.0, 20.0, 277.0  # ADR 0009: margins 25/15/20/20 mm
HEADER = ["件号", "文号", "责任者", "题名", "日期", "页数", "备注"]
COLUMN_KEYS = ["item_no", "doc_number", "responsible", "title", "date", "pages", "remarks"]
COVER_LABELS = ["全宗名称", "全宗号", "年度", "保管期限", "机构（问题）", "盒号", "起止件号"]
SPINE_HEIGHT = 270.0  # ADR 0009: the label is 270 mm of the box's 310 mm spine
TOLERANCE = 0.3  # mm


# -- measuring ---------------------------------------------------------------------------------------------


@dataclass
class PdfPage:
    """A page of the forms: its characters (blanks left out) and its stroked lines, mm."""

    number: int
    width: float
    height: float
    chars: list[Char]
    lines: list[Stroke]

    @classmethod
    def of(cls, page: Page) -> PdfPage:
        return cls(page.number, page.width, page.height, [c for c in page.chars if c.text.strip()], page.strokes)

    def text_lines(self) -> list[tuple[float, str]]:
        """(baseline, text) of the characters sharing a baseline, top to bottom."""
        rows: dict[float, list[Char]] = {}
        for char in self.chars:
            rows.setdefault(round(char.baseline, 1), []).append(char)
        return [(b, "".join(c.text for c in sorted(cs, key=lambda c: c.x0))) for b, cs in sorted(rows.items())]

    def line_at(self, baseline: float) -> list[Char]:
        """The characters on `baseline`, left to right."""
        return sorted((c for c in self.chars if abs(c.baseline - baseline) < 0.05), key=lambda c: c.x0)

    def chars_of(self, text: str) -> list[Char]:
        """The characters of the one line holding `text` (those of `text` only)."""
        for baseline, line in self.text_lines():
            start = line.find(text)
            if start >= 0:
                chars = sorted((c for c in self.chars if round(c.baseline, 1) == baseline), key=lambda c: c.x0)
                return chars[start : start + len(text)]
        raise AssertionError(f"page {self.number}: no line holds {text!r}")

    @property
    def horizontal(self) -> list[Stroke]:
        return sorted((line for line in self.lines if line.horizontal), key=lambda line: line.top)

    @property
    def vertical(self) -> list[Stroke]:
        return sorted((line for line in self.lines if not line.horizontal), key=lambda line: line.x0)


@dataclass
class CatalogueRow:
    """One ruled band of a 目录 page: its cells' text by column, and the baselines of its 题名."""

    page: int
    top: float
    bottom: float
    cells: list[str] = field(default_factory=list)
    title_lines: int = 0


def catalogue_rows(page: PdfPage) -> list[CatalogueRow]:
    """The page's table bands between full-width rules, the header band first."""
    rules = [line for line in page.horizontal if line.x1 - line.x0 > 160]
    columns = sorted({round(line.x0, 1) for line in page.vertical if line.bottom - line.top > 5})
    rows = []
    for upper, lower in itertools.pairwise(rules):
        row = CatalogueRow(page.number, upper.top, lower.top)
        inside = [c for c in page.chars if upper.top < c.baseline < lower.top]
        for left, right in itertools.pairwise(columns):
            cell = sorted((c for c in inside if left < c.centre < right), key=lambda c: (round(c.baseline, 1), c.x0))
            row.cells.append("".join(c.text for c in cell))
            if len(row.cells) == 4:
                row.title_lines = len({round(c.baseline, 1) for c in cell})
        rows.append(row)
    return rows


# -- bodies and rendering --------------------------------------------------------------------------------

# Realistic 题名 that take one, two, three and four lines in the 58 mm column (about 15 characters a line).
TITLES = [
    "县政府常务会议纪要",
    "关于召开全县冬春季安全生产工作会议的通知",
    "关于进一步加强农村集体经济组织财务管理和资产监督工作的实施意见（试行）",
    "关于印发《青山县2026年度重点项目建设计划》《青山县重点项目推进责任分工方案》和《督查考核办法》的通知",
    "青山县人民政府专题会议纪要（第27期）",
]
HOSTILE = 'A&B <规定> "引号" {{ title }} {%p if %}'


def big_box(items: int = 300) -> dict[str, Any]:
    """The example box grown to `items` 件, numbered from 1, one document a day from 1 January."""
    body = cover_body()
    first_day = date(2026, 1, 1)
    body["items"] = [
        {
            "item_no": number,
            "doc_number": f"青政办发〔2026〕{number}号" if number % 3 else "",
            "responsible": "青山县人民政府办公室" if number % 4 else "青山县应急管理局",
            "title": HOSTILE if number == 7 else TITLES[number % len(TITLES)],
            "date": (first_day + timedelta(days=number % 330)).isoformat(),
            "pages": 1 + number % 17,
            **({"remarks": "附意见反馈单4份"} if number % 9 == 0 else {}),
        }
        for number in range(1, items + 1)
    ]
    return body


class Rendered(MeasuredPdf):
    @cached_property
    def forms(self) -> list[PdfPage]:
        return [PdfPage.of(page) for page in self.pages]

    @property
    def catalogue_pages(self) -> list[PdfPage]:
        return [p for p in self.forms if any(text == "".join(HEADER) for _, text in p.text_lines())]

    @property
    def cover(self) -> PdfPage:
        return self.forms[0]

    @property
    def reference(self) -> PdfPage:
        return self.forms[-2]

    @property
    def spine(self) -> PdfPage:
        return self.forms[-1]

    def rows(self) -> list[CatalogueRow]:
        """Item rows of every 目录 page, in order (header bands left out)."""
        return [row for page in self.catalogue_pages for row in catalogue_rows(page)[1:]]


cover_body = body_for("archive-cover")


@pytest.fixture
def render_box(measure_pdf: MeasurePdf) -> Callable[[dict[str, Any]], Rendered]:
    """render_box(body): a box's body rendered to PDF and measured (once per module)."""
    return lambda body: measure_pdf("archive-cover", body, Rendered)


@pytest.fixture
def example(render_box: Callable[[dict[str, Any]], Rendered]) -> Rendered:
    return render_box(cover_body())


@pytest.fixture
def box300(render_box: Callable[[dict[str, Any]], Rendered]) -> Rendered:
    return render_box(big_box(300))


@pytest.fixture(params=["example", "300"])
def any_box(request: pytest.FixtureRequest, example: Rendered, box300: Rendered) -> Rendered:
    return example if request.param == "example" else box300


# -- pages ----------------------------------------------------------------------------------------------------


def test_every_section_is_portrait_a4(any_box: Rendered) -> None:
    sizes = {(round(p.width, 1), round(p.height, 1)) for p in any_box.forms}

    assert sizes == {A4}


def test_sections_come_in_order_cover_catalogue_reference_spine(any_box: Rendered) -> None:
    numbers = [p.number for p in any_box.catalogue_pages]

    assert numbers == list(range(2, len(any_box.forms) - 1))
    assert any_box.cover.chars_of("归档文件目录")
    assert any_box.reference.chars_of("备考表")
    assert any_box.spine.chars_of("盒号")


def test_forms_carry_no_page_numbers(any_box: Rendered) -> None:
    """Cover, 目录 and 备考表 are not numbered (ADR 0009): nothing is printed below the forms' bottom margin."""
    below = [(p.number, c.text) for p in any_box.forms[:-1] for c in p.chars if c.em_bottom > FORM_BOTTOM + 0.5]

    assert below == []


def test_every_embedded_font_is_a_mapped_open_font(any_box: Rendered) -> None:
    fonts = any_box.fonts

    assert fonts
    assert not unmapped_fonts(fonts), fonts


def test_same_body_gives_identical_pdf_bytes(conversion_pool: ConversionPool, example: Rendered) -> None:
    catalog = TemplateCatalog(Settings().templates_dir)
    again = render_document(catalog, "archive-cover", example.body, OutputFormat.PDF, conversion_pool)

    assert again.content == example.pdf


# -- cover ----------------------------------------------------------------------------------------------------


def test_cover_heading_is_bold_song_and_centred(example: Rendered) -> None:
    heading = example.cover.chars_of("归档文件目录")

    assert {c.size for c in heading} == {26.0}
    assert all(re.match(r"NotoSerifCJK\w*-Bold", c.font) for c in heading)
    centre = (heading[0].x0 + heading[-1].x1) / 2
    assert abs(centre - (FORM_LEFT + FORM_RIGHT) / 2) < TOLERANCE


def test_cover_fields_stand_label_left_value_on_its_rule(example: Rendered) -> None:
    """Labels spread over 36 mm from x = 44 mm; values centred on the 90 mm ruled column (centre 131 mm)."""
    context = example.body
    values = [
        context["fonds_name"],
        context["fonds_no"],
        str(context["year"]),
        context["retention"],
        context["organization"],
        str(context["box_no"]),
        "0041—0043",
    ]
    page = example.cover
    rules = [line for line in page.horizontal if abs(line.x1 - line.x0 - 90) < 1]
    baselines = []
    for label, value in zip(COVER_LABELS, values, strict=True):
        label_chars = page.chars_of(label)
        value_chars = [c for c in page.line_at(label_chars[0].baseline) if c.x0 > 84]
        assert "".join(c.text for c in value_chars) == value
        assert abs(label_chars[0].x0 - 44) < TOLERANCE, label
        assert abs(label_chars[-1].x1 - 80) < 0.6, label  # distributed over the 36 mm label column
        assert abs((value_chars[0].x0 + value_chars[-1].x1) / 2 - 131) < TOLERANCE, value
        rule = next(r for r in rules if 0 < r.top - value_chars[0].baseline < 5)
        assert abs(rule.x0 - 86) < TOLERANCE and abs(rule.x1 - 176) < TOLERANCE
        baselines.append(label_chars[0].baseline)
    assert [round(b2 - b1, 1) for b1, b2 in itertools.pairwise(baselines)] == [16.0] * 6


def test_cover_shows_the_box_title(example: Rendered) -> None:
    title = example.cover.chars_of(example.body["title"])

    assert {c.size for c in title} == {16.0}
    assert all(c.font.startswith("FandolFang") for c in title)


# -- 归档文件目录 ------------------------------------------------------------------------------------------------


def test_catalogue_title_and_header_row_repeat_on_every_page(box300: Rendered) -> None:
    pages = box300.catalogue_pages
    title_baselines = {round(p.chars_of("归档文件目录")[0].baseline, 2) for p in pages}
    headers = [catalogue_rows(p)[0] for p in pages]

    assert len(pages) >= 10
    assert len(title_baselines) == 1
    assert all(header.cells == HEADER for header in headers), [h.cells for h in headers]
    assert len({(round(h.top, 2), round(h.bottom, 2)) for h in headers}) == 1
    assert abs(headers[0].top - (FORM_TOP + 16)) < TOLERANCE  # below the 16 mm title row


def test_catalogue_header_is_heiti_and_title_bold_song(box300: Rendered) -> None:
    page = box300.catalogue_pages[-1]

    assert all(c.font.startswith("NotoSansCJK") and c.size == 10.5 for c in page.chars_of("".join(HEADER)))
    assert all(re.match(r"NotoSerifCJK\w*-Bold", c.font) and c.size == 18 for c in page.chars_of("归档文件目录"))


def test_no_row_is_split_across_pages(box300: Rendered) -> None:
    """Every item's cells, all their lines, sit in one ruled band on one page, in 件号 order."""
    rows = box300.rows()
    expected = [
        [
            f"{item['item_no']:04d}",
            item["doc_number"],
            item["responsible"],
            item["title"],
            item["date"].replace("-", ""),
            str(item["pages"]),
            item.get("remarks", ""),
        ]
        for item in box300.body["items"]
    ]

    def compact(cells: list[str]) -> list[str]:
        return [cell.replace(" ", "") for cell in cells]

    assert len(rows) == 300
    assert [compact(row.cells) for row in rows] == [compact(cells) for cells in expected]
    assert all(row.bottom <= FORM_BOTTOM + TOLERANCE for row in rows)


def test_long_titles_wrap_onto_several_lines_inside_their_row(box300: Rendered) -> None:
    lines = {row.title_lines for row in box300.rows()}

    assert {1, 2, 3, 4} <= lines


def test_catalogue_entries_are_fangsong_wuhao(box300: Rendered) -> None:
    page = box300.catalogue_pages[0]
    entries = [c for c in page.chars if c.baseline > catalogue_rows(page)[0].bottom]

    assert {c.size for c in entries} == {10.5}
    assert all(c.font.startswith("FandolFang") for c in entries)


def test_dates_print_as_eight_digits_and_item_numbers_as_four(box300: Rendered) -> None:
    rows = box300.rows()

    assert all(re.fullmatch(r"\d{4}", row.cells[0]) for row in rows)
    assert all(re.fullmatch(r"20\d{6}", row.cells[4]) for row in rows)
    assert rows[0].cells[4] == "20260102"


def test_table_is_170mm_wide_from_the_25mm_margin(box300: Rendered) -> None:
    columns = sorted({round(line.x0, 1) for line in box300.catalogue_pages[0].vertical})

    assert [round(x) for x in columns] == [25, 37, 67, 93, 151, 169, 179, 195]


def test_300_items_render_quickly(box300: Rendered) -> None:
    """The issue's bar: a 300-item 目录 renders to PDF; on two shared cores it takes about a second."""
    print(f"300-item archive list: {len(box300.forms)} pages in {box300.seconds:.2f} s")

    assert box300.seconds < 30


# -- 备考表 -----------------------------------------------------------------------------------------------------


def test_reference_table_lists_notes_and_signatures_inside_its_frame(example: Rendered) -> None:
    page = example.reference
    frame = [line for line in page.horizontal if line.x1 - line.x0 > 160]
    top, bottom = frame[0].top, frame[-1].top
    texts = [text for baseline, text in page.text_lines() if top < baseline < bottom]

    assert texts == [
        "盒内文件情况说明",
        "本盒共有文件3件（第0041至0043号），共7页。",
        "本盒文件齐全完整，无破损。",
        "整理人：陈晓东",
        "整理日期：2026年12月10日",
        "检查人：周敏",
        "检查日期：2026年12月11日",
    ]
    assert all(c.font.startswith("NotoSansCJK") for c in page.chars_of("盒内文件情况说明"))
    assert bottom <= FORM_BOTTOM + TOLERANCE


def test_reference_title_is_bold_song(example: Rendered) -> None:
    title = example.reference.chars_of("备考表")

    assert all(re.match(r"NotoSerifCJK\w*-Bold", c.font) and c.size == 18 for c in title)


# -- 盒脊 --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("spine", [20, 40, 50])
def test_spine_label_is_drawn_to_real_size(spine: int, render_box: Callable[[dict[str, Any]], Rendered]) -> None:
    page = render_box(cover_body(spine_width=spine)).spine
    left, right = page.vertical[0], page.vertical[-1]

    assert right.x0 - left.x0 == pytest.approx(spine, abs=0.2)
    assert left.bottom - left.top == pytest.approx(SPINE_HEIGHT, abs=0.6)  # the line runs over the frame's corners
    rules = page.horizontal
    assert rules[-1].top - rules[0].top == pytest.approx(SPINE_HEIGHT, abs=0.2)
    assert (left.x0 + right.x0) / 2 == pytest.approx(105, abs=0.2)  # centred on the page
    assert all(left.x0 < c.x0 and c.x1 < right.x0 for c in page.chars)


def test_spine_stacks_its_fields_with_start_above_end(example: Rendered) -> None:
    page = example.spine
    centre = (page.vertical[0].x0 + page.vertical[-1].x0) / 2

    assert [text for _, text in page.text_lines()] == [
        "全宗号",
        "J012",
        "年度",
        "2026",
        "保管期限",
        "定期30年",
        "机构（问题）",
        "秘书科",
        "起止件号",
        "0041",
        "0043",
        "盒号",
        "3",
    ]
    for baseline, text in page.text_lines():
        chars = page.line_at(baseline)
        assert (chars[0].x0 + chars[-1].x1) / 2 == pytest.approx(centre, abs=0.5), text
