"""版头 of the 信函格式 (GB/T 9704-2012 10.1): mark 30 mm from the paper's top, red double rules, elements.

Shapes are positioned from the page's top-left corner in EMU (36000 per mm, 12700 per pt).
"""

from __future__ import annotations

import pytest

from .conftest import NoticeContext, RenderNotice
from .docx_xml import NS, Paragraph, Rendered, one, xpath

EMU_MM = 36000
EMU_PT = 12700


def shapes(rendered: Rendered) -> dict[str, dict[str, int]]:
    found = {}
    for anchor in rendered.document.iter(f"{{{NS['wp']}}}anchor"):
        name = one(anchor, "wp:docPr").get("name")
        assert one(anchor, "wp:positionH").get("relativeFrom") == "page"
        assert one(anchor, "wp:positionV").get("relativeFrom") == "page"
        extent = one(anchor, "wp:extent")
        found[name] = {
            "x": int(one(anchor, "wp:positionH/wp:posOffset").text or ""),
            "y": int(one(anchor, "wp:positionV/wp:posOffset").text or ""),
            "cx": int(extent.get("cx") or ""),
            "cy": int(extent.get("cy") or ""),
        }
    return found


def fill(rendered: Rendered, name: str) -> str | None:
    for anchor in rendered.document.iter(f"{{{NS['wp']}}}anchor"):
        if one(anchor, "wp:docPr").get("name") == name:
            colors = xpath(anchor, ".//wps:spPr/a:solidFill/a:srgbClr")
            return colors[0].get("val") if colors else None
    raise AssertionError(name)


@pytest.mark.parametrize("size", [72, 56], ids=["36pt", "28pt"])
def test_mark_top_is_30_mm_from_the_paper_top(size: int, notice_context: NoticeContext, render_notice: RenderNotice):
    context = notice_context(format="letter", issuer_mark_size=size, issuer_mark="青山县人民政府办公室")
    rendered = render_notice(context)
    box = shapes(rendered)["发文机关标志"]
    (paragraph,) = [Paragraph(p) for p in xpath(rendered.body, ".//w:txbxContent/w:p")]
    assert paragraph.text == context["issuer_mark"]
    line = paragraph.exact_line
    assert line == size * 15
    em = size / 2 * EMU_PT
    em_top = box["y"] + 0.8 * line * 635 - 0.88 * em
    assert em_top == pytest.approx(30 * EMU_MM, abs=635)
    assert box["cy"] == line * 635
    # Centred on the 版心: the box is the block's width at the left margin.
    assert (box["x"], box["cx"]) == (28 * EMU_MM, 156 * EMU_MM)
    assert paragraph.align == "center"
    (run,) = paragraph.text_runs
    assert (run.font(), run.color, run.size) == ("方正小标宋简体", "FF0000", size)


@pytest.mark.parametrize("size", [72, 56], ids=["36pt", "28pt"])
def test_double_rule_is_thick_over_thin_4_mm_below_the_mark(
    size: int, notice_context: NoticeContext, render_notice: RenderNotice
):
    rendered = render_notice(notice_context(format="letter", issuer_mark_size=size))
    found = shapes(rendered)
    thick, thin = found["上粗线"], found["上细线"]
    mark_em_bottom = 30 * EMU_MM + size / 2 * EMU_PT
    assert thick["y"] == pytest.approx(mark_em_bottom + 4 * EMU_MM, abs=1)
    assert thick["cy"] > thin["cy"]
    assert thin["y"] > thick["y"] + thick["cy"]
    for rule in (thick, thin):
        assert rule["cx"] == 170 * EMU_MM
        assert rule["x"] + rule["cx"] / 2 == (28 + 156 / 2) * EMU_MM  # centred on the 版心
    assert fill(rendered, "上粗线") == fill(rendered, "上细线") == "FF0000"


def test_bottom_double_rule_is_thin_over_thick_20_mm_above_the_paper_edge(
    notice_context: NoticeContext, render_notice: RenderNotice
):
    rendered = render_notice(notice_context(format="letter"))
    found = shapes(rendered)
    thin, thick = found["下细线"], found["下粗线"]
    assert thick["y"] + thick["cy"] == pytest.approx(16838 * 635 - 20 * EMU_MM, abs=1)
    assert thin["y"] + thin["cy"] < thick["y"]
    assert thick["cy"] > thin["cy"]
    assert {thin["cx"], thick["cx"]} == {170 * EMU_MM}
    assert fill(rendered, "下细线") == fill(rendered, "下粗线") == "FF0000"


