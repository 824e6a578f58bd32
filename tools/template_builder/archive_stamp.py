"""Built-in 归档章 (DA/T 22-2015 7.2): a 45 × 16 mm page holding the stamp's six cells, for overlaying.

The page is the stamp: zero margins, six 15 × 8 mm cells ruled in red, the values in black 仿宋.
Everything is drawn with page-anchored shapes (red bars for the rules, one text box per cell), so the body
holds a single tiny paragraph: a table would need a paragraph after it, and on a page that the table fills
exactly that paragraph would open a second page. The text boxes centre their text vertically.

Two variants: `document`, one stamp; `batch`, one stamp per page for a list of them, so that an archive run
converts a hundred stamps in one LibreOffice conversion and splits the pages (issue 5). The batch draws each
stamp as a red-ruled table instead (see BATCH_ROW): same cells, same text, rules within 0.04 mm.
"""

from __future__ import annotations

from lxml import etree

from service.rendering import ooxml
from service.rendering.ooxml import (
    Border,
    Expr,
    PageGeometry,
    ShapePosition,
    TableBorders,
    qn,
    run,
    run_properties,
    tag_paragraph,
)
from service.typography.gbt9704 import FONT_FANGSONG, RED
from service.typography.units import Length, mm, pt, twips
from tools.template_builder.archive_cover import NONE, assemble_forms, line_paragraph
from tools.template_builder.common import KindTemplates, half_points

# DA/T 22-2015 7.2 (归档章): 45 mm × 16 mm, six equal cells; 3 × 2 gives 15 × 8 mm (derived).
STAMP_WIDTH = mm(45)
STAMP_HEIGHT = mm(16)
COLUMNS = 3
ROWS = 2
CELL_WIDTH = STAMP_WIDTH / COLUMNS
CELL_HEIGHT = STAMP_HEIGHT / ROWS
STAMP_RULE = pt(0.5)  # decision: the printed rule of a red ink-pad stamp
TEXT_LINE_EM = 1.25  # exact lines of 1.25 em: LibreOffice's 0.8 / 0.2 split then centres the em box
TEXT_COLOR = "000000"  # DA/T 22-2015 7.2: filled in with black (or blue-black) durable ink
# Cells in reading order: row 1 全宗号 / 年度 / 件号, row 2 机构（问题） / 保管期限 / 页数
# (DA/T 22-2015 layout unconfirmed; derived from the 2000 layout with 室编件号 → 件号, 馆编件号 → 页数).
CELLS = ("fonds_no", "year", "item_no", "organization", "retention", "pages")


def rules() -> list[etree._Element]:
    """Red bars: the outer frame inside the page's edges, the inner rules centred on the cell boundaries."""
    bars: list[tuple[str, Length, Length, Length, Length]] = []
    half = STAMP_RULE / 2
    for index, y in enumerate((Length(0), CELL_HEIGHT - half, STAMP_HEIGHT - STAMP_RULE)):
        bars.append((f"横线{index + 1}", Length(0), y, STAMP_WIDTH, STAMP_RULE))
    xs = (Length(0), CELL_WIDTH - half, CELL_WIDTH * 2 - half, STAMP_WIDTH - STAMP_RULE)
    for index, x in enumerate(xs):
        bars.append((f"竖线{index + 1}", x, Length(0), STAMP_RULE, STAMP_HEIGHT))
    return [
        ooxml.anchored_shape(len(CELLS) + number, name, ShapePosition(x=x, y=y, width=width, height=height), fill=RED)
        for number, (name, x, y, width, height) in enumerate(bars, start=1)
    ]


def cell_paragraph(key: str, stamp: str = "") -> etree._Element:
    """The value of cell `key` in black 仿宋 at its context size, on an exact line of 1.25 em.

    `stamp` names the context object holding the values ("stamp." in the batch's loop), "" the context itself.
    """
    return line_paragraph(
        run(
            "{{ " + stamp + key + " }}",
            run_properties(FONT_FANGSONG, Expr(f"{stamp}sizes.{key}"), color=TEXT_COLOR, character_spacing=pt(0)),
        ),
        line=Expr(half_points(f"{stamp}sizes.{key}", TEXT_LINE_EM)),
    )


def cell_text_boxes() -> list[etree._Element]:
    """One text box per cell, the cell's full size, text centred both ways (sizes come from the context)."""
    boxes = []
    for index, key in enumerate(CELLS):
        row, column = divmod(index, COLUMNS)
        box = ooxml.anchored_shape(
            index + 1,
            key,
            ShapePosition(x=CELL_WIDTH * column, y=CELL_HEIGHT * row, width=CELL_WIDTH, height=CELL_HEIGHT),
            paragraphs=[cell_paragraph(key)],
        )
        # NOTE: ooxml.anchored_shape anchors text at the top; the stamp centres it (LibreOffice and Word agree).
        body = box.find(f".//{qn('wps:bodyPr')}")
        assert body is not None
        body.set("anchor", "ctr")
        boxes.append(box)
    return boxes


