"""Built-in 归档 cover set (DA/T 22-2015): cover, 归档文件目录, 备考表 and 盒脊 label, one DOCX of four sections.

The geometry and why each number was chosen are in docs/decisions/0009-archive-forms.md. These are archive
forms, not 公文: no 22-line grid, no page numbers (cover, 目录 and 备考表 are not numbered in practice).
Every section is portrait A4; the 盒脊 label is drawn to real size on its own page, cut out and glued on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from lxml import etree

from service.rendering import ooxml
from service.rendering.ooxml import (
    Border,
    Expr,
    Measure,
    PageGeometry,
    TableBorders,
    indentation,
    qn,
    run,
    run_properties,
    tag_paragraph,
    tag_row,
)
from service.typography.gbt9704 import (
    FONT_FANGSONG,
    FONT_HEITI,
    FONT_SONGTI,
    PAGE_WIDTH,
    SIZE_1HAO,
    SIZE_3HAO,
    SIZE_4HAO,
)
from service.typography.units import Length, mm, pt
from tools.template_builder.common import (
    PAGE_HEIGHT,
    KindTemplates,
    assemble,
    conditional,
    end_paragraph,
    exact_paragraph,
    form_borders,
    half_points,
)

NONE = Length(0)

# --- type sizes (字号) not in gbt9704 ---------------------------------------------------------------------
SIZE_XIAOER = pt(18)  # 字号: 小二
SIZE_5HAO = pt(10.5)  # 字号: 五号

# --- the form pages: cover, 目录, 备考表 ------------------------------------------------------------------
# Practice (typesetting spec §4.1, unconfirmed): the 目录 table 25 mm from the left edge (the binding side),
# 15 mm from the right, so 170 mm wide. Decision: 20 mm top and bottom; the repeated title row gives the top.
FORM_MARGIN_TOP = mm(20)
FORM_MARGIN_BOTTOM = mm(20)
FORM_MARGIN_LEFT = mm(25)
FORM_MARGIN_RIGHT = mm(15)
FORM_WIDTH = PAGE_WIDTH - FORM_MARGIN_LEFT - FORM_MARGIN_RIGHT  # 170 mm
# The forms are ruled as the notice's reply slip: common.FORM_RULE, 0.5 pt black (form_borders).
CELL_PADDING = mm(1)  # decision: text 1 mm in from every vertical rule
CELL_VERTICAL_PADDING = mm(0.8)  # decision: a wrapped 目录 entry keeps clear of the rules above and below

# 归档文件目录 columns (DA/T 22-2015 8.1 for the order; widths are a decision, in mm, summing to 170):
# 件号 "0041" and 日期 "20261125" on one line at 五号; 题名 the widest, about 15 characters a line.
CATALOGUE_COLUMNS: tuple[tuple[str, str, Length, ooxml.Align], ...] = (
    ("件号", "item_no", mm(12), "center"),
    ("文号", "doc_number", mm(30), "center"),
    ("责任者", "responsible", mm(26), "center"),
    ("题名", "title", mm(58), "both"),
    ("日期", "date", mm(18), "center"),
    ("页数", "pages", mm(10), "center"),
    ("备注", "remarks", mm(16), "center"),
)
CATALOGUE_TITLE_ROW = mm(16)  # decision: 小二 title with room above the table
CATALOGUE_HEADER_ROW = mm(10)
CATALOGUE_ROW = mm(10)  # at least; a row grows with its longest cell and never splits
CATALOGUE_LINE = pt(14)  # 五号 lines, exact: 1.33 em, unclipped in LibreOffice (FandolFang, Noto)

# --- the 盒脊 label -------------------------------------------------------------------------------------
# DA/T 22-2015 6.2: boxes are 310 mm tall. A4 is 297 mm, so the label is 270 mm, leaving 20 mm of the spine
# free at each end; its width is the spine's (spine_width, twips, from the context), centred on the page.
SPINE_HEIGHT = mm(270)
SPINE_MARGIN_TOP = (PAGE_HEIGHT - SPINE_HEIGHT) / 2
SPINE_LABEL_ROW = mm(10)
# (label, rows: (context key, height)); DA/T 22-2015 6.2: 起止件号 start in the upper cell, end in the lower.
SPINE_FIELDS: tuple[tuple[str, tuple[tuple[str, Length], ...]], ...] = (
    ("全宗号", (("fonds_no", mm(30)),)),
    ("年度", (("year", mm(30)),)),
    ("保管期限", (("retention", mm(30)),)),
    ("机构（问题）", (("organization", mm(45)),)),
    ("起止件号", (("first_item", mm(20)), ("last_item", mm(20)))),
    ("盒号", (("box_no", mm(35)),)),
)
SPINE_OUTER_RULE = Border(width=pt(1))  # the cutting line, heavier than the inner rules

# Fonts of the forms: titles 宋体 bold (Noto Serif CJK Bold), labels 黑体, entries 仿宋.
TITLE_FONT = FONT_SONGTI
LABEL_FONT = FONT_HEITI
ENTRY_FONT = FONT_FANGSONG


def text_run(value: str, font: str, size: Measure, *, bold: bool = False, spacing_pt: float = 0) -> etree._Element:
    # Every run states its spacing: the forms are not on the body grid's −0.25 pt condensing.
    return run(value, run_properties(font, size, bold=bold, character_spacing=pt(spacing_pt)))


def line_paragraph(
    *runs: etree._Element,
    line: Measure,
    align: ooxml.Align = "center",
    before: Measure | None = None,
    indent: etree._Element | None = None,
) -> etree._Element:
    """A paragraph of exact line height (the forms have no document grid), centred unless told."""
    return exact_paragraph(*runs, line=line, align=align, before=before, indent=indent)


def distributed(element: etree._Element) -> etree._Element:
    """Spread a label over its cell (w:jc "distribute"), as forms align 年度 under 全宗名称."""
    jc = element.find(f"{qn('w:pPr')}/{qn('w:jc')}")
    assert jc is not None
    jc.set(qn("w:val"), "distribute")
    return element


def row(
    cells: Sequence[etree._Element],
    *,
    height: Measure,
    rule: Literal["atLeast", "exact"] = "atLeast",
    header: bool = False,
) -> etree._Element:
    """A row that never splits across pages; `header` rows repeat at the top of every page."""
    return ooxml.table_row(cells, height=height, height_rule=rule, repeat_as_header=header, cant_split=True)


# --- sections -------------------------------------------------------------------------------------------

FORM_PAGE = PageGeometry(
    width=PAGE_WIDTH,
    height=PAGE_HEIGHT,
    top=FORM_MARGIN_TOP,
    right=FORM_MARGIN_RIGHT,
    bottom=FORM_MARGIN_BOTTOM,
    left=FORM_MARGIN_LEFT,
)


def section_end(page: PageGeometry) -> etree._Element:
    """The (tiny) paragraph that ends a section: its pPr carries the section's page setup.

    No header or footer, and no `w:docGrid type="lines"`: the forms are ruled tables, and a line grid
    would snap their rows to 579-twip steps.
    """
    end = end_paragraph()
    end.find(qn("w:pPr")).append(ooxml.section_properties(page, line_pitch=None))
    return end


# --- the cover ------------------------------------------------------------------------------------------

COVER_FIELDS = (
    ("全宗名称", "fonds_name"),
    ("全宗号", "fonds_no"),
    ("年度", "year"),
    ("保管期限", "retention"),
    ("机构（问题）", "organization"),
    ("盒号", "box_no"),
    ("起止件号", "item_range"),
)
COVER_LABEL = mm(36)  # 6 characters of 三号 (33.9 mm), 机构（问题） the longest
COVER_GAP = mm(6)
COVER_VALUE = mm(90)
COVER_TABLE = COVER_LABEL + COVER_GAP + COVER_VALUE
COVER_ROW = mm(16)
COVER_TITLE_TOP = mm(50)  # decision: the heading's line starts 70 mm from the paper's top
COVER_VALUE_RULE = Border(width=pt(0.75))


def cover() -> list[etree._Element]:
    """归档文件目录 heading, the box's summary title, then the fields on ruled lines (DA/T 22-2015 8.1)."""
    heading = line_paragraph(
        text_run("归档文件目录", TITLE_FONT, SIZE_1HAO, bold=True, spacing_pt=8),
        line=SIZE_1HAO * 1.5,
        before=COVER_TITLE_TOP,
    )
    subtitle = line_paragraph(text_run("{{ title }}", ENTRY_FONT, SIZE_3HAO), line=SIZE_3HAO * 1.5, before=mm(8))
    rows = []
    for label, key in COVER_FIELDS:
        label_cell = ooxml.table_cell(
            COVER_LABEL,
            [distributed(line_paragraph(text_run(label, LABEL_FONT, SIZE_3HAO), line=SIZE_3HAO * 1.5, align="both"))],
            vertical_align="bottom",
        )
        gap = ooxml.table_cell(COVER_GAP, [line_paragraph(line=SIZE_3HAO * 1.5)], vertical_align="bottom")
        value = ooxml.table_cell(
            COVER_VALUE,
            [line_paragraph(text_run("{{ " + key + " }}", ENTRY_FONT, SIZE_3HAO), line=SIZE_3HAO * 1.5)],
            vertical_align="bottom",
            borders={"bottom": COVER_VALUE_RULE},
        )
        rows.append(row([label_cell, gap, value], height=COVER_ROW))
    fields = ooxml.table(
        ooxml.table_properties(COVER_TABLE, borders=TableBorders(), indent=(FORM_WIDTH - COVER_TABLE) / 2),
        [COVER_LABEL, COVER_GAP, COVER_VALUE],
        rows,
    )
    return [
        heading,
        *conditional("title", subtitle),
        line_paragraph(line=mm(25)),
        fields,
        section_end(FORM_PAGE),
    ]


