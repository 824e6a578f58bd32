"""Built-in 会议纪要 template (document.docx): 纪要格式 of GB/T 9704-2012 10.3 with a 简报-style head.

The head stands on the 22-row grid whatever the mark's size (rows counted from 0 at the 版心's top): the
mark's em box 35 mm below the 版心's top, the 期号 on row 5, the 编印单位 and date on row 7 and the red
rule 4 mm below them, so that row 9, the first after the rule's row, and everything below it sit exactly
on the grid.
Geometry and its measurements: docs/decisions/0007-meeting-minutes.md.
"""

from __future__ import annotations

from lxml import etree

from service.rendering.ooxml import (
    Expr,
    TabStop,
    indentation,
    paragraph,
    paragraph_properties,
    run,
    run_properties,
    spacing,
    tab_run,
    tag_paragraph,
)
from service.typography.gbt9704 import (
    BODY_CHAR_SPACING,
    FONT_HEITI,
    FONT_XIAOBIAOSONG,
    ISSUER_MARK_TOP,
    LINE_PITCH,
    RED,
    SIZE_3HAO,
)
from service.typography.units import pt
from tools.template_builder.common import (
    BASELINE_IN_LINE,
    CC_VARIABLE,
    CJK_ADVANCE,
    EM_ABOVE_BASELINE,
    IMPRINT_PAGE_VARIABLE,
    MARK_LINE_EM,
    PARAGRAPH_INDENT,
    RED_RULE_BEFORE,
    KindTemplates,
    assemble,
    blank_line,
    body_paragraph,
    body_run,
    conditional,
    exact_paragraph,
    half_points,
    imprint,
    imprint_page_breaks,
    red_rule,
    row_paragraph,
    title_lines,
)

# Rows of the head, counted from 0 at the 版心's top. Decision (practice, typesetting spec §5.1/§5.2: the
# 期号 on the line below the name, 编印单位 and date on the line above the rule): the 期号 on the first row
# below a 36 pt mark's em box (which ends at 4.67 rows), one blank row, then 编印单位 and date.
ISSUE_ROW = 5
ISSUER_ROW = 7
# The rule sits 149 twips into row 8, which holds nothing else: the body starts on row 9, one row below
# the rule's row; a title starts on row 10, two rows below it (GB/T 9704-2012 7.3.1).
FIRST_ROW_BELOW_RULE = ISSUER_ROW + 2

ATTENDANCE_LABEL = CJK_ADVANCE * 3  # "出席：" in 3号黑体, where the names start on every line
LABEL_CHAR_SPACING = BODY_CHAR_SPACING - pt(0.25)  # see the NOTE in title_and_body()
SHORT_BLOCK = 3 * 28  # characters: a last decision of up to three lines moves with the attendance lines


def head() -> list[etree._Element]:
    """Red 纪要标志, 期号, 编印单位 and date, red rule (GB/T 9704-2012 10.3; 简报 practice for the rest)."""
    mark_em_top = half_points("mark_size", MARK_LINE_EM * BASELINE_IN_LINE - EM_ABOVE_BASELINE)
    mark_line = half_points("mark_size", MARK_LINE_EM)
    # GB/T 9704-2012 10.3: the mark's top edge 35 mm below the top of the 版心.
    mark_before = Expr(f"{ISSUER_MARK_TOP.twips} - {mark_em_top}")
    # The 期号's row starts where the mark's paragraph ends plus this: on row ISSUE_ROW exactly.
    issue_before = Expr(f"{(LINE_PITCH * ISSUE_ROW - ISSUER_MARK_TOP).twips} + {mark_em_top} - {mark_line}")
    return [
        exact_paragraph(
            run("{{ mark }}", run_properties(FONT_XIAOBIAOSONG, Expr("mark_size"), color=RED)),
            line=Expr(mark_line),
            before=mark_before,
            align="center",
        ),
        exact_paragraph(body_run("{{ issue }}"), before=issue_before, align="center"),
        # 编印单位 flush left, the date flush right, on the row above the rule.
        row_paragraph(
            body_run("{{ issuer }}"),
            tab_run(),
            body_run("{{ date }}"),
            before=LINE_PITCH * (ISSUER_ROW - ISSUE_ROW - 1),
        ),
        # GB/T 9704-2012 7.2.7 by analogy: the rule 4 mm below the em box of the line above it; its
        # paragraph ends on the row boundary FIRST_ROW_BELOW_RULE.
        red_rule(LINE_PITCH * (FIRST_ROW_BELOW_RULE - ISSUER_ROW - 1) - RED_RULE_BEFORE),
    ]


