"""What every built-in template shares: page, grid paragraphs, 版头 rule, 版记, forms, page numbers, package.

Vertical positions rest on one LibreOffice rule: a line of exact height L (and a grid row) puts its
baseline 0.8 L below its top, and a CJK glyph's em box reaches 0.88 em above the baseline, 0.12 em below.
Sizes in Jinja expressions are in half-points (`issuer_mark_size`), so 1 half-point = 10 twips.
The geometry, with how it was measured in LibreOffice 7.4, is in docs/decisions/0002-notice-template-geometry.md.
"""

from __future__ import annotations

import copy
import io
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import docx
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.parser import parse_xml
from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from service.rendering import ooxml  # noqa: E402
from service.rendering.ooxml import (  # noqa: E402
    Border,
    Expr,
    FloatingPosition,
    FontEntry,
    PageGeometry,
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
from service.typography.units import Length, mm, pt, twips  # noqa: E402

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
    after: ooxml.Measure | None = None,
    align: ooxml.Align = "left",
    indent: etree._Element | None = None,
    borders: dict[str, Border] | None = None,
    tabs: Sequence[TabStop] = (),
    keep_next: bool | Expr = False,
) -> etree._Element:
    """A paragraph of exact line height, off the grid: the positioned elements of the 版头 and 版记, cell text."""
    return paragraph(
        paragraph_properties(
            keep_next=keep_next,
            borders=borders,
            tabs=tabs,
            snap_to_grid=False,
            line_spacing=spacing(before=before, after=after, line=line, rule="exact"),
            indent=indent,
            align=align,
        ),
        *runs,
    )


# A right tab stop at the 版心's right edge, for what goes flush right on a line that starts flush left.
FLUSH_RIGHT = (TabStop(TEXT_WIDTH, "right"),)


def row_paragraph(
    *runs: etree._Element, before: ooxml.Measure | None = None, align: ooxml.Align = "left"
) -> etree._Element:
    """One exact grid row (579 twips) off the grid, with a right tab at the 版心's edge (FLUSH_RIGHT)."""
    return exact_paragraph(*runs, line=LINE_PITCH, before=before, align=align, tabs=FLUSH_RIGHT)


RED_RULE = Border(width=HEADER_RULE_WIDTH, color=RED)
# GB/T 9704-2012 7.2.7: the separator's top edge 4 mm below the em box of the (3号) line above it.
RED_RULE_BEFORE = RULE_BELOW_NUMBER - (LINE_PITCH - BODY_EM_BOTTOM)