# --- 归档文件目录 ------------------------------------------------------------------------------------------


def catalogue() -> list[etree._Element]:
    """The 目录 table: the title row and the column headers repeat on every page; no row splits."""
    widths = [width for _, _, width, _ in CATALOGUE_COLUMNS]
    title = ooxml.table_cell(
        FORM_WIDTH,
        [
            line_paragraph(
                text_run("归档文件目录", TITLE_FONT, SIZE_XIAOER, bold=True, spacing_pt=4), line=SIZE_XIAOER * 1.5
            )
        ],
        span=len(widths),
        vertical_align="top",
        # The title row stands above the ruled table: no lines but the table's top rule below it.
        borders={"top": None, "left": None, "right": None},
    )
    headers = [
        ooxml.table_cell(
            width,
            [line_paragraph(text_run(label, LABEL_FONT, SIZE_5HAO), line=CATALOGUE_LINE)],
            vertical_align="center",
        )
        for label, _, width, _ in CATALOGUE_COLUMNS
    ]
    entries = [
        ooxml.table_cell(
            width,
            [
                line_paragraph(
                    text_run("{{ item." + key + " }}", ENTRY_FONT, SIZE_5HAO), line=CATALOGUE_LINE, align=align
                )
            ],
            vertical_align="center",
        )
        for _, key, width, align in CATALOGUE_COLUMNS
    ]
    rows = [
        row([title], height=CATALOGUE_TITLE_ROW, rule="exact", header=True),
        row(headers, height=CATALOGUE_HEADER_ROW, header=True),
        tag_row("{%tr for item in items %}", len(widths)),
        row(entries, height=CATALOGUE_ROW),
        tag_row("{%tr endfor %}", len(widths)),
    ]
    return [
        ooxml.table(
            ooxml.table_properties(
                FORM_WIDTH, borders=form_borders(), padding=CELL_PADDING, vertical_padding=CELL_VERTICAL_PADDING
            ),
            widths,
            rows,
        ),
        section_end(FORM_PAGE),
    ]


