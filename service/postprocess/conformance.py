"""GB/T 9704-2012 measured on a rendered PDF: the conformance report a template preview returns with its pages.

Positions are millimetres from the paper's top-left corner, read with PDFium (tests/rendering/pdf_measure.py is
the same model on pdfplumber, for the test suite). NOTE: the PDFs LibreOffice writes with the Fandol and Noto CJK
fonts declare /Ascent and /Descent as 0, so vertical positions come from baselines, and the em box of a line is
taken as 0.88 em above its baseline and 0.12 em below it.

Profile "gbt9704" (公文 and meeting papers) measures the page size, the 版心 (text block), the grid of 22 lines
of 28 字, the body size, the page numbers, fonts and colours; profile "form" (archive cover, 归档章) only fonts and
colours, and reports its page sizes.
"""

from __future__ import annotations

import ctypes
import itertools
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pypdfium2
import pypdfium2.raw as pdfium_c

from service.errors import bilingual
from service.findings import Finding, Location, Report, Severity
from service.postprocess.pdfium import opened
from service.typography import gbt9704
from service.typography.units import mm, pt

MM_PER_PT = pt(1).mm


class Profile(StrEnum):
    GBT9704 = "gbt9704"  # 公文 and the meeting papers: the whole standard
    FORM = "form"  # archive cover and 归档章: forms of their own size, only fonts and colours


# The 版心 (GB/T 9704-2012 5.2.1), mm from the paper's top-left corner.
BLOCK_LEFT = gbt9704.MARGIN_LEFT.mm
BLOCK_RIGHT = (gbt9704.MARGIN_LEFT + gbt9704.TEXT_WIDTH).mm
BLOCK_TOP = gbt9704.MARGIN_TOP.mm
BLOCK_BOTTOM = (gbt9704.MARGIN_TOP + gbt9704.TEXT_HEIGHT).mm
CHARACTER = gbt9704.CHAR_WIDTH.mm  # one 字 of the 28 a line

# NOTE: LibreOffice's CJK fonts declare no ascent or descent; a CJK glyph's em box sits 0.88 em above the baseline.
EM_ABOVE_BASELINE = 0.88
EM_BELOW_BASELINE = 0.12

EDGE_TOLERANCE = gbt9704.MARGIN_TOLERANCE.mm  # GB/T 9704-2012 5.2.1: 天头 and 订口 ± 1 mm
PAGE_SIZE_TOLERANCE = mm(1).mm  # decision: a PDF page is exact; 1 mm tells A4 from US Letter and anything else
PAGE_NUMBER_TOLERANCE = mm(1).mm  # decision: what the page-number tests allow
PITCH_TOLERANCE = pt(0.3).pt  # decision: LibreOffice keeps the grid's pitch to a hundredth of a point
SIZE_TOLERANCE = pt(0.25).pt  # decision: sizes are whole half-points; anything closer is the same size
SAME_BASELINE = pt(0.1).mm  # characters this close vertically share a line
WIDE_LINE = 0.75  # decision: a line over ¾ of the block's width shows where the block's left edge is
CENTRED = mm(5).mm  # decision: a page number this close to the page's middle is centred

# Kinsoku (GB/T 15834 practice; LibreOffice's Chinese list): punctuation that may not start a line …
NOT_AT_LINE_START = frozenset("。，、；：？！”’）》」』】〕〉…—·％")
# … and opening marks that may not end one.
NOT_AT_LINE_END = frozenset("“‘（《「『【〔〈")
# The faces fontconfig falls back to when an official font is missing (fonts/fonts.conf maps the others).
FALLBACK_FONTS = re.compile(r"WenQuanYi|DejaVu|Droid")
_DASH = re.escape(gbt9704.PAGE_NUMBER_DASH)
PAGE_NUMBER = re.compile(rf"^{_DASH}\s*(\d+)\s*{_DASH}$")  # GB/T 9704-2012 7.5: "— 1 —"
_PAGE_NUMBER_LIKE = re.compile(r"\d")
_RED = tuple(int(gbt9704.RED[i : i + 2], 16) for i in (0, 2, 4))


@dataclass(frozen=True)
class PageSummary:
    """One page as measured: size (mm), body lines, characters per full line, its page number and the side of it."""

    number: int
    width_mm: float
    height_mm: float
    lines: int  # distinct baselines of the 版心's running text (ruled tables and page number excluded)
    full_lines_chars: list[int]  # 字 of each pure-CJK 3号 line filling the block's width, an indent in cells
    page_number: str | None
    page_number_side: str | None  # "left", "right", "centre"

    def as_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "width_mm": round(self.width_mm, 2),
            "height_mm": round(self.height_mm, 2),
            "lines": self.lines,
            "full_lines_chars": self.full_lines_chars,
            "page_number": self.page_number,
            "page_number_side": self.page_number_side,
        }


