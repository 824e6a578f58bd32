"""版头 of the 文件格式 and the title: GB/T 9704-2012 7.2 and 7.3.1, read from the DOCX XML.

Vertical positions are checked with LibreOffice's line model (docs/decisions/0002): a line of exact
height L puts its baseline 0.8 L below its top; an em box reaches 0.88 em above the baseline.
"""

from __future__ import annotations

import pytest

from .conftest import NoticeContext, RenderNotice
from .docx_xml import Paragraph, Rendered, attr, w

PITCH = 579  # twips, GB/T 9704-2012 5.2.3 grid: 22 lines in the 225 mm block
MM = 1440 / 25.4  # twips per millimetre

STACKS = {
    "none": {},
    "copy-number": {"copy_no": "000123"},
    "secrecy": {"secrecy": "机密★1年"},
    "urgency": {"urgency": "特急"},
    "all-three": {"copy_no": "000123", "secrecy": "机密★1年", "urgency": "加急"},
}
NO_STACK = {"copy_no": "", "secrecy": "", "urgency": ""}


def head_paragraphs(rendered: Rendered) -> list[Paragraph]:
    """Body paragraphs up to and including the red rule (the one with a top border)."""
    found = []
    for paragraph in rendered.body_paragraphs:
        found.append(paragraph)
        if paragraph.has("w:pBdr/w:top"):
            return found
    raise AssertionError("no red rule paragraph")


def mark(rendered: Rendered, context: dict) -> Paragraph:
    return rendered.paragraph(context["issuer_mark"])


@pytest.mark.parametrize("stack", STACKS.values(), ids=STACKS.keys())
def test_stacked_elements_are_flush_left_in_order(stack, notice_context: NoticeContext, render_notice: RenderNotice):
    context = notice_context(**{**NO_STACK, **stack})
    head = head_paragraphs(render_notice(context))
    expected = [context[key] for key in ("copy_no", "secrecy", "urgency") if context[key]]
    assert [p.text for p in head[: len(expected)]] == expected
    assert head[len(expected)].text == context["issuer_mark"]
    for paragraph in head[: len(expected)]:
        assert paragraph.align == "left"
        assert not paragraph.has("w:ind")
        assert paragraph.exact_line == PITCH
        (run,) = paragraph.text_runs
        assert run.size == 32
        assert run.font() == ("仿宋_GB2312" if paragraph.text == context["copy_no"] else "黑体")