# The batch draws each stamp as a table ruled in red. NOTE: LibreOffice 7.4 lays out page-anchored shapes in
# time that grows with the square of their number: with the single stamp's 13 shapes a page, 200 stamps took
# 22 s and 500 did not finish in 120 s; as tables, 100 stamps take 0.15 s, 300 take 0.8 s and 1000 take 8 s
# (still faster than linear, hence batches of about a hundred). LibreOffice makes a table as tall as its
# rows plus one rule (half above the first row, half below the last), and centres the rules on the cell
# edges. So the rows and columns below are the cells less half a rule at the frame, which puts the rules'
# centres within 0.04 mm of the single stamp's bars (0.09, 7.99, 15.89 mm down; 0.11, 14.99, 29.99,
# 44.91 mm across); the rows come out 1 twip short of the page, so a stamp never spills onto the next one.
BATCH_ROW = twips((CELL_HEIGHT - STAMP_RULE / 2).twips - 1)  # 448 twips
BATCH_COLUMNS = (
    CELL_WIDTH - STAMP_RULE / 2,  # 845 twips
    CELL_WIDTH,  # 850 twips
    STAMP_WIDTH - STAMP_RULE - (CELL_WIDTH - STAMP_RULE / 2) - CELL_WIDTH,  # 846 twips
)
BATCH_PADDING = mm(0.5)  # as CELL_ROOM in service/documents/archive_stamp.py: 0.5 mm clear of each rule


def batch_table() -> list[etree._Element]:
    """The batch's body: for each of `stamps`, a 3 × 2 table ruled in red that starts a new page."""
    red = Border(width=STAMP_RULE, color=RED)
    rows = []
    for row in range(ROWS):
        cells = [
            ooxml.table_cell(width, [cell_paragraph(key, "stamp.")], vertical_align="center")
            for width, key in zip(BATCH_COLUMNS, CELLS[row * COLUMNS : (row + 1) * COLUMNS], strict=True)
        ]
        rows.append(ooxml.table_row(cells, height=BATCH_ROW, height_rule="exact", cant_split=True))
    # The first cell's paragraph breaks the page (LibreOffice moves the whole table); the first stamp starts page 1.
    first = rows[0].find(f"{qn('w:tc')}/{qn('w:p')}/{qn('w:pPr')}")
    assert first is not None
    first.insert(0, ooxml.el("w:pageBreakBefore", {"w:val": "{{ '0' if loop.first else '1' }}"}))
    width = sum(BATCH_COLUMNS, Length(0))
    borders = TableBorders(top=red, bottom=red, left=red, right=red, inside_horizontal=red, inside_vertical=red)
    stamp = ooxml.table(ooxml.table_properties(width, borders=borders, padding=BATCH_PADDING), BATCH_COLUMNS, rows)
    return [tag_paragraph("{%p for stamp in stamps %}"), stamp, tag_paragraph("{%p endfor %}")]


def build(variant: str) -> bytes:
    # sectPr counts whole twips: 2551 × 907, i.e. 45.004 × 16.002 mm.
    page = PageGeometry(STAMP_WIDTH, STAMP_HEIGHT, top=NONE, right=NONE, bottom=NONE, left=NONE)
    if variant == "batch":
        return assemble_forms(batch_table(), page, title="归档章批量模板", subject="DA/T 22-2015 归档章，每页一枚")
    anchor = line_paragraph(*cell_text_boxes(), *rules(), line=twips(2), align="left")
    return assemble_forms([anchor], page, title="归档章模板", subject="DA/T 22-2015 归档章")


VARIABLES: dict[str, dict[str, str]] = {
    "fonds_no": {"type": "str", "meaning": '全宗号 (row 1, left), or "" until assigned'},
    "year": {"type": "str", "meaning": "年度, four digits (row 1, middle)"},
    "item_no": {"type": "str", "meaning": '件号, four digits, e.g. "0041" (row 1, right)'},
    "organization": {"type": "str", "meaning": '机构（问题）(row 2, left), or ""'},
    "retention": {"type": "str", "meaning": "保管期限: 永久, 定期30年 or 定期10年 (row 2, middle)"},
    "pages": {"type": "str", "meaning": "页数 (row 2, right)"},
    "sizes": {
        "type": "{fonds_no, year, item_no, organization, retention, pages: int}",
        "meaning": "each cell's type size in half-points (小五 18 where everything fits on one line, else "
        "smaller); the line height is 1.25 em of it",
    },
}


_ONE_STAMP = ", ".join(f"{name}: {entry['type']}" for name, entry in VARIABLES.items())

TEMPLATES = KindTemplates(
    kind="archive-stamp",
    files={"document": "document.docx", "batch": "batch.docx"},
    build=build,
    variables=VARIABLES,
    lint="reference",
    variant_variables={
        "batch": {"stamps": {"type": f"list[{{{_ONE_STAMP}}}]", "meaning": "one stamp's variables per page, in order"}}
    },
    notes=(
        "The page is the stamp: 45 × 16 mm, zero margins, six 15 × 8 mm cells ruled 0.5 pt red, values black; "
        "render it to PDF and overlay the page on a document's first page.",
        'Variant "batch" (batch.docx) takes {"stamps": [one context as above per stamp]} and prints one stamp '
        "per page, in order, so that many stamps take one conversion; split the PDF's pages to overlay them.",
    ),
)
