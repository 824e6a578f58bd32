"""The meeting notice (会议通知) as LibreOffice prints it, measured against GB/T 9704-2012 in both formats.

Every PDF here goes through the real pipeline (validation, template, the warm LibreOffice pool); each body
is rendered once per module. Positions are millimetres from the paper's top-left corner, read from baselines
(tests/rendering/pdf_measure.py); the targets and the LibreOffice line model are in docs/decisions/0002.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from itertools import takewhile
from typing import Any

import pytest

from tests.conftest import BodyFactory
from tests.documents.conftest import MeasurePdf
from tests.rendering.pdf_measure import (
    BLOCK_BOTTOM,
    BLOCK_LEFT,
    BLOCK_RIGHT,
    BLOCK_TOP,
    FOUR_HAO,
    PAGE_NUMBER,
    ROW,
    ROW_ASCENT,
    MeasuredPdf,
    Page,
    Rule,
    TextLine,
    full_lines,
    grid_rows,
    page_number_errors,
    red_rules,
    unmapped_fonts,
)

LEVEL_ONE_HEADING = re.compile(r"^[一二三四五六七八九十]+、")

LETTER_MARK = "青山县人民政府办公室"
FORMATS: dict[str, dict[str, str]] = {
    "document": {},
    "letter": {"format": "letter", "issuer__mark": LETTER_MARK},
}

# Realistic pure-CJK prose (no digits, no Latin), 150–300 characters a paragraph, so the body runs over
# several full pages in both formats.
LONG_INTRO = (
    "为深入贯彻落实党中央、国务院关于安全生产工作的决策部署，全面加强今冬明春安全防范工作，"
    "坚决遏制重特大事故发生，切实保障人民群众生命财产安全，维护全县经济社会发展大局和谐稳定，"
    "经县政府同意，决定召开全县冬春季安全生产工作会议，认真总结今年以来全县安全生产工作情况，"
    "分析研判当前面临的严峻形势和突出问题，安排部署冬春季安全生产大检查和隐患排查整治工作。"
    "现将有关事项通知如下："
)
LONG_REQUIREMENTS = [
    "各乡镇、各部门要高度重视此次会议，主要负责同志要亲自过问、亲自安排，认真梳理本地区、"
    "本行业领域安全生产工作开展情况，深入分析存在的薄弱环节和突出问题，研究提出有针对性的"
    "防范措施和工作建议，确保会议取得实效。参会人员要带好笔记本，认真做好会议记录，"
    "会后及时向本单位主要负责同志汇报会议精神，抓好贯彻落实工作。",
    "参会人员原则上不得请假，确因特殊情况不能参会的，须事先向县政府分管领导请假，"
    "并指定熟悉情况的人员代会。会议期间，请自觉遵守会场纪律，将手机调至静音或关机状态，"
    "不得随意走动、交头接耳，不得中途退场。请各单位严格落实中央八项规定及其实施细则精神，"
    "轻车简从，厉行节约，不得安排陪同人员，不得搞迎来送往。",
    "各乡镇、各部门要以此次会议为契机，迅速组织开展安全生产大检查，重点围绕道路交通、消防、"
    "危险化学品、建筑施工、燃气、矿山、特种设备、人员密集场所等行业领域，全面排查整治各类安全隐患，"
    "做到横向到边、纵向到底、不留死角。对检查发现的问题隐患，要建立台账清单，明确整改责任、"
    "整改措施和整改时限，实行闭环管理，确保整改到位。",
    "各级各部门要严格落实领导带班和值班值守制度，加强应急值守和信息报送工作，确保信息畅通、"
    "反应迅速、处置有力。遇有突发事件和重要情况，要第一时间按规定程序报告，不得迟报、漏报、"
    "谎报、瞒报，同时迅速启动应急预案，全力组织开展先期处置工作，最大限度减少人员伤亡和财产损失，"
    "切实维护人民群众生命财产安全和社会大局稳定。",
    "各乡镇、各部门要切实加强宣传教育和舆论引导，充分利用广播电视、报刊网络、宣传栏等多种渠道，"
    "广泛开展安全生产法律法规和安全常识宣传，深入企业、学校、社区、农村开展安全生产进万家活动，"
    "普及防灾避险、自救互救知识，不断提高全民安全意识和应急处置能力，"
    "营造人人关注安全、人人参与安全的良好社会氛围。",
    "县安委会各成员单位要按照管行业必须管安全、管业务必须管安全、管生产经营必须管安全的要求，"
    "切实履行行业监管职责，加强对本行业领域安全生产工作的指导和督促检查。要建立健全部门协作联动机制，"
    "加强信息共享和联合执法，形成监管合力，坚决防止出现监管盲区和责任真空，"
    "确保各项安全防范措施落到实处。",
    "县政府将适时组织督查组，对各乡镇、各部门冬春季安全生产工作开展情况进行明查暗访和专项督查，"
    "督查结果将在全县范围内通报。对工作不重视、措施不落实、隐患整改不到位的单位，"
    "将予以约谈和通报批评；对因工作失职渎职导致发生生产安全事故的，"
    "将依法依规严肃追究有关单位和人员的责任，决不姑息迁就。",
    "各乡镇、各部门要认真总结本地区、本行业领域冬春季安全生产工作开展情况，及时提炼好的经验做法，"
    "梳理存在的问题和不足，研究提出下一步工作打算，形成书面材料，经单位主要负责同志审签后报送县应急管理局。"
    "县应急管理局要做好汇总分析工作，及时向县政府报告全县冬春季安全生产工作推进情况。",
    "各单位于12月1日17时前将参会回执传真或发送电子邮件至县应急管理局综合科。",
]
LONG = {"intro": LONG_INTRO, "requirements": LONG_REQUIREMENTS}

# Text this test finds by its wording: the 版记's two lines (GB/T 9704-2012 7.4).
CC_PREFIX = "抄送："
PRINTED_SUFFIX = "印发"


class MeasuredNotice(MeasuredPdf):
    """One rendered notice: the body it came from, its pages as measured, and its font resources."""

    @property
    def format(self) -> str:
        return str(self.body.get("format", "document"))

    @property
    def date_text(self) -> str:
        """成文日期 as printed: 2026年11月25日."""
        day = date.fromisoformat(self.body["date"])
        return f"{day.year}年{day.month}月{day.day}日"

    @property
    def signature_page(self) -> Page:
        """The page with the 成文日期: the main text ends here, attachments follow."""
        found = [page for page in self.pages if any(line.text == self.date_text for line in page.lines)]
        assert len(found) == 1, f"成文日期 {self.date_text} on {len(found)} pages"
        return found[0]

    @property
    def main_pages(self) -> list[Page]:
        return self.pages[: self.signature_page.number]

    @property
    def attachment_page(self) -> Page:
        """The reply slip's page: its first line is the label 附件 (GB/T 9704-2012 8)."""
        found = [page for page in self.pages if page.body_lines and page.body_lines[0].text == "附件"]
        assert len(found) == 1, f"{len(found)} pages start with 附件"
        return found[0]

    @property
    def mark(self) -> TextLine:
        """发文机关标志: the largest text on page 1."""
        mark = max(self.first.lines, key=lambda line: line.size)
        assert mark.text == self.body["issuer"]["mark"]
        return mark

    @property
    def title_lines(self) -> list[TextLine]:
        """The title's lines on page 1: below the (upper) red rule, each a piece of the title."""
        rule = red_rules(self.first)[0]
        below = [line for line in self.first.lines if line.em_top > rule.bottom]
        start = next(i for i, line in enumerate(below) if line.text in self.body["title"])
        lines = list(takewhile(lambda line: line.text in self.body["title"], below[start:]))
        assert "".join(line.text for line in lines) == self.body["title"]
        return lines

    @property
    def main_text_lines(self) -> list[TextLine]:
        """主体 lines in reading order: 主送 to 附注, without 版头, title, 版记 and page numbers."""
        below_title = self.title_lines[-1].em_bottom
        return [
            line
            for page in self.main_pages
            for line in page.body_lines
            if (page.number > 1 or line.em_top > below_title) and not is_imprint(line)
        ]


