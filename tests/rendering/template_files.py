"""Uploads for the template-check tests: the built-in templates edited at the XML level, and hand-made zips."""

from __future__ import annotations

import copy
import io
import json
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from service.config import PROJECT_ROOT
from service.rendering import ooxml
from service.rendering.template_check import ContextContract

from .docx_xml import NS, w, xpath

TEMPLATES_DIR = PROJECT_ROOT / "templates"
DOCUMENT = "word/document.xml"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
# Variants whose context is the kind's context repeated under a key (archive-stamp's manifest notes say so).
REPEATED_VARIANTS = {("archive-stamp", "batch"): "stamps"}
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class BuiltinTemplate:
    kind: str
    variant: str

    @property
    def path(self) -> Path:
        return TEMPLATES_DIR / self.kind / f"{self.variant}.docx"

    @property
    def id(self) -> str:
        return f"{self.kind}/{self.variant}"


def builtin_templates() -> list[BuiltinTemplate]:
    return [BuiltinTemplate(path.parent.name, path.stem) for path in sorted(TEMPLATES_DIR.glob("*/*.docx"))]


def manifest(kind: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((TEMPLATES_DIR / kind / "manifest.json").read_text(encoding="utf-8"))
    return loaded


def contract_for(kind: str, variant: str = "document") -> ContextContract:
    contract = ContextContract.from_manifest(manifest(kind))
    repeated = REPEATED_VARIANTS.get((kind, variant))
    return contract.repeated(repeated) if repeated else contract


def package_of(kind: str, variant: str = "document") -> dict[str, bytes]:
    return ooxml.read_package(BuiltinTemplate(kind, variant).path.read_bytes())


def docx_bytes(package: dict[str, bytes]) -> bytes:
    return ooxml.write_package(package)


def edit_xml(package: dict[str, bytes], part: str, edit: Callable[[etree._Element], None]) -> dict[str, bytes]:
    """A copy of `package` with `part` parsed, changed by `edit` and written back."""
    root = etree.fromstring(package[part])
    edit(root)
    return {**package, part: etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)}


def edit_text(package: dict[str, bytes], part: str, old: str, new: str) -> dict[str, bytes]:
    """A copy of `package` with `old` replaced by `new` once in the part's XML text."""
    xml = package[part].decode("utf-8")
    assert xml.count(old) >= 1, f"{old!r} not in {part}"
    return {**package, part: xml.replace(old, new, 1).encode("utf-8")}


def paragraphs(root: etree._Element) -> list[etree._Element]:
    return xpath(root, "//w:p")


def own_text(paragraph: etree._Element) -> str:
    return "".join(t.text or "" for t in xpath(paragraph, "./w:r/w:t | ./*/w:r/w:t"))


def paragraph_holding(root: etree._Element, text: str) -> etree._Element:
    found = [p for p in paragraphs(root) if text in own_text(p)]
    assert found, f"no paragraph holds {text!r}"
    return found[0]


def run(text: str, properties: str = "") -> etree._Element:
    """A w:r with `properties` (inner XML of w:rPr, e.g. "<w:b/>") and one w:t."""
    rpr = f"<w:rPr>{properties}</w:rPr>" if properties else ""
    return etree.fromstring(f'<w:r xmlns:w="{NS["w"]}">{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>')


def element(xml: str) -> etree._Element:
    """One element from XML text with the w: prefix, e.g. '<w:proofErr w:type="spellStart"/>'."""
    wrapper = etree.fromstring(f'<wrapper xmlns:w="{NS["w"]}">{xml}</wrapper>')
    return wrapper[0]


def split_tag(root: etree._Element, tag: str, pieces: list[str]) -> None:
    """Replace the run holding exactly `tag` by one run per piece, as Word does: each piece with other
    properties, a proofErr and a bookmark between them; the first keeps the original properties."""
    assert "".join(pieces) == tag
    original = next(t for t in root.iter(w("t")) if t.text == tag).getparent()
    rpr = original.find(w("rPr"))
    extras = ["", '<w:lang w:val="en-US"/>', "<w:b/>", '<w:rFonts w:ascii="Arial"/>']
    new: list[etree._Element] = []
    for index, piece in enumerate(pieces):
        if index == 0 and rpr is not None:
            new.append(run(piece))
            new[-1].insert(0, copy.deepcopy(rpr))
        else:
            new.append(run(piece, extras[index % len(extras)]))
        if index < len(pieces) - 1:
            new.append(element('<w:proofErr w:type="spellStart"/>'))
            new.append(element(f'<w:bookmarkStart w:id="{90 + index}" w:name="_GoBack{index}"/>'))
    for item in reversed(new):
        original.addnext(item)
    original.getparent().remove(original)


