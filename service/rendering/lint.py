"""The GB/T 9704-2012 lint of any DOCX package, and the normalisation of Word's character grid for LibreOffice.

`lint_package` reads the package's XML (templates included: Jinja tags are text to it, and an attribute
holding a Jinja expression is computed at render time, so it is not measured) and reports what departs
from a `LintProfile`: the standard (`GBT9704`) or the page geometry of a reference package
(`LintProfile.from_reference`, for the archive forms of DA/T 22, which GB/T 9704 does not govern);
`GBT9704_ONE_PAGE_FORM` is the standard without page numbers, for one-page forms.
`normalise_grid` rewrites the one Word setting LibreOffice 7.4 misreads (docs/decisions/0002).

Severity follows one rule: ERROR when the printed page would visibly break a number the standard fixes,
WARNING for what a maintainer may intend (or what the lint cannot see the whole of), NOTICE for a change
made. The codes:

| code | severity | what |
|---|---|---|
| part_unreadable | ERROR | the main document, or a part it uses, is missing or not well-formed XML |
| page_size | ERROR | a section's paper is not A4 portrait (5.1) |
| page_landscape | WARNING | A4 turned sideways: allowed for tables (8); its margins are not checked |
| margin_top, _bottom, _left, _right | ERROR | outside 37/35/28/26 mm ± 1 mm (5.2.1) |
| grid_missing | ERROR / WARNING | no line grid; WARNING only when the body's exact line spacing still gives 22 lines |
| grid_pitch | ERROR / WARNING | ERROR when the pitch gives other than 22 lines a page (5.2.3); WARNING when it |
|  |  | gives 22 but is more than 5 twips off 579 (the lines no longer fill the 版心) |
| grid_chars_compressed | ERROR | Word's character grid, negative charSpace: LibreOffice 7.4 sets 14 (or 27) a line |
| grid_chars | ERROR | Word's character grid, charSpace ≥ 0: Word sets other than 28 a line |
| body_spacing | WARNING | on a lines grid the body style's spacing does not give 28 a line; a WARNING because |
|  |  | paragraphs may carry their own spacing, which the lint does not follow |
| body_font | ERROR | the body (default paragraph style, docDefaults) is not 仿宋 (5.2.2) |
| body_size | ERROR | the body is not 3号, 16 pt (5.2.2) |
| font_unofficial | WARNING | a font outside the official families: once per font and part, with a count |
| size_unusual | WARNING | a run size outside 2号/3号/4号 (red 小标宋, the 发文机关标志, may have any size, 7.2.4) |
| colour_unusual | WARNING | a text colour other than black or red (5.2.4 black unless stated otherwise) |
| rule_missing | WARNING | a red 发文机关标志 without a red separator line (7.2.7; 10.1 for letters) |
| page_numbers_missing | ERROR | no footer in use holds a PAGE field (7.5) |
| page_numbers_same_side | WARNING | odd and even pages do not number on opposite sides (7.5) |
| page_number_format | WARNING | the number is not 4号 宋体 between "— " and " —" (7.5) |
| language | WARNING | the default language is not zh-CN (LibreOffice then writes /Lang(en-US) into the PDF) |
| grid_normalised | NOTICE | normalise_grid changed a section's grid and the body's character spacing |

Profiles without `require_grid` skip grid_* and body_spacing; without `require_page_numbers` the
page_number_* codes; without `check_body_text` body_font, body_size, size_unusual and rule_missing.

Accepted font names are the official families (GB/T 9704-2012 5.2.2, 7.2–7.5; Times New Roman by practice
for digits and Latin) and exactly the other names fonts/fonts.conf maps to the same faces, so that an
accepted name always prints in the intended face (FONT_ALIASES).

Fonts, sizes and colours are read from the document, its headers, footers and notes, and the styles they
use (with docDefaults); the hundreds of unused styles Word writes into every file are not reported.
Paragraphs are counted from 1 over every w:p of a part in document order; content Word writes twice
(mc:Fallback copies of text boxes) is counted but not checked twice.
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from lxml import etree

from service.errors import bilingual
from service.findings import Finding, Location, Severity
from service.rendering.ooxml import NSMAP, qn
from service.typography import gbt9704
from service.typography.units import Length, twips

Element = Any  # lxml's etree._Element (lxml ships no type information)

# --- the profile --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageSetup:
    """A section's paper size and margins; None where a reference computes the value at render time."""

    width: Length | None
    height: Length | None
    top: Length | None
    right: Length | None
    bottom: Length | None
    left: Length | None


@dataclass(frozen=True)
class LintProfile:
    """What a document is checked against.

    The page setup is the first section's; `other_pages` lists further setups a section may have
    instead (a reference with several kinds of page). A None length is not checked. `standard` says
    the numbers are GB/T 9704-2012's, so that findings cite its clauses.
    """

    name: str
    page_width: Length | None
    page_height: Length | None
    margin_top: Length | None
    margin_right: Length | None
    margin_bottom: Length | None
    margin_left: Length | None
    tolerance: Length
    require_grid: bool = True
    require_page_numbers: bool = True
    check_body_text: bool = True
    standard: bool = True
    other_pages: tuple[PageSetup, ...] = ()

    @property
    def pages(self) -> tuple[PageSetup, ...]:
        first = PageSetup(
            self.page_width, self.page_height, self.margin_top, self.margin_right, self.margin_bottom, self.margin_left
        )
        return (first, *self.other_pages)

    @classmethod
    def from_reference(cls, package: Mapping[str, bytes], name: str) -> LintProfile:
        """Page size and margins of every section of `package`, with no grid, page-number or body-text rules.

        For forms whose geometry is not GB/T 9704's (DA/T 22: the 45 × 16 mm 归档章, the archive cover).
        """
        document = _Package(package)
        main = document.main
        setups: list[PageSetup] = []
        for section in _sections(main) if main is not None else []:
            setup = section.setup
            if setup not in setups:
                setups.append(setup)
        first = setups[0] if setups else PageSetup(None, None, None, None, None, None)
        return cls(
            name=name,
            page_width=first.width,
            page_height=first.height,
            margin_top=first.top,
            margin_right=first.right,
            margin_bottom=first.bottom,
            margin_left=first.left,
            # decision: the standard's ± 1 mm serves for a reference's geometry too
            tolerance=gbt9704.MARGIN_TOLERANCE,
            require_grid=False,
            require_page_numbers=False,
            check_body_text=False,
            standard=False,
            other_pages=tuple(setups[1:]),
        )


GBT9704 = LintProfile(
    name="GB/T 9704-2012",
    page_width=gbt9704.PAGE_WIDTH,
    page_height=gbt9704.PAGE_HEIGHT,
    margin_top=gbt9704.MARGIN_TOP,
    margin_right=gbt9704.MARGIN_RIGHT,  # derived from the 156 mm 版心, so its ± 1 mm is derived too
    margin_bottom=gbt9704.MARGIN_BOTTOM,  # derived from the 225 mm 版心, likewise
    margin_left=gbt9704.MARGIN_LEFT,
    tolerance=gbt9704.MARGIN_TOLERANCE,
)
# A one-page form on the GB/T 9704 page that carries no page number (docs/decisions/0006: the minutes
# feedback slip); every other rule of the standard holds.
GBT9704_ONE_PAGE_FORM = replace(GBT9704, name="GB/T 9704-2012 (one-page form)", require_page_numbers=False)

# --- numbers of the lint ------------------------------------------------------------------------------

# decision: a pitch within 5 twips of 579 keeps 22 lines within 2 mm of filling the 225 mm 版心
LINE_PITCH_TOLERANCE = twips(5)
CHAR_SPACE_PER_POINT = 4096  # ECMA-376 17.6.5: w:charSpace counts 4096ths of a point
TWIPS_PER_POINT = 20
DEFAULT_SIZE_HALF_POINTS = 20  # ECMA-376 17.3.2.38: without w:sz, text is 10 pt
# GB/T 9704-2012 5.2.2, 7.3.1, 7.4, 7.5: the sizes the standard names (2号 title, 3号 text, 4号 版记 and page numbers)
STANDARD_SIZES = frozenset(size.half_points for size in (gbt9704.SIZE_2HAO, gbt9704.SIZE_3HAO, gbt9704.SIZE_4HAO))
BODY_SPACING_TWIPS = gbt9704.BODY_CHAR_SPACING.twips  # −5: −0.25 pt
EAST_ASIAN_LANGUAGE = "zh-CN"
BODY_SECTION = "w:body/w:sectPr"  # the location text of the last section, which no paragraph holds
NOT_SET = "not set"  # `measured` of a property the document does not set

