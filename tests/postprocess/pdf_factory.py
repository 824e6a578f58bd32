"""Small PDFs made with pypdf for the post-processing tests: pages of any box and rotation, a drawn stamp, and
files that claim PDF/A with an output intent of a given colour space (no LibreOffice needed)."""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    RectangleObject,
    TextStringObject,
)

from service.postprocess import pdfa

MM = 72 / 25.4  # points per millimetre
A4 = (210 * MM, 297 * MM)
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PageSpec:
    """One page: its media box (user space, points), an optional crop box, /Rotate, and a grey mark."""

    media: tuple[float, float, float, float] = (0, 0, *A4)
    crop: tuple[float, float, float, float] | None = None
    rotate: int = 0


def _content(writer: PdfWriter, data: bytes) -> object:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def pdf_of(pages: Sequence[PageSpec], *, claim: str | None = None, intent_space: bytes | None = None) -> bytes:
    """A PDF with these pages (each holds a small grey square so it is not empty), optionally with an XMP
    packet claiming `claim` ("2B", "1B", …) and a GTS_PDFA1 output intent whose ICC header says `intent_space`."""
    writer = PdfWriter()
    for spec in pages:
        page = writer.add_blank_page(width=spec.media[2] - spec.media[0], height=spec.media[3] - spec.media[1])
        page.mediabox = RectangleObject(spec.media)
        if spec.crop is not None:
            page.cropbox = RectangleObject(spec.crop)
        if spec.rotate:
            page[NameObject("/Rotate")] = NumberObject(spec.rotate)
        left, bottom = spec.media[0], spec.media[1]
        page[NameObject("/Contents")] = _content(writer, f"0.5 g {left + 50} {bottom + 50} 20 20 re f\n".encode())
    if intent_space is not None:
        header = bytearray(128)
        header[0:4] = struct.pack(">I", 128)
        header[16:20] = intent_space
        header[36:40] = b"acsp"
        profile = DecodedStreamObject()
        profile.set_data(bytes(header))
        profile[NameObject("/N")] = NumberObject({b"RGB ": 3, b"CMYK": 4, b"GRAY": 1}[intent_space])
        intent = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/OutputIntent"),
                NameObject("/S"): NameObject("/GTS_PDFA1"),
                NameObject("/OutputConditionIdentifier"): TextStringObject("test"),
                NameObject("/DestOutputProfile"): writer._add_object(profile),
            }
        )
        writer.root_object[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])
    writer.add_metadata({"/Title": "测试文件", "/Producer": "pypdf"})
    if claim is not None:
        info = pdfa.DocumentInfo("测试文件", "", "", "", "", "pypdf", _EPOCH, _EPOCH)
        packet = info.xmp(pdfa.PdfaClaim(int(claim[0]), claim[1]))
        writer.metadata = info.info_dictionary()
        pdfa.set_metadata_stream(writer, packet)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# The drawn stamp: 45 × 16 mm, a red frame and, in its top-left cell, a blue square that shows which way up it is.
STAMP_WIDTH, STAMP_HEIGHT = 45 * MM, 16 * MM
BLUE_SQUARE = 4 * MM


def drawn_stamp() -> bytes:
    """A stand-in 归档章 without fonts: red frame 1 mm wide, blue 4 mm square 1 mm in from the top-left corner."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=STAMP_WIDTH, height=STAMP_HEIGHT)
    w, h, rule, square = STAMP_WIDTH, STAMP_HEIGHT, 1 * MM, BLUE_SQUARE
    drawing = (
        f"1 0 0 rg 0 0 {w} {h} re {rule} {rule} {w - 2 * rule} {h - 2 * rule} re f*\n"
        f"0 0 1 rg {rule} {h - rule - square} {square} {square} re f\n"
    )
    page[NameObject("/Contents")] = _content(writer, drawing.encode())
    page[NameObject("/MediaBox")] = ArrayObject(FloatObject(v) for v in (0, 0, w, h))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
