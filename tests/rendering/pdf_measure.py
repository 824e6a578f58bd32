"""Measure a LibreOffice PDF in millimetres from the paper's top-left corner: text lines, rules, grid.

The PDFs LibreOffice writes with the Fandol and Noto CJK fonts declare /Ascent and /Descent as 0, so
character boxes from font metrics are wrong; vertical positions here come from baselines, with the em
box of a CJK glyph taken as 0.88 em above the baseline and 0.12 em below it.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import pdfplumber
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

MM_PER_PT = 25.4 / 72
EM_ABOVE_BASELINE = 0.88
EM_BELOW_BASELINE = 0.12
BLOCK_TOP = 37.0  # GB/T 9704-2012 5.2.1: the 版心 is 37 mm from the top …
BLOCK_BOTTOM = 37.0 + 225.0  # … and 225 mm tall
BLOCK_LEFT = 28.0
BLOCK_RIGHT = 28.0 + 156.0
ROW = 579 / 1440 * 25.4  # GB/T 9704-2012 5.2.3: one of the 22 rows, the grid's 579-twip line pitch (mm)
ROW_ASCENT = 0.8 * ROW  # ADR 0002 line model: a row's baseline is 0.8 of the row below the row's top
CHARACTER = (BLOCK_RIGHT - BLOCK_LEFT) / 28  # 字: one of the 28 cells of a line
FOUR_HAO = 14 * MM_PER_PT  # one 4号 character (4.94 mm): the page number's and the 版记's indent
PAGE_NUMBER = re.compile(r"^— (\d+) —$")  # GB/T 9704-2012 7.5
# Punctuation that may not start a line (GB/T 15834 practice; LibreOffice's Chinese kinsoku list) …
NOT_AT_LINE_START = frozenset("。，、；：？！”’）》」』】〕〉…—·％")
# … and opening marks that may not end one.
NOT_AT_LINE_END = frozenset("“‘（《「『【〔〈")
# The faces fonts/fonts.conf maps the official fonts to, and the fallbacks that mean a font was missing.
MAPPED_FONTS = re.compile(r"FandolFang|FandolKai|NotoSerifCJK|NotoSansCJK|LiberationSerif")
FALLBACK_FONTS = re.compile(r"WenQuanYi|DejaVu|Droid")


def is_red(color: tuple[float, ...]) -> bool:
    """RGB red as the templates print it (FF0000)."""
    return len(color) == 3 and color[0] > 0.95 and max(color[1:]) < 0.05


class EmBox:
    """Where the em box of text set at `size` (pt) on `baseline` (mm) lies: 0.88 em above, 0.12 em below."""

    baseline: float
    size: float

    @property
    def em_top(self) -> float:
        return self.baseline - EM_ABOVE_BASELINE * self.size * MM_PER_PT

    @property
    def em_bottom(self) -> float:
        return self.baseline + EM_BELOW_BASELINE * self.size * MM_PER_PT


@dataclass(frozen=True)
class Char(EmBox):
    """One character as placed: its box's left and right, its baseline (mm), size (pt), font and fill."""

    text: str
    x0: float
    x1: float
    baseline: float
    size: float
    font: str  # without the subset tag (ABCDEF+)
    color: tuple[float, ...] = ()

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def middle(self) -> float:
        """The vertical centre of the em box."""
        return (self.em_top + self.em_bottom) / 2


@dataclass(frozen=True)
class Stroke:
    """A stroked line (mm): table rules and cell borders as LibreOffice draws them."""

    x0: float
    top: float
    x1: float
    bottom: float
    width: float  # the line's width

    @property
    def horizontal(self) -> bool:
        return abs(self.bottom - self.top) < 0.01

    @property
    def vertical(self) -> bool:
        return abs(self.x1 - self.x0) < 0.01


@dataclass(frozen=True)
class TextLine(EmBox):
    """Characters sharing one baseline."""

    baseline: float
    size: float  # pt, the largest on the line
    x0: float
    x1: float
    text: str
    fonts: frozenset[str]
    colors: frozenset[tuple[float, ...]] = frozenset()  # fill colours of the characters

    @property
    def cells(self) -> float:
        """Width in 字: full-width characters count 1, others ½."""
        return sum(1.0 if ord(c) > 0x2E7F else 0.5 for c in self.text)