def is_imprint(line: TextLine) -> bool:
    return line.text.startswith(CC_PREFIX) or line.text.endswith(PRINTED_SUFFIX)


def imprint_lines(page: Page) -> list[TextLine]:
    return [line for line in page.lines if is_imprint(line)]


def imprint_rules(page: Page) -> list[Rule]:
    """Black full-width rules below the page's last text that is not 版记 (the reply slip's grid is above)."""
    others = [line for line in page.body_lines if not is_imprint(line)]
    floor = max((line.em_bottom for line in others), default=BLOCK_TOP)
    return [rule for rule in page.rules if not rule.is_red and rule.length > 150 and rule.top > floor]


def reaches_block_bottom(page: Page) -> bool:
    return page.body_lines[-1].em_bottom > BLOCK_BOTTOM - ROW


def full_body_pages(notice: MeasuredNotice) -> list[Page]:
    """Continuation pages (2+) of the main text, which must hold 22 lines.

    Not page 1: the 版头 takes rows there (the document's page 1 has its own test; the letter's 版头 hangs
    from the paper's top, 30 mm, off the grid, so its page 1 holds fewer rows). Not the signature page: it
    ends the text and holds blank rows before 署名. Not the attachment pages after it: the reply slip is a
    table. The page just before the signature page counts only when its text reaches the block's last row:
    ADR 0002 keeps a short last block with the signature, so that page may end early on purpose. Every
    other continuation page counts whatever it holds: a page that stops early is what this test catches.
    """
    candidates = notice.main_pages[1:-1]
    if candidates and not reaches_block_bottom(candidates[-1]):
        candidates = candidates[:-1]
    return candidates