@dataclass(frozen=True)
class PdfConformance:
    """What measure_conformance found: the pages, the fonts the text uses, and the findings."""

    profile: str
    pages: list[PageSummary]
    fonts: list[str]  # base font names, subset tags removed
    findings: list[Finding]

    @property
    def report(self) -> Report:
        return Report.of(self.findings)

    @property
    def chars_per_full_line(self) -> dict[int, int]:
        """How many full lines hold each count of 字, over the whole PDF."""
        counts = Counter(chars for page in self.pages for chars in page.full_lines_chars)
        return dict(sorted(counts.items()))

    def summary(self) -> dict[str, Any]:
        """The plain numbers: pages, lines per page, the histogram of characters per full line, fonts."""
        return {
            "pages": len(self.pages),
            "lines_per_page": [page.lines for page in self.pages],
            "chars_per_full_line": {str(chars): count for chars, count in self.chars_per_full_line.items()},
            "fonts": self.fonts,
        }

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: the report's ok, counts and findings, with the profile, summary, pages and fonts."""
        return {
            "profile": self.profile,
            **self.report.as_dict(),
            "summary": self.summary(),
            "pages": [page.as_dict() for page in self.pages],
            "fonts": self.fonts,
        }


def measure_conformance(pdf: bytes, *, profile: str = Profile.GBT9704) -> PdfConformance:
    """Measure `pdf` page by page against GB/T 9704-2012 (or, for profile "form", only its fonts and colours)."""
    chosen = Profile(profile)
    document = _read(pdf)
    findings = [*_font_findings(document), *_colour_findings(document)]
    if chosen is Profile.FORM:
        summaries = [_summary(page, None, []) for page in document.pages]
        return PdfConformance(chosen.value, summaries, sorted(document.fonts), findings)
    findings += [*_page_size_findings(document), *_body_size_findings(document)]
    summaries = []
    for part in _parts(document):
        letter = _first_letter_rule(part[0]) is not None
        layouts = [
            _layout(page, ordinal=index, last=index == len(part), letter=letter)
            for index, page in enumerate(part, start=1)
        ]
        full = _full_lines(layouts)
        findings += _block_edge_findings(layouts)
        findings += _page_number_findings(layouts)
        for layout in layouts:
            on_page = full.get(layout.page.number, [])
            findings += _outside_findings(layout)
            findings += _grid_findings(layout, on_page)
            summaries.append(_summary(layout.page, layout, on_page))
    # Whole-document findings first, then page by page.
    findings.sort(key=lambda finding: finding.location.page or 0 if finding.location is not None else 0)
    return PdfConformance(chosen.value, summaries, sorted(document.fonts), findings)


# --- Reading the PDF -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Char:
    text: str
    x0: float  # the character's box, left and right (mm)
    x1: float
    baseline: float
    size: float  # pt
    font: str
    colour: tuple[int, int, int]  # RGB of its fill, 0–255


@dataclass(frozen=True)
class _Line:
    """Characters sharing one baseline, left to right."""

    chars: tuple[_Char, ...]

    @property
    def text(self) -> str:
        return "".join(char.text for char in self.chars)

    @property
    def baseline(self) -> float:
        return self.chars[0].baseline

    @property
    def size(self) -> float:
        return max(char.size for char in self.chars)

    @property
    def x0(self) -> float:
        return self.chars[0].x0

    @property
    def x1(self) -> float:
        return max(char.x1 for char in self.chars)

    @property
    def em_top(self) -> float:
        return self.baseline - EM_ABOVE_BASELINE * self.size * MM_PER_PT

    @property
    def em_bottom(self) -> float:
        return self.baseline + EM_BELOW_BASELINE * self.size * MM_PER_PT

    @property
    def fonts(self) -> frozenset[str]:
        return frozenset(char.font for char in self.chars)

    @property
    def is_body_size(self) -> bool:
        return abs(self.size - gbt9704.BODY_SIZE.pt) <= SIZE_TOLERANCE

    @property
    def is_pure_cjk(self) -> bool:
        """Every character full-width (CJK and full-width punctuation): no Latin, digits or blanks."""
        return all(ord(char) > 0x2E7F for char in self.text)


