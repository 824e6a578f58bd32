"""The meeting brief (会议简报) as LibreOffice prints it: 报头, articles on the grid, 报尾 at the foot.

Every PDF goes through the real pipeline (validation, template, the warm LibreOffice pool) once per module.
Positions are millimetres from the paper's top-left corner, read from baselines (tests/rendering/pdf_measure.py);
targets and the numbers behind them are in docs/decisions/0008-meeting-brief.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

import pytest

from tests.conftest import body_for
from tests.documents.conftest import MeasurePdf
from tests.rendering.pdf_measure import (
    BLOCK_BOTTOM,
    BLOCK_LEFT,
    BLOCK_RIGHT,
    BLOCK_TOP,
    CHARACTER,
    FOUR_HAO,
    MeasuredPdf,
    Page,
    Rule,
    TextLine,
    full_lines,
    full_width_rules,
    is_red,
    page_number_errors,
    red_rules,
    row_of,
    unmapped_fonts,
)

KIND = "meeting-brief"
BLOCK_CENTRE = (BLOCK_LEFT + BLOCK_RIGHT) / 2
DISTRIBUTION_LABELS = ("报：", "送：", "发：")
COPIES = re.compile(r"^共印\d+份$")

# Realistic pure-CJK prose (no digits, no Latin), so that full lines can be counted; enough for 3+ pages.
LONG_ARTICLES = [
    {
        "title": "全县冬春季安全生产工作会议召开",
        "paragraphs": [
            "今天上午，全县冬春季安全生产工作会议在县行政中心召开。会议深入贯彻落实党中央、国务院和省委、"
            "省政府关于安全生产工作的决策部署，全面总结今年以来全县安全生产工作，深入分析当前面临的形势和任务，"
            "安排部署冬春季安全生产大检查和隐患排查整治工作。县政府主要领导出席会议并讲话，县政府分管领导主持会议。",
            "会议指出，今年以来，全县上下认真落实安全生产责任制，扎实开展安全生产专项整治三年行动，"
            "全县安全生产形势总体平稳。但也要清醒看到，当前正值岁末年初，生产经营活动增多，人员流动频繁，"
            "冰冻雨雪天气多发，各类风险隐患交织叠加，安全生产工作面临的形势依然严峻复杂，"
            "决不能有丝毫松懈和麻痹大意。",
        ],
    },
    {
        "title": "县政府主要领导对做好冬春季安全生产工作提出明确要求",
        "paragraphs": [
            "会议强调，各乡镇、各部门要坚持人民至上、生命至上，牢固树立安全发展理念，"
            "把安全生产摆在更加突出的位置，以对人民群众生命财产安全高度负责的态度，"
            "扎实做好冬春季安全生产各项工作。要压紧压实党政领导责任、部门监管责任和企业主体责任，"
            "层层传导压力，确保责任落实到岗、到人。",
            "会议要求，要聚焦道路交通、消防、危险化学品、建筑施工、燃气、特种设备、人员密集场所等重点行业领域，"
            "全面开展安全生产大检查，做到横向到边、纵向到底、不留死角。对检查发现的问题隐患，要建立台账清单，"
            "明确整改责任、整改措施和整改时限，实行闭环管理，确保整改到位。",
            "会议要求，要严格落实领导带班和值班值守制度，加强应急值守和信息报送工作，"
            "遇有突发事件和重要情况，要第一时间按规定程序报告，不得迟报、漏报、谎报、瞒报，"
            "同时迅速启动应急预案，全力组织开展先期处置工作，最大限度减少人员伤亡和财产损失。",
        ],
    },
    {
        "title": "县应急管理局部署安全生产大检查工作",
        "paragraphs": [
            "县应急管理局主要负责同志对全县冬春季安全生产大检查工作作了具体部署。大检查分为自查自改、"
            "集中检查和督查落实三个阶段，由县安委会统一组织，各乡镇、各部门分级负责实施。"
            "各行业主管部门要结合实际制定本行业领域检查方案，明确检查重点、检查方式和责任分工。",
            "县应急管理局要求，各乡镇、各部门要创新检查方式方法，综合运用明查暗访、交叉检查、"
            "专家会诊等方式，切实提高检查质量和效果，坚决防止走过场、搞形式。对重大事故隐患要挂牌督办，"
            "对拒不整改或整改不力的生产经营单位，要依法依规从严从重处罚，形成有力震慑。",
        ],
    },
    {
        "title": "分组讨论情况",
        "paragraphs": [
            "与会人员分三组进行了认真讨论。大家一致认为，会议主题鲜明、重点突出、要求明确，"
            "对做好当前和今后一个时期全县安全生产工作具有很强的指导性和针对性。"
            "各组结合各自实际，围绕基层监管力量配备、隐患整改闭环管理、应急救援能力建设等方面，"
            "提出了许多具有建设性的意见建议。",
            "第一组认为，乡镇安全生产监管力量相对薄弱，专业人员不足，建议进一步充实基层监管力量，"
            "加强业务培训，提高执法检查能力。第二组认为，部分企业主体责任落实不到位，"
            "建议加大执法检查力度，对屡查屡犯的企业依法从严处理。第三组认为，应急物资储备和救援队伍建设仍有短板，"
            "建议加大投入，完善应急预案，定期组织开展应急演练。",
        ],
    },
    {
        "title": "各乡镇各部门表示坚决抓好会议精神贯彻落实",
        "paragraphs": [
            "与会的各乡镇、各部门负责同志纷纷表示，会后将及时向本单位主要负责同志汇报会议精神，"
            "迅速研究制定贯彻落实措施，周密组织开展本地区、本行业领域冬春季安全生产大检查，"
            "以实际行动确保全县安全生产形势持续稳定，为人民群众欢度元旦春节营造安全稳定的社会环境。",
            "县安委会办公室将适时组织督查组，对各乡镇、各部门贯彻落实会议精神情况进行明查暗访和专项督查，"
            "督查结果将在全县范围内通报。对工作不重视、措施不落实、隐患整改不到位的单位，将予以约谈和通报批评；"
            "对因工作失职渎职导致发生生产安全事故的，将依法依规严肃追究有关单位和人员的责任。",
        ],
    },
]
LONG = {
    "editor_note": "岁末年初是安全生产的关键时期。现将全县冬春季安全生产工作会议情况摘要刊发，"
    "请各乡镇、各部门认真学习领会，抓好贯彻落实。",
    "articles": LONG_ARTICLES,
}
# Enough names that the group wraps: continuation lines must start under the first name.
MANY_NAMES = [
    "县委办公室",
    "县人大常委会办公室",
    "县政府办公室",
    "县政协办公室",
    "县纪委县监委",
    "县委组织部",
    "县委宣传部",
    "县委政法委",
    "县应急管理局",
    "县公安局",
]
LONGEST_NAME = "政协青山县第十一届委员会第五次会议秘书处工作简报"


class MeasuredBrief(MeasuredPdf):
    @property
    def name(self) -> TextLine:
        """简报名称: the line above the red rule set larger than 3号."""
        rule = self.red_rule
        found = [line for line in self.first.lines if line.em_bottom < rule.top and line.size > 16]
        assert [line.text for line in found] == [self.body["name"]]
        return found[0]

    @property
    def issue(self) -> TextLine:
        return next(line for line in self.first.lines if line.text.startswith(f"第{self.body['issue_no']}期"))

    @property
    def editor_line(self) -> TextLine:
        return next(line for line in self.first.lines if line.text.startswith(self.body["editor"]))

    @property
    def red_rule(self) -> Rule:
        rules = red_rules(self.first)
        assert len(rules) == 1, rules
        return rules[0]

    def text_lines(self, page: Page) -> list[TextLine]:
        """The page's lines on the grid: below the 报头 on page 1, without the 报尾 and the page number."""
        floor = self.red_rule.bottom if page.number == 1 else BLOCK_TOP
        return [line for line in page.body_lines if line.em_top > floor and not is_tail(line)]

    @property
    def article_lines(self) -> list[TextLine]:
        return [line for page in self.pages for line in self.text_lines(page)]