# The official families (gbt9704.FONT_*) and the other names fonts/fonts.conf maps to the same faces.
FONT_ALIASES: dict[str, frozenset[str]] = {
    gbt9704.FONT_FANGSONG: frozenset({"仿宋_GB2312", "仿宋", "FangSong", "FangSong_GB2312", "方正仿宋_GBK"}),
    gbt9704.FONT_XIAOBIAOSONG: frozenset(
        {"方正小标宋简体", "方正小标宋_GBK", "小标宋", "FZXiaoBiaoSong-B05S", "FZXiaoBiaoSong-B05"}
    ),
    gbt9704.FONT_HEITI: frozenset({"黑体", "SimHei", "方正黑体_GBK"}),
    gbt9704.FONT_KAITI: frozenset({"楷体_GB2312", "楷体", "KaiTi", "KaiTi_GB2312", "方正楷体_GBK"}),
    gbt9704.FONT_SONGTI: frozenset({"宋体", "SimSun"}),
    gbt9704.FONT_LATIN: frozenset({"Times New Roman"}),
}
OFFICIAL_FONTS = " / ".join(FONT_ALIASES)

_W = NSMAP["w"]
_A = NSMAP["a"]
_MC_FALLBACK = qn("mc:Fallback")
_VML = "urn:schemas-microsoft-com:vml"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_R_ID = qn("r:id")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_JINJA = re.compile(r"\{[{%#]")
_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_UNIVERSAL = re.compile(r"(-?\d+(?:\.\d+)?)(mm|cm|in|pt|pc|pi)")
_POINTS_PER_UNIT = {"mm": 72 / 25.4, "cm": 720 / 25.4, "in": 72.0, "pt": 1.0, "pc": 12.0, "pi": 12.0}
_PAGE_FIELD = re.compile(r"^\s*PAGE(?![A-Za-z])", re.IGNORECASE)
_THEME_SCRIPTS = {"zh-CN": "Hans", "zh-SG": "Hans", "zh-TW": "Hant", "zh-HK": "Hant", "ja-JP": "Jpan", "ko-KR": "Hang"}

# ECMA-376 Part 1 schema order of the children of w:rPr (CT_RPr) and w:style (CT_Style); Word refuses a
# part whose children are out of order.
_RPR_ORDER = (
    "rStyle",
    "rFonts",
    "b",
    "bCs",
    "i",
    "iCs",
    "caps",
    "smallCaps",
    "strike",
    "dstrike",
    "outline",
    "shadow",
    "emboss",
    "imprint",
    "noProof",
    "snapToGrid",
    "vanish",
    "webHidden",
    "color",
    "spacing",
    "w",
    "kern",
    "position",
    "sz",
    "szCs",
    "highlight",
    "u",
    "effect",
    "bdr",
    "shd",
    "fitText",
    "vertAlign",
    "rtl",
    "cs",
    "em",
    "lang",
    "eastAsianLayout",
    "specVanish",
    "oMath",
    "rPrChange",
)
_STYLE_ORDER = (
    "name",
    "aliases",
    "basedOn",
    "next",
    "link",
    "autoRedefine",
    "hidden",
    "uiPriority",
    "semiHidden",
    "unhideWhenUsed",
    "qFormat",
    "locked",
    "personal",
    "personalCompose",
    "personalReply",
    "rsid",
    "pPr",
    "rPr",
    "tblPr",
    "trPr",
    "tcPr",
    "tblStylePr",
)
_DOC_DEFAULTS_ORDER = ("rPrDefault", "pPrDefault")


def w(name: str) -> str:
    """Clark name of a WordprocessingML element or attribute."""
    return f"{{{_W}}}{name}"


# --- reading the package ------------------------------------------------------------------------------


class _Part:
    """One parsed XML part and the paragraph and table numbering its locations use."""

    def __init__(self, name: str, root: Element, docinfo: Any) -> None:
        self.name = name
        self.root = root
        self.docinfo = docinfo
        self.paragraphs = {p: index for index, p in enumerate(root.iter(w("p")), start=1)}
        self.tables = {table: index for index, table in enumerate(root.iter(w("tbl")), start=1)}

    def live(self, tag: str) -> Iterator[Element]:
        """Elements named `tag` in document order, without the mc:Fallback copies Word writes beside mc:Choice."""
        for element in self.root.iter(tag):
            if not any(ancestor.tag == _MC_FALLBACK for ancestor in element.iterancestors()):
                yield element

    def location(self, element: Element) -> Location:
        """Where `element` is: its paragraph (with the table cell holding it), or its style in styles.xml."""
        style = element if element.tag == w("style") else _nearest(element, w("style"))
        if style is not None:
            return Location(part=self.name, text=_style_name(style))
        if element.tag == w("docDefaults") or _nearest(element, w("docDefaults")) is not None:
            return Location(part=self.name, text="docDefaults")
        paragraph = element if element.tag == w("p") else _nearest(element, w("p"))
        if paragraph is None:
            return Location(part=self.name)
        table = _nearest(paragraph, w("tbl"))
        if table is None:
            return Location(part=self.name, paragraph=self.paragraphs.get(paragraph), text=paragraph_text(paragraph))
        row = _nearest(paragraph, w("tr"))
        cell = _nearest(paragraph, w("tc"))
        rows = [tr for tr in table.iter(w("tr")) if _nearest(tr, w("tbl")) is table]
        cells = [tc for tc in row.iter(w("tc")) if _nearest(tc, w("tr")) is row] if row is not None else []
        return Location(
            part=self.name,
            paragraph=self.paragraphs.get(paragraph),
            text=paragraph_text(paragraph),
            table=self.tables.get(table),
            row=rows.index(row) + 1 if row in rows else None,
            cell=cells.index(cell) + 1 if cell in cells else None,
        )

    def to_bytes(self) -> bytes:
        standalone = self.docinfo.standalone
        return bytes(etree.tostring(self.root, xml_declaration=True, encoding="UTF-8", standalone=standalone))


def _nearest(element: Element, tag: str) -> Element | None:
    return next(element.iterancestors(tag), None)


def _style_name(style: Element) -> str:
    name = style.find(w("name"))
    return str(name.get(w("val"))) if name is not None and name.get(w("val")) else str(style.get(w("styleId"), ""))


def paragraph_text(paragraph: Element) -> str:
    """The paragraph's own text (not that of text boxes anchored in it), Jinja tags included."""
    pieces: list[str] = []
    for element in paragraph.iter(w("t"), w("tab"), w("br")):
        if _nearest(element, w("p")) is not paragraph:
            continue
        if element.tag == w("t"):
            pieces.append(element.text or "")
        else:
            pieces.append("\t" if element.tag == w("tab") else "\n")
    return "".join(pieces)


