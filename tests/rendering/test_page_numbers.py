"""Page numbers "— n —": 4号宋体, odd pages right, even pages left, one character in (GB/T 9704-2012 7.5)."""

from __future__ import annotations

import pytest

from .conftest import NoticeContext, RenderNotice
from .docx_xml import Paragraph, attr, one, w, xpath

FORMATS = pytest.mark.parametrize("fmt", ["document", "letter"])


def number_paragraph(part: object) -> Paragraph:
    return Paragraph(one(part, "w:p"))


@FORMATS
@pytest.mark.parametrize(
    ("kind", "align", "side"), [("default", "right", "right"), ("even", "left", "left")], ids=["odd", "even"]
)
def test_page_number_sits_one_4hao_character_in_from_its_side(
    fmt: str, kind: str, align: str, side: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    part = render_notice(notice_context(format=fmt)).footer(kind)
    assert part is not None
    paragraph = number_paragraph(part)
    assert paragraph.align == align
    assert paragraph.prop("w:ind", side) == "280"
    other = "left" if side == "right" else "right"
    assert paragraph.prop("w:ind", other) is None


@FORMATS
@pytest.mark.parametrize("kind", ["default", "even"])
def test_page_number_is_em_dashes_around_a_page_field_in_4hao_songti(
    fmt: str, kind: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    part = render_notice(notice_context(format=fmt)).footer(kind)
    assert part is not None
    paragraph = number_paragraph(part)
    texts = [t.text for t in paragraph.element.iter(w("t"))]
    assert texts == ["\u2014 ", "1", " \u2014"]
    assert [i.text for i in paragraph.element.iter(w("instrText"))] == [" PAGE "]
    kinds = [f.get(w("fldCharType")) for f in paragraph.element.iter(w("fldChar"))]
    assert kinds == ["begin", "separate", "end"]
    for run in paragraph.runs:
        fonts = one(run.element, "w:rPr/w:rFonts")
        assert {fonts.get(w(s)) for s in ("ascii", "hAnsi", "eastAsia", "cs")} == {"宋体"}
        assert run.size == 28
        assert attr(run.element, "w:rPr/w:spacing", "val") == "0"


def test_document_numbers_every_page(notice_context: NoticeContext, render_notice: RenderNotice):
    rendered = render_notice(notice_context())
    assert not xpath(rendered.section, "w:titlePg")
    assert rendered.footer("first") is None
    assert rendered.header("default") is None


def test_letter_has_no_number_on_the_first_page(notice_context: NoticeContext, render_notice: RenderNotice):
    rendered = render_notice(notice_context(format="letter"))
    assert xpath(rendered.section, "w:titlePg")
    first = rendered.footer("first")
    assert first is not None
    assert not list(first.iter(w("fldChar")))
    assert "".join(first.itertext()) == ""
