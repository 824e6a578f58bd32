"""The reply slip (回执) printed as the 附件 on its own page (GB/T 9704-2012 8; typesetting spec §5.4)."""

from __future__ import annotations

import pytest
from lxml import etree

from .conftest import NoticeContext, RenderNotice
from .docx_xml import Paragraph, Rendered, attr, one, w, xpath

FORMATS = pytest.mark.parametrize("fmt", ["document", "letter"])
HEADERS = ["姓名", "性别", "单位及职务", "联系电话", "备注"]


def slip_table(rendered: Rendered) -> etree._Element:
    tables = [t for t in rendered.tables if any(Paragraph(p).text == "姓名" for p in t.iter(w("p")))]
    assert len(tables) == 1
    return tables[0]


@FORMATS
def test_slip_starts_a_new_page_with_the_attachment_label(
    fmt: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(format=fmt)
    rendered = render_notice(context)
    label = rendered.paragraph("附件")
    assert label.has("w:pageBreakBefore")
    assert label.align == "left"
    assert not label.has("w:ind")
    (run,) = label.text_runs
    assert (run.font(), run.font("ascii"), run.size) == ("黑体", "黑体", 32)


@FORMATS
def test_slip_title_is_on_the_third_row_centred_2hao_xiaobiaosong(
    fmt: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(format=fmt)
    rendered = render_notice(context)
    label = rendered.index(rendered.paragraph("附件"))
    second, third = rendered.top_level[label + 1], rendered.top_level[label + 2]
    assert Paragraph(second).text == ""
    title = Paragraph(third)
    assert title.text == context["reply_slip"]["title"]
    assert title.align == "center"
    assert title.exact_line == 579
    (run,) = title.text_runs
    assert (run.font(), run.size) == ("方正小标宋简体", 44)


@FORMATS
def test_contact_line_then_table_then_instructions(
    fmt: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(format=fmt)
    rendered = render_notice(context)
    contact = rendered.paragraph("填报单位（盖章）：\t联系人：\t联系电话：")
    table = slip_table(rendered)
    instructions = rendered.paragraph(context["reply_slip"]["instructions"])
    assert rendered.top_level.index(table) == rendered.index(contact) + 1
    assert rendered.index(instructions) == rendered.top_level.index(table) + 1
    assert instructions.prop("w:ind", "firstLineChars") == "200"
    tabs = [int(t.get(w("pos"))) for t in xpath(contact.element, "w:pPr/w:tabs/w:tab")]
    assert tabs == [13 * 315, 20 * 315]


@pytest.mark.parametrize("rows", [0, 1, 8], ids=["no-rows", "one-row", "eight-rows"])
def test_table_has_a_repeated_header_and_one_blank_row_per_item(
    rows: int, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context()
    context["reply_slip"]["rows"] = list(range(rows))
    table = slip_table(render_notice(context))
    trs = xpath(table, "w:tr")
    assert len(trs) == 1 + rows
    header, *blank = trs
    assert xpath(header, "w:trPr/w:tblHeader")
    assert [Paragraph(p).text for p in xpath(header, "w:tc/w:p")] == HEADERS
    for tr in trs:
        assert xpath(tr, "w:trPr/w:cantSplit")
    for tr in blank:
        assert all(Paragraph(p).text == "" for p in xpath(tr, "w:tc/w:p"))
        assert len(xpath(tr, "w:tc")) == 5


def test_table_spans_the_block_with_half_point_black_borders(
    notice_context: NoticeContext, render_notice: RenderNotice
):
    table = slip_table(render_notice(notice_context()))
    assert attr(table, "w:tblPr/w:tblW", "w") == "8844"
    assert sum(int(c.get(w("w"))) for c in xpath(table, "w:tblGrid/w:gridCol")) == 8844
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        border = one(table, f"w:tblPr/w:tblBorders/w:{side}")
        assert (border.get(w("val")), border.get(w("sz")), border.get(w("color"))) == ("single", "4", "000000")
    for paragraph in table.iter(w("p")):
        for run in xpath(paragraph, "w:r[w:t]"):
            assert attr(run, "w:rPr/w:sz", "val") == "32"  # 3号仿宋: the widest header needs 28 of 54 mm
            assert attr(run, "w:rPr/w:rFonts", "eastAsia") == "仿宋_GB2312"


@FORMATS
def test_no_reply_slip_prints_no_slip_page(fmt: str, notice_context: NoticeContext, render_notice: RenderNotice):
    rendered = render_notice(notice_context(format=fmt, reply_slip=None))
    assert not rendered.paragraphs_with("填报单位")
    assert not [p for p in rendered.all_paragraphs if p.has("w:pageBreakBefore")]
    assert not [t for t in rendered.tables if any(Paragraph(p).text == "姓名" for p in t.iter(w("p")))]