@dataclass(frozen=True)
class _Rule:
    """A horizontal rule or a vertical one (a table's cell border), as its box in mm, with its colour."""

    x0: float
    top: float
    x1: float
    bottom: float
    colour: tuple[int, int, int]

    @property
    def vertical(self) -> bool:
        return self.bottom - self.top > 3 * (self.x1 - self.x0)


@dataclass(frozen=True)
class _Region:
    """A ruled table: the box its vertical rules span."""

    x0: float
    top: float
    x1: float
    bottom: float

    def holds(self, line: _Line) -> bool:
        return self.top <= line.baseline <= self.bottom and line.x0 < self.x1 and line.x1 > self.x0


@dataclass(frozen=True)
class _Page:
    number: int
    width: float
    height: float
    lines: list[_Line]  # top to bottom
    rules: list[_Rule]

    @property
    def tables(self) -> list[_Region]:
        return _tables([rule for rule in self.rules if rule.vertical])


@dataclass(frozen=True)
class _Font:
    embedded: bool
    page: int  # the first page using it


@dataclass(frozen=True)
class _Document:
    pages: list[_Page]
    fonts: dict[str, _Font]  # by base font name
    parts: list[int]  # the first page (from 1) of each part the outline names


def _read(pdf: bytes) -> _Document:
    with opened(pdf) as document:
        pages = []
        fonts: dict[str, _Font] = {}
        for index in range(len(document)):
            page = document[index]
            try:
                pages.append(_read_page(index + 1, page, fonts))
            finally:
                page.close()
        parts = _outline_parts(document)
    return _Document(pages, fonts, parts)


def _read_page(number: int, page: pypdfium2.PdfPage, fonts: dict[str, _Font]) -> _Page:
    left, bottom, right, top = page.get_mediabox()
    text_page = page.get_textpage()
    try:
        chars = list(_chars(text_page, left, top))
    finally:
        text_page.close()
    rules = []
    for obj in page.get_objects(max_depth=15):
        if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT:
            name, embedded = _font(obj)
            known = fonts.get(name)
            fonts[name] = _Font(embedded and (known is None or known.embedded), known.page if known else number)
        elif obj.type == pdfium_c.FPDF_PAGEOBJ_PATH and obj.level == 0:
            # Paths inside form XObjects have their bounds in the form's space; LibreOffice draws rules on the page.
            rule = _rule(obj, left, top)
            if rule is not None:
                rules.append(rule)
    return _Page(number, (right - left) * MM_PER_PT, (top - bottom) * MM_PER_PT, _lines(chars), rules)


def _chars(text_page: pypdfium2.PdfTextPage, left: float, top: float) -> Iterator[_Char]:
    raw = text_page.raw
    box = pdfium_c.FS_RECTF()
    x, y = ctypes.c_double(), ctypes.c_double()
    red, green, blue, alpha = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    name = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    for index in range(pdfium_c.FPDFText_CountChars(raw)):
        # Generated characters are PDFium's: line ends and the blanks it guesses between words.
        if pdfium_c.FPDFText_IsGenerated(raw, index):
            continue
        code = pdfium_c.FPDFText_GetUnicode(raw, index)
        if code == 0:
            continue
        # The loose box runs from the origin by the advance width (PDFium widens it to the glyph's ink).
        pdfium_c.FPDFText_GetLooseCharBox(raw, index, box)
        pdfium_c.FPDFText_GetCharOrigin(raw, index, x, y)
        pdfium_c.FPDFText_GetFillColor(raw, index, red, green, blue, alpha)
        pdfium_c.FPDFText_GetFontInfo(raw, index, name, len(name), flags)
        yield _Char(
            text=chr(code),
            x0=(box.left - left) * MM_PER_PT,
            x1=(box.right - left) * MM_PER_PT,
            baseline=(top - y.value) * MM_PER_PT,
            size=round(pdfium_c.FPDFText_GetFontSize(raw, index), 2),
            font=_base_name(name.value),
            colour=(red.value, green.value, blue.value),
        )


def _base_name(name: bytes) -> str:
    """A font's name without its subset tag (ABCDEF+)."""
    return name.decode("utf-8", "replace").split("+")[-1]


def _font(obj: pypdfium2.PdfObject) -> tuple[str, bool]:
    font = pdfium_c.FPDFTextObj_GetFont(obj.raw)
    length = pdfium_c.FPDFFont_GetBaseFontName(font, None, 0)
    buffer = ctypes.create_string_buffer(max(length, 1))
    pdfium_c.FPDFFont_GetBaseFontName(font, buffer, length)
    return _base_name(buffer.value), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))