def is_tail(line: TextLine) -> bool:
    return line.text.startswith(DISTRIBUTION_LABELS) or bool(COPIES.match(line.text)) or line.size == 14


def tail_lines(page: Page) -> list[TextLine]:
    return [line for line in page.body_lines if is_tail(line)]


# Black full-width rules: only the 报尾 draws any.
tail_rules = full_width_rules


# -- rendering --------------------------------------------------------------------------------------------


brief_body = body_for(KIND)


@pytest.fixture
def measure(measure_pdf: MeasurePdf) -> Callable[..., MeasuredBrief]:
    """measure(**overrides): the example brief with dotted-path overrides (a__0__b; None deletes), measured."""
    return lambda **overrides: measure_pdf(KIND, brief_body(**overrides), MeasuredBrief)


@pytest.fixture
def example(measure: Callable[..., MeasuredBrief]) -> MeasuredBrief:
    return measure()


@pytest.fixture
def long_brief(measure: Callable[..., MeasuredBrief]) -> MeasuredBrief:
    return measure(**LONG)


@pytest.fixture(params=["example", "long"])
def brief(request: pytest.FixtureRequest, measure: Callable[..., MeasuredBrief]) -> MeasuredBrief:
    return measure() if request.param == "example" else measure(**LONG)


# -- page -----------------------------------------------------------------------------------------------------