def test_shapes_are_anchored_in_the_first_paragraph(notice_context: NoticeContext, render_notice: RenderNotice):
    rendered = render_notice(notice_context(format="letter"))
    first = rendered.body_paragraphs[0]
    assert len(xpath(first.element, ".//wp:anchor")) == 5
    assert len(list(rendered.document.iter(f"{{{NS['wp']}}}anchor"))) == 5
    ids = [int(d.get("id") or "") for d in rendered.document.iter(f"{{{NS['wp']}}}docPr")]
    assert len(set(ids)) == len(ids)


STACKS = {
    "none": {},
    "copy-number": {"copy_no": "000123"},
    "secrecy-and-urgency": {"secrecy": "机密★1年", "urgency": "特急"},
    "all-three": {"copy_no": "000123", "secrecy": "机密★1年", "urgency": "加急"},
}


@pytest.mark.parametrize("stack", STACKS.values(), ids=STACKS.keys())
def test_elements_stack_left_with_the_number_right_on_the_first_row(
    stack: dict, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(**{"format": "letter", "copy_no": "", "secrecy": "", "urgency": "", **stack})
    rendered = render_notice(context)
    table = rendered.tables[0]
    (row,) = xpath(table, "w:tr")
    left, right = xpath(row, "w:tc")
    expected = [context[k] for k in ("copy_no", "secrecy", "urgency") if context[k]] or [""]
    assert [Paragraph(p).text for p in xpath(left, "w:p")] == expected
    (number,) = [Paragraph(p) for p in xpath(right, "w:p")]
    assert number.text == context["doc_number"]
    assert number.align == "right"
    for paragraph in [Paragraph(p) for p in xpath(left, "w:p")]:
        assert paragraph.align == "left"
        assert paragraph.exact_line == 579
    assert xpath(table, "w:tblPr/w:tblBorders/w:top[@w:val='nil']")


@pytest.mark.parametrize("size", [72, 56], ids=["36pt", "28pt"])
def test_first_row_em_box_is_7_8_of_3hao_below_the_double_rule(
    size: int, notice_context: NoticeContext, render_notice: RenderNotice
):
    rendered = render_notice(notice_context(format="letter", issuer_mark_size=size))
    found = shapes(rendered)
    rule_bottom_twips = (found["上细线"]["y"] + found["上细线"]["cy"]) / 635
    spacer = rendered.body_paragraphs[0]
    assert spacer.text == ""
    first_row_em_top = 2098 + (spacer.exact_line or 0) + 0.8 * 579 - 0.88 * 320
    assert first_row_em_top - rule_bottom_twips == pytest.approx(280, abs=2)  # 14 pt


def test_title_is_two_blank_rows_below_the_elements(notice_context: NoticeContext, render_notice: RenderNotice):
    context = notice_context(format="letter")
    rendered = render_notice(context)
    table = rendered.tables[0]
    after = rendered.top_level[rendered.top_level.index(table) + 1 :]
    assert [Paragraph(p).text for p in after[:2]] == ["", ""]
    assert all(Paragraph(p).exact_line is None for p in after[:2])
    assert Paragraph(after[2]).text == context["title_lines"][0]


def test_title_is_two_rows_below_the_rule_when_nothing_else_is_there(
    notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(format="letter", copy_no="", secrecy="", urgency="", doc_number="")
    rendered = render_notice(context)
    spacer = rendered.body_paragraphs[0]
    assert Paragraph(rendered.top_level[1]).text == context["title_lines"][0]
    rule_bottom = (shapes(rendered)["上细线"]["y"] + shapes(rendered)["上细线"]["cy"]) / 635
    assert 2098 + (spacer.exact_line or 0) - rule_bottom == pytest.approx(2 * 579, abs=2)
    assert not [t for t in rendered.tables if not xpath(t, "w:tblPr/w:tblpPr") and not xpath(t, ".//w:tblHeader")]


def test_letter_body_has_no_document_format_head(notice_context: NoticeContext, render_notice: RenderNotice):
    rendered = render_notice(notice_context(format="letter"))
    assert not [p for p in rendered.all_paragraphs if p.has("w:pBdr")]
