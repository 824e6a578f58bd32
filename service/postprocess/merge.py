"""Several PDFs made into one, or some pages of one made into another: outline, metadata, content-derived ID.

Every file written here is deterministic (equal inputs give equal bytes), carries its metadata both in the
Info dictionary and in XMP, stays PDF/A-2b when what it was made from was (see service/postprocess/pdfa.py),
and opens at page 1 at 100 % and prints at actual size (see service/postprocess/viewer.py).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, ByteStringObject, DictionaryObject, NameObject

from service.errors import RenderError, bilingual
from service.postprocess import pdfa
from service.postprocess.viewer import set_print_view

# ISO 32000-1 14.4: a file identifier is at least 16 bytes; two equal ones mark a file never updated.
FILE_ID_BYTES = 16
CREATOR = "Gongwen"
PRODUCER = "pypdf"  # what pypdf writes into /Producer itself; named here so that XMP says the same
# The links from pages and annotations into a structure tree (ISO 32000-1 14.7.4.4). pypdf copies pages
# without the tree, so they would point at nothing; tagging is not part of PDF/A-2b.
STRUCTURE_KEYS = ("/StructParents", "/StructParent")
# Catalog entries copied as they are when a file's pages are taken over with its properties.
KEPT_CATALOG_KEYS = ("/Lang", "/ViewerPreferences")


@dataclass(frozen=True)
class PdfPart:
    """One PDF to merge; `bookmark` titles its outline entry (none when empty)."""

    pdf: bytes
    bookmark: str = ""


@dataclass(frozen=True)
class PdfMetadata:
    title: str
    author: str
    subject: str
    created: datetime
    keywords: str = ""

    def info(self) -> pdfa.DocumentInfo:
        return pdfa.DocumentInfo(
            title=self.title,
            author=self.author,
            subject=self.subject,
            keywords=self.keywords,
            creator=CREATOR,
            producer=PRODUCER,
            created=self.created,
            modified=self.created,
        )


def merge_pdfs(parts: Sequence[PdfPart], metadata: PdfMetadata) -> bytes:
    """The parts' pages one after another, as one deterministic PDF: equal inputs give equal bytes.

    A named part gets an outline entry at its first page (its own outline, if any, below it). When every
    part is PDF/A-2 (b or u) with output intents of one colour space, the result says it is PDF/A-2b, with
    the first part's intent.
    """
    writer = PdfWriter()
    readers = []
    try:
        for part in parts:
            reader = PdfReader(io.BytesIO(part.pdf))
            writer.append(reader, outline_item=part.bookmark or None, excluded_fields=STRUCTURE_KEYS)
            readers.append(reader)
    except (PyPdfError, ValueError) as exc:
        raise RenderError(bilingual("无法合并PDF", f"the PDFs cannot be merged: {exc}")) from exc
    claim = None
    conforming = readers and all(_still_conforms(reader, adds_rgb=False, parts=(2,)) for reader in readers)
    # One output intent serves the whole file, so every part's device colours must mean the same.
    if conforming and len({pdfa.intent_colour_space(reader) for reader in readers}) == 1:
        claim = _copy_intent(readers[0], writer)
    _describe(writer, metadata.info(), claim)
    if any(part.bookmark for part in parts):
        writer.page_mode = "/UseOutlines"
    basis = [b"merge", repr(metadata).encode()]
    for part in parts:
        basis += [part.bookmark.encode(), part.pdf]
    return write_identified(writer, basis)


def extract_pages(pdf: bytes, pages: Sequence[int], metadata: PdfMetadata | None = None) -> bytes:
    """The pages numbered `pages` (from 0) of `pdf` as a file of their own, deterministic.

    With `metadata` the file gets it (Info and XMP); without, it keeps the source's Info and XMP as they are.
    A PDF/A-2b (or -2u, -3b, -3u) source gives a file that still says so, with the same output intent.
    """
    reader = read_pdf(pdf)
    return extract_from(reader, pages, metadata, basis=[b"extract", pdf, repr(list(pages)).encode()])


def extract_from(
    reader: PdfReader, pages: Sequence[int], metadata: PdfMetadata | None, *, basis: Sequence[bytes]
) -> bytes:
    """extract_pages from an open reader (to take several files from one); `basis` determines the file ID."""
    writer = PdfWriter()
    try:
        for number in pages:
            writer.add_page(reader.pages[number], excluded_keys=STRUCTURE_KEYS)
    except (PyPdfError, ValueError, IndexError) as exc:
        raise RenderError(bilingual("无法拆分PDF", f"the PDF's pages cannot be taken: {exc}")) from exc
    if metadata is None:
        keep_document_properties(reader, writer, adds_rgb=False)
    else:
        claim = _copy_intent(reader, writer) if _still_conforms(reader, adds_rgb=False, parts=(2,)) else None
        _describe(writer, metadata.info(), claim)
    return write_identified(writer, [*basis, repr(metadata).encode()])


def read_pdf(pdf: bytes) -> PdfReader:
    """`pdf` opened in pypdf, or a RenderError."""
    try:
        reader = PdfReader(io.BytesIO(pdf))
        # A file without a page tree fails here, not later.
        reader.pages[0]
    except (PyPdfError, ValueError, IndexError, KeyError) as exc:
        raise RenderError(bilingual("无法读取PDF", f"the PDF cannot be read: {exc}")) from exc
    return reader


def _copy_intent(reader: PdfReader, writer: PdfWriter) -> pdfa.PdfaClaim:
    """The output intent of `reader` (checked by _still_conforms) into `writer`; the claim that goes with it."""
    intent = pdfa.output_intent(reader)
    assert intent is not None
    pdfa.set_output_intent(writer, intent)
    return pdfa.PDFA_2B


def keep_document_properties(reader: PdfReader, writer: PdfWriter, *, adds_rgb: bool) -> None:
    """Give `writer` the Info, XMP, output intent and language of `reader`, which it took pages from.

    The PDF/A claim in the XMP stays only where the result still conforms (see _still_conforms);
    `adds_rgb`: the writer's pages gained DeviceRGB content (a stamp), which needs an RGB output intent.
    """
    writer.metadata = None
    entries = pdfa.info_entries(reader)
    if entries:
        writer.metadata = DictionaryObject({NameObject(key): value for key, value in entries.items()})
    catalog = pdfa.catalog(reader)
    for key in KEPT_CATALOG_KEYS:
        if key in catalog:
            writer.root_object[NameObject(key)] = catalog[key].clone(writer)
    packet = pdfa.xmp_packet(reader)
    conforms = _still_conforms(reader, adds_rgb=adds_rgb)
    if packet:
        pdfa.set_metadata_stream(writer, packet if conforms else pdfa.without_claim(packet))
    intent = pdfa.output_intent(reader)
    if intent is not None:
        pdfa.set_output_intent(writer, intent)


def _still_conforms(reader: PdfReader, *, adds_rgb: bool, parts: Sequence[int] = (2, 3)) -> bool:
    """Whether pages of `reader` copied by pypdf (with `adds_rgb`: plus DeviceRGB content) are still PDF/A.

    Only level B and U claims survive: pypdf drops the structure tree that level A needs. PDF/A-1 does not
    survive a stamp (its Type 1 fonts need a /CharSet, which LibreOffice's non-PDF/A fonts lack), so only
    parts 2 and 3 are kept. DeviceRGB content conforms only under an RGB output intent (ISO 19005-2 6.2.4.3).
    """
    claim = pdfa.claim(reader)
    if claim is None or claim.part not in parts or claim.conformance not in ("B", "U"):
        return False
    if adds_rgb:
        return pdfa.has_rgb_output_intent(reader)
    return pdfa.output_intent(reader) is not None


def _describe(writer: PdfWriter, info: pdfa.DocumentInfo, claim: pdfa.PdfaClaim | None) -> None:
    """Info and XMP from `info`, saying the same (ISO 19005-2 6.6.3), with the PDF/A claim if any."""
    writer.metadata = info.info_dictionary()
    pdfa.set_metadata_stream(writer, info.xmp(claim))


def write_identified(writer: PdfWriter, basis: Sequence[bytes]) -> bytes:
    """The writer's PDF with its print view (viewer.py) and a file ID derived from `basis`: everything the file
    was made from, so that equal inputs give equal bytes (and different ones a different ID) without writing
    the file twice."""
    set_print_view(writer)
    digest = hashlib.sha256()
    for piece in basis:
        digest.update(hashlib.sha256(piece).digest())
    # NOTE: pypdf has no public setter for the trailer's /ID; without one it writes none, and PDF/A needs it.
    file_id = ByteStringObject(digest.digest()[:FILE_ID_BYTES])
    writer._ID = ArrayObject([file_id, file_id])
    return _written(writer)


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def page_count(pdf: bytes) -> int:
    try:
        return len(PdfReader(io.BytesIO(pdf)).pages)
    except (PyPdfError, ValueError, KeyError) as exc:
        raise RenderError(bilingual("无法读取PDF", f"the PDF cannot be read: {exc}")) from exc