def test_every_page_is_a4(brief: MeasuredBrief) -> None:
    assert all(abs(page.width - 210) <= 0.5 and abs(page.height - 297) <= 0.5 for page in brief.pages)


def test_short_example_fits_one_page(example: MeasuredBrief) -> None:
    """Decision (ADR 0008): the 报头 takes six rows, so two short articles and the 报尾 share page 1."""
    assert len(example.pages) == 1


def test_long_brief_runs_over_three_pages_or_more(long_brief: MeasuredBrief) -> None:
    assert len(long_brief.pages) >= 3


# -- 报头 -------------------------------------------------------------------------------------------------------


def test_internal_mark_is_at_the_top_left_of_the_text_block(brief: MeasuredBrief) -> None:
    """内部资料 on the block's first row, flush left, 3号黑体 (as 密级, GB/T 9704-2012 7.2.2)."""
    mark = brief.first.line_with("内部资料")

    assert mark.text == "内部资料"
    assert abs(mark.x0 - BLOCK_LEFT) <= 0.5
    assert abs(row_of(mark)) <= 0.05
    assert round(mark.size, 2) == 16
    assert all(font.startswith("NotoSansCJK") for font in mark.fonts), mark.fonts


def test_name_is_red_centred_small_title_song(brief: MeasuredBrief) -> None:
    name = brief.name

    assert name.colors
    assert all(is_red(c) for c in name.colors), name.colors
    assert abs((name.x0 + name.x1) / 2 - BLOCK_CENTRE) <= 0.5
    assert all(re.match(r"NotoSerifCJK\w*-Bold", font) for font in name.fonts), name.fonts
    assert 18 <= name.size <= 36


NAMES = {
    "short-at-xiaochu": ("工作简报", 36),
    "example": ("全县冬春季安全生产工作会议简报", 29),
    "longest-at-18pt": (LONGEST_NAME, 18),
}


