"""DOCX packages for the lint tests: the built-in templates, and copies with one thing changed in their XML."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from lxml import etree

from service.config import PROJECT_ROOT
from service.rendering import ooxml

from .docx_xml import NS, w, xpath

TEMPLATES_DIR = PROJECT_ROOT / "templates"
DOCUMENT = "word/document.xml"
STYLES = "word/styles.xml"
SETTINGS = "word/settings.xml"

Package = dict[str, bytes]


def template_path(kind: str, variant: str = "document") -> Path:
    return TEMPLATES_DIR / kind / f"{variant}.docx"


def template_package(kind: str, variant: str = "document") -> Package:
    """The zip members of a built-in template, as ooxml.read_package gives them."""
    return ooxml.read_package(template_path(kind, variant).read_bytes())


def notice() -> Package:
    """The built-in meeting notice (文件格式): lint-clean but for the en-US default language."""
    return template_package("meeting-notice")


def edited(package: Package, part: str, edit: Callable[[etree._Element], object]) -> Package:
    """A copy of `package` with `edit` applied to the root of `part`."""
    root = etree.fromstring(package[part])
    edit(root)
    return {**package, part: etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)}


def section_properties(root: etree._Element) -> list[etree._Element]:
    return xpath(root, "//w:sectPr")


def set_attributes(elements: Iterator[etree._Element] | list[etree._Element], **values: object) -> None:
    for element in elements:
        for name, value in values.items():
            if value is None:
                element.attrib.pop(w(name), None)
            else:
                element.set(w(name), str(value))


def with_margins(package: Package, **sides: int) -> Package:
    """Every section's pgMar with the given sides (twips) replaced: with_margins(p, left=1701)."""
    return edited(package, DOCUMENT, lambda root: set_attributes(xpath(root, "//w:sectPr/w:pgMar"), **sides))


def with_page_size(package: Package, width: int, height: int) -> Package:
    return edited(package, DOCUMENT, lambda root: set_attributes(xpath(root, "//w:sectPr/w:pgSz"), w=width, h=height))


def with_grid(package: Package, **values: object) -> Package:
    """Every section's docGrid with the given attributes (None removes one)."""
    return edited(package, DOCUMENT, lambda root: set_attributes(xpath(root, "//w:sectPr/w:docGrid"), **values))


def without_grid(package: Package) -> Package:
    def drop(root: etree._Element) -> None:
        for grid in xpath(root, "//w:sectPr/w:docGrid"):
            grid.getparent().remove(grid)

    return edited(package, DOCUMENT, drop)


def normal_rpr(root: etree._Element) -> etree._Element:
    return xpath(root, "w:style[@w:styleId='Normal']/w:rPr")[0]


def without_body_spacing(package: Package) -> Package:
    """The Normal style without its −0.25 pt, as a template made in Word has it."""

    def drop(root: etree._Element) -> None:
        for spacing in xpath(root, "w:style[@w:styleId='Normal']/w:rPr/w:spacing"):
            spacing.getparent().remove(spacing)

    return edited(package, STYLES, drop)


def word_grid(package: Package, kind: str = "linesAndChars", char_space: int = -842) -> Package:
    """Word's 28-character grid ("指定行和字符网格"), as Word writes it for a GB/T 9704 template."""
    return without_body_spacing(with_grid(package, type=kind, charSpace=char_space))


def with_body_font(package: Package, font: str) -> Package:
    def change(root: etree._Element) -> None:
        for fonts in xpath(root, "w:docDefaults/w:rPrDefault/w:rPr/w:rFonts"):
            for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
                fonts.set(w(slot), font)

    return edited(package, STYLES, change)


def with_body_size(package: Package, half_points: int) -> Package:
    def change(root: etree._Element) -> None:
        for size in xpath(root, "(w:docDefaults//w:rPr | w:style[@w:styleId='Normal']/w:rPr)/w:sz"):
            size.set(w("val"), str(half_points))

    return edited(package, STYLES, change)


