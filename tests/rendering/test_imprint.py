"""版记 at the foot of the last page (GB/T 9704-2012 7.4; letters 10.1)."""

from __future__ import annotations

import pytest
from lxml import etree

from .conftest import NoticeContext, RenderNotice
from .docx_xml import Paragraph, Rendered, attr, one, w, xpath


def imprint(rendered: Rendered) -> etree._Element:
    tables = [t for t in rendered.tables if xpath(t, "w:tblPr/w:tblpPr")]
    assert len(tables) == 1
    return tables[0]


def rows_text(table: etree._Element) -> list[list[str]]:
    return [[Paragraph(p).text for p in xpath(tr, "w:tc/w:p")] for tr in xpath(table, "w:tr")]


@pytest.mark.parametrize("fmt", ["document", "letter"])
def test_imprint_floats_at_the_foot_of_the_block(fmt: str, notice_context: NoticeContext, render_notice: RenderNotice):
    rendered = render_notice(notice_context(format=fmt))
    table = imprint(rendered)
    position = one(table, "w:tblPr/w:tblpPr")
    assert {k: position.get(w(k)) for k in ("horzAnchor", "tblpX", "vertAnchor", "tblpYSpec")} == {
        "horzAnchor": "page",
        "tblpX": "1587",
        "vertAnchor": "margin",
        "tblpYSpec": "bottom",
    }
    assert attr(table, "w:tblPr/w:tblW", "w") == "8844"
    # Last in the body: only the anchor paragraph follows it.
    top_level = rendered.top_level
    assert top_level.index(table) == len(top_level) - 2


@pytest.mark.parametrize("cc", ["县委办公室，县政协办公室。", ""], ids=["with-cc", "without-cc"])
def test_document_imprint_rules_are_thick_outside_thin_inside(
    cc: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    table = imprint(render_notice(notice_context(cc=cc)))
    borders = {
        side: (
            attr(table, f"w:tblPr/w:tblBorders/w:{side}", "val"),
            attr(table, f"w:tblPr/w:tblBorders/w:{side}", "sz"),
        )
        for side in ("top", "bottom", "insideH", "left", "right", "insideV")
    }
    assert borders == {
        "top": ("single", "8"),  # 0.35 mm = 1 pt = 8 eighths
        "bottom": ("single", "8"),
        "insideH": ("single", "6"),  # 0.25 mm ≈ 0.75 pt = 6 eighths
        "left": ("nil", None),
        "right": ("nil", None),
        "insideV": ("nil", None),
    }
    assert not xpath(table, ".//w:tcBorders")


def test_document_imprint_rows_are_cc_then_printed_by_and_on(
    notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context()
    table = imprint(render_notice(context))
    assert rows_text(table) == [["抄送：" + context["cc"]], [context["printed_by"], context["printed_on"]]]


def test_document_imprint_without_cc_has_only_the_printed_row(
    notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(cc="")
    table = imprint(render_notice(context))
    assert rows_text(table) == [[context["printed_by"], context["printed_on"]]]


def test_cc_is_4hao_indented_one_character_with_wraps_after_the_colon(
    notice_context: NoticeContext, render_notice: RenderNotice
):
    paragraph = render_notice(notice_context()).paragraph("抄送：县委办公室，县人大常委会办公室，县政协办公室。")
    assert paragraph.prop("w:ind", "left") == str(280 + 3 * 280)
    assert paragraph.prop("w:ind", "hanging") == str(3 * 280)
    assert paragraph.prop("w:ind", "right") == "280"
    for run in paragraph.text_runs:
        assert (run.font(), run.font("ascii"), run.size) == ("仿宋_GB2312", "仿宋_GB2312", 28)
        assert attr(run.element, "w:rPr/w:spacing", "val") == "0"


def test_printed_by_is_left_and_printed_on_right_one_character_in(
    notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context()
    rendered = render_notice(context)
    by = next(p for p in rendered.all_paragraphs if p.text == context["printed_by"] and p.in_table)
    on = rendered.paragraph(context["printed_on"])
    assert (by.align, by.prop("w:ind", "left")) == ("left", "280")
    assert (on.align, on.prop("w:ind", "right")) == ("right", "280")
    for run in by.text_runs + on.text_runs:
        assert (run.font(), run.size) == ("仿宋_GB2312", 28)


def test_letter_imprint_has_cc_only_and_no_rules(notice_context: NoticeContext, render_notice: RenderNotice):
    context = notice_context(format="letter")
    rendered = render_notice(context)
    table = imprint(rendered)
    assert rows_text(table) == [["抄送：" + context["cc"]]]
    for side in ("top", "bottom", "insideH", "left", "right", "insideV"):
        assert attr(table, f"w:tblPr/w:tblBorders/w:{side}", "val") == "nil"
    assert not rendered.paragraphs_with(context["printed_on"])


def test_letter_without_cc_has_no_imprint(notice_context: NoticeContext, render_notice: RenderNotice):
    rendered = render_notice(notice_context(format="letter", cc=""))
    assert not [t for t in rendered.tables if xpath(t, "w:tblPr/w:tblpPr")]
    assert not rendered.paragraphs_with("抄送")


@pytest.mark.parametrize("cc", ["县委办公室。", ""], ids=["with-cc", "without-cc"])
def test_document_imprint_is_exactly_as_tall_as_its_grid_rows(
    cc: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    table = imprint(render_notice(notice_context(cc=cc)))
    heights = [
        (attr(tr, "w:trPr/w:trHeight", "val"), attr(tr, "w:trPr/w:trHeight", "hRule")) for tr in xpath(table, "w:tr")
    ]
    # The outer halves of the 1 pt top and bottom rules (2 × 10 twips) come off the last row, so the
    # 版记 takes exactly one 579-twip row per element and fits under 20 full rows of text.
    expected = [("579", "atLeast")] * (1 if cc else 0) + [("559", "exact")]
    assert heights == expected
    for paragraph in [Paragraph(p) for p in table.iter(w("p"))]:
        assert paragraph.exact_line == 420
    for tc in xpath(table, "w:tr/w:tc"):
        assert attr(tc, "w:tcPr/w:vAlign", "val") == "center"