@pytest.mark.parametrize("case", list(NAMES))
def test_name_is_centred_between_the_first_row_and_the_issue_at_any_size(
    case: str, measure: Callable[..., MeasuredBrief]
) -> None:
    """The name's em box halfway between 内部资料 and 第N期; the 报头 stays six rows whatever its size."""
    text, size = NAMES[case]
    brief = measure(name=text)
    mark, name, issue = brief.first.line_with("内部资料"), brief.name, brief.issue

    above, below = name.em_top - mark.em_bottom, issue.em_top - name.em_bottom

    assert round(name.size, 2) == size
    assert above > 5
    assert abs(above - below) <= 0.5
    assert abs(row_of(issue) - 3) <= 0.05
    assert abs(row_of(brief.text_lines(brief.first)[0]) - 6) <= 0.05


def test_issue_number_is_centred_below_the_name(brief: MeasuredBrief) -> None:
    issue = brief.issue

    assert issue.text == "第1期"
    assert issue.em_top > brief.name.em_bottom
    assert abs((issue.x0 + issue.x1) / 2 - BLOCK_CENTRE) <= 0.5
    assert round(issue.size, 2) == 16
    assert abs(row_of(issue) - 3) <= 0.05


def test_editor_flush_left_and_date_flush_right_share_a_baseline(brief: MeasuredBrief) -> None:
    """编印单位 and 印发日期 on one line above the rule: the measure groups characters by baseline."""
    line = brief.editor_line

    assert line.text == "会议秘书组2026年12月3日"
    assert abs(line.x0 - BLOCK_LEFT) <= 0.5
    assert abs(line.x1 - BLOCK_RIGHT) <= 0.5
    assert line.em_top > brief.issue.em_bottom
    assert round(line.size, 2) == 16


def test_red_rule_runs_the_block_width_4mm_under_the_editor_line(brief: MeasuredBrief) -> None:
    rule = brief.red_rule

    assert abs(rule.length - 156) <= 0.5
    assert abs(rule.x0 - BLOCK_LEFT) <= 0.5
    assert abs(rule.top - brief.editor_line.em_bottom - 4) <= 0.5
    assert abs(rule.thickness - 0.35) <= 0.05


def test_red_rule_is_on_the_first_page_only(long_brief: MeasuredBrief) -> None:
    assert [page.number for page in long_brief.pages if red_rules(page)] == [1]


def test_classified_copy_number_is_flush_right_on_the_first_row(measure: Callable[..., MeasuredBrief]) -> None:
    brief = measure(classification="秘密★6个月", copy_no="000012")
    line = brief.first.line_with("秘密")

    assert line.text == "秘密★6个月000012"
    assert abs(line.x0 - BLOCK_LEFT) <= 0.5
    assert abs(line.x1 - BLOCK_RIGHT) <= 0.5
    assert abs(row_of(line)) <= 0.05


def test_longest_name_stays_on_one_line_inside_the_block(measure: Callable[..., MeasuredBrief]) -> None:
    brief = measure(name=LONGEST_NAME, total_issue_no=25)
    name = brief.name

    assert name.x0 >= BLOCK_LEFT - 0.1 and name.x1 <= BLOCK_RIGHT + 0.1
    assert name.size >= 18
    assert brief.issue.text == "第1期（总第25期）"
    # The 报头 keeps its six rows whatever the name's size: the first article's title is on row 7.
    assert abs(row_of(brief.text_lines(brief.first)[0]) - 6) <= 0.05


# -- articles on the grid ----------------------------------------------------------------------------------------


def test_article_lines_sit_on_the_grid_rows(brief: MeasuredBrief) -> None:
    """Titles and paragraphs on the 22 rows of every page, page 1 included (the 报头 is six whole rows)."""
    off = {
        (page.number, line.text[:8]): round(row_of(line), 2)
        for page in brief.pages
        for line in brief.text_lines(page)
        if abs(row_of(line) - round(row_of(line))) > 0.05 or not 0 <= round(row_of(line)) <= 21
    }

    assert brief.article_lines
    assert not off


def test_first_article_title_is_on_the_seventh_row(brief: MeasuredBrief) -> None:
    first = brief.text_lines(brief.first)[0]

    assert first.size == 22 or first.text.startswith("编者按")
    assert abs(row_of(first) - 6) <= 0.05