class _Package:
    """The parts of a DOCX package the lint reads, parsed once, found through the package's relationships."""

    def __init__(self, package: Mapping[str, bytes]) -> None:
        self.package = package
        self.parsed: dict[str, _Part | None] = {}
        self.unreadable: list[Finding] = []
        main_name = self._first_target("", "officeDocument") or "word/document.xml"
        self.main = self.part(main_name)
        self.main_name = main_name
        if self.main is None and main_name not in package:
            self.unreadable.append(
                _finding(
                    "part_unreadable",
                    Severity.ERROR,
                    f"文件中没有正文部件（{main_name}）",
                    f"the package has no main document part ({main_name})",
                    Location(part=main_name),
                )
            )
        self.relationships = self._relationships(main_name)
        self.styles = self.part(self._first_target(main_name, "styles") or "word/styles.xml")
        self.settings = self.part(self._first_target(main_name, "settings") or "word/settings.xml")
        theme = self.part(self._first_target(main_name, "theme") or "word/theme/theme1.xml")
        self.theme = _ThemeFonts(theme.root if theme is not None else None, self._theme_script())
        self.sheet = _StyleSheet(self.styles.root if self.styles is not None else None, self.theme)

    def part(self, name: str | None) -> _Part | None:
        """The parsed part, or None when it is absent; a part that is not well-formed XML is reported once."""
        if name is None or name not in self.package:
            return None
        if name not in self.parsed:
            try:
                root = etree.fromstring(self.package[name], _PARSER)
                self.parsed[name] = _Part(name, root, root.getroottree().docinfo)
            except etree.XMLSyntaxError as exc:
                self.parsed[name] = None
                self.unreadable.append(
                    _finding(
                        "part_unreadable",
                        Severity.ERROR,
                        f"{name}不是合法的XML：{exc}",
                        f"{name} is not well-formed XML: {exc}",
                        Location(part=name),
                    )
                )
        return self.parsed[name]

    def _relationships(self, source: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (type's last segment, target part name) of the part `source` ("" for the package)."""
        folder, base = posixpath.split(source)
        rels = self.part(posixpath.join(folder, "_rels", f"{base}.rels"))
        found: dict[str, tuple[str, str]] = {}
        if rels is None:
            return found
        for relationship in rels.root.iter(f"{{{_PACKAGE_RELATIONSHIPS}}}Relationship"):
            if relationship.get("TargetMode") == "External":
                continue
            target = str(relationship.get("Target", ""))
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found[str(relationship.get("Id", ""))] = (str(relationship.get("Type", "")).rsplit("/", 1)[-1], name)
        return found

    def _first_target(self, source: str, kind: str) -> str | None:
        return next((target for rel_kind, target in self._relationships(source).values() if rel_kind == kind), None)

    def targets(self, kind: str) -> list[str]:
        """The main document's related parts of one kind ("footer", "header"), by part name."""
        return sorted({target for rel_kind, target in self.relationships.values() if rel_kind == kind})

    def content_parts(self) -> list[_Part]:
        """The parts holding text: the document, its headers, footers, footnotes and endnotes."""
        names = [self.main_name]
        for kind in ("header", "footer", "footnotes", "endnotes"):
            names.extend(self.targets(kind))
        return [part for part in (self.part(name) for name in names) if part is not None]

    def referenced(self, relationship_id: str | None, kind: str) -> list[str]:
        """The parts a w:headerReference/w:footerReference may name: one, or each a Jinja expression can choose."""
        if not relationship_id:
            return []
        ids = [relationship_id]
        if _JINJA.search(relationship_id):
            ids = [a or b for a, b in _QUOTED.findall(relationship_id)]
        return [self.relationships[i][1] for i in ids if i in self.relationships and self.relationships[i][0] == kind]

    def _theme_script(self) -> str:
        if self.settings is not None:
            language = self.settings.root.find(w("themeFontLang"))
            if language is not None:
                return _THEME_SCRIPTS.get(str(language.get(w("eastAsia"), "")), "Hans")
        return "Hans"


class _ThemeFonts:
    """The theme's major and minor fonts, for rFonts that name a theme slot (w:eastAsiaTheme="minorEastAsia")."""

    def __init__(self, root: Element | None, script: str) -> None:
        self.fonts: dict[str, str] = {}
        if root is None:
            return
        for group in ("major", "minor"):
            scheme = next(root.iter(f"{{{_A}}}{group}Font"), None)
            if scheme is None:
                continue
            for slot, tag in (("Ascii", "latin"), ("HAnsi", "latin"), ("Bidi", "cs"), ("EastAsia", "ea")):
                face = scheme.find(f"{{{_A}}}{tag}")
                typeface = str(face.get("typeface", "")) if face is not None else ""
                if slot == "EastAsia" and not typeface:
                    by_script = scheme.find(f"{{{_A}}}font[@script='{script}']")
                    typeface = str(by_script.get("typeface", "")) if by_script is not None else ""
                if typeface:
                    self.fonts[f"{group}{slot}"] = typeface

    def resolve(self, name: str) -> str:
        return self.fonts.get(name, f"{name}（主题字体 / theme font）")


class _StyleSheet:
    """styles.xml: the styles by id, the default paragraph style and the document defaults."""

    def __init__(self, root: Element | None, theme: _ThemeFonts) -> None:
        self.theme = theme
        self.root = root
        self.styles: dict[str, Element] = {}
        self.default_paragraph: Element | None = None
        self.default_rpr: Element | None = None
        self.default_ppr: Element | None = None
        if root is None:
            return
        for style in root.iter(w("style")):
            self.styles.setdefault(str(style.get(w("styleId"), "")), style)
            if style.get(w("type")) == "paragraph" and _on(style.get(w("default"))) and self.default_paragraph is None:
                self.default_paragraph = style
        if self.default_paragraph is None:
            self.default_paragraph = self.styles.get("Normal")
        defaults = root.find(w("docDefaults"))
        if defaults is not None:
            self.default_rpr = defaults.find(f"{w('rPrDefault')}/{w('rPr')}")
            self.default_ppr = defaults.find(f"{w('pPrDefault')}/{w('pPr')}")

    def chain(self, style: Element | None) -> list[Element]:
        """The style and those it is based on, nearest first (a cycle ends the chain)."""
        found: list[Element] = []
        while style is not None and style not in found:
            found.append(style)
            based_on = style.find(w("basedOn"))
            style = self.styles.get(str(based_on.get(w("val")))) if based_on is not None else None
        return found

    def _properties(self, styles: Iterable[Element], tag: str) -> list[Element]:
        return [props for style in styles if (props := style.find(w(tag))) is not None]

    def body_rprs(self) -> list[Element]:
        """Run properties of body text, nearest first: the default paragraph style's chain, then docDefaults."""
        found = self._properties(self.chain(self.default_paragraph), "rPr")
        return [*found, self.default_rpr] if self.default_rpr is not None else found

    def body_pprs(self) -> list[Element]:
        found = self._properties(self.chain(self.default_paragraph), "pPr")
        return [*found, self.default_ppr] if self.default_ppr is not None else found

    def paragraph_style(self, paragraph: Element | None) -> Element | None:
        if paragraph is None:
            return self.default_paragraph
        style = paragraph.find(f"{w('pPr')}/{w('pStyle')}")
        if style is None:
            return self.default_paragraph
        return self.styles.get(str(style.get(w("val"))), self.default_paragraph)

    def run_rprs(self, run: Element) -> list[Element]:
        """Run properties that apply to `run`, nearest first (ECMA-376 17.7.2: direct, character style,
        paragraph style, document defaults)."""
        found = [props for props in (run.find(w("rPr")),) if props is not None]
        run_style = run.find(f"{w('rPr')}/{w('rStyle')}")
        if run_style is not None:
            found += self._properties(self.chain(self.styles.get(str(run_style.get(w("val"))))), "rPr")
        found += self._properties(self.chain(self.paragraph_style(_nearest(run, w("p")))), "rPr")
        return [*found, self.default_rpr] if self.default_rpr is not None else found

    def style_rprs(self, style: Element) -> list[Element]:
        found = self._properties(self.chain(style), "rPr")
        return [*found, self.default_rpr] if self.default_rpr is not None else found

    def paragraph_pprs(self, paragraph: Element) -> list[Element]:
        found = [props for props in (paragraph.find(w("pPr")),) if props is not None]
        found += self._properties(self.chain(self.paragraph_style(paragraph)), "pPr")
        return [*found, self.default_ppr] if self.default_ppr is not None else found

    def font(self, rprs: Iterable[Element], slot: str) -> str | None:
        """The font on `slot` (ascii, hAnsi, eastAsia), the first properties that set it deciding."""
        return _first(rprs, lambda rpr: _font(rpr, slot, self.theme))


def _first(properties: Iterable[Element], read: Callable[[Element], str | None]) -> str | None:
    return next((value for value in map(read, properties) if value is not None), None)


def _font(rpr: Element, slot: str, theme: _ThemeFonts) -> str | None:
    fonts = rpr.find(w("rFonts"))
    if fonts is None:
        return None
    # ECMA-376 17.3.2.26: a theme font on a slot overrides the font named on the same slot
    themed = fonts.get(w(f"{slot}Theme"))
    if themed:
        return theme.resolve(str(themed))
    named = fonts.get(w(slot))
    return str(named) if named else None


def _value(tag: str, attribute: str = "val") -> Callable[[Element], str | None]:
    def read(rpr: Element) -> str | None:
        element = rpr.find(w(tag))
        value = element.get(w(attribute)) if element is not None else None
        return str(value) if value is not None else None

    return read


_size = _value("sz")
_colour = _value("color")
_spacing = _value("spacing")


def _on(value: str | None) -> bool:
    """An ST_OnOff attribute: absent or true/1/on means on."""
    return value is None or value.lower() in ("1", "true", "on")


# --- measures -----------------------------------------------------------------------------------------


def _is_template(value: str | None) -> bool:
    return value is not None and bool(_JINJA.search(value))


def _measure(value: str | None, per_point: float) -> float | None:
    """An attribute's number in its own unit (twips: per_point 20; half-points: 2), universal measures included;
    None when absent or computed by a Jinja expression."""
    if value is None or _is_template(value):
        return None
    text = value.strip()
    if _NUMBER.fullmatch(text):
        return float(text)
    universal = _UNIVERSAL.fullmatch(text)
    if universal:
        return float(universal.group(1)) * _POINTS_PER_UNIT[universal.group(2)] * per_point
    return None


def _twips_length(value: str | None) -> Length | None:
    number = _measure(value, TWIPS_PER_POINT)
    return twips(number) if number is not None else None


def _mm_measured(length: Length) -> str:
    return f"{length.mm:.1f} mm"


def _mm_expected(length: Length) -> str:
    value = length.mm
    return f"{round(value)} mm" if abs(value - round(value)) < 0.05 else f"{value:.1f} mm"


def _points(half_points: float) -> str:
    return f"{half_points / 2:g} pt"


def _font_family(name: str | None) -> str | None:
    """The official family `name` belongs to (case and spaces ignored), or None."""
    if name is None:
        return None
    key = _font_key(name)
    return next((family for family, names in FONT_ALIASES.items() if key in {_font_key(n) for n in names}), None)


def _font_key(name: str) -> str:
    return "".join(name.split()).casefold()


def _is_red(colour: str | None) -> bool:
    """Red as templates write it: FF0000, and near reds down to the print red Y80 % M80 % (about FF3333)."""
    rgb = _rgb(colour)
    # decision: R ≥ B0, G and B ≤ 60 covers Word's dark red C00000, 中国红 E60012 and the print red FF3333
    return rgb is not None and rgb[0] >= 0xB0 and rgb[1] <= 0x60 and rgb[2] <= 0x60


def _rgb(colour: str | None) -> tuple[int, int, int] | None:
    if colour is None:
        return None
    text = colour.strip().lstrip("#").split()[0] if colour.strip() else ""
    if text.lower() == "red":
        return (0xFF, 0, 0)
    if re.fullmatch(r"[0-9A-Fa-f]{3}", text):
        text = "".join(c * 2 for c in text)
    if not re.fullmatch(r"[0-9A-Fa-f]{6}", text):
        return None
    return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))


