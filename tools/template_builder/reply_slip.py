"""Built-in 参会回执 template (document.docx): the notice's reply form on a page of its own.

Columns, widths and rules are the notice's (meeting_notice.SLIP_COLUMNS, SLIP_RULE); the page is the
GB/T 9704-2012 page of the notice's 附件, with the title on the first row instead of the third.
"""

from __future__ import annotations

from lxml import etree

from service.rendering import ooxml
from service.rendering.ooxml import Expr, TableBorders, TabStop, run, run_properties, tag_paragraph, tag_row
from service.typography.gbt9704 import FONT_XIAOBIAOSONG, LINE_PITCH, SIZE_2HAO, SIZE_3HAO, TEXT_WIDTH
from tools.template_builder.common import (
    CJK_ADVANCE,
    MARK_LINE_EM,
    KindTemplates,
    assemble,
    blank_line,
    body_paragraph,
    body_run,
    conditional,
    exact_paragraph,
    grid_paragraph,
)
from tools.template_builder.meeting_notice import SLIP_COLUMNS, SLIP_RULE

# Text in the data cells: exact lines of 1.5 em (ADR 0002: big enough that LibreOffice clips no glyph).
CELL_LINE = SIZE_3HAO * MARK_LINE_EM
# The notice's column labels and the context's cell keys (service/documents/reply_slip.py CELLS). A label
# the notice adds or renames fails the build here, rather than printing an empty column.
CELL_KEYS = {"姓名": "name", "性别": "gender", "单位及职务": "unit_title", "联系电话": "phone", "备注": "remarks"}


def cell_paragraph(*runs: etree._Element) -> etree._Element:
    """A data cell's text, centred on exact 1.5 em lines; in the last row, kept with the paragraph after the table.

    So the instructions never open a page alone: the last row goes over with them. NOTE: LibreOffice 7.4
    honours this only while the table is on its first page; a table that ends at the foot of a later page
    can leave the instructions alone on the next (docs/decisions/0010). Word keeps the row on every page.
    """
    return ooxml.paragraph(
        ooxml.paragraph_properties(
            keep_next=Expr("1 if loop.last else 0"),
            snap_to_grid=False,
            line_spacing=ooxml.spacing(line=CELL_LINE, rule="exact"),
            align="center",
        ),
        *runs,
    )


def slip_table() -> etree._Element:
    """The notice's form: header repeated on every page, rows never split, each at least one grid row.

    A row is at least one grid row (10.21 mm, room to write by hand); a prefilled value sets on exact lines
    of 1.5 em centred in it, so a value that wraps grows its row to 2 × 8.47 mm rather than two grid rows.
    """
    columns = [width for _, width in SLIP_COLUMNS]
    header_cells = [
        ooxml.table_cell(width, [exact_paragraph(body_run(label), align="center")], vertical_align="center")
        for label, width in SLIP_COLUMNS
    ]
    cells = [
        ooxml.table_cell(
            width,
            [cell_paragraph(body_run(f"{{{{ row.{CELL_KEYS[label]} }}}}"))],
            vertical_align="center",
        )
        for label, width in SLIP_COLUMNS
    ]
    rows = [
        ooxml.table_row(header_cells, repeat_as_header=True, cant_split=True),
        tag_row("{%tr for row in rows %}", len(columns)),
        ooxml.table_row(cells, height=LINE_PITCH, height_rule="atLeast", cant_split=True),
        tag_row("{%tr endfor %}", len(columns)),
    ]
    borders = TableBorders(
        top=SLIP_RULE,
        bottom=SLIP_RULE,
        left=SLIP_RULE,
        right=SLIP_RULE,
        inside_horizontal=SLIP_RULE,
        inside_vertical=SLIP_RULE,
    )
    return ooxml.table(ooxml.table_properties(TEXT_WIDTH, borders=borders), columns, rows)


def slip() -> list[etree._Element]:
    """Title (2号小标宋, centred, first row), a blank row, 填报单位/联系人/联系电话, the form, the instructions."""
    # As on the notice's slip: labels at 0, 13 and 20 字, the gaps left for writing.
    contact_tabs = [TabStop(CJK_ADVANCE * 13), TabStop(CJK_ADVANCE * 20)]
    return [
        tag_paragraph("{%p for line in title_lines %}"),
        exact_paragraph(run("{{ line }}", run_properties(FONT_XIAOBIAOSONG, SIZE_2HAO)), align="center"),
        tag_paragraph("{%p endfor %}"),
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
        slip_table(),
        body_paragraph(body_run("{{ instructions }}")),
        *conditional("contact", body_paragraph(body_run("{{ contact }}"))),
    ]


def build(variant: str) -> bytes:
    """The template as DOCX bytes, deterministic (one variant)."""
    return assemble(slip(), title="参会回执模板", subject="参会回执")


VARIABLES: dict[str, dict[str, str]] = {
    "title_lines": {
        "type": "list[str]",
        "meaning": "标题 (会议名称 + 参会回执 unless given), broken into centred lines",
    },
    "instructions": {
        "type": "str",
        "meaning": "报送说明 below the table: deadline with weekday, fax and/or e-mail (worded as on the notice)",
    },
    "contact": {"type": "str", "meaning": '主办方 "联系人：…，联系电话：…。" printed after the instructions, or ""'},
    "rows": {
        "type": "list[{name: str, gender: str, unit_title: str, phone: str, remarks: str}]",
        "meaning": 'table rows in order: prefilled attendees, then blank rows (all values "") up to the '
        "reply's row count",
    },
}


TEMPLATES = KindTemplates(
    kind="reply-slip",
    files={"document": "document.docx"},
    build=build,
    variables=VARIABLES,
    notes=(
        "The table is the meeting notice's reply slip (columns, widths, rules, repeated header).",
        "Built by tools/build_templates.py; decisions in docs/decisions/0010-reply-slip-and-sign-in-sheet.md.",
    ),
)
