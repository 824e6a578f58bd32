"""GB/T 9704-2012 rules only the rendered page shows: the 版记's page and the seal block's company.

The template cannot know where LibreOffice breaks pages, so a kind with these rules renders, looks at the
PDF's pages, and renders again with the template's layout switches changed, until the rules hold:

* `keep_last_block` (7.3.5): the 署名, date and seal space never stand alone on a page. The template
  keeps a short last paragraph with them; when the signature still lands alone, the whole last
  paragraph is kept with it (LibreOffice then moves it to the signature's page).
* `imprint_page` (7.4, 7.5, with 6.x's double-sided printing): the 版记 sits at the foot of the document's
  last face, an even page. "same": at the foot of the last page of text; "new": on a page of its own;
  "after_blank": after a blank page, and then neither page is numbered. Documents printed single-sided
  keep the 版记 on the last page of text (LibreOffice moves it to a page of its own when it does not fit).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from service.documents.kind import Data
from service.postprocess.pdfium import page_texts

SAME_PAGE = "same"
NEW_PAGE = "new"
AFTER_BLANK = "after_blank"

_PAGE_NUMBER = re.compile(r"^—\s*\d+\s*—$")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Signature:
    """What the seal block prints: the 署名 (may be empty for a date-only block) and the 成文日期."""

    signatory: str
    date: str


@dataclass(frozen=True)
class LayoutWarning:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


SIGNATURE_ALONE = LayoutWarning(
    "signature_alone",
    "署名和成文日期所在页没有正文，请调整正文篇幅 / the signature and date stand on a page without body text; "
    "shorten or lengthen the text",
)


@dataclass(frozen=True)
class PageRules:
    """A kind's page rules; the callables read the validated body."""

    has_imprint: Callable[[Data], bool]
    double_sided: Callable[[Data], bool]
    signature: Callable[[Data], Signature | None]

    def initial(self, data: Data) -> dict[str, Any]:
        """The layout switches for the first rendering (and for DOCX, which is never measured)."""
        return {"keep_last_block": False, "imprint_page": self._first_imprint_page(data)}

    def _first_imprint_page(self, data: Data) -> str:
        # A page of its own first: right at once whenever the text ends on an odd page, short notices included.
        return NEW_PAGE if self.has_imprint(data) and self.double_sided(data) else SAME_PAGE

    def revise(self, data: Data, layout: dict[str, Any], pdf: bytes) -> dict[str, Any] | LayoutWarning | None:
        """The next layout to try, a warning when the rules cannot all hold, or None when the PDF is right."""
        pages = page_texts(pdf)
        signature = self.signature(data)
        if signature is not None and _stands_alone(pages, signature):
            if not layout["keep_last_block"]:
                return {"keep_last_block": True, "imprint_page": self._first_imprint_page(data)}
            return SIGNATURE_ALONE
        if not (self.has_imprint(data) and self.double_sided(data)) or len(pages) % 2 == 0:
            return None
        if layout["imprint_page"] == NEW_PAGE:
            # The text ends on an even page: the 版记 belongs at its foot, if it fits …
            return {**layout, "imprint_page": SAME_PAGE}
        if layout["imprint_page"] == SAME_PAGE:
            # … and when it does not, after a blank page.
            return {**layout, "imprint_page": AFTER_BLANK}
        return None


def _compact(text: str) -> str:
    return _SPACES.sub("", text)


def _stands_alone(pages: list[list[str]], signature: Signature) -> bool:
    """True when the page holding the 成文日期 has no line of text before its 署名 (or date)."""
    date = _compact(signature.date)
    first = _compact(signature.signatory) or date
    for lines in pages:
        compact = [_compact(line) for line in lines if not _PAGE_NUMBER.match(line)]
        if date in compact:
            before = compact[: compact.index(first)] if first in compact else compact[: compact.index(date)]
            return not before
    return False