# --- 备考表 ------------------------------------------------------------------------------------------------

NOTE_LINE = pt(24)  # 四号 lines in the 说明, exact
NOTE_ROW = mm(160)  # decision: room for 500 characters of 说明 (about 15 lines) and handwriting
SIGNATURE_ROW = mm(62)
SIGNATURE_INDENT = mm(85)  # decision: 整理人 … 检查日期 in the right half, as GB/T 9705 annex forms place them
SIGNATURE_LINE = pt(36)
# 整理人/整理日期/检查人/检查日期: the label and, when given, the value (blank otherwise, for handwriting).
SIGNATURE_FIELDS = (
    ("整理人", "compiled_by"),
    ("整理日期", "compiled_on"),
    ("检查人", "checked_by"),
    ("检查日期", "checked_on"),
)


def reference_table() -> list[etree._Element]:
    """备考表 (DA/T 22-2015 8.3): 盒内文件情况说明, then 整理人, 整理日期, 检查人, 检查日期."""
    title = line_paragraph(
        text_run("备考表", TITLE_FONT, SIZE_XIAOER, bold=True, spacing_pt=8),
        line=SIZE_XIAOER * 1.5,
        before=mm(4),
    )
    note_paragraphs = [
        line_paragraph(text_run("盒内文件情况说明", LABEL_FONT, SIZE_4HAO), line=NOTE_LINE, align="left", before=mm(4)),
        tag_paragraph("{%p for note in notes %}"),
        line_paragraph(
            text_run("{{ note }}", ENTRY_FONT, SIZE_4HAO),
            line=NOTE_LINE,
            align="both",
            indent=indentation(first_line=SIZE_4HAO * 2),
        ),
        tag_paragraph("{%p endfor %}"),
    ]
    signature_paragraphs = [
        line_paragraph(
            text_run(f"{label}：", ENTRY_FONT, SIZE_4HAO),
            text_run("{{ " + key + " }}", ENTRY_FONT, SIZE_4HAO),
            line=SIGNATURE_LINE,
            align="left",
            indent=indentation(left=SIGNATURE_INDENT),
        )
        for label, key in SIGNATURE_FIELDS
    ]
    rows = [
        row([ooxml.table_cell(FORM_WIDTH, note_paragraphs, vertical_align="top")], height=NOTE_ROW),
        row([ooxml.table_cell(FORM_WIDTH, signature_paragraphs, vertical_align="center")], height=SIGNATURE_ROW),
    ]
    form = ooxml.table(
        ooxml.table_properties(FORM_WIDTH, borders=form_borders(), padding=mm(4)),
        [FORM_WIDTH],
        rows,
    )
    return [title, line_paragraph(line=mm(6)), form, section_end(FORM_PAGE)]