def _rule(obj: pypdfium2.PdfObject, left: float, top: float) -> _Rule | None:
    """A path that is a thin line, horizontal or vertical, in its stroke's colour (or its fill's, if filled)."""
    x0, y0, x1, y1 = obj.get_bounds()
    width, height = x1 - x0, y1 - y0
    # pt: rules are at most a few points thick; a horizontal one is longer than 20 pt (tests' measure too)
    horizontal = height < 3 and width > 20
    vertical = width < 3 and height > 20
    if not (horizontal or vertical):
        return None
    fill_mode, stroked = ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPath_GetDrawMode(obj.raw, fill_mode, stroked)
    red, green, blue, alpha = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if fill_mode.value:
        pdfium_c.FPDFPageObj_GetFillColor(obj.raw, red, green, blue, alpha)
    else:
        pdfium_c.FPDFPageObj_GetStrokeColor(obj.raw, red, green, blue, alpha)
    return _Rule(
        x0=(x0 - left) * MM_PER_PT,
        top=(top - y1) * MM_PER_PT,
        x1=(x1 - left) * MM_PER_PT,
        bottom=(top - y0) * MM_PER_PT,
        colour=(red.value, green.value, blue.value),
    )


def _lines(chars: list[_Char]) -> list[_Line]:
    lines: list[list[_Char]] = []
    for char in sorted(chars, key=lambda c: (c.baseline, c.x0)):
        if lines and char.baseline - lines[-1][0].baseline <= SAME_BASELINE:
            lines[-1].append(char)
        else:
            lines.append([char])
    return [_Line(tuple(sorted(line, key=lambda c: c.x0))) for line in lines]


def _tables(verticals: list[_Rule]) -> list[_Region]:
    """Vertical rules that overlap top to bottom, two or more, as the table they rule."""
    regions: list[list[_Rule]] = []
    for rule in sorted(verticals, key=lambda r: r.top):
        if regions and rule.top <= max(r.bottom for r in regions[-1]):
            regions[-1].append(rule)
        else:
            regions.append([rule])
    return [
        _Region(
            min(r.x0 for r in rules), min(r.top for r in rules), max(r.x1 for r in rules), max(r.bottom for r in rules)
        )
        for rules in regions
        if len(rules) >= 2
    ]


def _outline_parts(document: pypdfium2.PdfDocument) -> list[int]:
    """First pages of the parts a merged PDF names in its outline (merge_pdfs: one top-level entry a part)."""
    starts = set()
    for item in document.get_toc(max_depth=1):
        destination = item.get_dest()
        index = destination.get_index() if destination is not None else None
        if index is not None:
            starts.add(index + 1)
    return sorted(starts) if 1 in starts else [1]


def _parts(document: _Document) -> list[list[_Page]]:
    """The pages of each part: each numbered from its own first page (a 反馈单 per unit, merged)."""
    bounds = [*document.parts, len(document.pages) + 1]
    return [document.pages[start - 1 : end - 1] for start, end in itertools.pairwise(bounds) if end > start]


# --- Where each line belongs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """A page's lines sorted into the roles the checks need."""

    page: _Page
    ordinal: int  # the page's place in its part, from 1
    last: bool  # the part's last page
    letter: bool  # the part is a letter (信函格式)
    head: list[_Line]  # a letter's mark, above its red double line (GB/T 9704-2012 10.1)
    number: _Line | None  # the page number line
    body: list[_Line]  # everything else in or about the 版心
    grid: list[_Line]  # body lines outside ruled tables: the running text the 22 × 28 grid is for

    @property
    def blank(self) -> bool:
        return not self.body and not self.head


def _first_letter_rule(page: _Page) -> float | None:
    """The top (mm) of a letter's first red double line (GB/T 9704-2012 10.1: red, 170 mm long, below the mark)."""
    tops = [
        rule.top
        for rule in page.rules
        if _is_red(rule.colour)
        and not rule.vertical
        and abs((rule.x1 - rule.x0) - gbt9704.LETTER_RULE_LENGTH.mm) <= 2 * EDGE_TOLERANCE
        and rule.top < page.height / 2
    ]
    return min(tops, default=None)