@dataclass(frozen=True)
class Rule:
    """A rule as its box (mm): a horizontal line, or a filled rectangle (a bar, horizontal or vertical)."""

    top: float
    bottom: float
    x0: float
    x1: float
    color: tuple[float, ...]

    @property
    def length(self) -> float:
        return self.x1 - self.x0

    @property
    def thickness(self) -> float:
        return self.bottom - self.top

    @property
    def is_red(self) -> bool:
        return is_red(self.color)


@dataclass(frozen=True)
class Page:
    number: int
    lines: list[TextLine]
    rules: list[Rule]  # horizontal, each once
    width: float = 0.0  # mm
    height: float = 0.0
    chars: list[Char] = field(default_factory=list)  # every character, blanks included, in the PDF's order
    strokes: list[Stroke] = field(default_factory=list)
    filled: list[Rule] = field(default_factory=list)  # every filled rectangle and closed path

    def line_with(self, text: str) -> TextLine:
        found = [line for line in self.lines if text in line.text]
        if len(found) != 1:
            raise AssertionError(f"page {self.number}: {len(found)} lines contain {text!r}")
        return found[0]

    @property
    def body_lines(self) -> list[TextLine]:
        """Lines inside the 版心 (page numbers excluded)."""
        return [line for line in self.lines if line.em_top >= BLOCK_TOP and line.em_bottom <= BLOCK_BOTTOM + 0.5]


def read_pdf(path: Path) -> list[Page]:
    with pdfplumber.open(path) as pdf:
        return [_measure(number, page) for number, page in enumerate(pdf.pages, start=1)]


def read_pdf_bytes(data: bytes) -> list[Page]:
    """read_pdf for a PDF held in memory (what the conversion pool returns)."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [_measure(number, page) for number, page in enumerate(pdf.pages, start=1)]


@dataclass(frozen=True)
class EmbeddedFont:
    """One font resource of the PDF, as pdffonts lists it."""

    name: str  # BaseFont without the subset tag (ABCDEF+)
    embedded: bool


def embedded_fonts(data: bytes) -> list[EmbeddedFont]:
    """Every font the pages (and their form XObjects) use, once per PDF object."""
    found: dict[int, EmbeddedFont] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        _collect_fonts(page.get("/Resources"), found, set())
    return sorted(found.values(), key=lambda font: font.name)


def _collect_fonts(resources: Any, found: dict[int, EmbeddedFont], seen: set[int]) -> None:
    resources = resources.get_object() if resources is not None else None
    if not isinstance(resources, DictionaryObject) or id(resources) in seen:
        return
    seen.add(id(resources))
    fonts = resources.get("/Font")
    for reference in (fonts.get_object() if fonts is not None else {}).values():
        font = reference.get_object()
        key = getattr(reference, "idnum", id(font))
        descriptor = font.get("/FontDescriptor")
        if descriptor is None and "/DescendantFonts" in font:
            descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        found[key] = EmbeddedFont(str(font.get("/BaseFont", "")).split("+")[-1], embedded)
    xobjects = resources.get("/XObject")
    for reference in (xobjects.get_object() if xobjects is not None else {}).values():
        xobject = reference.get_object()
        if xobject.get("/Subtype") == "/Form":
            _collect_fonts(xobject.get("/Resources"), found, seen)


def _measure(number: int, page: Any) -> Page:
    height = float(page.height)
    by_baseline: dict[float, list[dict[str, Any]]] = {}
    for char in page.chars:
        baseline = round(height - float(char["matrix"][5]), 1)
        by_baseline.setdefault(baseline, []).append(char)
    lines = []
    for baseline, chars in sorted(by_baseline.items()):
        chars.sort(key=lambda c: float(c["x0"]))
        lines.append(
            TextLine(
                baseline=baseline * MM_PER_PT,
                size=max(float(c["size"]) for c in chars),
                x0=float(chars[0]["x0"]) * MM_PER_PT,
                x1=float(chars[-1]["x1"]) * MM_PER_PT,
                text="".join(str(c["text"]) for c in chars),
                fonts=frozenset(str(c["fontname"]).split("+")[-1] for c in chars),
                colors=frozenset(_color(c.get("non_stroking_color")) for c in chars),
            )
        )
    return Page(
        number=number,
        lines=lines,
        rules=_rules(page),
        width=float(page.width) * MM_PER_PT,
        height=height * MM_PER_PT,
        chars=[
            Char(
                text=str(c["text"]),
                x0=float(c["x0"]) * MM_PER_PT,
                x1=float(c["x1"]) * MM_PER_PT,
                baseline=(height - float(c["matrix"][5])) * MM_PER_PT,
                size=round(float(c["size"]), 2),
                font=str(c["fontname"]).split("+")[-1],
                color=_color(c.get("non_stroking_color")),
            )
            for c in page.chars
        ],
        strokes=[
            Stroke(
                x0=float(line["x0"]) * MM_PER_PT,
                top=float(line["top"]) * MM_PER_PT,
                x1=float(line["x1"]) * MM_PER_PT,
                bottom=float(line["bottom"]) * MM_PER_PT,
                width=float(line.get("linewidth", 0)) * MM_PER_PT,
            )
            for line in page.lines
        ],
        # NOTE: LibreOffice writes filled shapes (the 归档章's bars) as closed paths (curves).
        filled=[
            _rule(float(shape["top"]), float(shape["bottom"]), shape, "non_stroking_color")
            for shape in [*page.rects, *page.curves]
            if shape.get("fill")
        ],
    )


def _rules(page: Any) -> list[Rule]:
    """Horizontal rules, each once (LibreOffice paints paragraph borders twice)."""
    found: set[Rule] = set()
    for line in page.lines:
        if abs(float(line["top"]) - float(line["bottom"])) < 0.01:
            half = float(line.get("linewidth", 0)) / 2
            found.add(_rule(float(line["top"]) - half, float(line["top"]) + half, line, "stroking_color"))
    for shape in [*page.rects, *page.curves]:
        if float(shape["height"]) < 3 and float(shape["width"]) > 20:
            found.add(_rule(float(shape["top"]), float(shape["bottom"]), shape, "non_stroking_color"))
    return sorted(found, key=lambda r: (r.top, r.x0))


def _rule(top: float, bottom: float, shape: dict[str, Any], color_key: str) -> Rule:
    return Rule(
        top=round(top * MM_PER_PT, 2),
        bottom=round(bottom * MM_PER_PT, 2),
        x0=round(float(shape["x0"]) * MM_PER_PT, 2),
        x1=round(float(shape["x1"]) * MM_PER_PT, 2),
        color=_color(shape.get(color_key)),
    )


def _color(color: Any) -> tuple[float, ...]:
    """pdfplumber's colour (a number, a sequence or None) as a tuple: (g,), (r, g, b) or (c, m, y, k)."""
    color = color or ()
    return tuple(float(c) for c in color) if isinstance(color, Iterable) else (float(color),)