@pytest.mark.parametrize("stack", STACKS.values(), ids=STACKS.keys())
@pytest.mark.parametrize("size", [72, 56, 40], ids=["36pt", "28pt", "20pt"])
def test_mark_top_is_35_mm_below_the_block_whatever_precedes_it(
    stack, size: int, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(**{**NO_STACK, **stack}, issuer_mark_size=size)
    rendered = render_notice(context)
    head = head_paragraphs(rendered)
    paragraph = mark(rendered, context)
    above = head[: head.index(paragraph)]
    line = paragraph.exact_line
    assert line is not None
    em = size * 10  # half-points → twips
    em_top = sum(p.exact_line or 0 for p in above) + paragraph.before + 0.8 * line - 0.88 * em
    assert em_top == pytest.approx(35 * MM, abs=3)  # 35 mm = 1984 twips, ± integer rounding


@pytest.mark.parametrize("size", [72, 52], ids=["36pt", "26pt"])
def test_mark_is_red_xiaobiaosong_centred_at_its_size(
    size: int, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(issuer_mark_size=size)
    paragraph = mark(render_notice(context), context)
    (run,) = paragraph.text_runs
    assert run.font() == run.font("ascii") == "方正小标宋简体"
    assert run.color == "FF0000"
    assert run.size == size
    assert paragraph.align == "center"
    assert paragraph.prop("w:snapToGrid", "val") == "0"
    # 1.5 em exact: LibreOffice gives 1.2 em of ascent, so the glyphs are not clipped.
    assert paragraph.exact_line == size * 15


@pytest.mark.parametrize("size", [72, 52], ids=["36pt", "26pt"])
def test_number_row_starts_two_blank_rows_below_the_mark(
    size: int, notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(issuer_mark_size=size)
    rendered = render_notice(context)
    paragraph = mark(rendered, context)
    number = rendered.paragraph(context["doc_number"])
    assert rendered.index(number) == rendered.index(paragraph) + 1
    line = paragraph.exact_line
    assert line is not None
    em_bottom_to_line_bottom = line - 0.8 * line - 0.12 * size * 10
    assert em_bottom_to_line_bottom + number.before == pytest.approx(2 * PITCH, abs=1)


def test_number_is_centred_3hao_fangsong(notice_context: NoticeContext, render_notice: RenderNotice):
    context = notice_context()
    number = render_notice(context).paragraph("青政办发〔2026〕15号")
    (run,) = number.text_runs
    assert (run.font(), run.font("ascii"), run.size, run.color) == ("仿宋_GB2312", "仿宋_GB2312", 32, None)
    assert number.align == "center"
    assert number.exact_line == PITCH


def test_red_rule_is_full_width_035_mm_and_4_mm_below_the_number(
    notice_context: NoticeContext, render_notice: RenderNotice
):
    rendered = render_notice(notice_context())
    number = rendered.paragraph("青政办发〔2026〕15号")
    rule = head_paragraphs(rendered)[-1]
    assert rendered.index(rule) == rendered.index(number) + 1
    border = {k: rule.prop("w:pBdr/w:top", k) for k in ("val", "sz", "color", "space")}
    assert border == {"val": "single", "sz": "8", "color": "FF0000", "space": "0"}  # 8/8 pt = 0.35 mm
    assert not rule.has("w:ind")  # spans the 156 mm block
    assert rule.text == ""
    number_em_bottom_to_row_bottom = PITCH - (0.8 * PITCH + 0.12 * 320)
    assert number_em_bottom_to_row_bottom + rule.before == pytest.approx(4 * MM, abs=1)


def test_number_row_stays_when_there_is_no_number(notice_context: NoticeContext, render_notice: RenderNotice):
    rendered = render_notice(notice_context(doc_number=""))
    head = head_paragraphs(rendered)
    assert head[-2].text == ""
    assert head[-2].exact_line == PITCH


def test_title_starts_two_blank_rows_below_the_rule(notice_context: NoticeContext, render_notice: RenderNotice):
    context = notice_context()
    rendered = render_notice(context)
    rule = head_paragraphs(rendered)[-1]
    first = rendered.first(context["title_lines"][0])
    assert rendered.index(first) == rendered.index(rule) + 1
    rule_width = int(rule.prop("w:pBdr/w:top", "sz") or 0) / 8 * 20
    assert (rule.exact_line or 0) + rule_width + first.before == 2 * PITCH


@pytest.mark.parametrize(
    "lines",
    [["关于召开全县会议的通知"], ["青山县人民政府办公室", "关于召开会议的通知", "（第二次）"]],
    ids=["one", "three"],
)
def test_title_lines_are_centred_2hao_xiaobiaosong_one_row_each(
    lines: list[str], notice_context: NoticeContext, render_notice: RenderNotice
):
    rendered = render_notice(notice_context(title_lines=lines))
    paragraphs = [rendered.first(line) for line in lines]
    indexes = [rendered.index(p) for p in paragraphs]
    assert indexes == list(range(indexes[0], indexes[0] + len(lines)))
    for paragraph in paragraphs:
        (run,) = paragraph.text_runs
        assert (run.font(), run.font("hAnsi"), run.size) == ("方正小标宋简体", "方正小标宋简体", 44)
        assert paragraph.align == "center"
        assert paragraph.exact_line == PITCH
        assert paragraph.before == 0


def test_recipients_are_one_blank_row_below_the_title_flush_left(
    notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context()
    rendered = render_notice(context)
    last_title = rendered.first(context["title_lines"][-1])
    recipients = rendered.paragraph(context["recipients"])
    blank = rendered.body_paragraphs[rendered.body_paragraphs.index(last_title) + 1]
    assert blank.text == ""
    assert blank.exact_line is None  # one grid row
    assert rendered.index(recipients) == rendered.index(last_title) + 2
    assert recipients.align == "left"
    assert not recipients.has("w:ind")
    assert recipients.exact_line is None


def test_body_follows_the_title_blank_row_when_there_are_no_recipients(
    notice_context: NoticeContext, render_notice: RenderNotice
):
    context = notice_context(recipients="")
    rendered = render_notice(context)
    last_title = rendered.first(context["title_lines"][-1])
    first_block = rendered.paragraph(context["blocks"][0]["text"])
    assert rendered.index(first_block) == rendered.index(last_title) + 2


def test_rule_and_mark_are_the_only_red(notice_context: NoticeContext, render_notice: RenderNotice):
    rendered = render_notice(notice_context())
    red = [el for el in rendered.document.iter() if el.get(w("color")) == "FF0000" or el.get(w("val")) == "FF0000"]
    assert len(red) == 2
    assert attr(rendered.document, "//w:pBdr/w:top", "color") == "FF0000"