def _layout(page: _Page, *, ordinal: int, last: bool, letter: bool) -> _Layout:
    rule = _first_letter_rule(page) if letter and ordinal == 1 else None
    head = [line for line in page.lines if rule is not None and line.em_bottom <= rule + EDGE_TOLERANCE]
    tables = page.tables
    rest = [line for line in page.lines if line not in head]
    free = [line for line in rest if not any(table.holds(line) for table in tables)]
    numbers = [line for line in free if PAGE_NUMBER.match(line.text.strip())] or [
        line for line in free if line.em_top > BLOCK_BOTTOM and _PAGE_NUMBER_LIKE.search(line.text)
    ]
    number = max(numbers, key=lambda line: line.baseline, default=None)
    body = [line for line in rest if line is not number]
    grid = [
        line
        for line in free
        if line is not number
        and line.em_top >= BLOCK_TOP - EDGE_TOLERANCE
        and line.em_bottom <= BLOCK_BOTTOM + EDGE_TOLERANCE
    ]
    return _Layout(page, ordinal, last, letter, head, number, body, grid)


def _summary(page: _Page, layout: _Layout | None, full: Sequence[_FullLine]) -> PageSummary:
    number = layout.number if layout is not None else None
    return PageSummary(
        number=page.number,
        width_mm=page.width,
        height_mm=page.height,
        lines=len(layout.grid) if layout is not None else len(page.lines),
        full_lines_chars=[line.cells for line in full],
        page_number=number.text.strip() if number is not None else None,
        page_number_side=_side(number, page) if number is not None else None,
    )


@dataclass(frozen=True)
class _FullLine:
    """A pure-CJK 3号 line that fills the block's width, the 字 cells it takes and the line after it."""

    line: _Line
    cells: int
    following: _Line | None

    @property
    def allowed(self) -> bool:
        """28 字; 27 where kinsoku pulled the 28th down; 26 or 27 before a number, which is never broken."""
        if self.cells == gbt9704.CHARS_PER_LINE:
            return True
        following = self.following.text if self.following is not None else ""
        kinsoku = following[1:2] in NOT_AT_LINE_START or following[:1] in NOT_AT_LINE_END
        latin_follows = following[:1].isascii() and following[:1].isalnum()
        return (self.cells == gbt9704.CHARS_PER_LINE - 1 and kinsoku) or (
            gbt9704.CHARS_PER_LINE - 2 <= self.cells < gbt9704.CHARS_PER_LINE and latin_follows
        )


def _full_lines(layouts: Sequence[_Layout]) -> dict[int, list[_FullLine]]:
    """The full lines of a part by page (GB/T 9704-2012 5.2.3: 28 字 a line): pure-CJK 3号 lines reaching the
    block's right edge, an indent counting the 字 cells it takes."""
    ordered = [(layout.page.number, line) for layout in layouts for line in layout.grid]
    found: dict[int, list[_FullLine]] = {}
    for (page, line), following in zip(ordered, [*(line for _, line in ordered[1:]), None], strict=True):
        if line.is_body_size and line.is_pure_cjk and line.text and line.x1 >= BLOCK_RIGHT - EDGE_TOLERANCE:
            indent = max(0, round((line.x0 - BLOCK_LEFT) / CHARACTER))
            found.setdefault(page, []).append(_FullLine(line, len(line.text) + indent, following))
    return found


def _is_black(colour: tuple[int, int, int]) -> bool:
    """Black as LibreOffice writes it, or within a tenth of it."""
    return max(colour) <= 0x1A


def _is_red(colour: tuple[int, int, int]) -> bool:
    """The templates' screen red (RED), or a red as near it as GB/T 9704-2012 6.2's print red (Y80 % M80 %)."""
    return colour[0] >= 0.8 * _RED[0] and max(colour[1:]) <= 0x4D


def _side(line: _Line, page: _Page) -> str:
    centre = (line.x0 + line.x1) / 2
    if abs(centre - page.width / 2) <= CENTRED:
        return "centre"
    return "left" if centre < page.width / 2 else "right"


def _hex(colour: tuple[int, int, int]) -> str:
    return "#" + "".join(f"{component:02X}" for component in colour)


# --- Findings ------------------------------------------------------------------------------------------------


def _font_findings(document: _Document) -> Iterator[Finding]:
    for name, font in sorted(document.fonts.items()):
        where = Location(page=font.page)
        if FALLBACK_FONTS.search(name):
            yield Finding(
                "font_fallback",
                Severity.ERROR,
                bilingual(
                    f"使用了替代字体{name}：所需的公文字体未安装或未映射",
                    f"the text falls back to {name}: an official font is missing or not mapped (fonts/fonts.conf)",
                ),
                where,
                measured=name,
                expected="FandolFang, FandolKai, Noto Serif/Sans CJK, Liberation Serif",
            )
        if not font.embedded:
            yield Finding(
                "font_not_embedded",
                Severity.ERROR,
                bilingual(f"字体{name}未嵌入PDF", f"the font {name} is not embedded in the PDF"),
                where,
                measured=name,
                expected="embedded",
            )


