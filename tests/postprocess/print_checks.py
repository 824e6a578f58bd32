"""What a viewer reads when it opens and prints one of our PDFs, read back with pypdf and PDFium.

The catalog's /OpenAction (which page, which view, which zoom), /PageLayout and /ViewerPreferences, and every
page's size as shown. PDFium, the engine of Chrome's viewer, is asked too whether its print dialog would scale
the pages to fit (FPDF_VIEWERREF_GetPrintScaling, which Chrome's print preview takes its default from).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdfium2
import pypdfium2.raw as pdfium_c
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NullObject

# ISO 216: A4 is 210 × 297 mm; LibreOffice writes it as 595.30 × 841.89 pt (0.01 mm wider).
A4 = (595.28, 841.89)
A4_TOLERANCE = 0.5


@dataclass(frozen=True)
class PrintView:
    """How the file opens and prints. `opens_at`: the OpenAction's page (from 0); `view`: the rest of its
    destination with pypdf's nulls as None, ("/XYZ", None, None, 1) for top left at 100 %."""

    opens_at: int | None
    view: tuple[object, ...]
    page_layout: str | None
    page_mode: str | None
    print_scaling: str | None
    display_doc_title: bool | None
    page_sizes: tuple[tuple[float, float], ...]
    pdfium_scales_to_fit: bool

    @classmethod
    def of(cls, pdf: bytes) -> PrintView:
        reader = PdfReader(io.BytesIO(pdf))
        root = reader.trailer["/Root"].get_object()
        assert isinstance(root, DictionaryObject)
        opens_at, view = _open_action(reader, root.get("/OpenAction"))
        preferences = viewer_preferences(pdf)
        scaling, title = preferences.get("/PrintScaling"), preferences.get("/DisplayDocTitle")
        sizes = []
        for page in reader.pages:
            width, height = float(page.cropbox.width), float(page.cropbox.height)
            sizes.append((height, width) if int(page.rotation) % 180 else (width, height))
        document = pypdfium2.PdfDocument(pdf)
        try:
            scales = bool(pdfium_c.FPDF_VIEWERREF_GetPrintScaling(document.raw))
        finally:
            document.close()
        return cls(
            opens_at=opens_at,
            view=view,
            page_layout=_name(root.get("/PageLayout")),
            page_mode=_name(root.get("/PageMode")),
            print_scaling=_name(scaling),
            display_doc_title=None if title is None else bool(title),
            page_sizes=tuple(sizes),
            pdfium_scales_to_fit=scales,
        )


def viewer_preferences(pdf: bytes) -> DictionaryObject:
    """The catalog's /ViewerPreferences, empty when there are none."""
    root = PdfReader(io.BytesIO(pdf)).trailer["/Root"].get_object()
    preferences = root.get("/ViewerPreferences") if isinstance(root, DictionaryObject) else None
    preferences = preferences.get_object() if preferences is not None else None
    return preferences if isinstance(preferences, DictionaryObject) else DictionaryObject()


def _name(value: object) -> str | None:
    return None if value is None else str(value)


def _open_action(reader: PdfReader, action: object) -> tuple[int | None, tuple[object, ...]]:
    """The page (from 0) and the view of an OpenAction that is a destination array; (None, ()) otherwise."""
    action = action.get_object() if isinstance(action, IndirectObject) else action
    if not isinstance(action, ArrayObject) or not action:
        return None, ()
    target = action[0]
    pages = [page.indirect_reference for page in reader.pages]
    opens_at = pages.index(target) if isinstance(target, IndirectObject) and target in pages else None
    # pypdf's names and numbers are str and int, so the view compares equal to ("/XYZ", None, None, 1).
    return opens_at, tuple(None if isinstance(value, NullObject) else value for value in action[1:])


def print_view_problems(pdf: bytes, *, a4: bool = True) -> list[str]:
    """Where `pdf` would not open at page 1 at 100 % in one column and print at actual size; [] when it would.
    With `a4`, every page must also be A4 portrait (±0.5 pt)."""
    view = PrintView.of(pdf)
    problems = []
    if view.opens_at != 0:
        problems.append(f"OpenAction shows page {view.opens_at}, not the first")
    if view.view != ("/XYZ", None, None, 1):
        problems.append(f"OpenAction's view is {view.view}, not /XYZ null null 1 (100 %)")
    if view.page_layout != "/OneColumn":
        problems.append(f"PageLayout {view.page_layout}")
    if view.print_scaling != "/None" or view.pdfium_scales_to_fit:
        problems.append(f"PrintScaling {view.print_scaling} (PDFium scales to fit: {view.pdfium_scales_to_fit})")
    if view.display_doc_title is not True:
        problems.append(f"DisplayDocTitle {view.display_doc_title}")
    if a4:
        for number, (width, height) in enumerate(view.page_sizes, 1):
            if abs(width - A4[0]) > A4_TOLERANCE or abs(height - A4[1]) > A4_TOLERANCE:
                problems.append(f"page {number} is {width:.2f} × {height:.2f} pt, not A4")
    return problems