def mm(value: float) -> float:
    return round(value, 2)


# -- rendering ------------------------------------------------------------------------------------------


@pytest.fixture
def measure_notice(notice_body: BodyFactory, measure_pdf: MeasurePdf) -> Callable[..., MeasuredNotice]:
    """measure_notice(**overrides): the example notice with notice_body's overrides, as a measured PDF."""
    return lambda **overrides: measure_pdf("meeting-notice", notice_body(**overrides), MeasuredNotice)


@pytest.fixture(params=list(FORMATS))
def long_notice(request: pytest.FixtureRequest, measure_notice: Callable[..., MeasuredNotice]) -> MeasuredNotice:
    """The example with several pages of body text, in 文件格式 and in 信函格式."""
    return measure_notice(**FORMATS[request.param], **LONG)


@pytest.fixture
def long_document(measure_notice: Callable[..., MeasuredNotice]) -> MeasuredNotice:
    return measure_notice(**FORMATS["document"], **LONG)


@pytest.fixture
def long_letter(measure_notice: Callable[..., MeasuredNotice]) -> MeasuredNotice:
    return measure_notice(**FORMATS["letter"], **LONG)


# -- page and text block ----------------------------------------------------------------------------------


def test_every_page_is_a4(long_notice: MeasuredNotice) -> None:
    sizes = {(mm(page.width), mm(page.height)) for page in long_notice.pages}

    assert all(abs(w - 210) <= 0.5 and abs(h - 297) <= 0.5 for w, h in sizes), sizes


def test_flush_left_lines_start_at_the_28mm_block_edge(long_notice: MeasuredNotice) -> None:
    """GB/T 9704-2012 5.2.1: 订口 28 mm; on every full page the leftmost line start is the block's edge."""
    starts = {page.number: mm(min(line.x0 for line in page.body_lines)) for page in full_body_pages(long_notice)}

    assert starts
    assert all(abs(start - BLOCK_LEFT) <= 1 for start in starts.values()), starts