def _colour_findings(document: _Document) -> Iterator[Finding]:
    """Text in colours other than black and red (GB/T 9704-2012 5.2.4: black unless stated; the mark red)."""
    for page in document.pages:
        seen: dict[tuple[int, int, int], _Line] = {}
        for line in page.lines:
            for char in line.chars:
                if not (char.text.isspace() or _is_black(char.colour) or _is_red(char.colour)):
                    seen.setdefault(char.colour, line)
        for colour, line in seen.items():
            yield Finding(
                "colour_unusual",
                Severity.WARNING,
                bilingual(f"文字颜色为{_hex(colour)}，应为黑色或红色", f"text in {_hex(colour)}, not black or red"),
                Location(page=page.number, text=line.text),
                measured=_hex(colour),
                expected=f"#000000 or #{gbt9704.RED}",
            )


def _page_size_findings(document: _Document) -> Iterator[Finding]:
    width, height = gbt9704.PAGE_WIDTH.mm, gbt9704.PAGE_HEIGHT.mm
    for page in document.pages:
        if abs(page.width - width) > PAGE_SIZE_TOLERANCE or abs(page.height - height) > PAGE_SIZE_TOLERANCE:
            yield Finding(
                "page_size",
                Severity.ERROR,
                bilingual(
                    f"页面为{page.width:.1f} × {page.height:.1f}毫米，应为A4",
                    f"the page is {page.width:.1f} × {page.height:.1f} mm, not A4 (GB/T 9704-2012 5.1)",
                ),
                Location(page=page.number),
                measured=f"{page.width:.1f} × {page.height:.1f} mm",
                expected=f"{width:.0f} × {height:.0f} mm ± {PAGE_SIZE_TOLERANCE:.0f} mm",
            )


def _body_size_findings(document: _Document) -> Iterator[Finding]:
    """The size most characters are set in is the body's: 3号 (GB/T 9704-2012 5.2.2)."""
    sizes = Counter(
        round(char.size * 2) / 2
        for page in document.pages
        for line in page.lines
        for char in line.chars
        if not char.text.isspace()
    )
    if not sizes:
        return
    size = sizes.most_common(1)[0][0]
    if abs(size - gbt9704.BODY_SIZE.pt) > SIZE_TOLERANCE:
        yield Finding(
            "body_size",
            Severity.ERROR,
            bilingual(
                f"正文字号为{size:g}磅，应为3号（16磅）",
                f"most text is set in {size:g} pt; the body should be 3号, 16 pt (GB/T 9704-2012 5.2.2)",
            ),
            measured=f"{size:g} pt",
            expected=f"{gbt9704.BODY_SIZE.pt:g} pt",
        )


def _block_edge_findings(layouts: Sequence[_Layout]) -> Iterator[Finding]:
    """The 版心's left edge (订口, GB/T 9704-2012 5.2.1), where the wide lines of running text start.

    Text left of the block is text_outside_block; this finds a block that starts too far right.
    """
    wide = [
        (layout.page.number, line)
        for layout in layouts
        for line in layout.grid
        if line.is_body_size and line.x1 - line.x0 >= WIDE_LINE * gbt9704.TEXT_WIDTH.mm
    ]
    if not wide:
        return
    page, line = min(wide, key=lambda item: item[1].x0)
    if line.x0 - BLOCK_LEFT > EDGE_TOLERANCE:
        yield Finding(
            "block_edge",
            Severity.ERROR,
            bilingual(
                f"版心左缘距纸边{line.x0:.1f}毫米，应为{BLOCK_LEFT:.0f}毫米",
                f"the text block starts {line.x0:.1f} mm from the paper's left edge, not {BLOCK_LEFT:.0f} mm "
                "(GB/T 9704-2012 5.2.1)",
            ),
            Location(page=page, text=line.text),
            measured=f"{line.x0:.1f} mm",
            expected=f"{BLOCK_LEFT:.0f} mm ± {EDGE_TOLERANCE:.0f} mm",
        )


_SIDES_ZH = {"left": "左侧", "right": "右侧", "centre": "居中"}


