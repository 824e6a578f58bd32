"""Built-in 会议通知 templates: 文件格式 (document.docx) and 信函格式 (letter.docx), GB/T 9704-2012."""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from service.rendering import ooxml
from service.rendering.ooxml import (
    Expr,
    ShapePosition,
    TableBorders,
    TabStop,
    indentation,
    run,
    run_properties,
    tag_paragraph,
    tag_row,
)
from service.typography.gbt9704 import (
    FONT_HEITI,
    FONT_KAITI,
    FONT_XIAOBIAOSONG,
    ISSUER_MARK_TOP,
    LETTER_BOTTOM_RULE_FROM_PAPER_BOTTOM,
    LETTER_GAP_7_8,
    LETTER_MARK_TOP,
    LETTER_RULE_BELOW_MARK,
    LETTER_RULE_LENGTH,
    LINE_PITCH,
    MARGIN_LEFT,
    MARGIN_TOP,
    RED,
    SIZE_2HAO,
    TEXT_WIDTH,
)
from service.typography.units import EMU_PER_HALF_POINT, mm, pt
from tools.template_builder.common import (
    ATTACHMENT_LABEL,
    BASELINE_IN_LINE,
    BODY_EM_TOP,
    CC_VARIABLE,
    CJK_ADVANCE,
    EM_ABOVE_BASELINE,
    EM_BELOW_BASELINE,
    HALF_ADVANCE,
    IMPRINT_PAGE_VARIABLE,
    MARK_LINE_EM,
    PAGE_HEIGHT,
    PARAGRAPH_INDENT,
    Footers,
    KindTemplates,
    assemble,
    blank_line,
    body_paragraph,
    body_run,
    conditional,
    exact_paragraph,
    form_borders,
    grid_paragraph,
    half_points,
    imprint,
    imprint_page_breaks,
    red_rule,
    title_lines,
)

# --- 版头 of the 文件格式 -----------------------------------------------------------------------------

STACK = "([copy_no, secrecy, urgency] | select | list | length)"


