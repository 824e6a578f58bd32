"""Read a rendered DOCX back as XML for assertions: parts, paragraphs, runs, tables and their properties."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def w(name: str) -> str:
    """Clark name of a w: attribute or element."""
    return f"{{{NS['w']}}}{name}"


def xpath(node: etree._Element, path: str) -> list[etree._Element]:
    found = node.xpath(path, namespaces=NS)
    assert isinstance(found, list)
    return [item for item in found if isinstance(item, etree._Element)]


def one(node: etree._Element, path: str) -> etree._Element:
    found = xpath(node, path)
    assert len(found) == 1, f"expected one {path}, found {len(found)}"
    return found[0]


def attr(node: etree._Element, path: str, name: str) -> str | None:
    """The w:`name` attribute of the single element at `path`, or None when the element is absent."""
    found = xpath(node, path)
    assert len(found) <= 1, f"expected at most one {path}, found {len(found)}"
    return found[0].get(w(name)) if found else None


def int_attr(node: etree._Element, path: str, name: str) -> int:
    value = attr(node, path, name)
    assert value is not None, f"{path}/@w:{name} is missing"
    return int(value)


@dataclass(frozen=True)
class Run:
    element: etree._Element

    @property
    def text(self) -> str:
        parts = []
        # Direct children only: a drawing's text box holds paragraphs of its own.
        for node in xpath(self.element, "w:t | w:br | w:tab"):
            if node.tag == w("t"):
                parts.append(node.text or "")
            else:
                parts.append("\n" if node.tag == w("br") else "\t")
        return "".join(parts)

    def font(self, slot: str = "eastAsia") -> str | None:
        return attr(self.element, "w:rPr/w:rFonts", slot)

    @property
    def size(self) -> int | None:
        value = attr(self.element, "w:rPr/w:sz", "val")
        return int(value) if value is not None else None

    @property
    def color(self) -> str | None:
        return attr(self.element, "w:rPr/w:color", "val")


@dataclass(frozen=True)
class Paragraph:
    element: etree._Element

    @property
    def runs(self) -> list[Run]:
        return [Run(r) for r in xpath(self.element, "w:r")]

    @property
    def text_runs(self) -> list[Run]:
        return [r for r in self.runs if r.text]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    def prop(self, path: str, name: str) -> str | None:
        return attr(self.element, f"w:pPr/{path}", name)

    def int_prop(self, path: str, name: str, default: int = 0) -> int:
        value = self.prop(path, name)
        return default if value is None else int(value)

    def has(self, path: str) -> bool:
        return bool(xpath(self.element, f"w:pPr/{path}"))

    @property
    def align(self) -> str | None:
        return self.prop("w:jc", "val")

    @property
    def before(self) -> int:
        return self.int_prop("w:spacing", "before")

    @property
    def exact_line(self) -> int | None:
        """The exact line height in twips, or None when the paragraph sits on the grid."""
        if self.prop("w:spacing", "lineRule") != "exact":
            return None
        return self.int_prop("w:spacing", "line")

    @property
    def in_table(self) -> bool:
        return any(a.tag == w("tc") for a in self.element.iterancestors())


@dataclass
class Rendered:
    """A DOCX file opened for inspection."""

    data: bytes
    members: dict[str, bytes] = field(init=False)

    def __post_init__(self) -> None:
        with zipfile.ZipFile(io.BytesIO(self.data)) as package:
            self.members = {info.filename: package.read(info) for info in package.infolist()}

    def part(self, name: str) -> etree._Element:
        return etree.fromstring(self.members[name])

    @cached_property
    def document(self) -> etree._Element:
        return self.part("word/document.xml")

    @cached_property
    def body(self) -> etree._Element:
        return one(self.document, "w:body")

    @cached_property
    def styles(self) -> etree._Element:
        return self.part("word/styles.xml")

    @cached_property
    def settings(self) -> etree._Element:
        return self.part("word/settings.xml")

    @cached_property
    def core(self) -> etree._Element:
        return self.part("docProps/core.xml")

    @cached_property
    def section(self) -> etree._Element:
        return one(self.body, "w:sectPr")

    @property
    def top_level(self) -> list[etree._Element]:
        """Paragraphs and tables directly in the body, in order."""
        return [child for child in self.body if child.tag in (w("p"), w("tbl"))]

    @property
    def body_paragraphs(self) -> list[Paragraph]:
        """Every paragraph directly in the body (not in tables), in order."""
        return [Paragraph(p) for p in xpath(self.body, "w:p")]

    @property
    def all_paragraphs(self) -> list[Paragraph]:
        return [Paragraph(p) for p in self.body.iter(w("p"))]

    def paragraphs_with(self, text: str) -> list[Paragraph]:
        return [p for p in self.all_paragraphs if text in p.text]

    def paragraph(self, text: str) -> Paragraph:
        """The one paragraph whose text is exactly `text`."""
        found = [p for p in self.all_paragraphs if p.text == text]
        assert len(found) == 1, f"expected one paragraph {text!r}, found {len(found)}"
        return found[0]

    def first(self, text: str) -> Paragraph:
        """The first body paragraph whose text is exactly `text` (the title line, not the 署名)."""
        for paragraph in self.body_paragraphs:
            if paragraph.text == text:
                return paragraph
        raise AssertionError(f"no paragraph {text!r}")

    def index(self, paragraph: Paragraph) -> int:
        """Position of a top-level paragraph among the body's paragraphs and tables."""
        return self.top_level.index(paragraph.element)

    @property
    def tables(self) -> list[etree._Element]:
        return xpath(self.body, "w:tbl")

    def footer(self, kind: str) -> etree._Element | None:
        """The footer part of `kind` ("default", "even", "first"), or None when the section has none."""
        return self._header_footer("footerReference", kind)

    def header(self, kind: str) -> etree._Element | None:
        return self._header_footer("headerReference", kind)

    def _header_footer(self, reference: str, kind: str) -> etree._Element | None:
        refs = [r for r in xpath(self.section, f"w:{reference}") if r.get(w("type")) == kind]
        if not refs:
            return None
        rid = refs[0].get(f"{{{NS['r']}}}id")
        rels = etree.fromstring(self.members["word/_rels/document.xml.rels"])
        target = one(rels, f"rel:Relationship[@Id='{rid}']").get("Target")
        return self.part(f"word/{target}")

    def all_parts_text(self) -> Iterator[tuple[str, str]]:
        for name, data in self.members.items():
            if name.endswith(".xml") or name.endswith(".rels"):
                yield name, data.decode("utf-8")