def _page_number_findings(layouts: Sequence[_Layout]) -> Iterator[Finding]:
    """GB/T 9704-2012 7.5: "— N —" in 4号, 7 mm below the 版心, odd pages right and even pages left, 一字 in.

    A part of more than one page, or with a number anywhere, is numbered. A letter's first page has none
    (10.1). A page left unnumbered at the end or a blank one is a warning: a 版记 after a blank page is not
    numbered, nor is the blank page (7.5).
    """
    if len(layouts) < 2 and all(layout.number is None for layout in layouts):
        return
    for layout in layouts:
        where = Location(page=layout.page.number)
        line = layout.number
        if line is None:
            if not (layout.letter and layout.ordinal == 1):
                yield Finding(
                    "page_number_missing",
                    Severity.WARNING if layout.last or layout.blank else Severity.ERROR,
                    bilingual(f"第{layout.ordinal}页没有页码", f"page {layout.ordinal} has no page number"),
                    where,
                    expected=f"{gbt9704.PAGE_NUMBER_DASH} {layout.ordinal} {gbt9704.PAGE_NUMBER_DASH}",
                )
            continue
        yield from _page_number_line_findings(layout, line)


def _page_number_line_findings(layout: _Layout, line: _Line) -> Iterator[Finding]:
    dash = gbt9704.PAGE_NUMBER_DASH
    where = Location(page=layout.page.number, text=line.text)
    text = line.text.strip()
    match = PAGE_NUMBER.match(text)
    if match is None or int(match[1]) != layout.ordinal:
        yield Finding(
            "page_number_format",
            Severity.ERROR,
            bilingual(f"页码“{text}”应为“{dash} {layout.ordinal} {dash}”", f"page number {text!r} is not the page's"),
            where,
            measured=text,
            expected=f"{dash} {layout.ordinal} {dash}",
        )
    if abs(line.size - gbt9704.PAGE_NUMBER_SIZE.pt) > SIZE_TOLERANCE:
        yield Finding(
            "page_number_size",
            Severity.WARNING,
            bilingual(f"页码字号为{line.size:g}磅，应为4号", f"the page number is {line.size:g} pt, not 4号"),
            where,
            measured=f"{line.size:g} pt",
            expected=f"{gbt9704.PAGE_NUMBER_SIZE.pt:g} pt",
        )
    expected_side = "right" if layout.ordinal % 2 else "left"
    side = _side(line, layout.page)
    indent = gbt9704.PAGE_NUMBER_INDENT.mm
    if side != expected_side:
        yield Finding(
            "page_number_side",
            Severity.ERROR,
            bilingual(
                f"第{layout.ordinal}页页码在{_SIDES_ZH[side]}，应在{_SIDES_ZH[expected_side]}（单页居右、双页居左）",
                f"page {layout.ordinal}'s number is {side}; odd pages put it right, even pages left",
            ),
            where,
            measured=side,
            expected=expected_side,
        )
    else:
        inset = BLOCK_RIGHT - line.x1 if side == "right" else line.x0 - BLOCK_LEFT
        if abs(inset - indent) > PAGE_NUMBER_TOLERANCE:
            edge_zh, edge_en = ("右", "right") if side == "right" else ("左", "left")
            yield Finding(
                "page_number_position",
                Severity.WARNING,
                bilingual(
                    f"页码距版心{edge_zh}缘{inset:.1f}毫米，应空一字（{indent:.1f}毫米）",
                    f"the page number is {inset:.1f} mm in from the block's {edge_en} edge, not one 4号 character",
                ),
                where,
                measured=f"{inset:.1f} mm",
                expected=f"{indent:.1f} mm ± {PAGE_NUMBER_TOLERANCE:.0f} mm",
            )
    gap = line.em_top - BLOCK_BOTTOM
    if abs(gap - gbt9704.PAGE_NUMBER_GAP.mm) > PAGE_NUMBER_TOLERANCE:
        yield Finding(
            "page_number_position",
            Severity.WARNING,
            bilingual(
                f"页码上缘在版心下缘之下{gap:.1f}毫米，应为7毫米",
                f"the page number's top is {gap:.1f} mm below the block, not 7 mm (GB/T 9704-2012 7.5)",
            ),
            where,
            measured=f"{gap:.1f} mm",
            expected=f"{gbt9704.PAGE_NUMBER_GAP.mm:.0f} mm ± {PAGE_NUMBER_TOLERANCE:.0f} mm",
        )