# --- 盒脊 label ---------------------------------------------------------------------------------------------

SPINE_WIDTH = Expr("spine_width")
SPINE_PAGE = PageGeometry(
    width=PAGE_WIDTH,
    height=PAGE_HEIGHT,
    top=SPINE_MARGIN_TOP,
    right=Expr(f"{PAGE_WIDTH.twips} - ({PAGE_WIDTH.twips} - spine_width) // 2 - spine_width"),
    bottom=mm(10),
    left=Expr(f"({PAGE_WIDTH.twips} - spine_width) // 2"),
)


def spine_label() -> list[etree._Element]:
    """One column, label over value, drawn to real size: spine_width × 270 mm (DA/T 22-2015 6.2)."""
    label_line = Expr(half_points("spine_label_size", 1.5))
    value_line = Expr(half_points("spine_value_size", 1.5))
    rows = []
    for label, values in SPINE_FIELDS:
        rows.append(
            row(
                [
                    ooxml.table_cell(
                        SPINE_WIDTH,
                        [line_paragraph(text_run(label, LABEL_FONT, Expr("spine_label_size")), line=label_line)],
                        vertical_align="center",
                    )
                ],
                height=SPINE_LABEL_ROW,
                rule="exact",
            )
        )
        for key, height in values:
            value = line_paragraph(text_run("{{ " + key + " }}", ENTRY_FONT, Expr("spine_value_size")), line=value_line)
            rows.append(
                row([ooxml.table_cell(SPINE_WIDTH, [value], vertical_align="center")], height=height, rule="exact")
            )
    assert (
        sum((h for _, values in SPINE_FIELDS for _, h in values), SPINE_LABEL_ROW * len(SPINE_FIELDS)) == SPINE_HEIGHT
    )
    label = ooxml.table(
        ooxml.table_properties(SPINE_WIDTH, borders=form_borders(SPINE_OUTER_RULE), padding=mm(0.5)),
        [SPINE_WIDTH],
        rows,
    )
    # The document's last paragraph (after a table one must follow); the body's own sectPr comes after it.
    return [label, end_paragraph()]


