"""Built-in 签到表 template (document.docx): title, 时间 and 地点, then a numbered table to sign in.

The page is the GB/T 9704-2012 page (A4, 版心 156 × 225 mm at 28 mm / 37 mm, "— N —" page numbers) so the
sheet files with the meeting's other paperwork; the table's header repeats on every page and no row splits.
Numbers and why: docs/decisions/0010-reply-slip-and-sign-in-sheet.md.
"""

from __future__ import annotations

from lxml import etree

from service.rendering import ooxml
from service.rendering.ooxml import tag_row
from service.typography.gbt9704 import FONT_HEITI, LINE_PITCH, TEXT_WIDTH
from service.typography.units import Length, mm, twips
from tools.template_builder.common import (
    CELL_LINE,
    KindTemplates,
    assemble,
    blank_line,
    body_run,
    end_paragraph,
    exact_paragraph,
    form_borders,
    grid_paragraph,
    title_lines,
)

# Column label, width, the row's key ("" = left blank to sign). 3号 condensed sets 5.56 mm a character:
# 单位 holds 9 (县自然资源和规划局), 姓名 4, 职务 5 (安监站站长) on one line; 签到 keeps 38 mm for a
# handwritten name. The widths add up to the 版心's 156 mm.
COLUMNS = (
    ("序号", mm(13), "no"),
    ("单位", mm(51), "unit"),
    ("姓名", mm(24), "name"),
    ("职务", mm(30), "title"),
    ("签到", mm(38), ""),
)
# Rows at least 10.2 mm: tall enough to sign, and 22 of them fill a page as the 22 grid rows do.
# NOTE: LibreOffice adds the table's outer rules to its height; 22 rows of a full grid row (579 twips) and
# those rules overflow the 12756-twip 版心 by 2 twips, so a page would hold one row less. One twip off each
# row (0.02 mm) makes room for them.
ROW_HEIGHT = LINE_PITCH - twips(1)


def cell(width: Length, content: etree._Element | None) -> etree._Element:
    """A centred cell; its text on exact 1.5 em lines as on the reply slip, so a wrapped unit grows its row to
    2 × 8.47 mm rather than two grid rows."""
    runs = [content] if content is not None else []
    paragraph = exact_paragraph(*runs, line=CELL_LINE, align="center")
    return ooxml.table_cell(width, [paragraph], vertical_align="center")


def sheet_table() -> etree._Element:
    """序号 | 单位 | 姓名 | 职务 | 签到: the header (黑体) repeats on every page; rows never split."""
    columns = [width for _, width, _ in COLUMNS]
    header = ooxml.table_row(
        [cell(width, body_run(label, FONT_HEITI)) for label, width, _ in COLUMNS],
        height=ROW_HEIGHT,
        repeat_as_header=True,
        cant_split=True,
    )
    row = ooxml.table_row(
        [cell(width, body_run(f"{{{{ row.{key} }}}}") if key else None) for _, width, key in COLUMNS],
        height=ROW_HEIGHT,
        cant_split=True,
    )
    rows = [header, tag_row("{%tr for row in rows %}", len(COLUMNS)), row, tag_row("{%tr endfor %}", len(COLUMNS))]
    return ooxml.table(ooxml.table_properties(TEXT_WIDTH, borders=form_borders()), columns, rows)


def sheet() -> list[etree._Element]:
    """Title on the first rows (2号小标宋, centred), a blank row, 时间, 地点, the table."""
    return [
        *title_lines(),
        blank_line(),
        grid_paragraph(body_run("时间："), body_run("{{ time }}"), align="left"),
        grid_paragraph(body_run("地点："), body_run("{{ venue }}"), align="left"),
        sheet_table(),
        # A document cannot end in a table; the paragraph is 0.04 mm tall so a full last page keeps it.
        end_paragraph(),
    ]


def build(variant: str) -> bytes:
    """The template as DOCX bytes, deterministic (one variant)."""
    return assemble(sheet(), title="签到表模板", subject="签到表")


VARIABLES: dict[str, dict[str, str]] = {
    "title_lines": {"type": "list[str]", "meaning": "标题 (会议名称 + 签到表 unless given), broken into centred lines"},
    "time": {"type": "str", "meaning": '会议时间 after "时间：", e.g. "2026年12月3日（星期四）上午9:00—11:30"'},
    "venue": {"type": "str", "meaning": '会议地点 after "地点："'},
    "rows": {
        "type": "list[{no: str, unit: str, name: str, title: str}]",
        "meaning": "one table row each, in order: 序号 (1, 2, … continuing through the blank rows), 单位, 姓名, "
        '职务 ("" in blank rows for walk-ins); the 签到 cell is always blank',
    },
}


TEMPLATES = KindTemplates(
    kind="sign-in-sheet",
    files={"document": "document.docx"},
    build=build,
    variables=VARIABLES,
    notes=("Built by tools/build_templates.py; decisions in docs/decisions/0010-reply-slip-and-sign-in-sheet.md.",),
)
