"""Page rules only the rendered notice shows (GB/T 9704-2012 7.3.5, 7.4, 7.5): measured across body lengths.

Each sweep grows the body one paragraph at a time, so the text ends at every height of a page, and checks
every PDF: the 版记 on an even last page (double-sided printing), a blank page before it only when the text
fills an even page, and then neither page numbered; the seal block never alone on its page.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from service.config import Settings
from service.conversion import ConversionPool
from service.documents.kinds import find_kind
from service.documents.page_rules import SIGNATURE_ALONE
from service.documents.pipeline import (
    OutputFormat,
    RenderedDocument,
    TemplateCatalog,
    render_document,
    validate_document,
)
from service.rendering.docx import DocumentProperties, render_docx
from tests.rendering.pdf_measure import BLOCK_BOTTOM, Page, read_pdf_bytes

BodyFactory = Callable[..., dict[str, Any]]

DATE = "2026年11月25日"
SIGNATORY = "青山县人民政府办公室"
PAGE_NUMBER = re.compile(r"^— (\d+) —$")
# One paragraph of requirements: two lines of the body.
FILLER = "请各单位认真组织落实工作要求工作要求工作要求工作要求工作要求"
# A last paragraph of five lines: longer than the short block the template always keeps with the signature.
LONG_LAST = "各单位要" + "严格落实安全生产责任制度加强隐患排查整治" * 7 + "。"
SWEEP = range(0, 16)


@dataclass(frozen=True)
class Outcome:
    """One rendered notice, reduced to what the page rules speak of."""

    extra: int
    pages: list[Page]

    def numbers(self) -> list[int | None]:
        """Each page's printed page number, None where there is none."""
        found: list[int | None] = []
        for page in self.pages:
            below = [line.text for line in page.lines if line.em_top > BLOCK_BOTTOM]
            match = PAGE_NUMBER.match(below[0]) if below else None
            found.append(int(match.group(1)) if match else None)
        return found

    @property
    def imprint_page(self) -> Page:
        found = [page for page in self.pages if any(line.text.endswith("印发") for line in page.lines)]
        assert len(found) == 1
        return found[0]

    @property
    def signature_page(self) -> Page:
        found = [page for page in self.pages if any(line.text == DATE for line in page.lines)]
        assert len(found) == 1
        return found[0]

    def text_above_signature(self) -> list[str]:
        page = self.signature_page
        signatory = next(line for line in page.body_lines if line.text == SIGNATORY)
        return [line.text for line in page.body_lines if line.baseline < signatory.baseline]

    def is_blank(self, page: Page) -> bool:
        return not page.lines


@pytest.fixture(scope="module")
def catalog() -> TemplateCatalog:
    return TemplateCatalog(Settings().templates_dir)


@pytest.fixture
def sweep(notice_body: BodyFactory, conversion_pool: ConversionPool, catalog: TemplateCatalog):
    """sweep(**overrides): the notice rendered to PDF with 0 … 15 filler paragraphs appended."""

    def run(last: str | None = None, **overrides: Any) -> list[Outcome]:
        outcomes = []
        for extra in SWEEP:
            body = notice_body(reply=None, **overrides)
            body["requirements"] += [FILLER] * extra + ([last] if last else [])
            document = render_document(catalog, "meeting-notice", body, OutputFormat.PDF, conversion_pool)
            assert not document.warnings, (extra, document.warnings)
            outcomes.append(Outcome(extra, read_pdf_bytes(document.content)))
        return outcomes

    return run


def test_double_sided_imprint_is_always_on_an_even_last_page(sweep):
    outcomes = sweep()
    seen = set()
    for outcome in outcomes:
        pages, imprint = outcome.pages, outcome.imprint_page
        assert imprint.number == len(pages), outcome.extra
        assert len(pages) % 2 == 0, f"{outcome.extra} paragraphs: {len(pages)} pages"
        signature = outcome.signature_page.number
        if signature == imprint.number:
            seen.add("same page")
            assert outcome.numbers() == list(range(1, len(pages) + 1))
        elif signature == imprint.number - 1:
            seen.add("own page")
            assert outcome.numbers() == list(range(1, len(pages) + 1)), "no blank page before it: numbered"
            assert [line.text for line in imprint.body_lines if not line.text.endswith("印发")][:1] == [
                line.text for line in imprint.body_lines if line.text.startswith("抄送")
            ][:1], "the 版记 page holds the 版记 only"
        else:
            seen.add("after blank")
            assert signature == imprint.number - 2
            blank = pages[imprint.number - 2]
            assert outcome.is_blank(blank), f"{outcome.extra}: page {blank.number} should be blank"
            # GB/T 9704-2012 7.5: neither the blank page nor the 版记 page is numbered.
            assert outcome.numbers() == [*range(1, len(pages) - 1), None, None]
    assert seen == {"same page", "own page", "after blank"}, f"the sweep should meet every case, met {seen}"


def test_single_sided_imprint_stays_on_the_last_page_of_text(sweep):
    outcomes = sweep(printing="single-sided")
    odd_endings = 0
    for outcome in outcomes:
        pages = outcome.pages
        assert outcome.imprint_page.number == len(pages)
        assert outcome.signature_page.number in (len(pages), len(pages) - 1), "moved only when it does not fit"
        assert outcome.numbers() == list(range(1, len(pages) + 1))
        odd_endings += len(pages) % 2
    assert odd_endings, "single-sided notices may end on an odd page"


def test_seal_block_never_stands_alone(sweep):
    for outcome in sweep(last=LONG_LAST, contact=None):
        assert outcome.text_above_signature(), f"{outcome.extra} paragraphs: the signature stands alone"


def test_long_last_paragraph_is_moved_only_when_the_signature_would_stand_alone(
    notice_body: BodyFactory, conversion_pool: ConversionPool, catalog: TemplateCatalog
):
    """The template alone (no page rules) leaves the signature alone for some length; the pipeline fixes it."""
    kind = find_kind("meeting-notice")
    for extra in SWEEP:
        body = notice_body(reply=None, contact=None, printing="single-sided")
        body["requirements"] += [FILLER] * extra + [LONG_LAST]
        data = validate_document("meeting-notice", body).data
        plain = conversion_pool.convert(
            render_docx(
                catalog.resolve("meeting-notice").path("document"),
                kind.build_context(data),
                DocumentProperties(title="t", subject="s", author="a", created=datetime(2026, 11, 25, tzinfo=UTC)),
            )
        )
        if Outcome(extra, read_pdf_bytes(plain)).text_above_signature():
            continue
        fixed: RenderedDocument = render_document(catalog, "meeting-notice", body, OutputFormat.PDF, conversion_pool)
        outcome = Outcome(extra, read_pdf_bytes(fixed.content))
        assert outcome.text_above_signature()
        assert outcome.text_above_signature()[-1].endswith("。"), "the whole last paragraph came along"
        assert SIGNATURE_ALONE not in fixed.warnings
        return
    pytest.fail("no length in the sweep left the signature alone: the sweep no longer tests the rule")


def test_docx_keeps_the_plain_layout(client, notice_body: BodyFactory):
    """A DOCX is edited before printing: the 版记 is not pushed to a page of its own there."""
    response = client.post("/api/v1/documents/meeting-notice", json=notice_body(reply=None))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    assert "w:pageBreakBefore" not in xml
    assert 'w:type w:val="nextPage"' not in xml