def grid_rows(page: Page, pitch: float = 579 / 1440 * 25.4) -> int:
    """How many grid rows the page's body spans, first to last line inclusive."""
    lines = page.body_lines
    if not lines:
        return 0
    return round((lines[-1].baseline - lines[0].baseline) / pitch) + 1


def row_of(line: TextLine) -> float:
    """Which of the 22 rows (from 0 at the 版心's top) the line's baseline sits on, unrounded."""
    return (line.baseline - BLOCK_TOP - ROW_ASCENT) / ROW


def is_pure_cjk(text: str) -> bool:
    return all(ord(c) > 0x2E7F for c in text)


@dataclass(frozen=True)
class FullLine:
    """A pure-CJK line that reaches the 版心's right edge, the 字 cells it fills and the line after it."""

    line: TextLine
    cells: int  # its characters, and the cells of its indent
    following: TextLine | None

    @property
    def kinsoku(self) -> bool:
        """Kinsoku barred the break after the 28th cell: the next line's second character may not start a
        line (so the 28th came down with it), or its first may not end one."""
        following = self.following
        return following is not None and (
            following.text[1:2] in NOT_AT_LINE_START or following.text[:1] in NOT_AT_LINE_END
        )


def full_lines(lines: Sequence[TextLine]) -> list[FullLine]:
    """The pure-CJK lines of `lines` (in reading order) that reach the block's right edge (GB/T 9704-2012 5.2.3:
    28 字 a line), counting an indent as the cells it takes."""
    return [
        FullLine(line, len(line.text) + round((line.x0 - BLOCK_LEFT) / CHARACTER), following)
        for line, following in zip(lines, [*lines[1:], None], strict=True)
        if is_pure_cjk(line.text) and line.x1 >= BLOCK_RIGHT - 1
    ]


