"""Low-level OOXML (WordprocessingML, DrawingML, OPC) element builders; the only layer that spells tags.

Everything above this module speaks in document terms. Lengths come in as `Length` and are converted here
to the unit each attribute counts in (twips, half-points, eighths of a point, EMU). A value that the
template fills at render time is passed as `Expr`, a Jinja expression that docxtpl evaluates.
Children are emitted in the order the ECMA-376 schema requires, because Word rejects other orders.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from lxml import etree

from service.typography.units import Length

NSMAP: dict[str, str] = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "xml": "http://www.w3.org/XML/1998/namespace",
}
EXTENDED_PROPERTIES_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
WPS_GRAPHIC_URI = NSMAP["wps"]

# The zip timestamp of every member: the earliest a zip can store, so output never depends on the clock.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

Align = Literal["left", "center", "right", "both"]
LineRule = Literal["auto", "exact", "atLeast"]
Unit = Literal["twips", "half_points", "eighth_points", "emu"]


@dataclass(frozen=True)
class Expr:
    """A Jinja expression the template evaluates at render time, e.g. Expr("issuer_mark_size")."""

    source: str

    def __str__(self) -> str:
        return "{{ " + self.source + " }}"


Measure = Length | Expr


def qn(name: str) -> str:
    """Clark notation for a prefixed name: qn("w:p") → "{http://…/main}p"."""
    prefix, local = name.split(":")
    return f"{{{NSMAP[prefix]}}}{local}"


def measure(value: Measure, unit: Unit) -> str:
    """The attribute text of a length in `unit`, or the Jinja expression that computes it."""
    if isinstance(value, Expr):
        return str(value)
    return str(getattr(value, unit))


def el(name: str, attrs: Mapping[str, object] | None = None, *children: etree._Element) -> etree._Element:
    """One element: `attrs` keys are prefixed names ("w:val"), values are written with str()."""
    prefix = name.split(":")[0]
    element = etree.Element(qn(name), nsmap={prefix: NSMAP[prefix]})
    for key, value in (attrs or {}).items():
        element.set(qn(key), str(value))
    element.extend(children)
    return element


def on_off(name: str, value: bool) -> etree._Element:
    """A toggle property written explicitly (`w:val="1"` / `"0"`), never implied by absence."""
    return el(name, {"w:val": "1" if value else "0"})


# --- runs ---------------------------------------------------------------------------------------------


def fonts(name: str) -> etree._Element:
    """w:rFonts naming one font on every slot, East Asian included, so Word never substitutes per script."""
    return el("w:rFonts", {"w:ascii": name, "w:hAnsi": name, "w:eastAsia": name, "w:cs": name, "w:hint": "eastAsia"})


def run_properties(
    font: str | None = None,
    size: Measure | None = None,
    *,
    bold: bool = False,
    color: str | None = None,
    character_spacing: Length | None = None,
    east_asian_language: str | None = None,
) -> etree._Element:
    """w:rPr: font on all slots, size in half-points, colour as RRGGBB, spacing in twips."""
    rpr = el("w:rPr")
    if font is not None:
        rpr.append(fonts(font))
    if bold:
        rpr.append(el("w:b"))
        rpr.append(el("w:bCs"))
    if color is not None:
        rpr.append(el("w:color", {"w:val": color}))
    if character_spacing is not None:
        rpr.append(el("w:spacing", {"w:val": character_spacing.twips}))
    if size is not None:
        rpr.append(el("w:sz", {"w:val": measure(size, "half_points")}))
        rpr.append(el("w:szCs", {"w:val": measure(size, "half_points")}))
    if east_asian_language is not None:
        rpr.append(el("w:lang", {"w:val": "en-US", "w:eastAsia": east_asian_language}))
    return rpr


def text(value: str) -> etree._Element:
    """w:t with spaces preserved (docxtpl also relies on the attribute being present)."""
    element = el("w:t")
    element.set(qn("xml:space"), "preserve")
    element.text = value
    return element


def run(value: str, properties: etree._Element | None = None) -> etree._Element:
    """A run of text; `value` may hold one complete Jinja tag such as "{{ title }}"."""
    r = el("w:r")
    if properties is not None:
        r.append(properties)
    r.append(text(value))
    return r


def tab_run(properties: etree._Element | None = None) -> etree._Element:
    r = el("w:r")
    if properties is not None:
        r.append(properties)
    r.append(el("w:tab"))
    return r


def page_field_runs(properties: etree._Element) -> list[etree._Element]:
    """A PAGE field as complex-field runs (begin, instruction, separate, placeholder result, end)."""

    def field_run(child: etree._Element) -> etree._Element:
        r = el("w:r", None, copy.deepcopy(properties))
        r.append(child)
        return r

    instruction = el("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    return [
        field_run(el("w:fldChar", {"w:fldCharType": "begin"})),
        field_run(instruction),
        field_run(el("w:fldChar", {"w:fldCharType": "separate"})),
        field_run(text("1")),
        field_run(el("w:fldChar", {"w:fldCharType": "end"})),
    ]


# --- paragraphs ---------------------------------------------------------------------------------------


NO_SPACE = Length(0)


@dataclass(frozen=True)
class Border:
    """One border line: width written in eighths of a point, `space` (gap to the text) in whole points."""

    width: Length
    color: str = "000000"
    style: str = "single"
    space: Length = NO_SPACE


@dataclass(frozen=True)
class TabStop:
    position: Length
    kind: Literal["left", "center", "right"] = "left"


def border(side: str, line: Border | None) -> etree._Element:
    """A border element (w:top, w:bottom, w:insideH …); None writes an explicit "no border"."""
    if line is None:
        return el(f"w:{side}", {"w:val": "nil"})
    return el(
        f"w:{side}",
        {"w:val": line.style, "w:sz": line.width.eighth_points, "w:space": round(line.space.pt), "w:color": line.color},
    )


def spacing(
    *,
    before: Measure | None = None,
    after: Measure | None = None,
    line: Measure | None = None,
    rule: LineRule = "exact",
) -> etree._Element:
    """w:spacing: before/after in twips; `line` in twips for exact/atLeast (240ths of a line for auto)."""
    attrs: dict[str, object] = {}
    if before is not None:
        attrs["w:before"] = measure(before, "twips")
    if after is not None:
        attrs["w:after"] = measure(after, "twips")
    if line is not None:
        attrs["w:line"] = measure(line, "twips")
        attrs["w:lineRule"] = rule
    return el("w:spacing", attrs)


def single_line_spacing() -> etree._Element:
    """Before/after 0 and single (240/240) line spacing: the grid then sets the pitch."""
    return el("w:spacing", {"w:before": 0, "w:after": 0, "w:line": 240, "w:lineRule": "auto"})


def indentation(
    *,
    left: Measure | None = None,
    right: Measure | None = None,
    first_line: Length | None = None,
    first_line_chars: int | None = None,
    hanging: Measure | None = None,
) -> etree._Element:
    """w:ind in twips; `first_line_chars` in hundredths of a character (Word's 字 unit)."""
    attrs: dict[str, object] = {}
    if left is not None:
        attrs["w:left"] = measure(left, "twips")
    if right is not None:
        attrs["w:right"] = measure(right, "twips")
    if hanging is not None:
        attrs["w:hanging"] = measure(hanging, "twips")
    if first_line_chars is not None:
        attrs["w:firstLineChars"] = first_line_chars
    if first_line is not None:
        attrs["w:firstLine"] = first_line.twips
    return el("w:ind", attrs)


def paragraph_properties(
    *,
    keep_next: bool | Expr = False,
    page_break_before: bool = False,
    borders: Mapping[str, Border] | None = None,
    tabs: Sequence[TabStop] = (),
    overflow_punctuation: bool | None = True,
    snap_to_grid: bool | None = None,
    line_spacing: etree._Element | None = None,
    indent: etree._Element | None = None,
    align: Align | None = None,
    run_defaults: etree._Element | None = None,
) -> etree._Element:
    """w:pPr with children in schema order.

    `overflow_punctuation` defaults to an explicit `w:overflowPunct w:val="1"`: NOTE: LibreOffice 7.4
    imports an absent value as "hanging punctuation on", and a line-end comma then hangs about 5.6 mm past
    the text block (and may vanish from the PDF).
    """
    ppr = el("w:pPr")
    if isinstance(keep_next, Expr):
        ppr.append(el("w:keepNext", {"w:val": keep_next}))
    elif keep_next:
        ppr.append(el("w:keepNext"))
    if page_break_before:
        ppr.append(el("w:pageBreakBefore"))
    if borders:
        pbdr = el("w:pBdr")
        for side in ("top", "left", "bottom", "right"):
            if side in borders:
                pbdr.append(border(side, borders[side]))
        ppr.append(pbdr)
    if tabs:
        ppr.append(el("w:tabs", None, *(el("w:tab", {"w:val": t.kind, "w:pos": t.position.twips}) for t in tabs)))
    if overflow_punctuation is not None:
        ppr.append(on_off("w:overflowPunct", overflow_punctuation))
    if snap_to_grid is not None:
        ppr.append(on_off("w:snapToGrid", snap_to_grid))
    if line_spacing is not None:
        ppr.append(line_spacing)
    if indent is not None:
        ppr.append(indent)
    if align is not None:
        ppr.append(el("w:jc", {"w:val": align}))
    if run_defaults is not None:
        ppr.append(run_defaults)
    return ppr


def paragraph(properties: etree._Element | None = None, *runs: etree._Element) -> etree._Element:
    p = el("w:p")
    if properties is not None:
        p.append(properties)
    p.extend(runs)
    return p


def tag_paragraph(tag: str) -> etree._Element:
    """A paragraph holding only one docxtpl paragraph/row tag ("{%p if x %}"); docxtpl drops it whole."""
    return paragraph(None, run(tag))


# --- tables -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FloatingPosition:
    """w:tblpPr: where a floating table sits; the x offset is from `horizontal_anchor`."""

    horizontal_anchor: Literal["page", "margin", "text"]
    x: Length
    vertical_anchor: Literal["page", "margin", "text"]
    y_spec: Literal["top", "center", "bottom", "inside", "outside"]


@dataclass(frozen=True)
class TableBorders:
    top: Border | None = None
    bottom: Border | None = None
    inside_horizontal: Border | None = None
    left: Border | None = None
    right: Border | None = None
    inside_vertical: Border | None = None


def table_properties(
    width: Measure,
    *,
    borders: TableBorders,
    floating: FloatingPosition | None = None,
    indent: Length = NO_SPACE,
    padding: Length = NO_SPACE,
    vertical_padding: Length = NO_SPACE,
) -> etree._Element:
    """w:tblPr: fixed layout, exact width, `indent` from the block's edge, cell margins `padding` left and
    right and `vertical_padding` top and bottom (none by default: indents then measure from the cell's edge)."""
    tblpr = el("w:tblPr")
    if floating is not None:
        tblpr.append(
            el(
                "w:tblpPr",
                {
                    "w:leftFromText": 0,
                    "w:rightFromText": 0,
                    "w:topFromText": 0,
                    "w:bottomFromText": 0,
                    "w:horzAnchor": floating.horizontal_anchor,
                    "w:tblpX": floating.x.twips,
                    "w:vertAnchor": floating.vertical_anchor,
                    "w:tblpYSpec": floating.y_spec,
                },
            )
        )
        tblpr.append(el("w:tblOverlap", {"w:val": "never"}))
    tblpr.append(el("w:tblW", {"w:w": measure(width, "twips"), "w:type": "dxa"}))
    tblpr.append(el("w:tblInd", {"w:w": indent.twips, "w:type": "dxa"}))
    tblpr.append(
        el(
            "w:tblBorders",
            None,
            border("top", borders.top),
            border("left", borders.left),
            border("bottom", borders.bottom),
            border("right", borders.right),
            border("insideH", borders.inside_horizontal),
            border("insideV", borders.inside_vertical),
        )
    )
    tblpr.append(el("w:tblLayout", {"w:type": "fixed"}))
    margins = {"top": vertical_padding, "left": padding, "bottom": vertical_padding, "right": padding}
    tblpr.append(
        el(
            "w:tblCellMar",
            None,
            *(el(f"w:{side}", {"w:w": length.twips, "w:type": "dxa"}) for side, length in margins.items()),
        )
    )
    tblpr.append(
        el(
            "w:tblLook",
            {"w:val": "0000", "w:firstRow": 0, "w:lastRow": 0, "w:firstColumn": 0, "w:lastColumn": 0},
        )
    )
    return tblpr


def table(properties: etree._Element, columns: Sequence[Measure], rows: Iterable[etree._Element]) -> etree._Element:
    grid = el("w:tblGrid", None, *(el("w:gridCol", {"w:w": measure(c, "twips")}) for c in columns))
    return el("w:tbl", None, properties, grid, *rows)


def table_row(
    cells: Iterable[etree._Element],
    *,
    height: Measure | None = None,
    height_rule: Literal["atLeast", "exact"] = "atLeast",
    repeat_as_header: bool = False,
    cant_split: bool = False,
) -> etree._Element:
    """w:tr; `height` (at least, or exact) may be a Jinja expression; header rows repeat on every page."""
    trpr = el("w:trPr")
    if cant_split:
        trpr.append(el("w:cantSplit"))
    if height is not None:
        trpr.append(el("w:trHeight", {"w:val": measure(height, "twips"), "w:hRule": height_rule}))
    if repeat_as_header:
        trpr.append(el("w:tblHeader"))
    row = el("w:tr")
    if len(trpr):
        row.append(trpr)
    row.extend(cells)
    return row


CellSide = Literal["top", "left", "bottom", "right"]


def table_cell(
    width: Measure,
    paragraphs: Iterable[etree._Element],
    *,
    span: int = 1,
    borders: Mapping[CellSide, Border | None] | None = None,
    vertical_align: Literal["top", "center", "bottom"] | None = None,
) -> etree._Element:
    """w:tc; `borders` are the cell's own, overriding the table's on the sides given (None: no line)."""
    tcpr = el("w:tcPr", None, el("w:tcW", {"w:w": measure(width, "twips"), "w:type": "dxa"}))
    if span > 1:
        tcpr.append(el("w:gridSpan", {"w:val": span}))
    if borders:
        sides: tuple[CellSide, ...] = ("top", "left", "bottom", "right")
        tcpr.append(el("w:tcBorders", None, *(border(side, borders[side]) for side in sides if side in borders)))
    if vertical_align is not None:
        tcpr.append(el("w:vAlign", {"w:val": vertical_align}))
    return el("w:tc", None, tcpr, *paragraphs)


def tag_row(tag: str, columns: int) -> etree._Element:
    """A table row holding one docxtpl row tag ("{%tr for x in xs %}"); docxtpl drops the row whole."""
    cells = [el("w:tc", None, paragraph(None, run(tag if i == 0 else ""))) for i in range(columns)]
    return el("w:tr", None, *cells)


# --- sections, headers, footers -----------------------------------------------------------------------


@dataclass(frozen=True)
class PageGeometry:
    """The page's size and margins; margins may be Jinja expressions (a label drawn to a given width)."""

    width: Length
    height: Length
    top: Measure
    right: Measure
    bottom: Measure
    left: Measure
    header: Length = NO_SPACE
    footer: Length = NO_SPACE


def section_properties(
    page: PageGeometry,
    *,
    line_pitch: Length | None,
    title_page: bool = False,
) -> etree._Element:
    """w:sectPr: page size and margins in twips, and with `line_pitch` a lines-only document grid.

    NOTE: `linesAndChars` with a negative charSpace sets 14 characters a line in LibreOffice 7.4, so the
    grid fixes only the line pitch; the 28 characters come from the body's character spacing.
    Forms of ruled tables pass no `line_pitch`: a grid would snap their rows to its steps.
    """
    sectpr = el("w:sectPr")
    sectpr.append(el("w:pgSz", {"w:w": page.width.twips, "w:h": page.height.twips}))
    sectpr.append(
        el(
            "w:pgMar",
            {
                "w:top": measure(page.top, "twips"),
                "w:right": measure(page.right, "twips"),
                "w:bottom": measure(page.bottom, "twips"),
                "w:left": measure(page.left, "twips"),
                "w:header": page.header.twips,
                "w:footer": page.footer.twips,
                "w:gutter": 0,
            },
        )
    )
    sectpr.append(el("w:cols", {"w:space": 0}))
    if title_page:
        sectpr.append(el("w:titlePg"))
    if line_pitch is not None:
        sectpr.append(el("w:docGrid", {"w:type": "lines", "w:linePitch": line_pitch.twips}))
    return sectpr


# --- DrawingML shapes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShapePosition:
    """Where an anchored shape sits: offsets from the page's top-left corner (EMU on output)."""

    x: Measure
    y: Measure
    width: Length
    height: Measure


def anchored_shape(
    shape_id: int,
    name: str,
    position: ShapePosition,
    *,
    fill: str | None = None,
    paragraphs: Sequence[etree._Element] = (),
) -> etree._Element:
    """A run holding a floating DrawingML rectangle (wps:wsp) positioned relative to the page.

    With `fill` it is a solid bar (how rules are drawn: LibreOffice and Word both render filled
    rectangles exactly); with `paragraphs` it is a text box with zero insets and no outline.
    Wrap is "none": the shape never moves body text.
    """
    anchor = _unqualified(
        "wp:anchor",
        distT=0,
        distB=0,
        distL=0,
        distR=0,
        simplePos=0,
        relativeHeight=shape_id,
        behindDoc=0,
        locked=1,
        layoutInCell=1,
        allowOverlap=1,
    )
    anchor.append(_unqualified("wp:simplePos", x=0, y=0))
    for axis, offset in (("wp:positionH", position.x), ("wp:positionV", position.y)):
        placement = _unqualified(axis, relativeFrom="page")
        placement.append(_text_el("wp:posOffset", measure(offset, "emu")))
        anchor.append(placement)
    anchor.append(_unqualified("wp:extent", cx=position.width.emu, cy=measure(position.height, "emu")))
    anchor.append(_unqualified("wp:effectExtent", l=0, t=0, r=0, b=0))
    anchor.append(el("wp:wrapNone"))
    anchor.append(_unqualified("wp:docPr", id=shape_id, name=name))
    anchor.append(el("wp:cNvGraphicFramePr"))

    shape = el("wps:wsp")
    shape.append(_unqualified("wps:cNvSpPr", txBox=1) if paragraphs else el("wps:cNvSpPr"))
    sppr = el("wps:spPr")
    xfrm = el("a:xfrm")
    xfrm.append(_unqualified("a:off", x=0, y=0))
    xfrm.append(_unqualified("a:ext", cx=position.width.emu, cy=measure(position.height, "emu")))
    sppr.append(xfrm)
    geometry = _unqualified("a:prstGeom", prst="rect")
    geometry.append(el("a:avLst"))
    sppr.append(geometry)
    if fill is not None:
        sppr.append(el("a:solidFill", None, _unqualified("a:srgbClr", val=fill)))
    else:
        sppr.append(el("a:noFill"))
    sppr.append(el("a:ln", None, el("a:noFill")))
    shape.append(sppr)
    if paragraphs:
        shape.append(el("wps:txbx", None, el("w:txbxContent", None, *paragraphs)))
    body = _unqualified("wps:bodyPr", rot=0, vert="horz", wrap="square", lIns=0, tIns=0, rIns=0, bIns=0, anchor="t")
    body.append(el("a:noAutofit"))
    shape.append(body)

    graphic_data = _unqualified("a:graphicData", uri=WPS_GRAPHIC_URI)
    graphic_data.append(shape)
    anchor.append(el("a:graphic", None, graphic_data))
    return el("w:r", None, el("w:drawing", None, anchor))


def _unqualified(tag: str, **attrs: object) -> etree._Element:
    """A DrawingML element: its attributes carry no namespace prefix."""
    element = el(tag)
    for key, value in attrs.items():
        element.set(key, str(value))
    return element


def _text_el(name: str, value: str) -> etree._Element:
    element = el(name)
    element.text = value
    return element


# --- document-level parts -----------------------------------------------------------------------------


def styles(
    *,
    font: str,
    size: Length,
    character_spacing: Length,
    east_asian_language: str,
) -> etree._Element:
    """styles.xml: document defaults and one Normal paragraph style, nothing else.

    Defaults: `font` on every slot, `size`, language en-US / `east_asian_language`, no space before or
    after paragraphs and single line spacing. Normal adds the body's condensed `character_spacing`.
    """
    root = el("w:styles")
    rpr_default = run_properties(font, size, east_asian_language=east_asian_language)
    ppr_default = el("w:pPr", None, single_line_spacing())
    root.append(
        el(
            "w:docDefaults",
            None,
            el("w:rPrDefault", None, rpr_default),
            el("w:pPrDefault", None, ppr_default),
        )
    )
    normal = el("w:style", {"w:type": "paragraph", "w:default": 1, "w:styleId": "Normal"})
    normal.append(el("w:name", {"w:val": "Normal"}))
    normal.append(el("w:qFormat"))
    normal.append(
        el(
            "w:pPr",
            None,
            # NOTE: GB/T 9704-2012 5.2.3 fills every page with 22 lines. Without an explicit value,
            # LibreOffice's DOCX import turns orphan control on and a full page can end at 21 lines.
            on_off("w:widowControl", False),
            on_off("w:overflowPunct", True),
            single_line_spacing(),
            el("w:jc", {"w:val": "both"}),
        )
    )
    normal_rpr = el("w:rPr")
    normal_rpr.append(el("w:spacing", {"w:val": character_spacing.twips}))
    normal_rpr.append(el("w:sz", {"w:val": size.half_points}))
    normal_rpr.append(el("w:szCs", {"w:val": size.half_points}))
    normal.append(normal_rpr)
    root.append(normal)
    table_normal = el("w:style", {"w:type": "table", "w:default": 1, "w:styleId": "TableNormal"})
    table_normal.append(el("w:name", {"w:val": "Normal Table"}))
    table_normal.append(el("w:uiPriority", {"w:val": 99}))
    table_normal.append(el("w:semiHidden"))
    table_normal.append(
        el(
            "w:tblPr",
            None,
            el("w:tblInd", {"w:w": 0, "w:type": "dxa"}),
            el(
                "w:tblCellMar",
                None,
                *(el(f"w:{s}", {"w:w": 0, "w:type": "dxa"}) for s in ("top", "left", "bottom", "right")),
            ),
        )
    )
    root.append(table_normal)
    return root


def settings(*, even_and_odd_headers: bool, east_asian_language: str) -> etree._Element:
    """settings.xml: odd/even footers, no punctuation compression, East Asian theme language.

    `doNotCompress` keeps every full-width mark one character wide, so Word sets the same 28-character
    lines as the grid; no rsids or docId, which Word would otherwise randomise.
    """
    root = el("w:settings")
    root.append(el("w:zoom", {"w:percent": 100}))
    if even_and_odd_headers:
        root.append(el("w:evenAndOddHeaders"))
    root.append(el("w:defaultTabStop", {"w:val": 420}))
    root.append(el("w:characterSpacingControl", {"w:val": "doNotCompress"}))
    compat = el("w:compat")
    compat.append(el("w:useFELayout"))
    compat.append(
        el(
            "w:compatSetting",
            {"w:name": "compatibilityMode", "w:uri": "http://schemas.microsoft.com/office/word", "w:val": 15},
        )
    )
    root.append(compat)
    root.append(el("w:themeFontLang", {"w:val": "en-US", "w:eastAsia": east_asian_language}))
    root.append(el("w:decimalSymbol", {"w:val": "."}))
    root.append(el("w:listSeparator", {"w:val": ","}))
    return root


@dataclass(frozen=True)
class FontEntry:
    """A fontTable entry: how Word finds a substitute when the named font is not installed."""

    name: str
    alt_name: str | None
    charset: str  # "86" = GB2312, "00" = ANSI
    family: Literal["roman", "swiss", "modern", "script", "decorative", "auto"]
    pitch: Literal["fixed", "variable"]


def font_table(entries: Iterable[FontEntry]) -> etree._Element:
    root = el("w:fonts")
    for entry in entries:
        font = el("w:font", {"w:name": entry.name})
        if entry.alt_name:
            font.append(el("w:altName", {"w:val": entry.alt_name}))
        font.append(el("w:charset", {"w:val": entry.charset}))
        font.append(el("w:family", {"w:val": entry.family}))
        font.append(el("w:pitch", {"w:val": entry.pitch}))
        root.append(font)
    return root


def hoist_namespaces(root: etree._Element) -> None:
    """Declare every namespace used below `root` once, on `root`, keeping the root's own declarations.

    The root's declarations must stay even when unused: `mc:Ignorable="w14 wp14"` names prefixes, and
    Word rejects a part whose ignorable prefixes are not declared.
    """
    used = {prefix: uri for prefix, uri in NSMAP.items() if prefix != "xml"}
    etree.cleanup_namespaces(root, top_nsmap=used, keep_ns_prefixes=[p for p in root.nsmap if p])


def to_xml_bytes(element: etree._Element) -> bytes:
    """A part's bytes: UTF-8 with a standalone declaration, namespaces declared once on the root."""
    hoist_namespaces(element)
    return etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


def w3cdtf(moment: datetime) -> str:
    """A W3CDTF timestamp in UTC; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def core_properties(
    *,
    title: str,
    subject: str,
    author: str,
    created: datetime,
    modified: datetime,
    last_modified_by: str,
    revision: int,
) -> bytes:
    """docProps/core.xml (OPC core properties); text is escaped by lxml, never interpreted."""
    root = etree.Element(
        qn("cp:coreProperties"),
        nsmap={k: NSMAP[k] for k in ("cp", "dc", "dcterms", "dcmitype", "xsi")},
    )

    def add(name: str, value: str) -> etree._Element:
        child = etree.SubElement(root, qn(name))
        child.text = value
        return child

    add("dc:title", title)
    add("dc:subject", subject)
    add("dc:creator", author)
    add("cp:lastModifiedBy", last_modified_by)
    add("cp:revision", str(revision))
    for name, moment in (("dcterms:created", created), ("dcterms:modified", modified)):
        add(name, w3cdtf(moment)).set(qn("xsi:type"), "dcterms:W3CDTF")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def app_properties(application: str) -> bytes:
    """docProps/app.xml with only the application name: nothing that changes between runs."""
    root = etree.Element(f"{{{EXTENDED_PROPERTIES_NS}}}Properties", nsmap={None: EXTENDED_PROPERTIES_NS})
    etree.SubElement(root, f"{{{EXTENDED_PROPERTIES_NS}}}Application").text = application
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# --- packages -----------------------------------------------------------------------------------------

_FIRST_MEMBERS = ("[Content_Types].xml", "_rels/.rels")


def member_order(name: str) -> tuple[int, str]:
    """Sort key: content types, then package relationships, then every other part by name."""
    return (_FIRST_MEMBERS.index(name), "") if name in _FIRST_MEMBERS else (len(_FIRST_MEMBERS), name)


def write_package(members: Mapping[str, bytes]) -> bytes:
    """A zip of `members` that depends only on their names and bytes.

    Every member gets the 1980-01-01 00:00 timestamp, the same attributes and DEFLATE at level 6, and the
    members are written in `member_order`, so equal inputs give byte-identical packages.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name in sorted(members, key=member_order):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            package.writestr(info, members[name], compresslevel=6)
    return buffer.getvalue()


def read_package(data: bytes) -> dict[str, bytes]:
    """Every member of a zip, in the order stored."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {info.filename: package.read(info) for info in package.infolist()}
