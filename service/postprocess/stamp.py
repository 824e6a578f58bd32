"""The 归档章 (archive stamp, DA/T 22-2015 7.2) on a 件's first page, and one-page PDFs out of a batch of stamps.

Where the stamp goes (docs/decisions/0013-archive-assembly.md): its top-right corner 26 mm from the page's
right edge and 10 mm from its top edge, as the page is displayed. On A4 that puts the stamp's right edge on
the GB/T 9704 版心's right edge (28 + 156 = 184 mm from the left) and the whole stamp, 10–26 mm from the top,
in the blank 天头 above the 版心 (37 mm), and above even a 信函格式 发文机关标志 (30 mm from the top).
"""

from __future__ import annotations

from dataclasses import dataclass

from pypdf import PageObject, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
)

from service.errors import RenderError, bilingual
from service.postprocess.merge import (
    STRUCTURE_KEYS,
    extract_from,
    keep_document_properties,
    read_pdf,
    write_identified,
)
from service.typography.gbt9704 import MARGIN_RIGHT, PAGE_HEIGHT, PAGE_WIDTH
from service.typography.units import Length, mm, pt

# GB/T 9704-2012 5.2.1: the 版心's right edge is 26 mm (210 − 28 − 156) from the paper's right edge.
STAMP_FROM_RIGHT = MARGIN_RIGHT
# Decision: 10 mm from the top keeps the 16 mm stamp 11 mm clear of the 版心 (37 mm, GB/T 9704-2012 5.2.1),
# 4 mm clear of a 信函格式 发文机关标志 (30 mm, GB/T 9704-2012 10.1), and 5 mm inside what printers leave blank.
STAMP_FROM_TOP = mm(10)
# The page those distances are set for; smaller pages (an A5 notice, a receipt) get them scaled down.
REFERENCE_SHORT_SIDE = PAGE_WIDTH
REFERENCE_LONG_SIDE = PAGE_HEIGHT
STAMP_RESOURCE = "/GongwenStamp"
Matrix = tuple[float, float, float, float, float, float]


@dataclass(frozen=True)
class PageBox:
    """What a viewer shows of a page: its crop box in user space (points) and its /Rotate (clockwise)."""

    left: float
    bottom: float
    right: float
    top: float
    rotation: int = 0

    @property
    def shown_width(self) -> float:
        return self.top - self.bottom if self.rotation in (90, 270) else self.right - self.left

    @property
    def shown_height(self) -> float:
        return self.right - self.left if self.rotation in (90, 270) else self.top - self.bottom

    def from_shown(self) -> Matrix:
        """The matrix taking a point of the page as shown (origin bottom left, y up) to user space."""
        width, height = self.right - self.left, self.top - self.bottom
        if self.rotation == 90:
            return (0, 1, -1, 0, self.left + width, self.bottom)
        if self.rotation == 180:
            return (-1, 0, 0, -1, self.left + width, self.bottom + height)
        if self.rotation == 270:
            return (0, -1, 1, 0, self.left, self.bottom + height)
        return (1, 0, 0, 1, self.left, self.bottom)


@dataclass(frozen=True)
class Placement:
    """Where the stamp lands on the page as shown: its lower-left corner and its scale (1 on any usual page)."""

    x: float
    y: float
    scale: float


def place_stamp(box: PageBox, stamp_width: Length, stamp_height: Length) -> Placement:
    """The stamp's place: STAMP_FROM_RIGHT and STAMP_FROM_TOP from the shown page's top-right corner.

    The stamp keeps its DA/T 22 size, since a clerk compares it with the rubber one. On a page smaller than A4
    (compared side for side, so landscape A4 counts as A4) the two distances shrink in proportion, and only
    on a page too small to hold the stamp between them does the stamp shrink as well.
    """
    width, height = box.shown_width, box.shown_height
    factor = min(
        1.0,
        max(width, height) / REFERENCE_LONG_SIDE.pt,
        min(width, height) / REFERENCE_SHORT_SIDE.pt,
    )
    from_right, from_top = STAMP_FROM_RIGHT.pt * factor, STAMP_FROM_TOP.pt * factor
    scale = min(1.0, (width - 2 * from_right) / stamp_width.pt, (height - 2 * from_top) / stamp_height.pt)
    return Placement(
        x=width - from_right - stamp_width.pt * scale, y=height - from_top - stamp_height.pt * scale, scale=scale
    )


def page_box(page: PageObject) -> PageBox:
    """The page's crop box (within its media box, corners in any order) and its rotation, from pypdf."""
    media, crop = page.mediabox, page.cropbox
    left = max(min(media.left, media.right), min(crop.left, crop.right))
    right = min(max(media.left, media.right), max(crop.left, crop.right))
    bottom = max(min(media.bottom, media.top), min(crop.bottom, crop.top))
    top = min(max(media.bottom, media.top), max(crop.bottom, crop.top))
    if right <= left or top <= bottom:  # a crop box outside the media box: ISO 32000-1 14.11.2 says intersect
        left, bottom, right, top = media.left, media.bottom, media.right, media.top
    # ISO 32000-1 Table 30: /Rotate is a multiple of 90; anything else is rounded as pypdf's setter does.
    rotation = (round(int(page.rotation) / 90) * 90) % 360
    return PageBox(float(left), float(bottom), float(right), float(top), rotation)