def red_rules(page: Page) -> list[Rule]:
    return [rule for rule in page.rules if rule.is_red]


def full_width_rules(page: Page) -> list[Rule]:
    """Black rules across the 版心 (longer than 150 mm): a 版记's, a 报尾's or a full-width table's."""
    return [rule for rule in page.rules if not rule.is_red and rule.length > 150]


def vertical_rule_positions(pages: Iterable[Page]) -> set[tuple[int, float]]:
    """(page, x in mm) of every vertical stroked line, rounded to 0.1 mm."""
    return {(page.number, round(stroke.x0, 1)) for page in pages for stroke in page.strokes if stroke.vertical}


# What black looks like in LibreOffice's PDFs: grey, RGB or CMYK.
BLACK = frozenset({(0.0,), (0.0, 0.0, 0.0), (0.0, 0.0, 0.0, 1.0)})


def table_edge_errors(pages: Iterable[Page], edges: Sequence[float], *, tolerance: float = 0.3) -> list[str]:
    """Where a ruled table across the 版心 departs from its design on each page: full-width rules that do not
    run from the block's left edge to its right, vertical rules that are not at `edges` (mm), one each."""
    errors = []
    for page in pages:
        for rule in full_width_rules(page):
            if abs(rule.x0 - BLOCK_LEFT) > tolerance or abs(rule.x1 - BLOCK_RIGHT) > tolerance:
                errors.append(f"page {page.number}: rule from {rule.x0} to {rule.x1} mm")
        xs = sorted(x for number, x in vertical_rule_positions([page]) if number == page.number)
        if len(xs) != len(edges) or any(abs(x - edge) > tolerance for x, edge in zip(xs, edges, strict=False)):
            errors.append(f"page {page.number}: vertical rules at {xs}")
    return errors


def page_number_lines(pages: Iterable[Page]) -> dict[int, TextLine]:
    """The line below the 版心 on each page that has one (its page number), by page."""
    found = {}
    for page in pages:
        lines = [line for line in page.lines if line.em_top > BLOCK_BOTTOM]
        if len(lines) > 1:
            raise AssertionError(f"page {page.number}: {[line.text for line in lines]} below the block")
        if lines:
            found[page.number] = lines[0]
    return found


def page_number_errors(numbers: Mapping[int, TextLine], *, tolerance: float = 1.0) -> list[str]:
    """What departs from GB/T 9704-2012 7.5 in `numbers` (page_number_lines): "— N —" with N the page, 4号,
    the em box's top 7 mm below the 版心, odd pages one 4号 character in from the right, even from the left."""
    errors = []
    for page, line in numbers.items():
        match = PAGE_NUMBER.match(line.text)
        if match is None or int(match[1]) != page:
            errors.append(f"page {page}: {line.text!r}")
        if round(line.size, 2) != 14:
            errors.append(f"page {page}: {line.size} pt")
        if abs(line.em_top - (BLOCK_BOTTOM + 7)) > tolerance:
            errors.append(f"page {page}: em top {line.em_top - BLOCK_BOTTOM:.2f} mm below the block")
        edge = line.x1 - (BLOCK_RIGHT - FOUR_HAO) if page % 2 else line.x0 - (BLOCK_LEFT + FOUR_HAO)
        if abs(edge) > tolerance:
            errors.append(f"page {page}: {edge:+.2f} mm off its side's indent")
    return errors


def unmapped_fonts(fonts: Iterable[EmbeddedFont]) -> list[EmbeddedFont]:
    """The fonts that are not embedded, or are not one of the faces fonts/fonts.conf maps to (a fallback)."""
    return [
        font
        for font in fonts
        if not font.embedded or not MAPPED_FONTS.match(font.name) or FALLBACK_FONTS.search(font.name)
    ]


@dataclass(frozen=True)
class TableRow:
    """One band between two full-width rules: its page, its top and bottom rules (mm) and its cells' text."""

    page: int
    top: float
    bottom: float
    cells: tuple[str, ...]

    @property
    def height(self) -> float:
        return self.bottom - self.top