def _is_black(colour: str) -> bool:
    return colour.lower() == "auto" or _rgb(colour) == (0, 0, 0)


def _finding(
    code: str,
    severity: Severity,
    chinese: str,
    english: str,
    location: Location | None = None,
    measured: str | None = None,
    expected: str | None = None,
) -> Finding:
    return Finding(code, severity, bilingual(chinese, english), location, measured, expected)


# --- sections -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Section:
    part: _Part
    element: Element  # w:sectPr
    setup: PageSetup

    @property
    def location(self) -> Location:
        paragraph = _nearest(self.element, w("p"))
        if paragraph is None:
            return Location(part=self.part.name, text=BODY_SECTION)
        return self.part.location(paragraph)

    @property
    def grid(self) -> Element | None:
        return self.element.find(w("docGrid"))

    @property
    def landscape(self) -> bool:
        setup = self.setup
        return setup.width is not None and setup.height is not None and setup.width > setup.height

    def text_width(self, fallback: Length) -> Length:
        setup = self.setup
        if setup.width is None or setup.left is None or setup.right is None:
            return fallback
        return setup.width - setup.left - setup.right

    def text_height(self, fallback: Length) -> Length:
        setup = self.setup
        if setup.height is None or setup.top is None or setup.bottom is None:
            return fallback
        return setup.height - setup.top - setup.bottom


def _sections(main: _Part, gutter_at_top: bool = False) -> list[_Section]:
    """Every section of the document: sectPr in paragraphs, then the body's (not those of tracked changes)."""
    found = []
    for element in main.live(w("sectPr")):
        parent = element.getparent()
        if parent is None or parent.tag not in (w("body"), w("pPr")):
            continue
        if parent.tag == w("pPr") and (parent.getparent() is None or parent.getparent().tag != w("p")):
            continue
        found.append(_Section(main, element, _page_setup(element, gutter_at_top)))
    return found


def _page_setup(sectpr: Element, gutter_at_top: bool) -> PageSetup:
    size = sectpr.find(w("pgSz"))
    margins = sectpr.find(w("pgMar"))
    width = _twips_length(size.get(w("w"))) if size is not None else None
    height = _twips_length(size.get(w("h"))) if size is not None else None

    def margin(side: str) -> Length | None:
        if margins is None:
            return None
        length = _twips_length(margins.get(w(side)))
        # top and bottom may be negative: "text may overlap the header"; the margin is the magnitude
        return Length(abs(length.emu)) if length is not None else None

    top, right, bottom, left = (margin(side) for side in ("top", "right", "bottom", "left"))
    gutter = _twips_length(margins.get(w("gutter"))) if margins is not None else None
    # ECMA-376 17.6.11: the gutter adds to the binding margin, the left one unless settings put it at the top
    if gutter is not None and gutter.emu:
        if gutter_at_top and top is not None:
            top = top + gutter
        elif not gutter_at_top and left is not None:
            left = left + gutter
    return PageSetup(width, height, top, right, bottom, left)


# --- lint ---------------------------------------------------------------------------------------------


def lint_package(package: Mapping[str, bytes], profile: LintProfile = GBT9704) -> list[Finding]:
    """Every departure of the DOCX `package` (zip members by name) from `profile`, in the order checked."""
    document = _Package(package)
    main = document.main
    findings: list[Finding] = []
    if main is not None:
        sections = _sections(main, _gutter_at_top(document))
        findings += _check_pages(sections, profile)
        if profile.require_grid:
            findings += _check_grid(document, sections)
        if profile.check_body_text:
            findings += _check_body(document)
        findings += _check_fonts(document)
        if profile.check_body_text:
            findings += _check_sizes(document)
        findings += _check_colours(document)
        if profile.check_body_text:
            findings += _check_rule(document)
        if profile.require_page_numbers:
            findings += _check_page_numbers(document, sections)
        findings += _check_language(document)
    return document.unreadable + findings


def _gutter_at_top(document: _Package) -> bool:
    settings = document.settings
    found = settings.root.find(w("gutterAtTop")) if settings is not None else None
    return found is not None and _on(found.get(w("val")))


# page size and margins


_MARGINS = (
    # side, code, Chinese name, English name, derived from the 版心 (not fixed by the standard itself)
    ("top", "margin_top", "天头（上白边）", "top margin (天头)", False),
    ("bottom", "margin_bottom", "下白边", "bottom margin", True),
    ("left", "margin_left", "订口（左白边）", "left margin (订口)", False),
    ("right", "margin_right", "切口（右白边）", "right margin (切口)", True),
)


def _check_pages(sections: list[_Section], profile: LintProfile) -> list[Finding]:
    findings: list[Finding] = []
    for section in sections:
        setup = section.setup
        same_size = [page for page in profile.pages if _size_matches(setup, page, profile.tolerance)]
        if not same_size:
            turned = PageSetup(setup.height, setup.width, None, None, None, None)
            if profile.standard and any(_size_matches(turned, page, profile.tolerance) for page in profile.pages):
                findings.append(_landscape(section))
                continue
            findings.append(_page_size(section, profile))
            same_size = [profile.pages[0]]
        if not any(_margins_fit(setup, page, profile.tolerance) for page in same_size):
            findings += _margin_errors(section, same_size[0], profile)
    return findings


def _size_matches(setup: PageSetup, page: PageSetup, tolerance: Length) -> bool:
    return _within(setup.width, page.width, tolerance) and _within(setup.height, page.height, tolerance)


def _within(measured: Length | None, expected: Length | None, tolerance: Length) -> bool:
    """True when either is unknown (computed at render time, or not fixed by the profile)."""
    return measured is None or expected is None or abs(measured.emu - expected.emu) <= tolerance.emu


def _basis(profile: LintProfile, clause: str) -> tuple[str, str]:
    if profile.standard:
        return f"GB/T 9704-2012 {clause}", f"GB/T 9704-2012 {clause}"
    return f"参照“{profile.name}”", f"the reference “{profile.name}”"


def _page_size(section: _Section, profile: LintProfile) -> Finding:
    setup = section.setup
    expected_page = profile.pages[0]
    measured = (
        f"{setup.width.mm:.1f} × {setup.height.mm:.1f} mm"
        if setup.width is not None and setup.height is not None
        else NOT_SET
    )
    expected = f"{_size_text(expected_page)}" + (" (A4)" if profile.standard else "")
    zh, en = _basis(profile, "5.1")
    return _finding(
        "page_size",
        Severity.ERROR,
        f"纸张为{measured}，应为{expected}（{zh}）",
        f"the paper is {measured}; {en} asks for {expected}",
        section.location,
        measured,
        expected,
    )


def _size_text(page: PageSetup) -> str:
    width = _mm_expected(page.width).removesuffix(" mm") if page.width is not None else "?"
    height = _mm_expected(page.height).removesuffix(" mm") if page.height is not None else "?"
    return f"{width} × {height} mm"


def _landscape(section: _Section) -> Finding:
    return _finding(
        "page_landscape",
        Severity.WARNING,
        "本节为横向A4纸：只用于横排表格（GB/T 9704-2012 8），其页边距未检查",
        "this section is A4 turned sideways: meant for landscape tables only (GB/T 9704-2012 8); "
        "its margins were not checked",
        section.location,
        "A4 landscape",
        "A4 portrait",
    )


def _margins_fit(setup: PageSetup, page: PageSetup, tolerance: Length) -> bool:
    return all(_within(getattr(setup, side), getattr(page, side), tolerance) for side, *_ in _MARGINS)


def _margin_errors(section: _Section, page: PageSetup, profile: LintProfile) -> list[Finding]:
    findings = []
    for side, code, chinese, english, derived in _MARGINS:
        measured: Length | None = getattr(section.setup, side)
        expected: Length | None = getattr(page, side)
        if measured is None or expected is None or _within(measured, expected, profile.tolerance):
            continue
        expected_text = f"{_mm_expected(expected)} ± {_mm_expected(profile.tolerance)}"
        zh, en = _basis(profile, "5.2.1")
        why_zh, why_en = "", ""
        if derived and profile.standard:
            why_zh, why_en = "，由版心尺寸推出", ", derived from the text block's size"
        findings.append(
            _finding(
                code,
                Severity.ERROR,
                f"{chinese}{_mm_measured(measured)}，应为{expected_text}（{zh}{why_zh}）",
                f"the {english} is {_mm_measured(measured)}; {en} asks for {expected_text}{why_en}",
                section.location,
                _mm_measured(measured),
                expected_text,
            )
        )
    return findings