def stamp_matrix(box: PageBox, stamp: PageBox) -> Matrix:
    """The matrix drawing the stamp's page (`stamp`, unrotated) at place_stamp's place on the page `box`."""
    width, height = stamp.right - stamp.left, stamp.top - stamp.bottom
    place = place_stamp(box, pt(width), pt(height))
    onto_shown: Matrix = (
        place.scale,
        0,
        0,
        place.scale,
        place.x - stamp.left * place.scale,
        place.y - stamp.bottom * place.scale,
    )
    return _multiply(onto_shown, box.from_shown())


def _multiply(first: Matrix, then: Matrix) -> Matrix:
    """`first` followed by `then` (ISO 32000-1 8.3.4: row vectors, so first × then)."""
    a, b, c, d, e, f = first
    a2, b2, c2, d2, e2, f2 = then
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def split_pages(pdf: bytes) -> list[bytes]:
    """Each page of `pdf` as a one-page PDF of its own (a batch of stamps into stamps), deterministic."""
    reader = read_pdf(pdf)
    return [extract_from(reader, [number], None, basis=[b"page", pdf]) for number in range(len(reader.pages))]


def stamp_first_page(pdf: bytes, stamp_pdf: bytes) -> bytes:
    """`pdf` with the one-page `stamp_pdf` drawn over the top right of its first page (see place_stamp).

    The result is deterministic and keeps the source's pages, outline, Info, XMP and output intent; its PDF/A
    claim stays when the stamp's DeviceRGB content conforms (a PDF/A-2b or -2u source with an RGB output
    intent, as LibreOffice writes). The source's structure tree (tags) is not kept; see merge.STRUCTURE_KEYS.
    The stamp should be untagged (render_stamps' are): its marked content would otherwise join the page's.
    """
    reader, stamp_reader = read_pdf(pdf), read_pdf(stamp_pdf)
    writer = PdfWriter()
    try:
        writer.append(reader, excluded_fields=STRUCTURE_KEYS)
        stamp_page = stamp_reader.pages[0]
        form = _form_xobject(writer, stamp_page)
        page = writer.pages[0]
        matrix = stamp_matrix(page_box(page), _unrotated(page_box(stamp_page)))
        _draw_over(writer, page, form, matrix)
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise RenderError(bilingual("无法加盖归档章", f"the archive stamp cannot be put on the PDF: {exc}")) from exc
    keep_document_properties(reader, writer, adds_rgb=True)
    return write_identified(writer, [b"stamp", pdf, stamp_pdf])


def _unrotated(box: PageBox) -> PageBox:
    return PageBox(box.left, box.bottom, box.right, box.top)


def _form_xobject(writer: PdfWriter, page: PageObject) -> IndirectObject:
    """The stamp's page as a form XObject in `writer`: its content, its resources, its box."""
    contents = page.get("/Contents")
    streams = contents.get_object() if contents is not None else ArrayObject()
    if isinstance(streams, StreamObject):
        streams = ArrayObject([streams])
    data = b"\n".join(stream.get_object().get_data() for stream in streams)
    box = page_box(page)
    decoded = DecodedStreamObject()
    decoded.set_data(data)
    form = decoded.flate_encode(level=6)
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(FloatObject(v) for v in (box.left, box.bottom, box.right, box.top))
    resources = page.get("/Resources")
    form[NameObject("/Resources")] = resources.clone(writer) if resources is not None else DictionaryObject()
    return writer._add_object(form)


def _draw_over(writer: PdfWriter, page: PageObject, form: IndirectObject, matrix: Matrix) -> None:
    """Draw `form` with `matrix` after the page's own content, which is enclosed in q … Q so that whatever
    graphics state it leaves does not move the stamp. Only this page gets the new resource."""
    old_resources = page.get("/Resources")
    resources = DictionaryObject(old_resources.get_object() if old_resources is not None else {})
    old_xobjects = resources.get("/XObject")
    xobjects = DictionaryObject(old_xobjects.get_object() if old_xobjects is not None else {})
    name = STAMP_RESOURCE
    while name in xobjects:
        name += "_"
    xobjects[NameObject(name)] = form
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources

    contents = page.get("/Contents")
    existing = contents.get_object() if contents is not None else None
    references: list[PdfObject] = []
    if isinstance(existing, ArrayObject):
        references = list(existing)
    elif existing is not None:
        references = [existing.indirect_reference or existing]
    numbers = " ".join(_number(value) for value in matrix)
    # The stamp is no part of the document's text: an artifact (ISO 32000-1 14.8.2.2) to a tagged reader.
    after = f"\nQ\n/Artifact BMC q {numbers} cm {name} Do Q EMC\n".encode("ascii")
    page[NameObject("/Contents")] = ArrayObject([_stream(writer, b"q\n"), *references, _stream(writer, after)])


def _stream(writer: PdfWriter, data: bytes) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def _number(value: float) -> str:
    """A number as content streams write it: fixed point, no exponent, no trailing zeros."""
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text