def _outside_findings(layout: _Layout) -> Iterator[Finding]:
    """Text beyond the 版心 (GB/T 9704-2012 5.2.1), the farthest line of a page, with how far it is out."""
    outside = []
    for line in layout.body:
        overshoots = {
            ("左", "left"): BLOCK_LEFT - line.x0,
            ("右", "right"): line.x1 - BLOCK_RIGHT,
            ("上", "top"): BLOCK_TOP - line.em_top,
            ("下", "bottom"): line.em_bottom - BLOCK_BOTTOM,
        }
        side, distance = max(overshoots.items(), key=lambda item: item[1])
        if distance > EDGE_TOLERANCE:
            outside.append((distance, side, line))
    if not outside:
        return
    distance, (side_zh, side_en), line = max(outside, key=lambda item: item[0])
    yield Finding(
        "text_outside_block",
        Severity.ERROR,
        bilingual(
            f"{len(outside)}行文字超出版心，最远超出{side_zh}缘{distance:.1f}毫米",
            f"{len(outside)} line(s) outside the text block, the farthest {distance:.1f} mm past its {side_en} edge",
        ),
        Location(page=layout.page.number, text=line.text),
        measured=f"{distance:.1f} mm past the {side_en} edge",
        expected=(
            f"inside {BLOCK_LEFT:.0f}–{BLOCK_RIGHT:.0f} mm × {BLOCK_TOP:.0f}–{BLOCK_BOTTOM:.0f} mm "
            f"± {EDGE_TOLERANCE:.0f} mm"
        ),
    )


def _grid_findings(layout: _Layout, full: Sequence[_FullLine]) -> Iterator[Finding]:
    """GB/T 9704-2012 5.2.3: 22 lines a page at the grid's pitch, 28 字 a line."""
    where = Location(page=layout.page.number)
    limit = gbt9704.LINES_PER_PAGE
    if len(layout.grid) > limit:
        yield Finding(
            "lines_per_page",
            Severity.ERROR,
            bilingual(f"本页正文{len(layout.grid)}行，每面应排{limit}行", f"{len(layout.grid)} lines, not {limit}"),
            where,
            measured=f"{len(layout.grid)} lines",
            expected=f"{limit} lines at most",
        )
    pitch = gbt9704.LINE_PITCH.pt
    off = [
        ((below.baseline - above.baseline) / MM_PER_PT, below)
        for above, below in zip(layout.grid, layout.grid[1:], strict=False)
        # NOTE: LibreOffice sets lines with Latin digits or 黑体 about 0.7 pt higher in their row, so only
        # lines of the same fonts (one paragraph's, as near as the PDF tells) keep the pitch exactly.
        if above.is_body_size and below.is_body_size and above.fonts == below.fonts
    ]
    off = [(gap, line) for gap, line in off if 0.5 < gap / pitch < 1.5 and abs(gap - pitch) > PITCH_TOLERANCE]
    if off:
        gap, line = max(off, key=lambda item: abs(item[0] - pitch))
        yield Finding(
            "line_pitch",
            Severity.WARNING,
            bilingual(
                f"行距为{gap:.2f}磅，应为{pitch:.2f}磅（{gbt9704.LINE_PITCH.twips} twips）",
                f"lines {gap:.2f} pt apart, not {pitch:.2f} pt ({gbt9704.LINE_PITCH.twips} twips)",
            ),
            Location(page=layout.page.number, text=line.text),
            measured=f"{gap:.2f} pt",
            expected=f"{pitch:.2f} pt ± {PITCH_TOLERANCE:g} pt",
        )
    wrong = [line for line in full if not line.allowed]
    if wrong:
        # Lines starting at the block's edge say it best: an indent's cells are an estimate on an odd grid.
        flush = [line for line in wrong if line.line.x0 - BLOCK_LEFT <= EDGE_TOLERANCE] or wrong
        cells = Counter(line.cells for line in flush).most_common(1)[0][0]
        first = next(line for line in flush if line.cells == cells)
        chars = gbt9704.CHARS_PER_LINE
        yield Finding(
            "chars_per_line",
            Severity.ERROR,
            bilingual(
                f"{len(wrong)}/{len(full)}个满行不是每行{chars}字，多为{cells}字",
                f"{len(wrong)} of {len(full)} full lines do not hold {chars} characters; most hold {cells}",
            ),
            Location(page=layout.page.number, text=first.line.text),
            measured=f"{cells} 字",
            expected=f"{chars} 字 ({chars - 1} where kinsoku moves a character down)",
        )
