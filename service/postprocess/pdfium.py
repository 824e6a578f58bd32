"""PDFium (pypdfium2) for reading rendered PDFs: one lock, one way to open a document."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pypdfium2

from service.errors import RenderError, bilingual

# NOTE: PDFium is not thread-safe; the request threads of one process take turns.
_PDFIUM = threading.Lock()


@contextmanager
def opened(pdf: bytes) -> Iterator[pypdfium2.PdfDocument]:
    """`pdf` opened in PDFium, holding the process-wide lock until the block ends."""
    with _PDFIUM:
        try:
            document = pypdfium2.PdfDocument(pdf)
        except pypdfium2.PdfiumError as exc:
            raise RenderError(bilingual("PDF无法打开", f"the PDF cannot be opened: {exc}")) from exc
        try:
            yield document
        finally:
            document.close()


def page_texts(pdf: bytes) -> list[list[str]]:
    """Each page's text as lines, in the order the converter wrote them (for page-level layout checks)."""
    with opened(pdf) as document:
        texts = []
        for index in range(len(document)):
            page = document[index]
            try:
                text_page = page.get_textpage()
                try:
                    text = text_page.get_text_range()
                finally:
                    text_page.close()
            finally:
                page.close()
            texts.append([line.strip() for line in text.splitlines() if line.strip()])
    return texts