def title_and_body() -> list[etree._Element]:
    """Optional title, the opening paragraph, the numbered decisions, then 出席/请假/列席 (GB/T 9704-2012 10.3)."""
    # GB/T 9704-2012 10.3: 左空二字, the label and its colon, wrapped lines aligned after the colon. The
    # names follow a tab to a stop at the hanging indent, so that justification, which stretches only the
    # text after the last tab, moves neither the label nor the first name off the wrapped lines' edge.
    # NOTE: LibreOffice sends a tab that starts on its stop (or a hair past it) on to the next stop; the
    # label is set 0.25 pt a character tighter than the body (0.75 pt in all, invisible), so it ends
    # just before the stop.
    names_start = PARAGRAPH_INDENT + ATTENDANCE_LABEL
    attendance = paragraph(
        paragraph_properties(
            # The lines are kept together when short. NOTE: LibreOffice moves a kept paragraph whole, so a
            # long 出席 list is left free to run on to the next page rather than leave this one half empty.
            keep_next=Expr(f"0 if loop.last or (line.label ~ line.names) | length > {SHORT_BLOCK} else 1"),
            tabs=[TabStop(names_start)],
            # One blank row below the body, as space before the first line: LibreOffice drops it at the
            # top of a page, where a blank paragraph would leave an empty first row.
            line_spacing=spacing(before=Expr(f"{LINE_PITCH.twips} if loop.first else 0")),
            indent=indentation(left=names_start, hanging=ATTENDANCE_LABEL),
            align="both",
        ),
        run("{{ line.label }}", run_properties(FONT_HEITI, SIZE_3HAO, character_spacing=LABEL_CHAR_SPACING)),
        tab_run(),
        body_run("{{ line.names }}"),
    )
    return [
        *conditional(
            "title_lines",
            # GB/T 9704-2012 7.3.1: the title two rows below the rule (row 10), one blank row after it.
            blank_line(),
            *title_lines(),
            blank_line(),
        ),
        tag_paragraph("{%p for block in blocks %}"),
        body_paragraph(
            body_run("{{ block.hei }}", FONT_HEITI),  # GB/T 9704-2012 7.3.3: 一、 in 黑体
            body_run("{{ block.text }}"),
            keep_next=Expr(f"1 if loop.last and (block.hei ~ block.text) | length <= {SHORT_BLOCK} else 0"),
        ),
        tag_paragraph("{%p endfor %}"),
        # GB/T 9704-2012 10.3: one blank row below the body, then 出席, 请假, 列席.
        tag_paragraph("{%p for line in attendance %}"),
        attendance,
        tag_paragraph("{%p endfor %}"),
    ]


def build(variant: str) -> bytes:
    """The template as DOCX bytes, deterministic; 纪要 have one layout."""
    del variant
    breaks, section_break = imprint_page_breaks()
    return assemble(
        # GB/T 9704-2012 10.3: no 发文机关署名 and no seal; the 版记 as for 文件格式 (7.4).
        [*head(), *title_and_body(), *breaks, *imprint(letter=False)],
        title="会议纪要模板（纪要格式）",
        subject="GB/T 9704-2012 会议纪要",
        imprint_break=section_break,
    )


VARIABLES: dict[str, dict[str, str]] = {
    "mark": {"type": "str", "meaning": '纪要标志, printed red, e.g. "青山县人民政府专题会议纪要"'},
    "mark_size": {
        "type": "int",
        "meaning": "the mark's size in half-points (72 = 36 pt), chosen so it fits one line; also sets its "
        "line height and the spacing that keeps the rows below it on the grid",
    },
    "issue": {"type": "str", "meaning": '期号, e.g. "第27期"; "" leaves its row empty'},
    "issuer": {"type": "str", "meaning": "编印单位, flush left on the row above the red rule"},
    "date": {"type": "str", "meaning": '成文日期, e.g. "2026年11月27日", flush right on the same row'},
    "title_lines": {"type": "list[str]", "meaning": "标题 broken into centred lines; [] prints no title"},
    "blocks": {
        "type": "list[{hei: str, text: str}]",
        "meaning": "正文 paragraphs: the opening paragraph (hei empty), then each decision with its number "
        '("一、") in hei, printed in 黑体, and text in 仿宋 ending with its 牵头单位/配合单位/完成时限 note',
    },
    "attendance": {
        "type": "list[{label: str, names: str}]",
        "meaning": '出席/请假/列席 lines in that order, only those with names: label with its colon ("出席："), '
        'in 黑体, names joined by "，" in 仿宋, wrapped lines aligned after the colon',
    },
    "cc": CC_VARIABLE,
    "printed_by": {"type": "str", "meaning": "印发机关"},
    "printed_on": {"type": "str", "meaning": '印发日期 + 印发, e.g. "2026年11月27日印发"'},
    "imprint_page": IMPRINT_PAGE_VARIABLE,
}


TEMPLATES = KindTemplates(
    kind="meeting-minutes",
    files={"document": "document.docx"},
    build=build,
    variables=VARIABLES,
    notes=(
        "Computed in the template from mark_size: the mark's line height and the space above the mark and "
        "above the 期号, so that the mark's top is 35 mm below the 版心 and the 期号 row stays on the grid.",
        "Built by tools/build_templates.py; geometry in docs/decisions/0007-meeting-minutes.md.",
    ),
)