def with_theme_body_font(package: Package, typeface: str) -> Package:
    """docDefaults naming the theme's minor East Asian font, as Word's own templates do, and a theme giving it."""
    theme = (
        f'<a:theme xmlns:a="{NS["a"]}" name="Office"><a:themeElements><a:fontScheme name="Office">'
        '<a:majorFont><a:latin typeface="Calibri Light"/><a:ea typeface=""/><a:cs typeface=""/></a:majorFont>'
        f'<a:minorFont><a:latin typeface="Calibri"/><a:ea typeface=""/><a:cs typeface=""/>'
        f'<a:font script="Hans" typeface="{typeface}"/></a:minorFont>'
        "</a:fontScheme></a:themeElements></a:theme>"
    ).encode()

    def themed(root: etree._Element) -> None:
        for fonts in xpath(root, "w:docDefaults/w:rPrDefault/w:rPr/w:rFonts"):
            fonts.set(w("eastAsiaTheme"), "minorEastAsia")

    def relate(root: etree._Element) -> None:
        relationship = etree.SubElement(root, f"{{{NS['rel']}}}Relationship")
        relationship.set("Id", "rId99")
        relationship.set("Type", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme")
        relationship.set("Target", "theme/theme1.xml")

    changed = edited(package, STYLES, themed)
    changed = edited(changed, "word/_rels/document.xml.rels", relate)
    return {**changed, "word/theme/theme1.xml": theme}


def first_run_with_text(root: etree._Element, text: str) -> etree._Element:
    runs = [run for run in xpath(root, "//w:r") if text in "".join(t.text or "" for t in xpath(run, "w:t"))]
    assert runs, f"no run holds {text!r}"
    return runs[0]


def set_run_property(run: etree._Element, name: str, value: str) -> None:
    """Set w:`name` w:val on the run's rPr, keeping the schema's order for the properties used here."""
    rpr = run.find(w("rPr"))
    if rpr is None:
        rpr = etree.SubElement(run, w("rPr"))
        run.insert(0, rpr)
    element = rpr.find(w(name))
    if element is None:
        element = etree.Element(w(name))
        order = ["rFonts", "color", "spacing", "sz", "szCs", "lang"]
        later = [child for child in rpr if etree.QName(child).localname in order[order.index(name) + 1 :]]
        if later:
            later[0].addprevious(element)
        else:
            rpr.append(element)
    element.set(w("val"), value)


def with_run_property(package: Package, text: str, name: str, value: str, *, part: str = DOCUMENT) -> Package:
    """The first run holding `text` with w:`name` set to `value` (color, sz, …)."""
    return edited(package, part, lambda root: set_run_property(first_run_with_text(root, text), name, value))


def with_run_font(package: Package, text: str, font: str) -> Package:
    def change(root: etree._Element) -> None:
        fonts = first_run_with_text(root, text).find(f"{w('rPr')}/{w('rFonts')}")
        for slot in ("ascii", "hAnsi", "eastAsia"):
            fonts.set(w(slot), font)

    return edited(package, DOCUMENT, change)


def footers(package: Package) -> list[str]:
    return sorted(name for name in package if name.startswith("word/footer"))


def without_page_fields(package: Package) -> Package:
    """Every footer's PAGE field and its runs removed: the dashes stay, no number."""

    def drop(root: etree._Element) -> None:
        for run in xpath(root, "//w:r[w:fldChar or w:instrText] | //w:fldSimple"):
            run.getparent().remove(run)
        for run in xpath(root, "//w:r[w:t='1']"):
            run.getparent().remove(run)

    for name in footers(package):
        package = edited(package, name, drop)
    return package


def with_simple_page_fields(package: Package) -> Package:
    """Every footer's complex PAGE field (fldChar runs) written as one w:fldSimple instead."""

    def simplify(root: etree._Element) -> None:
        for begin in xpath(root, "//w:r[w:fldChar/@w:fldCharType='begin']"):
            paragraph = begin.getparent()
            runs = list(paragraph)
            start = runs.index(begin)
            end = next(i for i in range(start, len(runs)) if xpath(runs[i], "w:fldChar[@w:fldCharType='end']"))
            result = next(run for run in runs[start:end] if xpath(run, "w:t"))
            simple = etree.Element(w("fldSimple"))
            simple.set(w("instr"), " PAGE ")
            for run in runs[start : end + 1]:
                paragraph.remove(run)
            simple.append(result)
            paragraph.insert(start, simple)

    for name in footers(package):
        package = edited(package, name, simplify)
    return package


def without_even_and_odd_headers(package: Package) -> Package:
    def drop(root: etree._Element) -> None:
        for flag in xpath(root, "w:evenAndOddHeaders"):
            root.remove(flag)

    return edited(package, SETTINGS, drop)


def with_footer_alignment(package: Package, footer: str, alignment: str) -> Package:
    return edited(package, footer, lambda root: set_attributes(xpath(root, "//w:p/w:pPr/w:jc"), val=alignment))


def with_footer_runs(package: Package, footer: str, **values: str) -> Package:
    """Every run of `footer` with the given properties (sz="24") and its dashes replaced by `dashes`."""
    dashes = values.pop("dashes", None)

    def change(root: etree._Element) -> None:
        for run in xpath(root, "//w:r"):
            for name, value in values.items():
                set_run_property(run, name, value)
        if dashes is not None:
            for text in xpath(root, "//w:t"):
                text.text = (text.text or "").replace("—", dashes).replace(" ", "")

    return edited(package, footer, change)


def without_red_rule(package: Package) -> Package:
    def drop(root: etree._Element) -> None:
        for borders in xpath(root, "//w:pBdr[*/@w:color='FF0000']"):
            borders.getparent().remove(borders)

    return edited(package, DOCUMENT, drop)


def with_language(package: Package, **values: str) -> Package:
    return edited(package, STYLES, lambda root: set_attributes(xpath(root, "w:docDefaults//w:rPr/w:lang"), **values))


def with_style(package: Package, style_id: str, colour: str, *, used_by: str | None = None) -> Package:
    """A paragraph style `style_id` in `colour`; with `used_by`, the first paragraph holding that text uses it."""

    def add(root: etree._Element) -> None:
        root.append(
            etree.fromstring(
                f'<w:style xmlns:w="{NS["w"]}" w:type="paragraph" w:styleId="{style_id}">'
                f'<w:name w:val="{style_id}"/><w:basedOn w:val="Normal"/><w:rPr><w:color w:val="{colour}"/></w:rPr>'
                "</w:style>"
            )
        )

    def use(root: etree._Element) -> None:
        paragraph = first_run_with_text(root, used_by or "").getparent()
        properties = paragraph.find(w("pPr"))
        properties.insert(0, etree.fromstring(f'<w:pStyle xmlns:w="{NS["w"]}" w:val="{style_id}"/>'))

    package = edited(package, STYLES, add)
    return edited(package, DOCUMENT, use) if used_by is not None else package
