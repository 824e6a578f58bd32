"""Built-in 参会回执 template (document.docx): the notice's reply form on a page of its own.

Columns, widths and rules are the notice's (meeting_notice.slip_table); the page is the
GB/T 9704-2012 page of the notice's 附件, with the title on the first row instead of the third.
"""

from __future__ import annotations

from lxml import etree

from service.rendering import ooxml
from service.rendering.ooxml import Expr
from service.typography.units import Length
from tools.template_builder.common import (
    CELL_LINE,
    KindTemplates,
    assemble,
    blank_line,
    body_paragraph,
    body_run,
    conditional,
    exact_paragraph,
    title_lines,
)
from tools.template_builder.meeting_notice import SLIP_COLUMNS, reporting_line, slip_table

# The notice's column labels and the context's cell keys (service/documents/reply_slip.py CELLS). A label
# the notice adds or renames fails the build here, rather than printing an empty column.
CELL_KEYS = {"姓名": "name", "性别": "gender", "单位及职务": "unit_title", "联系电话": "phone", "备注": "remarks"}


def cell(width: Length, key: str) -> etree._Element:
    """A data cell: its text centred on exact 1.5 em lines, the paragraph kept with the one after the table
    in the last row.

    A prefilled value that wraps grows its row to 2 × 8.47 mm rather than two grid rows. The keep means the
    instructions never open a page alone: the last row goes over with them. NOTE: LibreOffice 7.4 honours
    this only while the table is on its first page; a table that ends at the foot of a later page can leave
    the instructions alone on the next (docs/decisions/0010). Word keeps the row on every page.
    """
    text = exact_paragraph(
        body_run(f"{{{{ row.{key} }}}}"), line=CELL_LINE, align="center", keep_next=Expr("1 if loop.last else 0")
    )
    return ooxml.table_cell(width, [text], vertical_align="center")


def slip() -> list[etree._Element]:
    """Title (2号小标宋, centred, first row), a blank row, 填报单位/联系人/联系电话, the form, the instructions."""
    return [
        *title_lines(),
        blank_line(),
        reporting_line(),
        slip_table("row in rows", [cell(width, CELL_KEYS[label]) for label, width in SLIP_COLUMNS]),
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
