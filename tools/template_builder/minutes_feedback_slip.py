"""Built-in 会议纪要意见反馈单 template: title, issuer and a form down to the 版心's bottom edge (one page).

The form's geometry (column widths, cell lines, the rows' heights) comes from
service.documents.minutes_feedback_slip, which also works out each row's height for the context.
"""

from __future__ import annotations

from typing import Literal

from lxml import etree

from service.documents.minutes_feedback_slip import (
    CELL_LINE,
    CELL_PADDING,
    END_PARAGRAPH_LINE,
    FORM_WIDTH,
    FRAME_RULE,
    LABEL_WIDTH,
    LABELS,
    NOTE_NUMBER,
    ROW_PADDING,
    ROW_RULE,
    SIGNATURE,
    SIGNATURE_DATE,
    VALUE_WIDTH,
)
from service.rendering import ooxml
from service.rendering.ooxml import (
    Border,
    Expr,
    indentation,
    tag_paragraph,
)
from service.typography.gbt9704 import FONT_KAITI
from service.typography.units import Length, twips
from tools.template_builder.common import (
    CJK_ADVANCE,
    RULE_COLOR_BLACK,
    Footers,
    KindTemplates,
    assemble,
    body_run,
    exact_paragraph,
    form_borders,
    title_lines,
)

# The signature starts two characters into the cell, leaving six after its colon for the name; the date's
# 日 ends one character before the cell's right edge, the year written to the left of 年.
SIGNATURE_INDENT = CELL_PADDING + CJK_ADVANCE * 2
DATE_INDENT = CELL_PADDING + CJK_ADVANCE


def cell_paragraph(
    *runs: etree._Element,
    align: ooxml.Align = "left",
    indent: etree._Element | None = None,
    after: Length | None = None,
) -> etree._Element:
    """One paragraph of a form cell: exact CELL_LINE lines (the em box centred in each), off the grid."""
    if indent is None:
        indent = indentation(left=CELL_PADDING, right=CELL_PADDING)
    return exact_paragraph(*runs, line=CELL_LINE, after=after, align=align, indent=indent)


def form_row(
    key: str, value: list[etree._Element], *, value_align: Literal["top", "center", "bottom"] = "center"
) -> etree._Element:
    """Label and value; the height is the context's rows[key] (twips), exact for the feedback row."""
    # Labels are centred without padding: 文稿传出时间 (94.5 pt) then fits the 36 mm column on one line.
    label = ooxml.table_cell(
        LABEL_WIDTH,
        [cell_paragraph(body_run(LABELS[key]), align="center", indent=indentation(left=twips(0), right=twips(0)))],
        vertical_align="center",
    )
    cell = ooxml.table_cell(VALUE_WIDTH, value, vertical_align=value_align)
    exact = key == "feedback"
    return ooxml.table_row(
        [label, cell], height=Expr(f"rows.{key}"), height_rule="exact" if exact else "atLeast", cant_split=True
    )


def value(expression: str) -> list[etree._Element]:
    return [cell_paragraph(body_run("{{ " + expression + " }}"))]


def form() -> etree._Element:
    """The form: label column, value column, framed; rows never split (one page anyway)."""
    drafter = [
        tag_paragraph("{%p for line in drafter_lines %}"),
        cell_paragraph(body_run("{{ line }}")),
        tag_paragraph("{%p endfor %}"),
    ]
    feedback = [
        cell_paragraph(body_run(SIGNATURE), indent=indentation(left=SIGNATURE_INDENT)),
        cell_paragraph(
            body_run(SIGNATURE_DATE), align="right", indent=indentation(right=DATE_INDENT), after=ROW_PADDING
        ),
    ]
    notes = [
        tag_paragraph("{%p for note in notes %}"),
        cell_paragraph(
            body_run("{{ note }}"),
            align="both",
            indent=indentation(left=CELL_PADDING + NOTE_NUMBER, right=CELL_PADDING, hanging=NOTE_NUMBER),
        ),
        tag_paragraph("{%p endfor %}"),
    ]
    rows = [
        form_row("topic", value("topic")),
        form_row("chair", value("chair")),
        form_row("unit", value("unit")),
        form_row("drafter", drafter),
        form_row("reviewer", value("reviewer")),
        form_row("sent_at", value("sent_at")),
        form_row("reply_by", value("reply_by")),
        form_row("feedback", feedback, value_align="bottom"),
        form_row("notes", notes),
    ]
    borders = form_borders(
        outer=Border(width=FRAME_RULE, color=RULE_COLOR_BLACK), inner=Border(width=ROW_RULE, color=RULE_COLOR_BLACK)
    )
    return ooxml.table(ooxml.table_properties(FORM_WIDTH, borders=borders), [LABEL_WIDTH, VALUE_WIDTH], rows)


def build(_variant: str) -> bytes:
    """The template as DOCX bytes, deterministic."""
    return assemble(
        [
            *title_lines(),
            exact_paragraph(body_run("{{ issuer }}", FONT_KAITI), align="center"),
            form(),
            # A DOCX body ends in a paragraph; this one takes next to no room under the full-height form.
            exact_paragraph(line=END_PARAGRAPH_LINE),
        ],
        title="会议纪要意见反馈单模板",
        subject="会议纪要意见反馈单",
        footers=Footers(page_numbers=False),
    )


VARIABLES: dict[str, dict[str, str]] = {
    "title_lines": {"type": "list[str]", "meaning": "标题, broken into centred lines of 2号小标宋 (one or two)"},
    "issuer": {"type": "str", "meaning": "the office sending the slip, centred under the title in 3号楷体"},
    "topic": {"type": "str", "meaning": "专题内容"},
    "chair": {"type": "str", "meaning": "主持人"},
    "unit": {"type": "str", "meaning": "参会单位: the unit this slip goes to"},
    "drafter_lines": {
        "type": "list[str]",
        "meaning": '起草人员 as lines, e.g. ["周敏　电话：0578-2123460", "传真：…", "邮箱：…"]',
    },
    "reviewer": {"type": "str", "meaning": '主任、副主任审核; "" leaves the cell blank for a signature'},
    "sent_at": {"type": "str", "meaning": '文稿传出时间, e.g. "2026年11月20日（星期五）下午4:30"'},
    "reply_by": {"type": "str", "meaning": '意见反馈时间, e.g. "2026年11月24日（星期二）下午5:30前"'},
    "notes": {
        "type": "list[str]",
        "meaning": '修改反馈要求, each with its number, e.g. "1.请接此单后立即送单位领导审阅。"',
    },
    "rows": {
        "type": "{topic, chair, unit, drafter, reviewer, sent_at, reply_by, feedback, notes: int}",
        "meaning": "each form row's height in twips (at least; feedback exact), so the form ends on the "
        "版心's bottom edge",
    },
}


TEMPLATES = KindTemplates(
    kind="minutes-feedback-slip",
    files={"document": "document.docx"},
    build=build,
    variables=VARIABLES,
    lint="gbt9704-one-page-form",
    notes=(
        "One slip per unit: the service renders this template once per unit in `units`.",
        "Row heights are computed by service/documents/minutes_feedback_slip.py (layout); geometry in "
        "docs/decisions/0006-minutes-feedback-slip.md. Built by tools/build_templates.py.",
    ),
)
