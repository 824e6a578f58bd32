"""How a PDF opens and prints: page 1 at 100 %, one column, and actual size (no "fit to page") when printed.

LibreOffice writes the opening view itself (service/conversion/uno_worker.py, VIEW_FILTER_DATA) but has no
option for /PrintScaling, so `with_print_scaling` adds it to LibreOffice's catalog, and files written with
pypdf get all of it from `set_print_view`. See docs/decisions/0016-pdf-print-preferences.md.
"""

from __future__ import annotations

import re

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    NameObject,
    NullObject,
    NumberObject,
)

from service.errors import RenderError, bilingual

# ISO 32000-1 12.3.2.2, Table 151: [page /XYZ left top zoom]; null left and top keep the page's top left
# corner in view, and a zoom of 1 is 100 %.
ZOOM = 1
# ISO 32000-1 7.7.2, Table 28: one column, scrolled continuously. /SinglePage would make pdf.js (Firefox)
# turn pages one at a time, which a clerk reading a ten-page 纪要 does not expect from a browser.
PAGE_LAYOUT = "/OneColumn"
# ISO 32000-1 12.2, Table 150 (PDF 1.6): the print dialog starts at actual size rather than at the viewer's
# default, which may fit the page to the paper (Chrome's "fit to printable area"). Fitting shrinks the page,
# and with it the 37 mm top and 28 mm left margins (GB/T 9704-2012 5.2.1) a clerk measures on the printout.
PRINT_SCALING = "/None"

_PRINT_SCALING_ENTRY = re.compile(rb"/PrintScaling\s*/[A-Za-z]+")
_VIEWER_PREFERENCES = re.compile(rb"/ViewerPreferences\s*(<<|\d+\s+\d+\s+R)")
_DICTIONARY_START = re.compile(rb"\d+\s+\d+\s+obj\s*<<")


def set_print_view(writer: PdfWriter) -> None:
    """Make `writer`'s file open at its first page at 100 %, in one column, and print at actual size.

    Whatever else the catalog's viewer preferences say (copied from a source file) stays.
    """
    catalog = writer.root_object
    if len(writer.pages) > 0:
        first = writer.pages[0].indirect_reference
        catalog[NameObject("/OpenAction")] = ArrayObject(
            [first, NameObject("/XYZ"), NullObject(), NullObject(), NumberObject(ZOOM)]
        )
    catalog[NameObject("/PageLayout")] = NameObject(PAGE_LAYOUT)
    existing = catalog.get("/ViewerPreferences")
    existing = existing.get_object() if existing is not None else None
    preferences = DictionaryObject(existing if isinstance(existing, DictionaryObject) else {})
    preferences[NameObject("/DisplayDocTitle")] = BooleanObject(True)
    preferences[NameObject("/PrintScaling")] = NameObject(PRINT_SCALING)
    catalog[NameObject("/ViewerPreferences")] = preferences


def with_print_scaling(catalog: bytes) -> bytes:
    """The catalog object `catalog` (`n 0 obj <<…>> endobj`, as LibreOffice writes it) with /PrintScaling /None
    in its viewer preferences; the rest keeps its bytes.

    LibreOffice writes the preferences as a direct dictionary (`/ViewerPreferences<</DisplayDocTitle true>>`),
    and only for a document with a title: the entry goes first in it, or into a new one.
    """
    entry = b"/PrintScaling" + PRINT_SCALING.encode("ascii")
    if _PRINT_SCALING_ENTRY.search(catalog):
        return _PRINT_SCALING_ENTRY.sub(entry, catalog, count=1)
    preferences = _VIEWER_PREFERENCES.search(catalog)
    if preferences is not None:
        if preferences.group(1) != b"<<":
            raise RenderError(
                bilingual("PDF查看设置异常", "the converter's PDF keeps its viewer preferences in an object apart")
            )
        return catalog[: preferences.end()] + entry + catalog[preferences.end() :]
    start = _DICTIONARY_START.match(catalog)
    if start is None:
        raise RenderError(bilingual("PDF目录异常", "the converter's PDF has no catalog dictionary"))
    return catalog[: start.end()] + b"/ViewerPreferences<<" + entry + b">>" + catalog[start.end() :]
