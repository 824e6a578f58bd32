"""Several PDFs made into one: pages in order, an outline entry per part, metadata, a content-derived ID."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, ByteStringObject

from service.errors import RenderError, bilingual

# ISO 32000-1 14.4: a file identifier is at least 16 bytes; two equal ones mark a file never updated.
FILE_ID_BYTES = 16


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


def merge_pdfs(parts: Sequence[PdfPart], metadata: PdfMetadata) -> bytes:
    """The parts' pages one after another, as one deterministic PDF: equal inputs give equal bytes."""
    writer = PdfWriter()
    try:
        for part in parts:
            writer.append(PdfReader(io.BytesIO(part.pdf)), outline_item=part.bookmark or None)
    except (PyPdfError, ValueError) as exc:
        raise RenderError(bilingual("无法合并PDF", f"the PDFs cannot be merged: {exc}")) from exc
    stamp = "D:" + metadata.created.astimezone(UTC).strftime("%Y%m%d%H%M%S") + "Z"
    writer.add_metadata(
        {
            "/Title": metadata.title,
            "/Author": metadata.author,
            "/Subject": metadata.subject,
            "/Keywords": metadata.keywords,
            "/Creator": "Gongwen",
            "/CreationDate": stamp,
            "/ModDate": stamp,
        }
    )
    if parts and any(part.bookmark for part in parts):
        writer.page_mode = "/UseOutlines"
    unidentified = _written(writer)
    # NOTE: pypdf has no public setter for the trailer's /ID; without one it writes none, and PDF/A needs it.
    file_id = ByteStringObject(hashlib.sha256(unidentified).digest()[:FILE_ID_BYTES])
    writer._ID = ArrayObject([file_id, file_id])
    return _written(writer)


def _written(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def page_count(pdf: bytes) -> int:
    try:
        return len(PdfReader(io.BytesIO(pdf)).pages)
    except (PyPdfError, ValueError) as exc:
        raise RenderError(bilingual("无法读取PDF", f"the PDF cannot be read: {exc}")) from exc
