"""Build the built-in meeting-notice templates (文件格式 and 信函格式) and their manifest, deterministically.

Run `.venv/bin/python tools/build_templates.py` (or `make templates`); running it twice gives
byte-identical files. The geometry is explained, with how it was measured in LibreOffice 7.4, in
docs/decisions/0002-notice-template-geometry.md.

Vertical positions rest on one LibreOffice rule: a line of exact height L (and a grid row) puts its
baseline 0.8 L below its top, and a CJK glyph's em box reaches 0.88 em above the baseline, 0.12 em below.
Sizes in Jinja expressions are in half-points (`issuer_mark_size`), so 1 half-point = 10 twips.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.parser import parse_xml
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.rendering import ooxml  # noqa: E402
from service.rendering.ooxml import (  # noqa: E402
    Border,
    Expr,
    FloatingPosition,
    FontEntry,
    PageGeometry,
    ShapePosition,
    TableBorders,
    TabStop,
    indentation,
    paragraph,
    paragraph_properties,
    run,
    run_properties,
    spacing,
    tag_paragraph,
    tag_row,
)
from service.typography.gbt9704 import (  # noqa: E402
    BODY_CHAR_SPACING,
    CHAR_WIDTH,
    FONT_FANGSONG,
    FONT_HEITI,
    FONT_KAITI,
    FONT_SONGTI,
    FONT_XIAOBIAOSONG,
    HEADER_RULE_WIDTH,
    IMPRINT_INDENT,
    IMPRINT_INNER_RULE,
    IMPRINT_OUTER_RULE,
    ISSUER_MARK_TOP,
    LETTER_BOTTOM_RULE_FROM_PAPER_BOTTOM,
    LETTER_GAP_7_8,
    LETTER_MARK_TOP,
    LETTER_RULE_BELOW_MARK,
    LETTER_RULE_LENGTH,
    LINE_PITCH,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_NUMBER_GAP,
    PAGE_NUMBER_INDENT,
    PAGE_WIDTH,
    RED,
    RULE_BELOW_NUMBER,
    SIZE_2HAO,
    SIZE_3HAO,
    SIZE_4HAO,
    TEXT_WIDTH,
)
from service.typography.units import EMU_PER_HALF_POINT, Length, mm, pt, twips  # noqa: E402

KIND = "meeting-notice"
TEMPLATES_DIR = ROOT / "templates" / KIND
FILES = {"document": "document.docx", "letter": "letter.docx"}
# Core properties of the template files themselves; rendered files get their own.
BUILD_DATE = datetime(2026, 1, 1, tzinfo=UTC)
# NOTE: not gbt9704.PAGE_HEIGHT (exactly 297 mm): sectPr declares the page as 16838 twips, and LibreOffice
# measures page-anchored shapes from that page, so positions from the bottom edge are computed on it.
PAGE_HEIGHT = twips(16838)  # A4 as every template writes it (297 mm = 16837.8 twips)
EAST_ASIAN_LANGUAGE = "zh-CN"

# --- LibreOffice line model (measured; see the decision record) -------------------------------------
BASELINE_IN_LINE = 0.8  # NOTE: LibreOffice gives a fixed-height line 80 % of its height as ascent.
EM_ABOVE_BASELINE = 0.88  # Noto CJK / Fandol: the ideographic em box's top is 0.88 em over the baseline.
EM_BELOW_BASELINE = 1 - EM_ABOVE_BASELINE
# A 3号 line on the grid: where its em box sits inside the 28.95 pt row.
BODY_EM_TOP = LINE_PITCH * BASELINE_IN_LINE - SIZE_3HAO * EM_ABOVE_BASELINE
BODY_EM_BOTTOM = LINE_PITCH * BASELINE_IN_LINE + SIZE_3HAO * EM_BELOW_BASELINE
# The mark's exact line is 1.5 em: 0.8 × 1.5 = 1.2 em of ascent and 0.3 em of descent cover the font's
# own ascent and descent (Noto Serif CJK 1.16 / 0.29 em), so LibreOffice does not clip the glyphs.
MARK_LINE_EM = 1.5

# --- horizontal units --------------------------------------------------------------------------------
# GB/T 9704-2012 3.1: 字 = one character's width. Indents use the grid's 字 (CHAR_WIDTH, 156 mm / 28);
# alignment under a label uses what the label really sets in: 3号 condensed by 0.25 pt.
CJK_ADVANCE = SIZE_3HAO + BODY_CHAR_SPACING  # 15.75 pt
HALF_ADVANCE = SIZE_3HAO / 2 + BODY_CHAR_SPACING  # a half-width digit or point: 7.75 pt
PARAGRAPH_INDENT = CHAR_WIDTH * 2  # GB/T 9704-2012 7.3.3: 每个自然段左空二字 (632 twips)
ATTACHMENT_LABEL = CJK_ADVANCE * 3  # "附件："
IMPRINT_LABEL = SIZE_4HAO * 3  # "抄送：" in 4号, set without condensing

RULE_COLOR_BLACK = "000000"


def body_run(value: str, font: str = FONT_FANGSONG, *, size: Length = SIZE_3HAO) -> etree._Element:
    return run(value, run_properties(font, size))


def grid_paragraph(
    *runs: etree._Element,
    align: ooxml.Align = "both",
    indent: etree._Element | None = None,
    page_break_before: bool = False,
    keep_next: bool | Expr = False,
    tabs: Sequence[TabStop] = (),
) -> etree._Element:
    """A paragraph on the 22-line grid (single spacing, snapped to the 579-twip rows)."""
    return paragraph(
        paragraph_properties(
            keep_next=keep_next, page_break_before=page_break_before, tabs=tabs, indent=indent, align=align
        ),
        *runs,
    )


def exact_paragraph(
    *runs: etree._Element,
    line: ooxml.Measure = LINE_PITCH,
    before: ooxml.Measure | None = None,
    align: ooxml.Align = "left",
    indent: etree._Element | None = None,
    borders: dict[str, Border] | None = None,
) -> etree._Element:
    """A paragraph of exact line height, off the grid: the positioned elements of the 版头 and 版记."""
    return paragraph(
        paragraph_properties(
            borders=borders,
            snap_to_grid=False,
            line_spacing=spacing(before=before, line=line, rule="exact"),
            indent=indent,
            align=align,
        ),
        *runs,
    )


def blank_line(*, keep_next: bool = False) -> etree._Element:
    """One empty grid row: the 空一行 of GB/T 9704-2012."""
    return grid_paragraph(align="left", keep_next=keep_next)


def body_paragraph(*runs: etree._Element, keep_next: bool | Expr = False) -> etree._Element:
    """GB/T 9704-2012 7.3.3: first line indented two characters, justified."""
    return grid_paragraph(
        *runs,
        indent=indentation(first_line_chars=200, first_line=PARAGRAPH_INDENT),
        align="both",
        keep_next=keep_next,
    )


def conditional(condition: str, *content: etree._Element) -> list[etree._Element]:
    return [tag_paragraph(f"{{%p if {condition} %}}"), *content, tag_paragraph("{%p endif %}")]


def half_points(expression: str, factor: float) -> str:
    """A Jinja integer expression: `expression` (half-points) × `factor` em in twips, rounded down."""
    numerator = round(factor * 10 * 100)
    return f"({expression}) * {numerator} // 100"


# --- 版头 of the 文件格式 -----------------------------------------------------------------------------

STACK = "([copy_no, secrecy, urgency] | select | list | length)"


def document_head() -> list[etree._Element]:
    """份号, 密级, 紧急程度 stacked; red 发文机关标志; 发文字号; red separator (GB/T 9704-2012 7.2)."""
    mark_line = Expr(half_points("issuer_mark_size", MARK_LINE_EM))
    mark_em_top = half_points("issuer_mark_size", MARK_LINE_EM * BASELINE_IN_LINE - EM_ABOVE_BASELINE)
    mark_em_gap_below = half_points("issuer_mark_size", MARK_LINE_EM * (1 - BASELINE_IN_LINE) - EM_BELOW_BASELINE)
    # GB/T 9704-2012 7.2.4: the mark's top edge 35 mm below the top of the 版心, however many of the
    # stacked one-row elements (7.2.1–7.2.3) precede it.
    mark_before = Expr(f"{ISSUER_MARK_TOP.twips} - {LINE_PITCH.twips} * {STACK} - {mark_em_top}")
    # GB/T 9704-2012 7.2.5: the 发文字号's row starts two blank rows below the mark's em box.
    number_before = Expr(f"{(LINE_PITCH * 2).twips} - {mark_em_gap_below}")
    # GB/T 9704-2012 7.2.7: the separator's top edge 4 mm below the number's em box.
    rule_before = RULE_BELOW_NUMBER - (LINE_PITCH - BODY_EM_BOTTOM)
    red_rule = Border(width=HEADER_RULE_WIDTH, color=RED)
    # GB/T 9704-2012 7.3.1: the title's row starts two blank rows below the separator; the rule's own
    # width counts into the paragraph's height (LibreOffice and Word both add it).
    rule_line = LINE_PITCH * 2 - pt(red_rule.width.eighth_points / 8)
    return [
        *conditional("copy_no", exact_paragraph(body_run("{{ copy_no }}"))),
        *conditional("secrecy", exact_paragraph(body_run("{{ secrecy }}", FONT_HEITI))),
        *conditional("urgency", exact_paragraph(body_run("{{ urgency }}", FONT_HEITI))),
        exact_paragraph(
            run("{{ issuer_mark }}", run_properties(FONT_XIAOBIAOSONG, Expr("issuer_mark_size"), color=RED)),
            line=mark_line,
            before=mark_before,
            align="center",
        ),
        exact_paragraph(body_run("{{ doc_number }}"), before=number_before, align="center"),
        exact_paragraph(line=rule_line, before=rule_before, borders={"top": red_rule}),
    ]


# --- 版头 of the 信函格式 (shapes placed on the first page, then the first body rows) -----------------------

LETTER_RULE_THICK = pt(1.5)  # practice (typesetting spec §1.13): 1.5 pt + 0.75 pt
LETTER_RULE_THIN = pt(0.75)
LETTER_RULE_GAP = pt(0.75)  # decision: practice says ≈0.1 mm; 0.26 mm keeps the pair visibly double
LETTER_RULE_HEIGHT = LETTER_RULE_THICK + LETTER_RULE_GAP + LETTER_RULE_THIN
LETTER_RULE_X = MARGIN_LEFT + (TEXT_WIDTH - LETTER_RULE_LENGTH) / 2  # centred on the 版心: 21 mm


def _emu(em_factor: float) -> int:
    """EMU per half-point of `issuer_mark_size` in a distance of `em_factor` em (1 em = the size)."""
    return round(em_factor * EMU_PER_HALF_POINT)


def letter_first_page_shapes() -> list[etree._Element]:
    """Runs holding the mark and both red double rules, placed on the page (GB/T 9704-2012 10.1).

    NOTE: LibreOffice 7.4 draws a text box anchored in a header at the page's top-left corner,
    whatever its offsets; anchored in the first body paragraph it lands where it should.
    """
    mark_em_top_in_line = MARK_LINE_EM * BASELINE_IN_LINE - EM_ABOVE_BASELINE
    # GB/T 9704-2012 10.1: mark top edge 30 mm from the paper's top edge.
    mark_box_top = Expr(f"{LETTER_MARK_TOP.emu} - issuer_mark_size * {_emu(mark_em_top_in_line)}")
    mark_box_height = Expr(f"issuer_mark_size * {_emu(MARK_LINE_EM)}")
    mark = exact_paragraph(
        run("{{ issuer_mark }}", run_properties(FONT_XIAOBIAOSONG, Expr("issuer_mark_size"), color=RED)),
        line=Expr(half_points("issuer_mark_size", MARK_LINE_EM)),
        align="center",
    )
    # GB/T 9704-2012 10.1: thick-over-thin double rule 4 mm below the mark's em box.
    rule_top = f"{(LETTER_MARK_TOP + LETTER_RULE_BELOW_MARK).emu} + issuer_mark_size * {_emu(1)}"
    # GB/T 9704-2012 10.1: thin-over-thick double rule whose lower edge is 20 mm above the paper's edge.
    bottom_rule_bottom = PAGE_HEIGHT - LETTER_BOTTOM_RULE_FROM_PAPER_BOTTOM
    return [
        ooxml.anchored_shape(
            1,
            "发文机关标志",
            ShapePosition(x=MARGIN_LEFT, y=mark_box_top, width=TEXT_WIDTH, height=mark_box_height),
            paragraphs=[mark],
        ),
        ooxml.anchored_shape(
            2,
            "上粗线",
            ShapePosition(x=LETTER_RULE_X, y=Expr(rule_top), width=LETTER_RULE_LENGTH, height=LETTER_RULE_THICK),
            fill=RED,
        ),
        ooxml.anchored_shape(
            3,
            "上细线",
            ShapePosition(
                x=LETTER_RULE_X,
                y=Expr(f"{rule_top} + {(LETTER_RULE_THICK + LETTER_RULE_GAP).emu}"),
                width=LETTER_RULE_LENGTH,
                height=LETTER_RULE_THIN,
            ),
            fill=RED,
        ),
        ooxml.anchored_shape(
            4,
            "下细线",
            ShapePosition(
                x=LETTER_RULE_X,
                y=bottom_rule_bottom - LETTER_RULE_HEIGHT,
                width=LETTER_RULE_LENGTH,
                height=LETTER_RULE_THIN,
            ),
            fill=RED,
        ),
        ooxml.anchored_shape(
            5,
            "下粗线",
            ShapePosition(
                x=LETTER_RULE_X,
                y=bottom_rule_bottom - LETTER_RULE_THICK,
                width=LETTER_RULE_LENGTH,
                height=LETTER_RULE_THICK,
            ),
            fill=RED,
        ),
    ]


LETTER_ELEMENTS = "(copy_no or secrecy or urgency or doc_number)"


def letter_head() -> list[etree._Element]:
    """份号/密级/紧急程度 stacked flush left and the 发文字号 flush right under the first double rule."""
    rule_bottom = LETTER_MARK_TOP + LETTER_RULE_BELOW_MARK + LETTER_RULE_HEIGHT  # + the mark's em height
    # GB/T 9704-2012 10.1: the first row's em box 7/8 of a 3号 height (14 pt) below the double rule.
    first_row_top = rule_bottom + LETTER_GAP_7_8 - BODY_EM_TOP - MARGIN_TOP
    # With nothing to show there, the title's row starts two blank rows below the rule.
    title_row_top = rule_bottom + LINE_PITCH * 2 - MARGIN_TOP
    spacer = Expr(f"issuer_mark_size * 10 + ({first_row_top.twips} if {LETTER_ELEMENTS} else {title_row_top.twips})")
    half = TEXT_WIDTH / 2
    stack_cell = ooxml.table_cell(
        half,
        [
            *conditional("copy_no", exact_paragraph(body_run("{{ copy_no }}"))),
            *conditional("secrecy", exact_paragraph(body_run("{{ secrecy }}", FONT_HEITI))),
            *conditional("urgency", exact_paragraph(body_run("{{ urgency }}", FONT_HEITI))),
            *conditional("not (copy_no or secrecy or urgency)", exact_paragraph()),
        ],
    )
    number_cell = ooxml.table_cell(half, [exact_paragraph(body_run("{{ doc_number }}"), align="right")])
    elements = ooxml.table(
        ooxml.table_properties(TEXT_WIDTH, borders=TableBorders()),
        [half, half],
        [ooxml.table_row([stack_cell, number_cell], cant_split=True)],
    )
    return [
        exact_paragraph(*letter_first_page_shapes(), line=spacer),
        # GB/T 9704-2012 10.1: the title two rows below the last of these elements.
        *conditional(LETTER_ELEMENTS, elements, blank_line(), blank_line()),
    ]


# --- 主体 ----------------------------------------------------------------------------------------------


SHORT_BLOCK = 3 * 28  # characters: a last block of up to three lines moves with the signature


def title_and_body() -> list[etree._Element]:
    """标题, 主送机关, 正文, 附件说明, 署名, 成文日期, 附注 (GB/T 9704-2012 7.3)."""
    # Attachment lines: "附件：1.名称"; later numbers under the first, wrapped names under the name's
    # first character (GB/T 9704-2012 7.3.4). Widths: "附件：" 3 CJK advances, "N." half-width ones.
    numbered = "attachments | length > 1"
    number_width = f"(((loop.index | string | length) + 1) * {HALF_ADVANCE.twips} if {numbered} else 0)"
    label_start = PARAGRAPH_INDENT + ATTACHMENT_LABEL
    attachment_left = Expr(f"{label_start.twips} + {number_width}")
    attachment_hanging = Expr(f"({ATTACHMENT_LABEL.twips} if loop.first else 0) + {number_width}")
    attachment = grid_paragraph(
        body_run("{{ '附件：' if loop.first else '' }}{{ (loop.index ~ '.') if " + numbered + " else '' }}"),
        body_run("{{ attachment }}"),
        indent=indentation(left=attachment_left, hanging=attachment_hanging),
        keep_next=True,
    )
    return [
        tag_paragraph("{%p for line in title_lines %}"),
        exact_paragraph(run("{{ line }}", run_properties(FONT_XIAOBIAOSONG, SIZE_2HAO)), align="center"),
        tag_paragraph("{%p endfor %}"),
        # GB/T 9704-2012 7.3.2: 主送机关 one blank row below the title, flush left.
        blank_line(),
        *conditional("recipients", grid_paragraph(body_run("{{ recipients }}"), align="left")),
        tag_paragraph("{%p for block in blocks %}"),
        body_paragraph(
            body_run("{{ block.hei }}", FONT_HEITI),  # GB/T 9704-2012 7.3.3: 一、 in 黑体
            body_run("{{ block.kai }}", FONT_KAITI),  # （一） in 楷体
            body_run("{{ block.text }}"),
            keep_next=Expr(f"1 if loop.last and (block.hei ~ block.kai ~ block.text) | length <= {SHORT_BLOCK} else 0"),
        ),
        tag_paragraph("{%p endfor %}"),
        # The 附件说明, the blank rows and the 署名 are kept with the date, so that a page break never
        # separates them, and a short last block is kept with them so that the signature page carries
        # body text (GB/T 9704-2012 7.3.5.3). NOTE: LibreOffice 7.4 moves a kept paragraph to the next
        # page whole, however long; a long last block would leave its page nearly empty, so it is not kept.
        # GB/T 9704-2012 7.3.4: 附件说明 one blank row below the body.
        *conditional("attachments", blank_line(keep_next=True)),
        tag_paragraph("{%p for attachment in attachments %}"),
        attachment,
        tag_paragraph("{%p endfor %}"),
        # GB/T 9704-2012 7.3.5: one blank row before the 署名, two when sealed (the seal's room).
        blank_line(keep_next=True),
        *conditional("sealed", blank_line(keep_next=True)),
        grid_paragraph(
            body_run("{{ signatory }}"),
            align="right",
            indent=indentation(right=Expr("signatory_indent")),
            keep_next=True,
        ),
        grid_paragraph(body_run("{{ date }}"), align="right", indent=indentation(right=Expr("date_indent"))),
        # GB/T 9704-2012 7.3.6: 附注 on the row below the date, indented two characters.
        *conditional("note", body_paragraph(body_run("{{ note }}"))),
    ]


# --- 附件: the reply slip (回执) on its own page -----------------------------------------------------------

SLIP_COLUMNS = (
    ("姓名", mm(24)),
    ("性别", mm(16)),
    ("单位及职务", mm(54)),
    ("联系电话", mm(36)),
    ("备注", mm(26)),
)
SLIP_RULE = Border(width=pt(0.5), color=RULE_COLOR_BLACK)


def reply_slip() -> list[etree._Element]:
    """GB/T 9704-2012 8 (附件): "附件" on the first row, the title centred on the third, then the form.

    Table text is 3号仿宋 like the body: the widest header, 单位及职务, needs 5 characters (28 mm) and
    its column is 54 mm; the columns add up to the full 156 mm.
    """
    columns = [width for _, width in SLIP_COLUMNS]
    header_cells = [
        ooxml.table_cell(width, [exact_paragraph(body_run(label), align="center")], vertical_align="center")
        for label, width in SLIP_COLUMNS
    ]
    blank_cells = [ooxml.table_cell(width, [exact_paragraph()]) for width in columns]
    rows = [
        ooxml.table_row(header_cells, repeat_as_header=True, cant_split=True),
        tag_row("{%tr for row in reply_slip.rows %}", len(columns)),
        ooxml.table_row(blank_cells, height=LINE_PITCH, height_rule="atLeast", cant_split=True),
        tag_row("{%tr endfor %}", len(columns)),
    ]
    form = ooxml.table(
        ooxml.table_properties(
            TEXT_WIDTH,
            borders=TableBorders(
                top=SLIP_RULE,
                bottom=SLIP_RULE,
                left=SLIP_RULE,
                right=SLIP_RULE,
                inside_horizontal=SLIP_RULE,
                inside_vertical=SLIP_RULE,
            ),
        ),
        columns,
        rows,
    )
    # 填报单位 … 联系人 … 联系电话 on one row: labels at 0, 13 and 20 字, the gaps left for writing.
    contact_tabs = [TabStop(CJK_ADVANCE * 13), TabStop(CJK_ADVANCE * 20)]
    return conditional(
        "reply_slip",
        grid_paragraph(body_run("附件", FONT_HEITI), align="left", page_break_before=True),
        blank_line(),
        exact_paragraph(run("{{ reply_slip.title }}", run_properties(FONT_XIAOBIAOSONG, SIZE_2HAO)), align="center"),
        blank_line(),
        grid_paragraph(
            body_run("填报单位（盖章）："),
            ooxml.tab_run(),
            body_run("联系人："),
            ooxml.tab_run(),
            body_run("联系电话："),
            align="left",
            tabs=contact_tabs,
        ),
        form,
        body_paragraph(body_run("{{ reply_slip.instructions }}")),
    )


# --- 版记 ------------------------------------------------------------------------------------------------

IMPRINT_POSITION = FloatingPosition(horizontal_anchor="page", x=MARGIN_LEFT, vertical_anchor="margin", y_spec="bottom")


# 版记 rows are grid rows: each line is 1.5 em exact (as for the page number: no clipping in
# LibreOffice) and vertically centred in a row at least one 579-twip row tall.
IMPRINT_LINE = SIZE_4HAO * MARK_LINE_EM


def imprint_run(value: str) -> etree._Element:
    # 4号仿宋 without the body's condensing, so one 4号 character is exactly the indent unit.
    return run(value, run_properties(FONT_FANGSONG, SIZE_4HAO, character_spacing=pt(0)))


def cc_row(columns: int) -> etree._Element:
    """GB/T 9704-2012 7.4.2: "抄送：" + names, one 4号 character in from both sides, wraps after the colon."""
    cc = exact_paragraph(
        imprint_run("抄送："),
        imprint_run("{{ cc }}"),
        line=IMPRINT_LINE,
        indent=indentation(left=IMPRINT_INDENT + IMPRINT_LABEL, right=IMPRINT_INDENT, hanging=IMPRINT_LABEL),
        align="both",
    )
    return ooxml.table_row(
        [ooxml.table_cell(TEXT_WIDTH, [cc], span=columns, vertical_align="center")], height=LINE_PITCH, cant_split=True
    )


def imprint(letter: bool) -> list[etree._Element]:
    """版记 at the foot of the last page: a floating table whose last rule is the 版心's bottom edge.

    NOTE: LibreOffice 7.4 keeps a full-width floating table at the foot of the page only when it is
    anchored to the page horizontally and to the margin at the bottom (environment notes §9).
    Rules (GB/T 9704-2012 7.4.1) are table borders: top and bottom 0.35 mm, insideH 0.25 mm, so
    dropping the 抄送 row keeps the outer rules thick. Letters (10.1) have no rules and no 印发 row.
    """
    half = TEXT_WIDTH / 2
    if letter:
        borders = TableBorders()
        rows = [cc_row(1)]
        columns = [TEXT_WIDTH]
    else:
        borders = TableBorders(
            top=Border(width=IMPRINT_OUTER_RULE),
            bottom=Border(width=IMPRINT_OUTER_RULE),
            inside_horizontal=Border(width=IMPRINT_INNER_RULE),
        )
        printed = ooxml.table_row(
            [
                # GB/T 9704-2012 7.4.3: 印发机关 one character in from the left, 印发日期 from the right.
                ooxml.table_cell(
                    half,
                    [
                        exact_paragraph(
                            imprint_run("{{ printed_by }}"), line=IMPRINT_LINE, indent=indentation(left=IMPRINT_INDENT)
                        )
                    ],
                    vertical_align="center",
                ),
                ooxml.table_cell(
                    half,
                    [
                        exact_paragraph(
                            imprint_run("{{ printed_on }}"),
                            line=IMPRINT_LINE,
                            align="right",
                            indent=indentation(right=IMPRINT_INDENT),
                        )
                    ],
                    vertical_align="center",
                ),
            ],
            # NOTE: LibreOffice adds the outer halves of the top and bottom rules (2 × 0.5 pt) to the
            # table's height; taking them off the last row keeps the 版记 exactly two grid rows tall,
            # so it fits below 20 full rows of text.
            height=LINE_PITCH - pt(IMPRINT_OUTER_RULE.eighth_points / 8),
            height_rule="exact",
            cant_split=True,
        )
        rows = [tag_row("{%tr if cc %}", 2), cc_row(2), tag_row("{%tr endif %}", 2), printed]
        columns = [half, half]
    table = ooxml.table(ooxml.table_properties(TEXT_WIDTH, borders=borders, floating=IMPRINT_POSITION), columns, rows)
    # The floating table's anchor: a paragraph must follow a table at the end of a document.
    anchor = exact_paragraph(line=twips(2))
    if letter:
        return [*conditional("cc", table), anchor]
    return [table, anchor]


# --- page numbers ------------------------------------------------------------------------------------------

PAGE_NUMBER_LINE = SIZE_4HAO * MARK_LINE_EM  # exact 21 pt: unclipped, as for the mark
# GB/T 9704-2012 7.5: the dash's top edge 7 mm below the 版心, i.e. 35 − 7 = 28 mm above the paper's
# bottom edge. The footer paragraph's bottom sits `footer distance` above the paper's edge and its em
# box's top is (line − 0.8 line + 0.88 em) above that bottom, so
#   footer = 28 mm − 0.2 × 21 pt − 0.88 × 14 pt = 79.37 − 4.2 − 12.32 pt = 62.85 pt = 1257 twips.
FOOTER_DISTANCE = (
    MARGIN_BOTTOM - PAGE_NUMBER_GAP - PAGE_NUMBER_LINE * (1 - BASELINE_IN_LINE) - SIZE_4HAO * EM_ABOVE_BASELINE
)
HEADER_DISTANCE = mm(15)  # decision: no header carries anything, so any distance inside the top margin does


def page_number_paragraph(odd: bool) -> etree._Element:
    """ "— n —" in 4号宋体; odd pages right with one character to spare, even pages left (GB/T 9704-2012 7.5)."""

    def number() -> etree._Element:
        # Half-width digits: 宋体 on every slot, at 4号, without the body's condensing.
        return run_properties(FONT_SONGTI, SIZE_4HAO, character_spacing=pt(0))

    indent = indentation(right=PAGE_NUMBER_INDENT) if odd else indentation(left=PAGE_NUMBER_INDENT)
    return exact_paragraph(
        run("— ", number()),
        *ooxml.page_field_runs(number()),
        run(" —", number()),
        line=PAGE_NUMBER_LINE,
        align="right" if odd else "left",
        indent=indent,
    )


# --- package -------------------------------------------------------------------------------------------

FONT_TABLE = (
    FontEntry(FONT_FANGSONG, "FangSong_GB2312", "86", "modern", "fixed"),
    FontEntry(FONT_XIAOBIAOSONG, "FZXiaoBiaoSong-B05S", "86", "script", "fixed"),
    FontEntry(FONT_HEITI, "SimHei", "86", "modern", "fixed"),
    FontEntry(FONT_KAITI, "KaiTi_GB2312", "86", "modern", "fixed"),
    FontEntry(FONT_SONGTI, "SimSun", "86", "auto", "variable"),
)
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_UNWANTED_RELATIONSHIPS = frozenset(
    {RT.NUMBERING, _STYLES_WITH_EFFECTS, RT.WEB_SETTINGS, RT.THEME, RT.CUSTOM_XML, RT.THUMBNAIL}
)


def page_geometry() -> PageGeometry:
    """A4 with the 版心 of GB/T 9704-2012 5.2.1: margins 37 / 26 / 35 / 28 mm (top, right, bottom, left)."""
    return PageGeometry(
        width=PAGE_WIDTH,
        height=PAGE_HEIGHT,
        top=MARGIN_TOP,
        right=MARGIN_RIGHT,
        bottom=MARGIN_BOTTOM,
        left=MARGIN_LEFT,
        header=HEADER_DISTANCE,
        footer=FOOTER_DISTANCE,
    )


def build(letter: bool) -> bytes:
    """One template as DOCX bytes, deterministic."""
    document = docx.Document()
    _drop_default_parts(document)
    body = document.element.body
    for child in list(body):
        body.remove(child)
    head = letter_head() if letter else document_head()
    for element in [*head, *title_and_body(), *reply_slip(), *imprint(letter)]:
        body.append(element)
    body.append(ooxml.section_properties(page_geometry(), line_pitch=LINE_PITCH, title_page=letter))

    section = document.sections[0]
    _fill(section.footer, [page_number_paragraph(odd=True)])
    _fill(section.even_page_footer, [page_number_paragraph(odd=False)])
    if letter:
        # GB/T 9704-2012 10.1: no page number on a letter's first page.
        _fill(section.first_page_header, [exact_paragraph()])
        _fill(section.first_page_footer, [exact_paragraph()])

    document.part.part_related_by(RT.STYLES)._element = _parsed(  # type: ignore[attr-defined]
        ooxml.styles(
            font=FONT_FANGSONG,
            size=SIZE_3HAO,
            character_spacing=BODY_CHAR_SPACING,
            east_asian_language=EAST_ASIAN_LANGUAGE,
        )
    )
    document.part.part_related_by(RT.SETTINGS)._element = _parsed(  # type: ignore[attr-defined]
        ooxml.settings(even_and_odd_headers=True, east_asian_language=EAST_ASIAN_LANGUAGE)
    )
    document.part.part_related_by(RT.FONT_TABLE)._blob = ooxml.to_xml_bytes(ooxml.font_table(FONT_TABLE))
    for part in (document.part, *(rel.target_part for rel in document.part.rels.values())):
        if hasattr(part, "_element"):
            ooxml.hoist_namespaces(part._element)

    saved = io.BytesIO()
    document.save(saved)
    members = ooxml.read_package(saved.getvalue())
    name = "信函格式" if letter else "文件格式"
    members["docProps/core.xml"] = ooxml.core_properties(
        title=f"会议通知模板（{name}）",
        subject="GB/T 9704-2012 会议通知",
        author="Gongwen",
        created=BUILD_DATE,
        modified=BUILD_DATE,
        last_modified_by="Gongwen",
        revision=1,
    )
    members["docProps/app.xml"] = ooxml.app_properties("Gongwen")
    return ooxml.write_package(members)


def _drop_default_parts(document: DocxDocument) -> None:
    """python-docx's default template brings numbering, a theme, a thumbnail … none of it is wanted."""
    for rels in (document.part.rels, document.part.package.rels):
        for rid in [rid for rid, rel in rels.items() if rel.reltype in _UNWANTED_RELATIONSHIPS]:
            del rels[rid]


