"""Measure a LibreOffice PDF in millimetres from the paper's top-left corner: text lines, rules, grid.

The PDFs LibreOffice writes with the Fandol and Noto CJK fonts declare /Ascent and /Descent as 0, so
character boxes from font metrics are wrong; vertical positions here come from baselines, with the em
box of a CJK glyph taken as 0.88 em above the baseline and 0.12 em below it.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass(frozen=True)
class TextLine:
    """Characters sharing one baseline."""

    baseline: float
    size: float  # pt, the largest on the line
    x0: float
    x1: float
    text: str
    fonts: frozenset[str]
    colors: frozenset[tuple[float, ...]] = frozenset()  # fill colours of the characters

    @property
    def em_top(self) -> float:
        return self.baseline - EM_ABOVE_BASELINE * self.size * MM_PER_PT

    @property
    def em_bottom(self) -> float:
        return self.baseline + EM_BELOW_BASELINE * self.size * MM_PER_PT

    @property
    def cells(self) -> float:
        """Width in 字: full-width characters count 1, others ½."""
        return sum(1.0 if ord(c) > 0x2E7F else 0.5 for c in self.text)


@dataclass(frozen=True)
class Rule:
    """A horizontal line or thin filled rectangle."""

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
        return len(self.color) == 3 and self.color[0] > 0.9 and max(self.color[1:]) < 0.1


@dataclass(frozen=True)
class Page:
    number: int
    lines: list[TextLine]
    rules: list[Rule]
    width: float = 0.0  # mm
    height: float = 0.0

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