def red_rule(room: Length) -> etree._Element:
    """The red separator of the 版头 (GB/T 9704-2012 7.2.7), 156 mm, RED_RULE_BEFORE below the line above;
    its paragraph is `room` tall, the rule included: LibreOffice and Word add a border's width to the
    paragraph's height, so it is taken off the line."""
    return exact_paragraph(
        line=room - pt(RED_RULE.width.eighth_points / 8), before=RED_RULE_BEFORE, borders={"top": RED_RULE}
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


def conditional_rows(condition: str, columns: int, *rows: etree._Element) -> list[etree._Element]:
    """Table rows printed only when `condition` holds (docxtpl row tags in rows of `columns` cells)."""
    return [tag_row(f"{{%tr if {condition} %}}", columns), *rows, tag_row("{%tr endif %}", columns)]


def title_lines(variable: str = "title_lines") -> list[etree._Element]:
    """The title, already broken into lines (`variable`), each centred in 2号小标宋 (GB/T 9704-2012 7.3.1)."""
    return [
        tag_paragraph(f"{{%p for line in {variable} %}}"),
        exact_paragraph(run("{{ line }}", run_properties(FONT_XIAOBIAOSONG, SIZE_2HAO)), align="center"),
        tag_paragraph("{%p endfor %}"),
    ]


def end_paragraph() -> etree._Element:
    """The paragraph a table must be followed by at the end of a document or section: 2 twips, exact."""
    return exact_paragraph(line=twips(2))


def half_points(expression: str, factor: float) -> str:
    """A Jinja integer expression: `expression` (half-points) × `factor` em in twips, rounded down."""
    numerator = round(factor * 10 * 100)
    return f"({expression}) * {numerator} // 100"


# --- 版记 ------------------------------------------------------------------------------------------------

# The context value that asks for a blank page before the 版记 page (see service/documents/page_rules.py).
IMPRINT_AFTER_BLANK = "imprint_page == 'after_blank'"
IMPRINT_POSITION = FloatingPosition(horizontal_anchor="page", x=MARGIN_LEFT, vertical_anchor="margin", y_spec="bottom")


# 版记 rows are grid rows: each line is 1.5 em exact (as for the page number: no clipping in
# LibreOffice) and vertically centred in a row at least one 579-twip row tall.
IMPRINT_LINE = SIZE_4HAO * MARK_LINE_EM


def imprint_run(value: str) -> etree._Element:
    # 4号仿宋 without the body's condensing, so one 4号 character is exactly the indent unit.
    return run(value, run_properties(FONT_FANGSONG, SIZE_4HAO, character_spacing=pt(0)))


def imprint_names_row(label: str, variable: str, *, columns: int = 1) -> etree._Element:
    """GB/T 9704-2012 7.4.2: `label` ("抄送：") + names, one 4号 character in from both sides, wrapped lines
    under the first name; a row at least one grid row tall, the 1.5 em lines centred in it."""
    label_width = SIZE_4HAO * len(label)  # set in 4号 without condensing
    names = exact_paragraph(
        imprint_run(label),
        imprint_run("{{ " + variable + " }}"),
        line=IMPRINT_LINE,
        indent=indentation(left=IMPRINT_INDENT + label_width, right=IMPRINT_INDENT, hanging=label_width),
        align="both",
    )
    return ooxml.table_row(
        [ooxml.table_cell(TEXT_WIDTH, [names], span=columns, vertical_align="center")],
        height=LINE_PITCH,
        cant_split=True,
    )


def imprint_cell(
    width: Length,
    variable: str,
    *,
    align: Literal["left", "right"],
    borders: Mapping[ooxml.CellSide, Border | None] | None = None,
) -> etree._Element:
    """A 版记 cell holding `variable` one 4号 character in from its side (GB/T 9704-2012 7.4.3: 印发机关, 印发日期)."""
    indent = indentation(left=IMPRINT_INDENT) if align == "left" else indentation(right=IMPRINT_INDENT)
    value = exact_paragraph(imprint_run("{{ " + variable + " }}"), line=IMPRINT_LINE, align=align, indent=indent)
    return ooxml.table_cell(width, [value], borders=borders, vertical_align="center")


def imprint_last_row(cells: Sequence[etree._Element]) -> etree._Element:
    """The 版记's last row (印发, or the 报尾's 共印N份): one grid row less the outer rule's width.

    NOTE: LibreOffice adds the outer halves of the top and bottom rules (2 × 0.5 pt) to the table's
    height; taking them off the last row keeps the 版记 a whole number of grid rows tall, so it fits below
    20 full rows of text and its last rule lies on the 版心's bottom edge.
    """
    return ooxml.table_row(
        cells, height=LINE_PITCH - pt(IMPRINT_OUTER_RULE.eighth_points / 8), height_rule="exact", cant_split=True
    )


def imprint_table(rows: Sequence[etree._Element], columns: Sequence[Length], borders: TableBorders) -> etree._Element:
    """The 版记 (or 报尾) as a floating table at the foot of the last page (see imprint()); an
    end_paragraph() must follow it."""
    return ooxml.table(ooxml.table_properties(TEXT_WIDTH, borders=borders, floating=IMPRINT_POSITION), columns, rows)


def imprint(letter: bool) -> list[etree._Element]:
    """版记 at the foot of the last page: a floating table whose last rule is the 版心's bottom edge.

    NOTE: LibreOffice 7.4 keeps a full-width floating table at the foot of the page only when it is
    anchored to the page horizontally and to the margin at the bottom (environment notes §9).
    Rules (GB/T 9704-2012 7.4.1) are table borders: top and bottom 0.35 mm, insideH 0.25 mm, so
    dropping the 抄送 row keeps the outer rules thick. Letters (10.1) have no rules and no 印发 row.
    """
    if letter:
        return [
            *conditional("cc", imprint_table([imprint_names_row("抄送：", "cc")], [TEXT_WIDTH], TableBorders())),
            end_paragraph(),
        ]
    half = TEXT_WIDTH / 2
    borders = TableBorders(
        top=Border(width=IMPRINT_OUTER_RULE),
        bottom=Border(width=IMPRINT_OUTER_RULE),
        inside_horizontal=Border(width=IMPRINT_INNER_RULE),
    )
    printed = imprint_last_row(
        [imprint_cell(half, "printed_by", align="left"), imprint_cell(half, "printed_on", align="right")]
    )
    rows = [*conditional_rows("cc", 2, imprint_names_row("抄送：", "cc", columns=2)), printed]
    return [imprint_table(rows, [half, half], borders), end_paragraph()]


# Manifest entries of the 版记 as every kind with one declares them (KindTemplates.variables).
CC_VARIABLE = {"type": "str", "meaning": '抄送机关, names joined and ending in "。", or ""'}
IMPRINT_PAGE_VARIABLE = {
    "type": "str",
    "meaning": '"same" (版记 at the foot of the last page of text), "new" (on a page of its own) or '
    '"after_blank" (after a blank page; neither page numbered); chosen by the PDF page rules',
}


def imprint_page_breaks() -> tuple[list[etree._Element], etree._Element]:
    """What puts the 版记 on a page of its own, or after a blank page (service/documents/page_rules.py).

    Returns the elements and the paragraph that becomes the body's last (section break) paragraph.
    Both paragraphs before the page break are 1 pt high, so they never push a full page over.
    """
    section_break = exact_paragraph(line=twips(20))
    elements = [
        *conditional(IMPRINT_AFTER_BLANK, section_break, exact_paragraph(line=twips(20))),
        *conditional("imprint_page != 'same'", grid_paragraph(align="left", page_break_before=True)),
    ]
    return elements, section_break


# --- forms ---------------------------------------------------------------------------------------------------

# Decision: the ruling of every form (reply slip, sign-in sheet, archive forms): 0.5 pt black.
FORM_RULE = Border(width=pt(0.5), color=RULE_COLOR_BLACK)
# Text in form cells: exact lines of 1.5 em (as MARK_LINE_EM: big enough that LibreOffice clips no glyph).
CELL_LINE = SIZE_3HAO * MARK_LINE_EM


def form_borders(outer: Border = FORM_RULE, inner: Border = FORM_RULE) -> TableBorders:
    """A form ruled all over: `outer` round the edge, `inner` between every row and column."""
    return TableBorders(
        top=outer, bottom=outer, left=outer, right=outer, inside_horizontal=inner, inside_vertical=inner
    )


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


@dataclass(frozen=True)
class Footers:
    """What the page footers carry: GB/T 9704-2012 7.5 page numbers, or nothing."""

    page_numbers: bool = True
    # GB/T 9704-2012 10.1: a letter's first page carries no page number.
    blank_first_page: bool = False


def assemble(
    body: Sequence[etree._Element],
    *,
    title: str,
    subject: str,
    geometry: PageGeometry | None = None,
    line_pitch: Length | None = LINE_PITCH,
    footers: Footers | None = Footers(),
    imprint_break: etree._Element | None = None,
    text_size: Length = SIZE_3HAO,
    character_spacing: Length = BODY_CHAR_SPACING,
) -> bytes:
    """One template as deterministic DOCX bytes: `body`, then the last section's page setup and footers.

    Earlier sections, if any, end in the body's own section breaks (ooxml.section_properties in a pPr).
    The last section is `geometry` (the GB/T 9704 page by default) on the line grid of `line_pitch`
    (None: no grid, for forms of ruled tables); `footers` None writes no header or footer at all.
    `imprint_break`, a paragraph of `body`, becomes the optional section break before a blank page and
    the 版记 page (see _split_off_imprint_section). Runs default to 仿宋 at `text_size`, and the Normal
    style condenses them by `character_spacing`.
    """
    document = docx.Document()
    _drop_default_parts(document)
    body_element = document.element.body
    for child in list(body_element):
        body_element.remove(child)
    for element in body:
        body_element.append(element)
    blank_first_page = footers is not None and footers.blank_first_page
    body_element.append(
        ooxml.section_properties(geometry or page_geometry(), line_pitch=line_pitch, title_page=blank_first_page)
    )

    section = document.sections[0]
    if footers is not None:
        if footers.page_numbers:
            _fill(section.footer, [page_number_paragraph(odd=True)])
            _fill(section.even_page_footer, [page_number_paragraph(odd=False)])
        else:
            _fill(section.footer, [exact_paragraph()])
            _fill(section.even_page_footer, [exact_paragraph()])
        if blank_first_page:
            _fill(section.first_page_header, [exact_paragraph()])
            _fill(section.first_page_footer, [exact_paragraph()])
    if imprint_break is not None:
        _split_off_imprint_section(document, imprint_break)

    document.part.part_related_by(RT.STYLES)._element = _parsed(  # type: ignore[attr-defined]
        ooxml.styles(
            font=FONT_FANGSONG,
            size=text_size,
            character_spacing=character_spacing,
            east_asian_language=EAST_ASIAN_LANGUAGE,
        )
    )
    document.part.part_related_by(RT.SETTINGS)._element = _parsed(  # type: ignore[attr-defined]
        ooxml.settings(even_and_odd_headers=footers is not None, east_asian_language=EAST_ASIAN_LANGUAGE)
    )
    document.part.part_related_by(RT.FONT_TABLE)._blob = ooxml.to_xml_bytes(ooxml.font_table(FONT_TABLE))
    for part in (document.part, *(rel.target_part for rel in document.part.rels.values())):
        if hasattr(part, "_element"):
            ooxml.hoist_namespaces(part._element)

    saved = io.BytesIO()
    document.save(saved)
    members = ooxml.read_package(saved.getvalue())
    members["docProps/core.xml"] = ooxml.core_properties(
        title=title,
        subject=subject,
        author="Gongwen",
        created=BUILD_DATE,
        modified=BUILD_DATE,
        last_modified_by="Gongwen",
        revision=1,
    )
    members["docProps/app.xml"] = ooxml.app_properties("Gongwen")
    return ooxml.write_package(members)


def _split_off_imprint_section(document: DocxDocument, break_paragraph: etree._Element) -> None:
    """GB/T 9704-2012 7.5: when a blank page precedes the 版记 page, neither carries a page number.

    `break_paragraph` (rendered only when the layout asks for the blank page) gets a copy of the final
    section's properties, so the body keeps its numbered footers up to there; the final section, which
    then holds only the blank page and the 版记 page, switches to empty footers and drops the letter's
    first-page variant. Both switches are Jinja expressions, so one template serves every layout.
    """
    final = document.sections[0]._sectPr
    body_section = copy.deepcopy(final)
    page_size = body_section.find(ooxml.qn("w:pgSz"))
    assert page_size is not None  # written by ooxml.section_properties
    page_size.addprevious(ooxml.el("w:type", {"w:val": "nextPage"}))
    properties = break_paragraph.find(ooxml.qn("w:pPr"))
    if properties is None:
        properties = ooxml.el("w:pPr")
        break_paragraph.insert(0, properties)
    properties.append(body_section)
    for reference in final.findall(ooxml.qn("w:footerReference")):
        if reference.get(ooxml.qn("w:type")) == "first":
            continue
        footer_part, empty_id = document.part.add_footer_part()
        footer = footer_part.element
        for child in list(footer):
            footer.remove(child)
        footer.append(exact_paragraph())
        numbered_id = reference.get(ooxml.qn("r:id"))
        reference.set(ooxml.qn("r:id"), f"{{{{ '{empty_id}' if {IMPRINT_AFTER_BLANK} else '{numbered_id}' }}}}")
    title_page = final.find(ooxml.qn("w:titlePg"))
    if title_page is not None:
        title_page.set(ooxml.qn("w:val"), f"{{{{ '0' if {IMPRINT_AFTER_BLANK} else '1' }}}}")


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


# --- manifest ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KindTemplates:
    """One kind's built-in templates: its files by variant, built on demand, and the manifest's contract.

    `variables` maps each context key to {"type", "meaning"}; templates/<kind>/manifest.json is written
    from it, and tests check it against what the kind's context builder produces.
    """

    kind: str
    files: Mapping[str, str]  # variant → file name
    build: Callable[[str], bytes]  # variant → DOCX bytes
    variables: Mapping[str, Mapping[str, str]]
    notes: Sequence[str] = ()
    # What uploaded versions are linted against: "gbt9704"; "gbt9704-one-page-form" (the standard without page
    # numbers); or "reference" for a form whose page is not a 公文 page (checked against these files' page setup).
    lint: str = "gbt9704"
    # A variant filled with another context than `variables` (variant → its variables, written the same way).
    variant_variables: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)

    def manifest(self) -> dict[str, object]:
        # No version here: these files are version 1 by definition, and uploads are numbered by the registry.
        return {
            "kind": self.kind,
            "files": dict(self.files),
            "lint": self.lint,
            "variables": {name: dict(entry) for name, entry in self.variables.items()},
            **(
                {
                    "variant_variables": {
                        variant: {name: dict(entry) for name, entry in variables.items()}
                        for variant, variables in self.variant_variables.items()
                    }
                }
                if self.variant_variables
                else {}
            ),
            "notes": [
                'Strings are plain text: the renderer escapes them; "" means absent.',
                *self.notes,
            ],
        }

    def write(self, out_dir: Path) -> dict[str, Path]:
        """Write every file and the manifest into `out_dir`; returns the paths written by name."""
        out_dir.mkdir(parents=True, exist_ok=True)
        written: dict[str, Path] = {}
        for variant, filename in self.files.items():
            path = out_dir / filename
            path.write_bytes(self.build(variant))
            written[filename] = path
        path = out_dir / "manifest.json"
        path.write_text(json.dumps(self.manifest(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written["manifest.json"] = path
        return written