def stacked_elements() -> list[etree._Element]:
    """份号 (仿宋), 密级 and 紧急程度 (黑体), one exact row each, those given (GB/T 9704-2012 7.2.1–7.2.3)."""
    return [
        *conditional("copy_no", exact_paragraph(body_run("{{ copy_no }}"))),
        *conditional("secrecy", exact_paragraph(body_run("{{ secrecy }}", FONT_HEITI))),
        *conditional("urgency", exact_paragraph(body_run("{{ urgency }}", FONT_HEITI))),
    ]


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
    return [
        *stacked_elements(),
        exact_paragraph(
            run("{{ issuer_mark }}", run_properties(FONT_XIAOBIAOSONG, Expr("issuer_mark_size"), color=RED)),
            line=mark_line,
            before=mark_before,
            align="center",
        ),
        exact_paragraph(body_run("{{ doc_number }}"), before=number_before, align="center"),
        # GB/T 9704-2012 7.2.7: the separator 4 mm below the number's em box; 7.3.1: the title's row starts
        # two blank rows below it.
        red_rule(LINE_PITCH * 2),
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
        [*stacked_elements(), *conditional("not (copy_no or secrecy or urgency)", exact_paragraph())],
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
LAST_BLOCK_IS_SHORT = f"(block.hei ~ block.kai ~ block.text) | length <= {SHORT_BLOCK}"


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
        *title_lines(),
        # GB/T 9704-2012 7.3.2: 主送机关 one blank row below the title, flush left.
        blank_line(),
        *conditional("recipients", grid_paragraph(body_run("{{ recipients }}"), align="left")),
        tag_paragraph("{%p for block in blocks %}"),
        body_paragraph(
            body_run("{{ block.hei }}", FONT_HEITI),  # GB/T 9704-2012 7.3.3: 一、 in 黑体
            body_run("{{ block.kai }}", FONT_KAITI),  # （一） in 楷体
            body_run("{{ block.text }}"),
            keep_next=Expr(f"1 if loop.last and (keep_last_block or {LAST_BLOCK_IS_SHORT}) else 0"),
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


def slip_table(loop: str, cells: Sequence[etree._Element]) -> etree._Element:
    """The reply form: SLIP_COLUMNS' header (repeated on every page), then `cells` once per `loop` item.

    Table text is 3号仿宋 like the body: the widest header, 单位及职务, needs 5 characters (28 mm) and
    its column is 54 mm; the columns add up to the full 156 mm. Rows never split and are at least one grid
    row tall (10.21 mm, room to write by hand). `loop` is the Jinja loop, e.g. "row in rows".
    """
    columns = [width for _, width in SLIP_COLUMNS]
    header_cells = [
        ooxml.table_cell(width, [exact_paragraph(body_run(label), align="center")], vertical_align="center")
        for label, width in SLIP_COLUMNS
    ]
    rows = [
        ooxml.table_row(header_cells, repeat_as_header=True, cant_split=True),
        tag_row(f"{{%tr for {loop} %}}", len(columns)),
        ooxml.table_row(cells, height=LINE_PITCH, height_rule="atLeast", cant_split=True),
        tag_row("{%tr endfor %}", len(columns)),
    ]
    return ooxml.table(ooxml.table_properties(TEXT_WIDTH, borders=form_borders()), columns, rows)


def reporting_line() -> etree._Element:
    """填报单位（盖章）： … 联系人： … 联系电话： on one row: labels at 0, 13 and 20 字, the gaps left for writing."""
    return grid_paragraph(
        body_run("填报单位（盖章）："),
        ooxml.tab_run(),
        body_run("联系人："),
        ooxml.tab_run(),
        body_run("联系电话："),
        align="left",
        tabs=[TabStop(CJK_ADVANCE * 13), TabStop(CJK_ADVANCE * 20)],
    )


def reply_slip() -> list[etree._Element]:
    """GB/T 9704-2012 8 (附件): "附件" on the first row, the title centred on the third, then the form."""
    blank_cells = [ooxml.table_cell(width, [exact_paragraph()]) for _, width in SLIP_COLUMNS]
    return conditional(
        "reply_slip",
        grid_paragraph(body_run("附件", FONT_HEITI), align="left", page_break_before=True),
        blank_line(),
        exact_paragraph(run("{{ reply_slip.title }}", run_properties(FONT_XIAOBIAOSONG, SIZE_2HAO)), align="center"),
        blank_line(),
        reporting_line(),
        slip_table("row in reply_slip.rows", blank_cells),
        body_paragraph(body_run("{{ reply_slip.instructions }}")),
    )


def build(variant: str) -> bytes:
    """One template as DOCX bytes, deterministic."""
    letter = variant == "letter"
    head = letter_head() if letter else document_head()
    name = "信函格式" if letter else "文件格式"
    breaks, section_break = imprint_page_breaks()
    return assemble(
        [*head, *title_and_body(), *reply_slip(), *breaks, *imprint(letter)],
        title=f"会议通知模板（{name}）",
        subject="GB/T 9704-2012 会议通知",
        footers=Footers(blank_first_page=letter),
        imprint_break=section_break,
    )


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
    "cc": CC_VARIABLE,
    "printed_by": {"type": "str", "meaning": "印发机关 (文件格式 only)"},
    "printed_on": {"type": "str", "meaning": '印发日期 + 印发, e.g. "2026年11月25日印发" (文件格式 only)'},
    "keep_last_block": {
        "type": "bool",
        "meaning": "keep the whole last 正文 paragraph with the 署名 (set when the seal block would stand alone)",
    },
    "imprint_page": IMPRINT_PAGE_VARIABLE,
}


TEMPLATES = KindTemplates(
    kind="meeting-notice",
    files={"document": "document.docx", "letter": "letter.docx"},
    build=build,
    variables=VARIABLES,
    notes=(
        "Computed in the templates from the variables: the mark's line height and spacing and the letter's "
        "shape offsets (from issuer_mark_size), the space above the mark (from how many of copy_no, secrecy "
        "and urgency are given), the 附件说明 indents (from the number of attachments).",
        "Built by tools/build_templates.py; geometry in docs/decisions/0002-notice-template-geometry.md.",
    ),
)