def test_article_titles_are_centred_2hao_small_title_song(long_brief: MeasuredBrief) -> None:
    titles = [line for line in long_brief.article_lines if line.size > 20]

    assert len(titles) >= len(LONG_ARTICLES)
    assert {round(line.size, 2) for line in titles} == {22}
    assert all(abs((line.x0 + line.x1) / 2 - BLOCK_CENTRE) <= 0.5 for line in titles)
    assert all(re.match(r"NotoSerifCJK\w*-Bold", font) for line in titles for font in line.fonts)


def test_paragraphs_are_3hao_fangsong_indented_two_characters(long_brief: MeasuredBrief) -> None:
    lines = long_brief.article_lines
    first_title = next(index for index, line in enumerate(lines) if line.size > 20)
    body = [line for line in lines[first_title:] if line.size < 20]  # the 编者按 before it is 楷体
    starts = {round((line.x0 - BLOCK_LEFT) / CHARACTER) for line in body}

    assert {round(line.size, 2) for line in body} == {16}
    assert starts == {0, 2}
    fonts = {font for line in body for font in line.fonts}
    assert all(font.startswith("FandolFang") for font in fonts), fonts


def test_editor_note_opens_with_a_heiti_label_and_kaiti_text(long_brief: MeasuredBrief) -> None:
    note = next(line for line in long_brief.article_lines if line.text.startswith("编者按："))

    assert any(font.startswith("NotoSansCJK") for font in note.fonts)
    assert any(font.startswith("FandolKai") for font in note.fonts)


def test_pure_cjk_full_lines_hold_28_characters(long_brief: MeasuredBrief) -> None:
    """GB/T 9704-2012 5.2.3 on the body: 28 字 a line, 27 only where kinsoku pulled the 28th down."""
    full = full_lines([line for line in long_brief.article_lines if line.size < 20])
    wrong = [(f.cells, f.line.text) for f in full if not (f.cells == 28 or (f.cells == 27 and f.kinsoku))]

    assert len(full) >= 30
    assert not wrong


def test_pages_are_filled_to_the_last_row(long_brief: MeasuredBrief) -> None:
    """Every page but the last uses the grid down to row 22, unless a title moved on with its text."""
    short = {}
    for page, following in pairwise(long_brief.pages):
        last_row = round(row_of(long_brief.text_lines(page)[-1]))
        next_first = long_brief.text_lines(following)[0]
        if last_row != 21 and next_first.size <= 20:
            short[page.number] = last_row

    assert not short


def test_continuation_pages_start_on_the_first_row(long_brief: MeasuredBrief) -> None:
    """天头 37 mm: page 2 on starts on row 1, also when an article's title opens the page (its blank row
    above is space before, which LibreOffice drops at the top of a page)."""
    starts = {page.number: round(row_of(long_brief.text_lines(page)[0]), 2) for page in long_brief.pages[1:]}

    assert all(abs(start) <= 0.05 for start in starts.values()), starts
    assert any(long_brief.text_lines(page)[0].size == 22 for page in long_brief.pages[1:]), "no page opens with a title"


def test_articles_are_separated_by_one_blank_row(long_brief: MeasuredBrief) -> None:
    gaps = []
    for page in long_brief.pages:
        lines = long_brief.text_lines(page)
        for previous, line in pairwise(lines):
            if line.size == 22 and previous.size < 20:
                gaps.append(round(row_of(line) - row_of(previous)))

    assert len(gaps) >= 3
    assert set(gaps) == {2}


# -- 报尾 --------------------------------------------------------------------------------------------------------


def test_tail_is_on_the_last_page_only(brief: MeasuredBrief) -> None:
    pages = {page.number for page in brief.pages if tail_lines(page) or tail_rules(page)}

    assert pages == {len(brief.pages)}