def add_paragraph_after(root: etree._Element, anchor_text: str, *runs: etree._Element) -> etree._Element:
    """A new paragraph holding `runs`, right after the paragraph holding `anchor_text`."""
    anchor = paragraph_holding(root, anchor_text)
    paragraph = etree.Element(w("p"))
    paragraph.extend(runs)
    anchor.addnext(paragraph)
    return paragraph


def add_relationship(
    package: dict[str, bytes], rels_part: str, rel_type: str, target: str, *, external: bool = True
) -> dict[str, bytes]:
    """A copy of `package` with one more relationship in `rels_part` (created when missing)."""
    root = etree.fromstring(package.get(rels_part, f'<Relationships xmlns="{RELS_NS}"/>'.encode()))
    rel = etree.SubElement(root, f"{{{RELS_NS}}}Relationship", Id="rId99", Type=RELATIONSHIP + rel_type, Target=target)
    if external:
        rel.set("TargetMode", "External")
    return {**package, rels_part: etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)}


def zip_of(members: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip written by zipfile, names taken as given (duplicates included)."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns about duplicate names
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                archive.writestr(zipfile.ZipInfo(name, date_time=ooxml.ZIP_EPOCH), data)
    return buffer.getvalue()


# -- hand-made zips: deflate streams written directly, sizes in the headers as the test says ---------------


@dataclass(frozen=True)
class RawMember:
    """A member as stored: a raw deflate stream, its CRC, and the uncompressed size its headers declare."""

    name: str
    deflated: bytes
    crc: int
    declared_size: int


def deflated(name: str, data: bytes) -> RawMember:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    stream = compressor.compress(data) + compressor.flush()
    return RawMember(name, stream, zlib.crc32(data), len(data))


MIB = 1024 * 1024


@cache
def _zero_mebibyte_block() -> bytes:
    # A full flush ends the block on a byte boundary with no reference back, so copies can be concatenated.
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)


@cache
def _zeros_crc(mebibytes: int) -> int:
    crc = 0
    block = bytes(MIB)
    for _ in range(mebibytes):
        crc = zlib.crc32(block, crc)
    return crc


def zeros(name: str, mebibytes: int, *, declared_size: int | None = None) -> RawMember:
    """`mebibytes` MiB of zeros in about a thousandth of that; `declared_size` makes the headers lie."""
    final = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    stream = _zero_mebibyte_block() * mebibytes + final
    size = mebibytes * MIB if declared_size is None else declared_size
    return RawMember(name, stream, _zeros_crc(mebibytes), size)


def raw_zip(members: Iterable[RawMember]) -> bytes:
    """A zip (no zip64: every size under 4 GiB) whose local and central headers say what the members say."""
    local = bytearray()
    central = bytearray()
    count = 0
    dos_date = (0 << 9) | (1 << 5) | 1  # 1980-01-01
    for member in members:
        name = member.name.encode("utf-8")
        offset = len(local)
        local += struct.pack(
            "<4sHHHHHIIIHH",
            b"PK\x03\x04",
            20,
            0x800,
            zipfile.ZIP_DEFLATED,
            0,
            dos_date,
            member.crc,
            len(member.deflated),
            member.declared_size,
            len(name),
            0,
        )
        local += name + member.deflated
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0x800,
            zipfile.ZIP_DEFLATED,
            0,
            dos_date,
            member.crc,
            len(member.deflated),
            member.declared_size,
            len(name),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += name
        count += 1
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(central), len(local), 0)
    return bytes(local + central + end)


def raw_package(kind: str, *extra: RawMember) -> bytes:
    """A built-in template's members and `extra`, as a hand-made zip."""
    return raw_zip([*(deflated(name, data) for name, data in package_of(kind).items()), *extra])