# --- package --------------------------------------------------------------------------------------------


def assemble_forms(body: Sequence[etree._Element], page: PageGeometry, *, title: str, subject: str) -> bytes:
    """Deterministic DOCX bytes: `body` (earlier sections end in their own sectPr), the last section `page`.

    No GB/T 9704 line grid, no headers or footers; text defaults to 五号 without the body's condensing.
    """
    return assemble(
        body,
        title=title,
        subject=subject,
        geometry=page,
        line_pitch=None,
        footers=None,
        text_size=SIZE_5HAO,
        character_spacing=pt(0),
    )


def build(variant: str) -> bytes:
    del variant  # one template
    return assemble_forms(
        [*cover(), *catalogue(), *reference_table(), *spine_label()],
        SPINE_PAGE,
        title="归档文件目录、备考表、盒脊模板",
        subject="DA/T 22-2015 归档文件整理",
    )


VARIABLES: dict[str, dict[str, str]] = {
    "fonds_name": {"type": "str", "meaning": "全宗名称"},
    "fonds_no": {"type": "str", "meaning": '全宗号, e.g. "J012"; "" until the archive assigns one'},
    "year": {"type": "str", "meaning": '年度, four digits, e.g. "2026"'},
    "retention": {"type": "str", "meaning": "保管期限: 永久, 定期30年 or 定期10年"},
    "organization": {"type": "str", "meaning": '机构（问题）, or ""'},
    "box_no": {"type": "str", "meaning": '盒号, e.g. "3"'},
    "title": {"type": "str", "meaning": 'the box\'s summary title printed under the cover heading, or ""'},
    "first_item": {"type": "str", "meaning": '起始件号, four digits, e.g. "0041"'},
    "last_item": {"type": "str", "meaning": '终止件号, four digits, e.g. "0043"'},
    "item_range": {"type": "str", "meaning": '起止件号 as on the cover, e.g. "0041—0043" (one item: "0041")'},
    "items": {
        "type": "list[{item_no, doc_number, responsible, title, date, pages, remarks: str}]",
        "meaning": "归档文件目录 rows in order: 件号 four digits, 文号, 责任者, 题名, 日期 as eight digits "
        '(20261125), 页数, 备注; "" prints an empty cell',
    },
    "notes": {
        "type": "list[str]",
        "meaning": "备考表 盒内文件情况说明 paragraphs: the count of items and pages, then the clerk's notes",
    },
    "compiled_by": {"type": "str", "meaning": '整理人, or "" (left blank for handwriting)'},
    "compiled_on": {"type": "str", "meaning": '整理日期, e.g. "2026年12月10日", or ""'},
    "checked_by": {"type": "str", "meaning": '检查人, or ""'},
    "checked_on": {"type": "str", "meaning": '检查日期, e.g. "2026年12月11日", or ""'},
    "spine_width": {"type": "int", "meaning": "盒脊 label width in twips: the box's spine, 20 to 50 mm"},
    "spine_label_size": {"type": "int", "meaning": "盒脊 label text size in half-points, chosen to fit the width"},
    "spine_value_size": {"type": "int", "meaning": "盒脊 value text size in half-points, chosen to fit the width"},
}


TEMPLATES = KindTemplates(
    kind="archive-cover",
    files={"document": "document.docx"},
    build=build,
    variables=VARIABLES,
    lint="reference",
    notes=(
        "Four sections, all portrait A4 without page numbers: cover; 归档文件目录 (title and header rows "
        "repeat, rows never split); 备考表; 盒脊 label drawn to real size (spine_width × 270 mm).",
        "The 盒脊 section's margins and the label's width are Jinja expressions of spine_width.",
    ),
)