def test_tail_last_rule_is_the_block_bottom(brief: MeasuredBrief) -> None:
    rules = tail_rules(brief.last)

    assert abs(rules[-1].bottom - BLOCK_BOTTOM) <= 0.5


def test_tail_rules_are_thick_outside_thin_inside(brief: MeasuredBrief) -> None:
    rules = tail_rules(brief.last)

    assert [round(rule.thickness, 2) for rule in rules] == pytest.approx([0.35, 0.25, 0.35], abs=0.05)
    assert all(abs(rule.length - 156) <= 0.5 for rule in rules)
    assert rules[0].top > max(line.em_bottom for line in brief.text_lines(brief.last))


def test_tail_lists_report_send_issue_then_copies_flush_right(brief: MeasuredBrief) -> None:
    lines = tail_lines(brief.last)
    top, inner, bottom = tail_rules(brief.last)

    assert [line.text[:2] for line in lines[:3]] == list(DISTRIBUTION_LABELS)
    assert all(top.bottom < line.em_top and line.em_bottom < inner.top for line in lines[:3])
    assert all(abs(line.x0 - (BLOCK_LEFT + FOUR_HAO)) <= 0.5 for line in lines[:3])
    copies = lines[-1]
    assert copies.text == "共印60份"
    assert inner.bottom < copies.em_top and copies.em_bottom < bottom.top
    assert abs(copies.x1 - (BLOCK_RIGHT - FOUR_HAO)) <= 0.5
    assert {round(line.size, 2) for line in lines} == {14}
    assert all(font.startswith("FandolFang") for line in lines for font in line.fonts)


def test_wrapped_recipients_continue_under_the_first_name(measure: Callable[..., MeasuredBrief]) -> None:
    brief = measure(distribution__report_to=MANY_NAMES, distribution__send_to=None)
    lines = tail_lines(brief.last)
    issue = next(index for index, line in enumerate(lines) if line.text.startswith("发："))
    first, continuations = lines[0], lines[1:issue]

    assert first.text.startswith("报：")
    assert continuations
    assert not [line for line in continuations if line.text.startswith(DISTRIBUTION_LABELS)]
    assert all(abs(line.x0 - (BLOCK_LEFT + 3 * FOUR_HAO)) <= 0.5 for line in continuations)
    assert abs(first.x1 - (BLOCK_RIGHT - FOUR_HAO)) <= 1
    assert abs(tail_rules(brief.last)[-1].bottom - BLOCK_BOTTOM) <= 0.5


def test_tail_without_recipients_is_the_copies_row_between_rules(measure: Callable[..., MeasuredBrief]) -> None:
    brief = measure(distribution=None)
    lines, rules = tail_lines(brief.last), tail_rules(brief.last)

    assert [line.text for line in lines] == ["共印60份"]
    assert len(rules) == 2
    assert abs(rules[-1].bottom - BLOCK_BOTTOM) <= 0.5


# -- page numbers and fonts ----------------------------------------------------------------------------------------


def test_page_numbers_are_as_the_notice_prints_them(brief: MeasuredBrief) -> None:
    """GB/T 9704-2012 7.5: "— N —" 4号, 7 mm below the block, odd pages right, even pages left."""
    numbers = brief.page_numbers()

    assert sorted(numbers) == list(range(1, len(brief.pages) + 1))
    assert not page_number_errors(numbers, tolerance=0.5)


def test_every_embedded_font_is_a_mapped_open_font(brief: MeasuredBrief) -> None:
    assert brief.fonts
    assert not unmapped_fonts(brief.fonts), brief.fonts


def test_hostile_text_is_printed_literally(measure: Callable[..., MeasuredBrief]) -> None:
    hostile = '&<>"{{ 7*7 }}{%if%}'
    brief = measure(articles__1__paragraphs__0=hostile + "与会人员分三组进行了讨论。")

    assert any(hostile in line.text for page in brief.pages for line in page.lines)