# the document grid


def _check_grid(document: _Package, sections: list[_Section]) -> list[Finding]:
    findings: list[Finding] = []
    character_grid = False
    # GB/T 9704-2012 8: a landscape table page is not set on the 22 × 28 grid
    portrait = [section for section in sections if not section.landscape]
    for section in portrait:
        grid = section.grid
        kind = str(grid.get(w("type"), "default")) if grid is not None else "default"
        if kind == "default":
            findings.append(_grid_missing(document, section))
            continue
        findings += _grid_pitch(section, grid)
        if kind in ("linesAndChars", "snapToChars"):
            character_grid = True
            findings += _grid_characters(document, section, grid, kind)
    if portrait and not character_grid:
        findings += _body_spacing(document, portrait[-1])
    return findings


def _grid_missing(document: _Package, section: _Section) -> Finding:
    pprs = document.sheet.body_pprs()
    line = _first(pprs, _value("spacing", "line"))
    rule = _first(pprs, _value("spacing", "lineRule")) or "auto"
    pitch = _measure(line, TWIPS_PER_POINT)
    exact = (
        rule == "exact" and pitch is not None and abs(pitch - gbt9704.LINE_PITCH.twips) <= LINE_PITCH_TOLERANCE.twips
    )
    if pitch is None:
        spacing = "single (auto)"
    elif rule == "auto":  # ECMA-376 17.3.1.33: an auto line counts 240ths of a line
        spacing = f"{pitch / 240:g} × single (auto)"
    else:
        spacing = f"{pitch:g} twips ({rule})"
    if exact:
        return _finding(
            "grid_missing",
            Severity.WARNING,
            f"本节没有文档网格；正文固定行距{line}缇仍排每页22行，但Word的页面设置中看不到网格",
            f"this section has no document grid; the body's exact {line}-twip line spacing still sets 22 lines a "
            "page, but Word's page setup shows no grid",
            section.location,
            f"no grid, line spacing {spacing}",
            f"w:docGrid lines, {gbt9704.LINE_PITCH.twips} twips",
        )
    return _finding(
        "grid_missing",
        Severity.ERROR,
        f"本节没有文档网格，正文行距为{spacing}：每页行数不是22行（GB/T 9704-2012 5.2.3）",
        f"this section has no document grid and the body's line spacing is {spacing}: a page does not hold the 22 "
        "lines of GB/T 9704-2012 5.2.3",
        section.location,
        f"no grid, line spacing {spacing}",
        f"w:docGrid lines, {gbt9704.LINE_PITCH.twips} twips",
    )


def _grid_pitch(section: _Section, grid: Element) -> list[Finding]:
    expected_pitch = gbt9704.LINE_PITCH.twips
    expected = f"{expected_pitch} ± {LINE_PITCH_TOLERANCE.twips} twips ({gbt9704.LINES_PER_PAGE} lines a page)"
    raw = grid.get(w("linePitch"))
    pitch = _measure(raw, TWIPS_PER_POINT)
    if pitch is None and _is_template(raw):
        return []
    height = section.text_height(gbt9704.TEXT_HEIGHT).twips
    if pitch is None or pitch <= 0:
        return [
            _finding(
                "grid_pitch",
                Severity.ERROR,
                "文档网格没有行距（linePitch），每页行数由软件决定",
                "the document grid has no line pitch (linePitch): the application decides the lines a page",
                section.location,
                "not set",
                expected,
            )
        ]
    lines = math.floor(height / pitch + 1e-9)
    if lines != gbt9704.LINES_PER_PAGE:
        severity = Severity.ERROR
    elif abs(pitch - expected_pitch) > LINE_PITCH_TOLERANCE.twips:
        severity = Severity.WARNING
    else:
        return []
    measured = f"{pitch:g} twips ({lines} lines a page)"
    return [
        _finding(
            "grid_pitch",
            severity,
            f"文档网格行距{pitch:g}缇，每页{lines}行；应为{expected_pitch}缇，每页22行排满版心（GB/T 9704-2012 5.2.3）",
            f"the grid's line pitch is {pitch:g} twips, {lines} lines a page; {expected_pitch} twips sets the 22 lines "
            "that fill the text block (GB/T 9704-2012 5.2.3)",
            section.location,
            measured,
            expected,
        )
    ]


_GRID_NAMES = {
    "linesAndChars": ("指定行和字符网格", "lines and characters"),
    "snapToChars": ("文字对齐字符网格", "snap to characters"),
    "lines": ("只指定行网格", "lines only"),
}
# NOTE: measured in LibreOffice 7.4 (environment.md §4): a negative charSpace on these grids
# sets 14 characters a line (linesAndChars: each character takes two cells) or 27 (snapToChars: no condensing).
_LIBREOFFICE_CHARS = {"linesAndChars": 14, "snapToChars": 27}


def _grid_characters(document: _Package, section: _Section, grid: Element, kind: str) -> list[Finding]:
    raw = grid.get(w("charSpace"))
    if _is_template(raw):
        return []
    char_space = _measure(raw, 1) or 0
    zh_name, en_name = _GRID_NAMES[kind]
    if char_space < 0:
        chars = _LIBREOFFICE_CHARS[kind]
        return [
            _finding(
                "grid_chars_compressed",
                Severity.ERROR,
                f"文档网格为“{zh_name}”且字符间距为负（{char_space:g}）：LibreOffice 7.4 每行只排{chars}字，"
                "应为28字；网格规范化可改为“只指定行网格”并将正文紧缩0.25磅",
                f"the document grid is “{en_name}” with a negative charSpace ({char_space:g}): LibreOffice 7.4 "
                f"sets only {chars} characters a line, not 28; grid normalisation turns it into a lines-only grid "
                "with the body condensed by 0.25 pt",
                section.location,
                f"{kind}, charSpace {char_space:g} ({chars} characters a line in LibreOffice 7.4)",
                f"lines grid and body spacing {BODY_SPACING_TWIPS / TWIPS_PER_POINT:g} pt (28 characters a line)",
            )
        ]
    size = _measure(_first(document.sheet.body_rprs(), _size), 2) or DEFAULT_SIZE_HALF_POINTS
    pitch = size / 2 + char_space / CHAR_SPACE_PER_POINT
    chars = math.floor(section.text_width(gbt9704.TEXT_WIDTH).pt / pitch + 1e-6)
    if chars == gbt9704.CHARS_PER_LINE:
        return []
    return [
        _finding(
            "grid_chars",
            Severity.ERROR,
            f"文档网格为“{zh_name}”，字符间距{char_space:g}：Word每行排{chars}字，应为28字（GB/T 9704-2012 5.2.3）",
            f"the document grid is “{en_name}” with charSpace {char_space:g}: Word sets {chars} characters a "
            "line, not the 28 of GB/T 9704-2012 5.2.3",
            section.location,
            f"{chars} characters a line",
            "28 characters a line",
        )
    ]


def _body_spacing(document: _Package, section: _Section) -> list[Finding]:
    rprs = document.sheet.body_rprs()
    raw_spacing = _first(rprs, _spacing)
    raw_size = _first(rprs, _size)
    if _is_template(raw_spacing) or _is_template(raw_size):
        return []
    spacing = _measure(raw_spacing, TWIPS_PER_POINT) or 0
    size = _measure(raw_size, 2) or DEFAULT_SIZE_HALF_POINTS
    advance = size * TWIPS_PER_POINT / 2 + spacing  # twips a full-width character takes
    if advance <= 0:
        return []
    chars = math.floor(section.text_width(gbt9704.TEXT_WIDTH).twips / advance + 1e-9)
    if chars == gbt9704.CHARS_PER_LINE:
        return []
    measured = f"{spacing / TWIPS_PER_POINT:g} pt ({chars} characters a line)"
    expected = f"{BODY_SPACING_TWIPS / TWIPS_PER_POINT:g} pt (28 characters a line)"
    where = _body_location(document, lambda rpr: rpr.find(w("spacing")) is not None)
    return [
        _finding(
            "body_spacing",
            Severity.WARNING,
            f"正文字距{spacing / TWIPS_PER_POINT:g}磅：只指定行网格时每行排{chars}字；紧缩0.25磅才排28字",
            f"the body's character spacing is {spacing / TWIPS_PER_POINT:g} pt: on a lines-only grid a line holds "
            f"{chars} characters; condensing by 0.25 pt sets 28",
            where,
            measured,
            expected,
        )
    ]


def _body_location(document: _Package, sets: Callable[[Element], bool]) -> Location:
    """The style (or docDefaults) that sets a body property, else the default paragraph style."""
    styles = document.styles
    if styles is None:
        return Location(part="word/styles.xml")
    for rpr in document.sheet.body_rprs():
        if sets(rpr):
            return styles.location(rpr)
    holder = document.sheet.default_paragraph
    return styles.location(holder) if holder is not None else Location(part=styles.name, text="docDefaults")