def test_continuation_pages_start_at_the_37mm_block_top(long_notice: MeasuredNotice) -> None:
    """GB/T 9704-2012 5.2.1: 天头 37 mm, the top of the first of the 22 rows.

    The first line's em box sits inside that row, 3.2 mm down (ADR 0002: the baseline is 0.8 of the row
    below its top), so the row's top is taken from the baseline.
    """
    text_pages = [page for page in long_notice.pages[1:] if not is_imprint(page.body_lines[0])]
    tops = {page.number: mm(page.body_lines[0].baseline - ROW_ASCENT) for page in text_pages}

    assert all(abs(top - BLOCK_TOP) <= 1 for top in tops.values()), tops


def test_full_continuation_pages_hold_22_lines(long_notice: MeasuredNotice) -> None:
    pages = full_body_pages(long_notice)
    counts = {page.number: (len(page.body_lines), grid_rows(page)) for page in pages}

    assert len(pages) >= 2, f"the long body should fill at least two full pages: {counts}"
    assert all(count == (22, 22) for count in counts.values()), counts


def test_document_first_page_fills_22_rows_under_its_head(long_document: MeasuredNotice) -> None:
    """The 版头 of 文件格式 stands on the grid: the first row holds 紧急程度, the last body text (row 22)."""
    page = long_document.first
    lines = page.body_lines

    assert lines[0].em_top - BLOCK_TOP < ROW
    assert BLOCK_BOTTOM - ROW < lines[-1].em_bottom <= BLOCK_BOTTOM
    assert grid_rows(page) == 22


def test_pure_cjk_full_lines_hold_28_characters(long_notice: MeasuredNotice) -> None:
    """GB/T 9704-2012 5.2.3: 28 字 a line, counting a first-line indent as its two cells.

    A line holds 27 only where kinsoku forced it: the next line's second character may not start a line
    (so the 28th came down with it), or its first may not end one.
    """
    full = full_lines(long_notice.main_text_lines)
    wrong = [
        (f.cells, f.line.text, f.following.text[:2] if f.following else None)
        for f in full
        if not (f.cells == 28 or (f.cells == 27 and f.kinsoku))
    ]

    assert len(full) >= 30
    assert not wrong


# -- sizes and faces --------------------------------------------------------------------------------------


SIZES: dict[str, tuple[Callable[[MeasuredNotice], list[TextLine]], float]] = {
    "body": (lambda notice: notice.main_text_lines, 16),  # 3号
    "title": (lambda notice: notice.title_lines, 22),  # 2号
    "imprint": (lambda notice: imprint_lines(notice.last), 14),  # 4号
    "page-number": (lambda notice: list(notice.page_numbers().values()), 14),  # 4号
}


@pytest.mark.parametrize("element", list(SIZES))
def test_text_is_set_in_the_sizes_of_the_standard(element: str, long_notice: MeasuredNotice) -> None:
    select, size = SIZES[element]
    lines = select(long_notice)

    assert lines
    assert {round(line.size, 2) for line in lines} == {size}


def level_one_headings(notice: MeasuredNotice) -> list[TextLine]:
    return [line for line in notice.main_text_lines if LEVEL_ONE_HEADING.match(line.text)]


def body_text(notice: MeasuredNotice) -> list[TextLine]:
    return [line for line in notice.main_text_lines if not LEVEL_ONE_HEADING.match(line.text)]


FACES: dict[str, tuple[Callable[[MeasuredNotice], list[TextLine]], str]] = {
    "title": (lambda notice: notice.title_lines, r"NotoSerifCJK\w*-Bold"),  # 小标宋
    "body": (body_text, r"FandolFang"),  # 仿宋
    "level-1-heading": (level_one_headings, r"NotoSansCJK"),  # 黑体
    "attachment-label": (lambda notice: notice.attachment_page.body_lines[:1], r"NotoSansCJK"),  # 黑体
}


@pytest.mark.parametrize("element", list(FACES))
def test_runs_use_the_faces_the_official_fonts_map_to(element: str, long_notice: MeasuredNotice) -> None:
    select, face = FACES[element]
    fonts = {font for line in select(long_notice) for font in line.fonts}

    assert fonts
    assert all(re.match(face, font) for font in fonts), fonts