def read_table(pages: Iterable[Page], edges: Sequence[float]) -> list[TableRow]:
    """Every band of a ruled table across the 版心 (full_width_rules), in reading order; each character falls
    into the band its baseline is in and the column (between two of `edges`, mm) its centre is in."""
    rows: list[TableRow] = []
    for page in pages:
        for upper, lower in itertools.pairwise(full_width_rules(page)):
            inside = sorted((c.baseline, c.centre, c.text) for c in page.chars if upper.bottom < c.baseline < lower.top)
            cells = tuple(
                "".join(t for _, x, t in inside if left < x < right) for left, right in itertools.pairwise(edges)
            )
            rows.append(TableRow(page.number, upper.top, lower.bottom, cells))
    return rows


@dataclass(frozen=True)
class MeasuredPdf:
    """A rendered PDF as measured: the body it came from, its bytes, pages and fonts, and how long it took."""

    body: dict[str, Any]
    pdf: bytes
    pages: list[Page]
    fonts: list[EmbeddedFont]
    seconds: float = 0.0  # validation, DOCX, conversion and post-processing

    @classmethod
    def of(cls, pdf: bytes, body: dict[str, Any] | None = None, seconds: float = 0.0) -> Self:
        return cls(body or {}, pdf, read_pdf_bytes(pdf), embedded_fonts(pdf), seconds)

    @property
    def first(self) -> Page:
        return self.pages[0]

    @property
    def last(self) -> Page:
        return self.pages[-1]

    def page_numbers(self) -> dict[int, TextLine]:
        """Page number lines (below the block) by the page they are on."""
        return page_number_lines(self.pages)


def summarize(pages: list[Page]) -> dict[str, object]:
    """The GB/T 9704 numbers of a notice PDF (see docs/decisions/0002 for targets)."""
    first, last = pages[0], pages[-1]
    mark = max(first.lines, key=lambda line: line.size)
    red = [rule for rule in first.rules if rule.is_red]
    number = max((line for line in first.lines if red and line.em_bottom < red[0].top), key=lambda line: line.baseline)
    title = next(line for line in first.lines if line.em_top > red[0].bottom and line.size > 20) if red else None
    full_lines = [
        line
        for page in pages
        for line in page.body_lines
        if line.x1 > BLOCK_RIGHT - 1.5 and line.x0 < BLOCK_LEFT + 0.5 and all(ord(c) > 0x2E7F for c in line.text)
    ]
    numbers = [line for page in pages for line in page.lines if "—" in line.text and line.em_top > BLOCK_BOTTOM]
    # 版记 rules are 0.25–0.35 mm; the reply slip's 0.5 pt (0.18 mm) table lines are not.
    imprint_rules = [rule for rule in last.rules if not rule.is_red and rule.length > 150 and rule.thickness > 0.2]
    return {
        "pages": len(pages),
        "block left (mm)": min(line.x0 for page in pages for line in page.body_lines),
        "first baselines of pages 2+ (mm)": sorted(
            {round(p.body_lines[0].baseline, 2) for p in pages[1:] if p.body_lines}
        ),
        "grid rows per page": [grid_rows(page) for page in pages],
        "characters per pure-CJK full line": sorted({len(line.text) for line in full_lines}),
        "mark top below block top (mm)": round(mark.em_top - BLOCK_TOP, 2),
        "mark size (pt)": mark.size,
        "red rule below number em box (mm)": round(red[0].top - number.em_bottom, 2) if red else None,
        "red rule length, thickness (mm)": (round(red[0].length, 2), round(red[0].thickness, 3)) if red else None,
        "title size (pt), em top (mm)": (title.size, round(title.em_top, 2)) if title else None,
        "body sizes (pt)": sorted({line.size for page in pages for line in page.body_lines}),
        "imprint rules top/thickness (mm)": [(r.top, round(r.thickness, 3)) for r in imprint_rules],
        "imprint last rule bottom (mm)": imprint_rules[-1].bottom if imprint_rules else None,
        "page-number em top below block (mm)": sorted({round(line.em_top - BLOCK_BOTTOM, 2) for line in numbers}),
        "page-number x0/x1 (mm)": [(round(n.x0, 2), round(n.x1, 2)) for n in numbers],
    }


if __name__ == "__main__":
    import sys

    for argument in sys.argv[1:]:
        print(argument)
        for key, value in summarize(read_pdf(Path(argument))).items():
            print(f"  {key}: {value}")