# body font and size


def _check_body(document: _Package) -> list[Finding]:
    findings: list[Finding] = []
    sheet = document.sheet
    rprs = sheet.body_rprs()
    font = sheet.font(rprs, "eastAsia")
    if not _is_template(font) and _font_family(font) != gbt9704.FONT_FANGSONG:
        zh = f"“{font}”" if font else "未设置"
        en = f"“{font}”" if font else "not set"
        findings.append(
            _finding(
                "body_font",
                Severity.ERROR,
                f"正文字体为{zh}，应为{gbt9704.FONT_FANGSONG}（仿宋，GB/T 9704-2012 5.2.2）",
                f"the body font is {en}; GB/T 9704-2012 5.2.2 sets the body in {gbt9704.FONT_FANGSONG} (仿宋)",
                _body_location(document, lambda rpr: _font(rpr, "eastAsia", sheet.theme) is not None),
                font or NOT_SET,
                gbt9704.FONT_FANGSONG,
            )
        )
    raw_size = _first(rprs, _size)
    size = _measure(raw_size, 2)
    if not _is_template(raw_size) and (size or DEFAULT_SIZE_HALF_POINTS) != gbt9704.BODY_SIZE.half_points:
        measured = _points(size or DEFAULT_SIZE_HALF_POINTS)
        expected = f"{gbt9704.BODY_SIZE.pt:g} pt (3号)"
        findings.append(
            _finding(
                "body_size",
                Severity.ERROR,
                f"正文字号为{measured}，应为3号（16 pt，GB/T 9704-2012 5.2.2）",
                f"the body size is {measured}; GB/T 9704-2012 5.2.2 sets the body in 3号 (16 pt)",
                _body_location(document, lambda rpr: rpr.find(w("sz")) is not None),
                measured,
                expected,
            )
        )
    return findings


# fonts, sizes and colours of every run


@dataclass
class _Tally:
    """Occurrences of one value in one part: the first place it was seen and how often."""

    location: Location
    count: int = 0


def _tally(found: dict[tuple[str, str], _Tally], part: _Part, value: str, element: Element) -> None:
    key = (part.name, value)
    if key not in found:
        found[key] = _Tally(part.location(element))
    found[key].count += 1


def _places(count: int) -> str:
    return "1 place" if count == 1 else f"{count} places"


def _text_parts(document: _Package) -> list[_Part]:
    parts = document.content_parts()
    return [*parts, document.styles] if document.styles is not None else parts


def _in_use(document: _Package, part: _Part) -> Callable[[Element], bool]:
    """Whether an element of `part` can shape the document's text: anything in a content part; in styles.xml,
    the document defaults and the styles the content names (with those they are based on), not the hundreds
    of unused styles Word ships in every file."""
    if part is not document.styles:
        return lambda element: True
    sheet = document.sheet
    used: set[Element] = set(sheet.chain(sheet.default_paragraph))
    for content in document.content_parts():
        for reference in content.root.iter(w("pStyle"), w("rStyle"), w("tblStyle")):
            used.update(sheet.chain(sheet.styles.get(str(reference.get(w("val"))))))

    def shapes_text(element: Element) -> bool:
        style = _nearest(element, w("style"))
        return style in used if style is not None else _nearest(element, w("docDefaults")) is not None

    return shapes_text


def _check_fonts(document: _Package) -> list[Finding]:
    found: dict[tuple[str, str], _Tally] = {}
    for part in _text_parts(document):
        in_use = _in_use(document, part)
        for fonts in filter(in_use, part.live(w("rFonts"))):
            rpr = fonts.getparent()
            names = {_font(rpr, slot, document.theme) for slot in ("ascii", "hAnsi", "eastAsia")}
            for name in sorted(name for name in names if name and not _is_template(name)):
                if _font_family(name) is None:
                    _tally(found, part, name, fonts)
    return [
        _finding(
            "font_unofficial",
            Severity.WARNING,
            f"字体“{name}”不是公文用字体（共{tally.count}处）",
            f"the font “{name}” is not one of the official families ({_places(tally.count)})",
            tally.location,
            name,
            OFFICIAL_FONTS,
        )
        for (_part, name), tally in found.items()
    ]


def _check_sizes(document: _Package) -> list[Finding]:
    found: dict[tuple[str, str], _Tally] = {}
    sheet = document.sheet
    for part in _text_parts(document):
        in_use = _in_use(document, part)
        for size in filter(in_use, part.live(w("sz"))):
            rpr = size.getparent()
            holder = rpr.getparent() if rpr is not None else None
            if holder is None or holder.tag not in (w("r"), w("style")) or holder is sheet.default_paragraph:
                continue  # paragraph marks set no text; the body style is body_size's
            half_points = _measure(size.get(w("val")), 2)
            if half_points is None or half_points in STANDARD_SIZES:
                continue
            rprs = sheet.run_rprs(holder) if holder.tag == w("r") else sheet.style_rprs(holder)
            if _is_issuer_mark(sheet, rprs):
                continue
            _tally(found, part, _points(half_points), size)
    expected = "22 / 16 / 14 pt (2号 / 3号 / 4号)"
    return [
        _finding(
            "size_unusual",
            Severity.WARNING,
            f"字号{size}不是公文所用的2号、3号、4号（共{tally.count}处）",
            f"the size {size} is none of the 2号, 3号 and 4号 the standard uses ({_places(tally.count)})",
            tally.location,
            size,
            expected,
        )
        for (_part, size), tally in found.items()
    ]


def _is_issuer_mark(sheet: _StyleSheet, rprs: list[Element]) -> bool:
    """Red 小标宋: the 发文机关标志, whose size the standard leaves open (GB/T 9704-2012 7.2.4)."""
    font = sheet.font(rprs, "eastAsia")
    return _is_red(_first(rprs, _colour)) and _font_family(font) == gbt9704.FONT_XIAOBIAOSONG


def _check_colours(document: _Package) -> list[Finding]:
    found: dict[tuple[str, str], _Tally] = {}
    for part in _text_parts(document):
        in_use = _in_use(document, part)
        for colour in filter(in_use, part.live(w("color"))):
            value = colour.get(w("val"))
            if value is None or _is_template(value) or _is_black(value) or _is_red(value):
                continue
            _tally(found, part, str(value).upper(), colour)
    return [
        _finding(
            "colour_unusual",
            Severity.WARNING,
            f"文字颜色{value}既非黑色也非红色（共{tally.count}处；GB/T 9704-2012 5.2.4：如无特殊说明均为黑色）",
            f"the text colour {value} is neither black nor red ({_places(tally.count)}; GB/T 9704-2012 5.2.4: black "
            "unless stated otherwise)",
            tally.location,
            value,
            "000000 / auto / FF0000",
        )
        for (_part, value), tally in found.items()
    ]


# the red separator


def _check_rule(document: _Package) -> list[Finding]:
    parts = [document.main, *(document.part(name) for name in document.targets("header"))]
    heads = [part for part in parts if part is not None]
    mark = next(((part, run) for part in heads for run in part.live(w("r")) if _is_red_mark(document, run)), None)
    if mark is None or any(_has_red_rule(part) for part in heads):
        return []
    part, run = mark
    return [
        _finding(
            "rule_missing",
            Severity.WARNING,
            "有红色发文机关标志，但没有红色分隔线（GB/T 9704-2012 7.2.7；信函格式10.1为双红线）",
            "there is a red issuer mark (发文机关标志) but no red separator line (GB/T 9704-2012 7.2.7; the letter "
            "format's double red lines, 10.1)",
            part.location(run),
            "no red line",
            "a red border or line shape under the 版头",
        )
    ]


def _is_red_mark(document: _Package, run: Element) -> bool:
    if run.find(w("t")) is None:
        return False
    rprs = document.sheet.run_rprs(run)
    if not _is_red(_first(rprs, _colour)):
        return False
    size = _first(rprs, _size)
    large = _is_template(size) or (_measure(size, 2) or 0) >= gbt9704.SIZE_2HAO.half_points
    return large or _is_issuer_mark(document.sheet, rprs)


def _has_red_rule(part: _Part) -> bool:
    """A red paragraph, table or cell border, a DrawingML shape with a red outline or fill, or a red VML shape."""
    for borders in part.root.iter(w("pBdr"), w("tblBorders"), w("tcBorders")):
        if any(_is_red(side.get(w("color"))) and side.get(w("val")) not in ("nil", "none") for side in borders):
            return True
    for colour in part.live(f"{{{_A}}}srgbClr"):
        if not _is_red(colour.get("val")):
            continue
        fill = colour.getparent()
        if _nearest(colour, f"{{{_A}}}ln") is not None:
            return True
        owner = fill.getparent() if fill is not None else None
        if fill.tag == f"{{{_A}}}solidFill" and owner is not None and etree.QName(owner).localname == "spPr":
            return True
    for shape in part.root.iter(f"{{{_VML}}}*"):
        if any(_is_red(shape.get(attribute)) for attribute in ("strokecolor", "fillcolor", "color")):
            return True
    return False


