"""正文, 附件说明, 署名, 成文日期 and 附注 (GB/T 9704-2012 7.3.3–7.3.6), in both formats."""

from __future__ import annotations

import pytest

from .conftest import NoticeContext, RenderNotice
from .docx_xml import Paragraph, Rendered

FORMATS = pytest.mark.parametrize("fmt", ["document", "letter"])
INDENT_2 = 632  # two 字 of the 28-character grid: 2 × 156 mm / 28
CJK = 315  # one 3号 character condensed by 0.25 pt
HALF = 155  # one half-width 3号 digit or point condensed by 0.25 pt


def block_paragraphs(rendered: Rendered, context: dict) -> list[Paragraph]:
    texts = ["".join((b["hei"], b["kai"], b["text"])) for b in context["blocks"]]
    start = rendered.body_paragraphs.index(rendered.paragraph(texts[0]))
    found = rendered.body_paragraphs[start : start + len(texts)]
    assert [p.text for p in found] == texts
    return found


@FORMATS
def test_blocks_come_in_order_right_after_the_recipients(
    fmt: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(format=fmt)
    rendered = render_notice(context)
    paragraphs = block_paragraphs(rendered, context)
    assert rendered.index(paragraphs[0]) == rendered.index(rendered.paragraph(context["recipients"])) + 1


@FORMATS
def test_every_block_is_indented_two_characters_and_justified(
    fmt: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(format=fmt)
    for paragraph in block_paragraphs(render_notice(context), context):
        assert paragraph.prop("w:ind", "firstLineChars") == "200"
        assert paragraph.prop("w:ind", "firstLine") == str(INDENT_2)
        assert paragraph.prop("w:ind", "left") is None
        assert paragraph.align == "both"
        assert paragraph.exact_line is None  # on the 579-twip grid
        assert paragraph.prop("w:overflowPunct", "val") == "1"


@pytest.mark.parametrize(
    ("block", "fonts"),
    [
        ({"hei": "一、会议时间和地点", "kai": "", "text": ""}, ["黑体"]),
        ({"hei": "", "kai": "（一）强化值班值守。", "text": "各单位要落实值班制度。"}, ["楷体_GB2312", "仿宋_GB2312"]),
        ({"hei": "", "kai": "", "text": "1.请参会人员提前15分钟到达。"}, ["仿宋_GB2312"]),
    ],
    ids=["level-1-heiti", "level-2-kaiti-then-fangsong", "plain-fangsong"],
)
def test_block_runs_use_heiti_kaiti_fangsong(
    block: dict, fonts: list[str], notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(blocks=[block])
    (paragraph,) = block_paragraphs(render_notice(context), context)
    runs = paragraph.text_runs
    assert [r.font() for r in runs] == fonts
    assert [r.font("ascii") for r in runs] == fonts
    assert [r.text for r in runs] == [t for t in (block["hei"], block["kai"], block["text"]) if t]
    assert all(r.size == 32 for r in runs)


@FORMATS
def test_a_single_attachment_is_one_blank_row_below_the_body(
    fmt: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(format=fmt, attachments=["参会回执"])
    rendered = render_notice(context)
    last_block = block_paragraphs(rendered, context)[-1]
    attachment = rendered.paragraph("附件：参会回执")
    blank = rendered.body_paragraphs[rendered.body_paragraphs.index(last_block) + 1]
    assert blank.text == ""
    assert rendered.index(attachment) == rendered.index(last_block) + 2
    # Starts two characters in; a wrapped name lines up under its first character, after "附件：".
    assert attachment.int_prop("w:ind", "left") - attachment.int_prop("w:ind", "hanging") == INDENT_2
    assert attachment.int_prop("w:ind", "hanging") == 3 * CJK


def test_several_attachments_are_numbered_and_aligned(notice_context: NoticeContext, render_notice: RenderNotice):
    names = [f"附件名称{n}" for n in range(1, 12)]
    rendered = render_notice(notice_context(attachments=names))
    paragraphs = [rendered.paragraph(("附件：" if n == 1 else "") + f"{n}.附件名称{n}") for n in range(1, 12)]
    indexes = [rendered.index(p) for p in paragraphs]
    assert indexes == list(range(indexes[0], indexes[0] + 11))
    first, second, tenth = paragraphs[0], paragraphs[1], paragraphs[9]
    starts = [p.int_prop("w:ind", "left") - p.int_prop("w:ind", "hanging") for p in paragraphs]
    assert starts[0] == INDENT_2
    assert set(starts[1:]) == {INDENT_2 + 3 * CJK}  # "2." under "1."
    assert first.int_prop("w:ind", "left") == INDENT_2 + 3 * CJK + 2 * HALF  # names under the name
    assert second.int_prop("w:ind", "left") == INDENT_2 + 3 * CJK + 2 * HALF
    assert tenth.int_prop("w:ind", "left") == INDENT_2 + 3 * CJK + 3 * HALF  # "10." is one digit wider


@FORMATS
def test_no_attachments_print_no_attachment_line(fmt: str, notice_context: NoticeContext, render_notice: RenderNotice):
    rendered = render_notice(notice_context(format=fmt, attachments=[], reply_slip=None))
    assert not rendered.paragraphs_with("附件")


@FORMATS
@pytest.mark.parametrize(("sealed", "blank_rows"), [(True, 2), (False, 1)], ids=["sealed", "unsealed"])
def test_signature_follows_blank_rows_per_seal(
    fmt: str, sealed: bool, blank_rows: int, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(format=fmt, sealed=sealed)
    rendered = render_notice(context)
    paragraphs = rendered.body_paragraphs
    attachment = paragraphs.index(rendered.paragraph("附件：" + context["attachments"][0]))
    between = paragraphs[attachment + 1 : attachment + 1 + blank_rows]
    assert [p.text for p in between] == [""] * blank_rows
    assert all(p.exact_line is None for p in between)  # grid rows
    assert paragraphs[attachment + 1 + blank_rows].text == context["signatory"]


@FORMATS
def test_signatory_and_date_are_right_aligned_with_the_given_indents(
    fmt: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(format=fmt, signatory_indent=1234, date_indent=567)
    rendered = render_notice(context)
    date = rendered.paragraph(context["date"])
    signatory = rendered.body_paragraphs[rendered.body_paragraphs.index(date) - 1]
    assert signatory.text == context["signatory"]
    assert (signatory.align, signatory.prop("w:ind", "right")) == ("right", "1234")
    assert (date.align, date.prop("w:ind", "right")) == ("right", "567")
    assert [r.font() for r in signatory.text_runs + date.text_runs] == ["仿宋_GB2312", "仿宋_GB2312"]


@FORMATS
@pytest.mark.parametrize("note", ["（此件公开发布）", ""], ids=["with-note", "without-note"])
def test_note_is_on_the_row_below_the_date_indented_two_characters(
    fmt: str, note: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(format=fmt, note=note)
    rendered = render_notice(context)
    date = rendered.paragraph(context["date"])
    following = rendered.top_level[rendered.index(date) + 1]
    if note:
        paragraph = rendered.paragraph(note)
        assert following is paragraph.element
        assert paragraph.prop("w:ind", "firstLineChars") == "200"
        assert paragraph.prop("w:ind", "firstLine") == str(INDENT_2)
    else:
        assert not rendered.paragraphs_with("此件公开发布")
        assert Paragraph(following).text == "附件"  # the reply slip's page comes next


@pytest.mark.parametrize(
    ("last", "kept"), [("特此通知。", "1"), ("长" * 85, "0")], ids=["short-last-block", "long-last-block"]
)
def test_signature_block_is_kept_together_with_a_short_last_block(
    last: str, kept: str, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context()
    context["blocks"].append({"hei": "", "kai": "", "text": last})
    rendered = render_notice(context)
    paragraphs = rendered.body_paragraphs
    last_block = paragraphs.index(rendered.paragraph(last))
    signatory = paragraphs.index(rendered.paragraph(context["date"])) - 1
    assert paragraphs[last_block].prop("w:keepNext", "val") == kept
    for paragraph in paragraphs[last_block + 1 : signatory + 1]:
        assert paragraph.has("w:keepNext"), paragraph.text
        assert paragraph.prop("w:keepNext", "val") in (None, "1")
    assert not paragraphs[signatory + 1].has("w:keepNext")  # the date
    assert (
        not paragraphs[last_block - 1].has("w:keepNext") or paragraphs[last_block - 1].prop("w:keepNext", "val") == "0"
    )