def test_every_embedded_font_is_a_mapped_open_font(long_notice: MeasuredNotice) -> None:
    """fonts/fonts.conf maps the official names; a fallback (WenQuanYi, DejaVu, Droid) means a broken alias."""
    fonts = long_notice.fonts

    assert fonts
    assert not unmapped_fonts(fonts), fonts


# -- 版头 ----------------------------------------------------------------------------------------------------


def test_issuer_mark_is_red(long_notice: MeasuredNotice) -> None:
    """GB/T 9704-2012 7.2.4 and 10.1: the 发文机关标志 is printed red."""
    colors = long_notice.mark.colors

    assert colors
    assert all(len(c) == 3 and abs(c[0] - 1) < 0.05 and max(c[1:]) < 0.05 for c in colors), colors


def test_document_mark_top_is_35mm_below_the_block_top(long_document: MeasuredNotice) -> None:
    """GB/T 9704-2012 7.2.4."""
    assert abs(long_document.mark.em_top - BLOCK_TOP - 35) <= 1


def test_letter_mark_top_is_30mm_below_the_paper_top(long_letter: MeasuredNotice) -> None:
    """GB/T 9704-2012 10.1."""
    assert abs(long_letter.mark.em_top - 30) <= 1


def test_document_red_rule_runs_the_block_width_4mm_under_the_number(long_document: MeasuredNotice) -> None:
    """GB/T 9704-2012 7.2.7: 版头分隔线, red, 156 mm, 4 mm below the 发文字号."""
    rules = red_rules(long_document.first)
    number = long_document.first.line_with(long_document.body["doc_number"])

    assert len(rules) == 1
    assert abs(rules[0].length - 156) <= 1
    assert abs(rules[0].top - number.em_bottom - 4) <= 1


def test_letter_double_rules_are_170mm_under_the_mark_and_20mm_over_the_paper_bottom(
    long_letter: MeasuredNotice,
) -> None:
    """GB/T 9704-2012 10.1: a red double rule 4 mm below the mark, another 20 mm above the paper's bottom."""
    rules = red_rules(long_letter.first)

    assert len(rules) == 4
    assert all(abs(rule.length - 170) <= 1 for rule in rules)
    upper, lower = rules[:2], rules[2:]
    assert abs(upper[0].top - long_letter.mark.em_bottom - 4) <= 1
    assert abs(297 - lower[1].bottom - 20) <= 1


def test_letter_double_rules_are_thick_over_thin_above_and_thin_over_thick_below(
    long_letter: MeasuredNotice,
) -> None:
    """GB/T 9704-2012 10.1: 上粗下细 under the mark, 上细下粗 at the foot; two separate strokes each."""
    upper_thick, upper_thin, lower_thin, lower_thick = red_rules(long_letter.first)

    assert upper_thick.thickness > upper_thin.thickness
    assert lower_thick.thickness > lower_thin.thickness
    assert upper_thin.top > upper_thick.bottom
    assert lower_thick.top > lower_thin.bottom


def test_red_rules_are_on_the_first_page_only(long_notice: MeasuredNotice) -> None:
    assert [page.number for page in long_notice.pages if red_rules(page)] == [1]


# -- page numbers -------------------------------------------------------------------------------------------


def test_page_numbers_are_the_page_between_em_dashes(long_notice: MeasuredNotice) -> None:
    """GB/T 9704-2012 7.5: "— N —" on every page; 10.1: none on a letter's first page."""
    numbers = {page: PAGE_NUMBER.match(line.text) for page, line in long_notice.page_numbers().items()}
    numbered = range(2 if long_notice.format == "letter" else 1, len(long_notice.pages) + 1)

    assert sorted(numbers) == list(numbered)
    assert all(match is not None and int(match[1]) == page for page, match in numbers.items()), numbers


def test_odd_page_numbers_end_one_4hao_character_inside_the_right_edge(long_notice: MeasuredNotice) -> None:
    ends = {page: mm(line.x1) for page, line in long_notice.page_numbers().items() if page % 2}

    assert ends
    assert all(abs(end - (BLOCK_RIGHT - FOUR_HAO)) <= 1 for end in ends.values()), ends