# page numbers


@dataclass(frozen=True)
class _PageNumber:
    """A PAGE field in a footer: the paragraph holding it, the run carrying its instruction, the text around it."""

    part: _Part
    paragraph: Element
    run: Element
    before: str
    after: str


def _page_number(part: _Part) -> _PageNumber | None:
    """The footer's first PAGE field (w:fldSimple, or w:fldChar begin/instrText/separate/end), if any."""
    for paragraph in part.live(w("p")):
        found = _page_field_in(part, paragraph)
        if found is not None:
            return found
    return None


def _page_field_in(part: _Part, paragraph: Element) -> _PageNumber | None:
    before: list[str] = []
    after: list[str] = []
    state = "before"  # → "field" (inside the PAGE field) → "after"
    depth = 0
    instruction: list[str] = []
    begin_run: Element | None = None
    field_run: Element | None = None
    simple: Element | None = None
    for element in paragraph.iter():
        if element is paragraph or _nearest(element, w("p")) is not paragraph:
            continue
        if simple is not None and simple not in element.iterancestors():
            simple, state = None, "after"
        tag = element.tag
        if tag == w("fldSimple") and state == "before" and _PAGE_FIELD.match(str(element.get(w("instr"), ""))):
            simple, state = element, "field"
            field_run = element.find(w("r")) if element.find(w("r")) is not None else element
        elif tag == w("fldChar"):
            kind = element.get(w("fldCharType"))
            if kind == "begin":
                depth += 1
                if depth == 1 and state == "before":
                    instruction, begin_run = [], element.getparent()
            elif kind in ("separate", "end") and depth == 1 and state == "before" and _is_page(instruction):
                state = "field" if kind == "separate" else "after"
                field_run = begin_run
            if kind == "end":
                depth = max(depth - 1, 0)
                if depth == 0 and state == "field" and simple is None:
                    state = "after"
        elif tag == w("instrText") and depth == 1 and state == "before":
            instruction.append(element.text or "")
        elif tag == w("t") and depth == 0 and simple is None:
            (before if state == "before" else after).append(element.text or "")
        elif tag == w("t") and state == "before":
            before.append(element.text or "")  # another field's result
    if field_run is None:
        return None
    return _PageNumber(part, paragraph, field_run, "".join(before), "".join(after))


def _is_page(instruction: list[str]) -> bool:
    return bool(_PAGE_FIELD.match("".join(instruction)))


def _check_page_numbers(document: _Package, sections: list[_Section]) -> list[Finding]:
    footers = _section_footers(document, sections)
    numbers: dict[str, _PageNumber] = {}
    for names in footers.values():
        for candidates in names.values():
            for name in candidates:
                part = document.part(name)
                found = _page_number(part) if part is not None and name not in numbers else None
                if found is not None:
                    numbers[name] = found
    if not numbers:
        where = sections[-1].location if sections else Location(part=document.main_name)
        return [
            _finding(
                "page_numbers_missing",
                Severity.ERROR,
                "页脚中没有页码域（PAGE）：公文须编页码（GB/T 9704-2012 7.5）",
                "no footer holds a page-number (PAGE) field: GB/T 9704-2012 7.5 numbers every page",
                where,
                "no PAGE field",
                "a PAGE field in the footers",
            )
        ]
    findings = _same_side(document, sections, footers, numbers)
    for number in numbers.values():
        findings += _page_number_format(document, number)
    return findings


def _section_footers(document: _Package, sections: list[_Section]) -> dict[int, dict[str, list[str]]]:
    """Per section, the footer parts of each type (default, even, first); a section inherits what it does not name."""
    found: dict[int, dict[str, list[str]]] = {}
    inherited: dict[str, list[str]] = {}
    for index, section in enumerate(sections):
        own = dict(inherited)
        for reference in section.element.findall(w("footerReference")):
            kind = str(reference.get(w("type"), "default"))
            own[kind] = document.referenced(reference.get(_R_ID), "footer")
        found[index] = own
        inherited = own
    return found


def _same_side(
    document: _Package,
    sections: list[_Section],
    footers: dict[int, dict[str, list[str]]],
    numbers: dict[str, _PageNumber],
) -> list[Finding]:
    settings = document.settings
    flag = settings.root.find(w("evenAndOddHeaders")) if settings is not None else None
    expected = "odd pages right, even pages left"
    if flag is None or not _on(flag.get(w("val"))):
        return [
            _finding(
                "page_numbers_same_side",
                Severity.WARNING,
                "未设置奇偶页不同页脚（w:evenAndOddHeaders）：页码都在同一侧；GB/T 9704-2012 7.5要求单页码居右、"
                "双页码居左，各空一字",
                "odd and even pages share one footer (no w:evenAndOddHeaders in settings.xml), so every number sits "
                "on the same side; GB/T 9704-2012 7.5 puts odd pages' numbers right and even pages' left, one "
                "character in",
                Location(part=settings.name if settings is not None else "word/settings.xml"),
                "one footer for odd and even pages",
                expected,
            )
        ]
    for index, section in enumerate(sections):
        odd = next((numbers[name] for name in footers[index].get("default", []) if name in numbers), None)
        if odd is None:
            continue
        even = next((numbers[name] for name in footers[index].get("even", []) if name in numbers), None)
        if even is None:
            return [
                _finding(
                    "page_numbers_same_side",
                    Severity.WARNING,
                    "偶数页页脚没有页码（GB/T 9704-2012 7.5：双页码居左空一字）",
                    "the even pages' footer has no page number (GB/T 9704-2012 7.5: even pages number on the left)",
                    section.location,
                    "no even-page number",
                    expected,
                )
            ]
        odd_side, even_side = _alignment(document, odd), _alignment(document, even)
        if odd_side is not None and odd_side == even_side:
            return [
                _finding(
                    "page_numbers_same_side",
                    Severity.WARNING,
                    f"奇数页和偶数页页码都{_SIDES[odd_side][0]}（GB/T 9704-2012 7.5：单页码居右、双页码居左）",
                    f"odd and even page numbers are both {_SIDES[odd_side][1]} (GB/T 9704-2012 7.5: odd pages "
                    "right, even pages left)",
                    even.part.location(even.paragraph),
                    f"both {_SIDES[odd_side][1]}",
                    expected,
                )
            ]
    return []


_SIDES = {"left": ("居左", "left"), "right": ("居右", "right"), "center": ("居中", "centred")}
_ALIGNMENTS = {"left": "left", "start": "left", "both": "left", "distribute": "left", "right": "right", "end": "right"}


def _alignment(document: _Package, number: _PageNumber) -> str | None:
    value = _first(document.sheet.paragraph_pprs(number.paragraph), _value("jc"))
    if _is_template(value):
        return None
    return _ALIGNMENTS.get(value or "left", "center" if value == "center" else None)


def _page_number_format(document: _Package, number: _PageNumber) -> list[Finding]:
    findings = []
    where = number.part.location(number.paragraph)
    rprs = document.sheet.run_rprs(number.run)
    raw_size = _first(rprs, _size)
    size = _measure(raw_size, 2)
    expected_size = gbt9704.PAGE_NUMBER_SIZE.half_points
    if not _is_template(raw_size) and (size or DEFAULT_SIZE_HALF_POINTS) != expected_size:
        measured = _points(size or DEFAULT_SIZE_HALF_POINTS)
        findings.append(
            _finding(
                "page_number_format",
                Severity.WARNING,
                f"页码字号为{measured}，应为4号（14 pt，GB/T 9704-2012 7.5）",
                f"the page number is {measured}; GB/T 9704-2012 7.5 sets it in 4号 (14 pt)",
                where,
                measured,
                f"{gbt9704.PAGE_NUMBER_SIZE.pt:g} pt (4号)",
            )
        )
    fonts = {document.sheet.font(rprs, slot) or NOT_SET for slot in ("ascii", "eastAsia")}
    wrong = sorted(font for font in fonts if not _is_template(font) and _font_family(font) != gbt9704.FONT_SONGTI)
    if wrong:
        shown = ", ".join(wrong)
        findings.append(
            _finding(
                "page_number_format",
                Severity.WARNING,
                f"页码字体为{shown}，应为{gbt9704.FONT_SONGTI}（GB/T 9704-2012 7.5：半角宋体阿拉伯数字）",
                f"the page number is set in {shown}; GB/T 9704-2012 7.5 sets it in {gbt9704.FONT_SONGTI} (宋体)",
                where,
                shown,
                gbt9704.FONT_SONGTI,
            )
        )
    dash = gbt9704.PAGE_NUMBER_DASH
    if not (re.search(f"{dash}[ \u00a0]$", number.before) and re.match(f"^[ \u00a0]{dash}", number.after)):
        measured = f"{number.before.strip()}[PAGE]{number.after.strip()}"
        findings.append(
            _finding(
                "page_number_format",
                Severity.WARNING,
                f"页码两侧应为一字线“— ”和“ —”，现为“{measured}”（GB/T 9704-2012 7.5）",
                f"the page number should stand between “— ” and “ —” (em dashes, GB/T 9704-2012 7.5), not “{measured}”",
                where,
                measured,
                f"{dash} [PAGE] {dash}",
            )
        )
    return findings