def _fill(header_or_footer: object, content: list[etree._Element]) -> None:
    element = header_or_footer._element  # type: ignore[attr-defined]
    for child in list(element):
        element.remove(child)
    element.extend(content)


def _parsed(element: etree._Element) -> etree._Element:
    """Re-parse through python-docx so its part classes get their own element types."""
    return parse_xml(ooxml.to_xml_bytes(element))


# --- manifest -------------------------------------------------------------------------------------------

VARIABLES: dict[str, dict[str, str]] = {
    "format": {"type": "str", "meaning": '"document" (文件格式) or "letter" (信函格式); picks the file'},
    "copy_no": {"type": "str", "meaning": '份号, six digits; "" when none'},
    "secrecy": {"type": "str", "meaning": '密级和保密期限, e.g. "机密★1年"; "" when none'},
    "urgency": {"type": "str", "meaning": '紧急程度: "特急", "加急" or ""'},
    "issuer_mark": {"type": "str", "meaning": "发文机关标志 text (letters usually without 文件)"},
    "issuer_mark_size": {
        "type": "int",
        "meaning": "the mark's size in half-points (72 = 36 pt), chosen so it fits one line; also sets its "
        "line height and the positions computed from it",
    },
    "doc_number": {"type": "str", "meaning": '发文字号, e.g. "青政办发〔2026〕15号"; "" when none'},
    "title_lines": {"type": "list[str]", "meaning": "标题, already broken into lines, each centred"},
    "recipients": {"type": "str", "meaning": '主送机关 line ending in "：", or ""'},
    "blocks": {
        "type": "list[{hei: str, kai: str, text: str}]",
        "meaning": "正文 paragraphs in order, the first being the introduction; each shows hei in 黑体, kai in "
        "楷体, then text in 仿宋, first line indented two characters",
    },
    "attachments": {"type": "list[str]", "meaning": "附件说明 names; [] prints no 附件说明"},
    "signatory": {"type": "str", "meaning": "发文机关署名"},
    "signatory_indent": {"type": "int", "meaning": "right indent of the 署名 paragraph, twips"},
    "date": {"type": "str", "meaning": '成文日期, e.g. "2026年11月25日"'},
    "date_indent": {"type": "int", "meaning": "right indent of the date paragraph, twips"},
    "sealed": {"type": "bool", "meaning": "加盖印章: two blank rows before the 署名 instead of one"},
    "note": {"type": "str", "meaning": '附注 with its parentheses, e.g. "（此件公开发布）", or ""'},
    "reply_slip": {
        "type": "null | {title: str, instructions: str, rows: list[int]}",
        "meaning": "参会回执 printed as the 附件 on a new page: title, the instructions below the table, "
        "one blank table row per item of rows",
    },
    "cc": {"type": "str", "meaning": '抄送机关, names joined and ending in "。", or ""'},
    "printed_by": {"type": "str", "meaning": "印发机关 (文件格式 only)"},
    "printed_on": {"type": "str", "meaning": '印发日期 + 印发, e.g. "2026年11月25日印发" (文件格式 only)'},
}


def manifest() -> dict[str, object]:
    return {
        "kind": KIND,
        "version": 1,
        "files": dict(FILES),
        "variables": VARIABLES,
        "notes": [
            'Strings are plain text: the renderer escapes them; "" means absent.',
            "Computed in the templates from the variables: the mark's line height and spacing and the letter's "
            "shape offsets (from issuer_mark_size), the space above the mark (from how many of copy_no, secrecy "
            "and urgency are given), the 附件说明 indents (from the number of attachments).",
            "Built by tools/build_templates.py; geometry in docs/decisions/0002-notice-template-geometry.md.",
        ],
    }


def build_all(out_dir: Path = TEMPLATES_DIR) -> dict[str, Path]:
    """Write both templates and the manifest into `out_dir`; returns the paths written by name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for variant, filename in FILES.items():
        path = out_dir / filename
        path.write_bytes(build(letter=variant == "letter"))
        written[filename] = path
    path = out_dir / "manifest.json"
    path.write_text(json.dumps(manifest(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    written["manifest.json"] = path
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=TEMPLATES_DIR, help="output folder (default: %(default)s)")
    args = parser.parse_args(argv)
    for path in build_all(args.out).values():
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