def test_even_page_numbers_start_one_4hao_character_inside_the_left_edge(long_notice: MeasuredNotice) -> None:
    starts = {page: mm(line.x0) for page, line in long_notice.page_numbers().items() if not page % 2}

    assert starts
    assert all(abs(start - (BLOCK_LEFT + FOUR_HAO)) <= 1 for start in starts.values()), starts


def test_page_number_tops_are_7mm_below_the_block(long_notice: MeasuredNotice) -> None:
    tops = {page: mm(line.em_top) for page, line in long_notice.page_numbers().items()}

    assert all(abs(top - (BLOCK_BOTTOM + 7)) <= 1 for top in tops.values()), tops


# -- 版记 -------------------------------------------------------------------------------------------------------


def test_imprint_is_on_the_last_page_only(long_notice: MeasuredNotice) -> None:
    """GB/T 9704-2012 7.4: 抄送 and 印发机关和印发日期 on the last page (the reply slip's, when attached)."""
    pages = {page.number for page in long_notice.pages if imprint_lines(page) or imprint_rules(page)}
    lines = imprint_lines(long_notice.last)

    assert pages == {len(long_notice.pages)}
    assert lines[0].text.startswith(CC_PREFIX)
    if long_notice.format == "document":
        assert len(lines) == 2
        assert lines[1].text.endswith(PRINTED_SUFFIX)


def test_document_imprint_last_rule_is_the_block_bottom(long_document: MeasuredNotice) -> None:
    """GB/T 9704-2012 7.4: the last 版记 rule coincides with the 版心's bottom edge."""
    rules = imprint_rules(long_document.last)

    assert rules
    assert abs(rules[-1].bottom - BLOCK_BOTTOM) <= 0.5


def test_document_imprint_rules_are_thick_outside_thin_inside(long_document: MeasuredNotice) -> None:
    """GB/T 9704-2012 7.4: first and last rules 0.35 mm, the one between 0.25 mm; all full width."""
    rules = imprint_rules(long_document.last)

    assert [round(rule.thickness, 1) for rule in rules] == pytest.approx([0.35, 0.25, 0.35], abs=0.1)
    assert all(abs(rule.length - 156) <= 1 for rule in rules)


def test_letter_imprint_is_the_cc_line_without_rules(long_letter: MeasuredNotice) -> None:
    """GB/T 9704-2012 10.1: a letter's 版记 has no 印发机关和印发日期 and no rules."""
    lines = [line.text for page in long_letter.pages for line in imprint_lines(page)]

    assert len(lines) == 1
    assert lines[0].startswith(CC_PREFIX)
    assert not [page.number for page in long_letter.pages if imprint_rules(page)]


# -- the example as sent and its variants -----------------------------------------------------------------


VARIANTS: dict[str, dict[str, Any]] = {
    "example": {},
    "unsealed": {"seal": False},
    "no-reply": {"reply": None},
    "no-cc": {"cc": None},
}


def variant_cases() -> Iterator[Any]:
    for fmt in FORMATS:
        for name in VARIANTS:
            yield pytest.param(fmt, name, id=f"{fmt}-{name}")


@pytest.mark.parametrize(("fmt", "variant"), variant_cases())
def test_short_notices_keep_the_imprint_and_page_numbers_in_place(
    fmt: str, variant: str, measure_notice: Callable[..., MeasuredNotice]
) -> None:
    notice = measure_notice(**FORMATS[fmt], **VARIANTS[variant])
    last = len(notice.pages)

    imprint_pages = {page.number for page in notice.pages if imprint_lines(page) or imprint_rules(page)}
    has_imprint = fmt == "document" or bool(notice.body.get("cc"))
    assert imprint_pages == ({last} if has_imprint else set())
    if fmt == "document":
        assert abs(imprint_rules(notice.last)[-1].bottom - BLOCK_BOTTOM) <= 0.5

    numbers = notice.page_numbers()
    assert sorted(numbers) == list(range(2 if fmt == "letter" else 1, last + 1))
    assert not page_number_errors(numbers)