# language


def _check_language(document: _Package) -> list[Finding]:
    rprs = document.sheet.body_rprs()
    east_asian = _first(rprs, _value("lang", "eastAsia"))
    western = _first(rprs, _value("lang", "val"))
    where = _body_location(document, lambda rpr: rpr.find(w("lang")) is not None)
    findings = []
    if east_asian is None or east_asian.casefold() != EAST_ASIAN_LANGUAGE.casefold():
        zh, en = (f"“{east_asian}”", f"“{east_asian}”") if east_asian else ("未设置", "not set")
        findings.append(
            _finding(
                "language",
                Severity.WARNING,
                f"中文文字的语言（w:lang w:eastAsia）为{zh}而非zh-CN：软件按该语言选择字体和标点禁则",
                f"the East Asian language (w:lang w:eastAsia) is {en}, not zh-CN: applications pick fonts and "
                "line-breaking (kinsoku) rules by that language",
                where,
                east_asian or NOT_SET,
                EAST_ASIAN_LANGUAGE,
            )
        )
    if western is None or western.casefold() != EAST_ASIAN_LANGUAGE.casefold():
        # NOTE: LibreOffice takes the PDF's /Lang from the default Western language (docs/decisions/0016)
        declared = western or "LibreOffice's own locale, usually en-US"
        zh = f"为“{western}”" if western else "未设置"
        findings.append(
            _finding(
                "language",
                Severity.WARNING,
                f"文档默认语言（w:lang w:val）{zh}：LibreOffice据此在PDF中写入/Lang({western or '其界面语言'})，"
                "读屏软件和PDF/UA检查会把这份中文公文当作该语言",
                f"the document's default language (w:lang w:val) is {western or 'not set'}: LibreOffice writes "
                f"/Lang({declared}) into the PDF, so screen readers and PDF/UA checkers take this Chinese document "
                "for that language",
                where,
                western or NOT_SET,
                EAST_ASIAN_LANGUAGE,
            )
        )
    return findings


# --- normalising the grid -----------------------------------------------------------------------------


def normalise_grid(package: Mapping[str, bytes]) -> tuple[dict[str, bytes], list[Finding]]:
    """Word's character grid (negative charSpace) turned into the lines grid plus −0.25 pt body spacing.

    NOTE: LibreOffice 7.4 sets 14 characters a line on `linesAndChars` with a negative charSpace (27 on
    `snapToChars`); the lines grid with the body condensed by 0.25 pt sets the 28 of GB/T 9704-2012 5.2.3
    in both Word and LibreOffice (environment.md §4). A package needing no change comes back as it was.
    """
    result = dict(package)
    document = _Package(package)
    main = document.main
    if main is None:
        return result, []
    changes = [change for section in _sections(main) if (change := _lines_grid(section)) is not None]
    if not changes:
        return result, []
    result[main.name] = main.to_bytes()
    spacing = _condense_body(document)
    if spacing is not None and document.styles is not None:
        result[document.styles.name] = document.styles.to_bytes()
    # The body's spacing is one change for the whole document: the first section's notice tells it.
    return result, [_normalised(change, spacing if i == 0 else None) for i, change in enumerate(changes)]


@dataclass(frozen=True)
class _GridChange:
    section: _Section
    kind: str  # linesAndChars or snapToChars
    char_space: float
    old_pitch: str | None
    new_pitch: str


def _lines_grid(section: _Section) -> _GridChange | None:
    """Turn the section's character grid with a negative charSpace into a lines grid; None when it has none."""
    grid = section.grid
    if grid is None:
        return None
    kind = str(grid.get(w("type"), ""))
    char_space = _measure(grid.get(w("charSpace")), 1)
    if kind not in _LIBREOFFICE_CHARS or char_space is None or char_space >= 0:
        return None
    old_pitch = grid.get(w("linePitch"))
    pitch = _measure(old_pitch, TWIPS_PER_POINT)
    height = section.text_height(gbt9704.TEXT_HEIGHT).twips
    if pitch is None or pitch <= 0 or gbt9704.LINES_PER_PAGE * pitch > height:
        # derived: 22 lines of the pitch must fit the 版心's height (see gbt9704.LINE_PITCH)
        grid.set(w("linePitch"), str(gbt9704.LINE_PITCH.twips))
    grid.set(w("type"), "lines")
    del grid.attrib[w("charSpace")]
    old = str(old_pitch) if old_pitch is not None else None
    return _GridChange(section, kind, char_space, old, str(grid.get(w("linePitch"))))


def _condense_body(document: _Package) -> str | None:
    """Set the body's −0.25 pt on the default paragraph style (or the document defaults when there is none).

    Returns the spacing it replaced ("0" when none was set), or None when it was already right or the
    package has no styles part.
    """
    styles = document.styles
    if styles is None:
        return None
    sheet = document.sheet
    holder = sheet.default_paragraph
    if holder is not None:
        rpr = holder.find(w("rPr"))
        if rpr is None:
            rpr = etree.Element(w("rPr"))
            _insert_in_order(holder, rpr, _STYLE_ORDER)
    else:
        root = styles.root
        defaults = root.find(w("docDefaults"))
        if defaults is None:
            defaults = etree.Element(w("docDefaults"))
            root.insert(0, defaults)
        rpr_default = defaults.find(w("rPrDefault"))
        if rpr_default is None:
            rpr_default = etree.Element(w("rPrDefault"))
            _insert_in_order(defaults, rpr_default, _DOC_DEFAULTS_ORDER)
        rpr = rpr_default.find(w("rPr"))
        if rpr is None:
            rpr = etree.SubElement(rpr_default, w("rPr"))
    old = _first(sheet.body_rprs(), _spacing) or "0"
    spacing = rpr.find(w("spacing"))
    if spacing is None:
        spacing = etree.Element(w("spacing"))
        _insert_in_order(rpr, spacing, _RPR_ORDER)
    elif spacing.get(w("val")) == str(BODY_SPACING_TWIPS):
        return None
    spacing.set(w("val"), str(BODY_SPACING_TWIPS))
    return old


def _insert_in_order(parent: Element, child: Element, order: tuple[str, ...]) -> None:
    """Insert `child` before the first sibling the schema puts after it; unknown (extension) elements go last."""

    def rank(element: Element) -> int:
        if not isinstance(element.tag, str):
            return -1  # comments and processing instructions stay where they are
        name = etree.QName(element)
        return order.index(name.localname) if name.namespace == _W and name.localname in order else len(order)

    mine = rank(child)
    for index, sibling in enumerate(parent):
        if rank(sibling) > mine:
            parent.insert(index, child)
            return
    parent.append(child)


def _normalised(change: _GridChange, spacing: str | None) -> Finding:
    """The notice of one section's new grid; with `spacing` (the body's old spacing) the condensing too."""
    zh_name, en_name = _GRID_NAMES[change.kind]
    chars = _LIBREOFFICE_CHARS[change.kind]
    char_space = f"{change.char_space:g}"
    pitch_zh = pitch_en = ""
    if change.old_pitch is None:
        pitch_zh, pitch_en = f"，行距设为{change.new_pitch}缇", f", line pitch set to {change.new_pitch} twips"
    elif change.old_pitch != change.new_pitch:
        pitch_zh = f"，行距由{change.old_pitch}缇改为{change.new_pitch}缇（{change.old_pitch}缇排不下22行）"
        pitch_en = (
            f", line pitch {change.old_pitch} → {change.new_pitch} twips (22 lines of {change.old_pitch} overflow)"
        )
    condense_zh = condense_en = ""
    if spacing is not None:
        old = _twips_to_points(spacing)
        condense_zh = "并将正文字距紧缩0.25磅" if old == "0" else f"并将正文字距由{old}磅改为紧缩0.25磅"
        condense_en = f" and the body's character spacing changed from {old} pt to −0.25 pt"
    measured = f"{change.kind}, charSpace {char_space}, linePitch {change.old_pitch or 'not set'}"
    expected = f"lines, linePitch {change.new_pitch}" + (", body spacing −0.25 pt" if spacing is not None else "")
    return _finding(
        "grid_normalised",
        Severity.NOTICE,
        f"文档网格由“{zh_name}”（字符间距{char_space}）改为“只指定行网格”{pitch_zh}{condense_zh}："
        f"LibreOffice 7.4 按原网格每行只排{chars}字",
        f"the document grid was changed from “{en_name}” (charSpace {char_space}) to “lines only”{pitch_en}"
        f"{condense_en}: LibreOffice 7.4 sets only {chars} characters a line on the old grid",
        change.section.location,
        measured,
        expected,
    )


def _twips_to_points(value: str) -> str:
    number = _measure(value, TWIPS_PER_POINT)
    return f"{number / TWIPS_PER_POINT:g}" if number is not None else value
