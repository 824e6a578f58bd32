"""The meeting minutes (会议纪要) as LibreOffice prints them, measured against GB/T 9704-2012 10.3.

Every PDF goes through the real pipeline (validation, template, the warm LibreOffice pool), once per body
per module. Positions are millimetres from the paper's top-left corner, read from baselines
(tests/rendering/pdf_measure.py); the targets are in docs/decisions/0007-meeting-minutes.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import body_for
from tests.documents.conftest import MeasurePdf
from tests.rendering.pdf_measure import (
    BLOCK_BOTTOM,
    BLOCK_LEFT,
    BLOCK_RIGHT,
    BLOCK_TOP,
    CHARACTER,
    MM_PER_PT,
    ROW,
    ROW_ASCENT,
    Char,
    MeasuredPdf,
    Page,
    Rule,
    TextLine,
    full_lines,
    full_width_rules,
    page_number_errors,
    red_rules,
    row_of,
    unmapped_fonts,
)

KIND = "meeting-minutes"
# A line's baseline may sit this far off its row: lines led by 黑体 (Noto Sans CJK) sit 0.44 mm high.
GRID_TOLERANCE = 0.6
CJK_ADVANCE = 15.75 * MM_PER_PT  # a 3号 character as set: 16 pt condensed by 0.25 pt
CENTRE = (BLOCK_LEFT + BLOCK_RIGHT) / 2
ATTENDANCE_LABELS = ("出席：", "请假：", "列席：")
# The head (ADR 0007): rows counted from 0 at the 版心's top.
ISSUE_ROW, ISSUER_ROW, FIRST_BODY_ROW, TITLE_ROW = 5, 7, 9, 10

HOSTILE = '&<w:t>"{{ mark }}{%p if x %}'
# Realistic pure-CJK decisions, so the body runs over several full pages.
LONG_DECISIONS = [
    "会议强调，老旧小区改造是重大民生工程和发展工程，各有关单位要坚持以人民为中心的发展思想，"
    "按照先民生后提升、先地下后地上的原则，统筹推进基础设施改造、公共服务配套和小区环境整治，"
    "切实解决群众急难愁盼问题，不断增强人民群众的获得感、幸福感和安全感。",
    "会议要求，县住建局要会同城关镇人民政府深入开展入户调查，广泛听取居民意见建议，"
    "做到改什么、怎么改由群众商量着办，并将居民意愿较强、改造条件成熟的小区优先纳入实施计划，"
    "确保改造项目顺民意、得民心。",
    "会议明确，县财政局要积极争取上级补助资金，统筹安排县级配套资金，加强资金使用全过程监管，"
    "严格执行资金拨付审核程序，确保专款专用、安全高效，坚决杜绝截留、挤占、挪用等违规行为。",
    "会议指出，各有关单位要加强施工现场安全管理和文明施工管理，合理安排施工时间和工序，"
    "最大限度减少对居民正常生活的影响，及时化解施工过程中出现的矛盾纠纷，确保改造工作平稳有序推进。",
]
LONG = {
    "decisions": [
        {
            "text": LONG_DECISIONS[index % len(LONG_DECISIONS)],
            "lead_unit": "县住建局",
            "support_units": ["县财政局", "城关镇人民政府"],
            "deadline": "2027-06-30",
        }
        for index in range(8)
    ],
    "attendance__present": [f"县第{index}工作局 张{index}" for index in range(1, 30)],
}
BODIES: dict[str, dict[str, Any]] = {
    "example": {},
    "titled": {"title": "关于县城老旧小区改造2027年实施计划有关事项的会议纪要"},
    "long": LONG,
    # 36 pt, the largest mark size (the example's 13 characters need 34 pt): the head still adds up to rows.
    "short-mark": {"mark": "青山县政府常务会议纪要"},
}


class MeasuredMinutes(MeasuredPdf):
    """One rendered set of minutes: its body, its pages as measured (every character too), and its fonts."""

    @property
    def mark(self) -> TextLine:
        mark = max(self.first.lines, key=lambda line: line.size)
        assert mark.text == self.body["mark"]
        return mark

    @property
    def rule(self) -> Rule:
        rules = red_rules(self.first)
        assert len(rules) == 1, rules
        return rules[0]

    def text_lines(self) -> list[tuple[Page, TextLine]]:
        """主体 lines in reading order: below the red rule, without 版记 and page numbers."""
        return [
            (page, line)
            for page in self.pages
            for line in page.body_lines
            if (page.number > 1 or line.em_top > self.rule.bottom) and not is_imprint(line)
        ]

    def chars_of(self, page: Page, line: TextLine) -> list[Char]:
        return [char for char in page.chars if abs(char.baseline - line.baseline) < 0.05]


def is_imprint(line: TextLine) -> bool:
    return line.text.startswith("抄送：") or line.text.endswith("印发")


# Black full-width rules: only the 版记 draws any.
imprint_rules = full_width_rules


# -- rendering ------------------------------------------------------------------------------------------


minutes_body = body_for(KIND)


@pytest.fixture
def measure(measure_pdf: MeasurePdf) -> Callable[..., MeasuredMinutes]:
    """measure(**overrides): the example minutes with dotted-path overrides (a__0__b; None deletes), measured."""
    return lambda **overrides: measure_pdf(KIND, minutes_body(**overrides), MeasuredMinutes)


@pytest.fixture(params=list(BODIES))
def minutes(request: pytest.FixtureRequest, measure: Callable[..., MeasuredMinutes]) -> MeasuredMinutes:
    return measure(**BODIES[request.param])


@pytest.fixture
def example(measure: Callable[..., MeasuredMinutes]) -> MeasuredMinutes:
    return measure()


@pytest.fixture
def long(measure: Callable[..., MeasuredMinutes]) -> MeasuredMinutes:
    return measure(**LONG)


@pytest.fixture
def titled(measure: Callable[..., MeasuredMinutes]) -> MeasuredMinutes:
    return measure(**BODIES["titled"])


# -- page and grid ------------------------------------------------------------------------------------------


def test_every_page_is_a4(minutes: MeasuredMinutes) -> None:
    sizes = {(round(page.width, 1), round(page.height, 1)) for page in minutes.pages}

    assert all(abs(w - 210) <= 0.5 and abs(h - 297) <= 0.5 for w, h in sizes), sizes


def test_body_lines_sit_on_the_22_grid_rows(minutes: MeasuredMinutes) -> None:
    """The head adds up to whole rows, so page 1's text is on the same 22 rows as every other page."""
    off = {
        (page.number, line.text[:8]): round((row_of(line) - round(row_of(line))) * ROW, 2)
        for page, line in minutes.text_lines()
    }

    assert off
    assert all(abs(mm) <= GRID_TOLERANCE for mm in off.values()), off
    assert all(0 <= round(row_of(line)) <= 21 for _, line in minutes.text_lines())


def test_text_starts_on_the_row_after_the_rule(example: MeasuredMinutes) -> None:
    """The rule sits at the top of row 8; the opening paragraph starts on row 9, flush with the grid."""
    first = example.text_lines()[0][1]

    assert round(row_of(first)) == FIRST_BODY_ROW
    assert first.x0 == pytest.approx(BLOCK_LEFT + 2 * CHARACTER, abs=0.3)  # 左空二字


def test_title_is_two_rows_below_the_rule_and_one_above_the_text(titled: MeasuredMinutes) -> None:
    """GB/T 9704-2012 7.3.1: 2号小标宋, centred, two rows under the rule; the text after one blank row."""
    lines = [line for _, line in titled.text_lines()]
    title = [line for line in lines if line.size == 22]

    assert "".join(line.text for line in title) == titled.body["title"]
    assert [round(row_of(line)) for line in title] == [TITLE_ROW, TITLE_ROW + 1]
    assert all(abs((line.x0 + line.x1) / 2 - CENTRE) <= 1 for line in title)
    assert round(row_of(lines[len(title)])) == TITLE_ROW + len(title) + 1


def test_first_page_text_fills_the_grid_to_row_22(long: MeasuredMinutes) -> None:
    lines = [line for page, line in long.text_lines() if page.number == 1]

    assert [round(row_of(line)) for line in lines] == list(range(FIRST_BODY_ROW, 22))


def test_full_continuation_pages_hold_22_lines(long: MeasuredMinutes) -> None:
    """GB/T 9704-2012 5.2.3: 22 rows on every page the text runs through (not the last).

    A row is filled by a line, or left blank on purpose: the blank row above 出席 (GB/T 9704-2012 10.3).
    """
    rows = {}
    for page in long.pages[1:-1]:
        lines = [line for line in page.body_lines if not is_imprint(line)]
        blank = [line for line in lines if line.text.startswith("出席：") and round(row_of(line)) > 0]
        rows[page.number] = (len(lines) + len(blank), round(row_of(lines[0])), round(row_of(lines[-1])))

    assert len(rows) >= 2, rows
    assert all(counted == (22, 0, 21) for counted in rows.values()), rows


def test_continuation_pages_start_at_the_37mm_block_top(long: MeasuredMinutes) -> None:
    tops = {page.number: round(page.body_lines[0].baseline - ROW_ASCENT, 2) for page in long.pages[1:]}

    assert all(abs(top - BLOCK_TOP) <= 1 for top in tops.values()), tops


def test_pure_cjk_full_lines_hold_28_characters(long: MeasuredMinutes) -> None:
    """GB/T 9704-2012 5.2.3: 28 字 a line (an indent counts its cells), fewer only where a break was barred.

    Kinsoku bars a break when the next line's second character may not start a line (the 28th came down
    with it) or its first may not end one; a number is never broken (GB/T 15835), so a line followed by
    one starting with digits may end a cell or two early, as LibreOffice spaces Chinese from Latin text.
    """
    full = full_lines([line for _, line in long.text_lines()])
    wrong = []
    for f in full:
        following = f.following
        number_follows = following is not None and following.text[:1].isascii() and following.text[:1].isalnum()
        if not (f.cells == 28 or (f.cells == 27 and f.kinsoku) or (f.cells >= 26 and number_follows)):
            wrong.append((f.cells, f.line.text))

    assert len(full) >= 20
    assert not wrong


# -- 版头 --------------------------------------------------------------------------------------------------------


def test_mark_is_red_xiaobiaosong_35mm_below_the_block_top(minutes: MeasuredMinutes) -> None:
    """GB/T 9704-2012 10.3: "XXXXX纪要" centred, top edge 35 mm below the 版心, red 小标宋."""
    mark = minutes.mark

    assert abs(mark.em_top - (BLOCK_TOP + 35)) <= 1, mark.em_top
    assert abs((mark.x0 + mark.x1) / 2 - CENTRE) <= 1
    assert all(len(c) == 3 and c[0] > 0.95 and max(c[1:]) < 0.05 for c in mark.colors), mark.colors
    assert all(re.match(r"NotoSerifCJK\w*-Bold", font) for font in mark.fonts), mark.fonts


def test_issue_number_is_centred_on_its_row(example: MeasuredMinutes) -> None:
    line = example.first.line_with("第27期")

    assert line.text == "第27期"
    assert round(line.size, 2) == 16
    assert abs((line.x0 + line.x1) / 2 - CENTRE) <= 1
    assert abs(row_of(line) - ISSUE_ROW) * ROW <= GRID_TOLERANCE


def test_issuer_and_date_run_from_edge_to_edge_above_the_rule(example: MeasuredMinutes) -> None:
    """编印单位 flush left, date flush right, on the row above the red rule."""
    line = example.first.line_with("2026年11月27日")

    assert line.text == "青山县人民政府办公室2026年11月27日"
    assert line.x0 == pytest.approx(BLOCK_LEFT, abs=0.5)
    assert line.x1 == pytest.approx(BLOCK_RIGHT, abs=0.5)
    assert abs(row_of(line) - ISSUER_ROW) * ROW <= GRID_TOLERANCE
    assert line.em_bottom < example.rule.top


def test_red_rule_runs_the_block_width_4mm_under_the_issuer_line(minutes: MeasuredMinutes) -> None:
    rule = minutes.rule
    above = max((line for line in minutes.first.lines if line.em_bottom < rule.top), key=lambda line: line.baseline)

    assert abs(rule.length - 156) <= 1
    assert rule.x0 == pytest.approx(BLOCK_LEFT, abs=0.5)
    assert abs(rule.thickness - 0.35) <= 0.1
    assert abs(rule.top - above.em_bottom - 4) <= 1


def test_red_appears_only_in_the_head(minutes: MeasuredMinutes) -> None:
    """GB/T 9704-2012 10.3: no seal; the only red on the pages is the mark and its rule."""
    red_text = [
        (page.number, line.text)
        for page in minutes.pages
        for line in page.lines
        if any(len(c) == 3 and c[0] > 0.9 and max(c[1:]) < 0.1 for c in line.colors)
    ]

    assert red_text == [(1, minutes.body["mark"])]
    assert [page.number for page in minutes.pages if red_rules(page)] == [1]


# -- sizes and faces -----------------------------------------------------------------------------------------


def test_text_is_3hao_fangsong_with_numbers_and_labels_in_heiti(minutes: MeasuredMinutes) -> None:
    """GB/T 9704-2012 5.2.2, 7.3.3 and 10.3: 3号仿宋; 黑体 for the first level's 一、 and for 出席：."""
    body = [(page, line) for page, line in minutes.text_lines() if line.size < 20]
    chars = [(line, index, char) for page, line in body for index, char in enumerate(minutes.chars_of(page, line))]

    def set_in_heiti(line: TextLine, index: int) -> bool:
        number = re.match(r"^[一二三四五六七八九十]+、", line.text)
        if number:
            return index < number.end()
        return line.text[:3] in ATTENDANCE_LABELS and index < 3

    heiti = [char.font for line, index, char in chars if set_in_heiti(line, index)]
    fangsong = [char.font for line, index, char in chars if not set_in_heiti(line, index)]

    assert {round(line.size, 2) for _, line in body} == {16}
    assert heiti and all(font.startswith("NotoSansCJK") for font in heiti), set(heiti)
    assert {font.split("-")[0] for font in fangsong} == {"FandolFang"}


# -- 出席 / 请假 / 列席 --------------------------------------------------------------------------------------------


def attendance(minutes: MeasuredMinutes) -> list[tuple[Page, TextLine]]:
    """The attendance lines, from the first 出席 line to the end of the text."""
    lines = minutes.text_lines()
    start = next(i for i, (_, line) in enumerate(lines) if line.text.startswith("出席："))
    return lines[start:]


def test_attendance_follows_the_text_after_one_blank_row(example: MeasuredMinutes) -> None:
    """GB/T 9704-2012 10.3: 出席, 请假, 列席 in that order, one blank row below the body."""
    lines = attendance(example)
    labelled = [line.text[:3] for _, line in lines if line.text[:3] in ATTENDANCE_LABELS]
    everything = example.text_lines()
    before = everything[len(everything) - len(lines) - 1]

    assert labelled == list(ATTENDANCE_LABELS)
    first_page, first = lines[0]
    if before[0] is first_page:
        assert round(row_of(first)) - round(row_of(before[1])) == 2
    else:
        assert round(row_of(first)) == 0  # a page that starts with the attendance starts on its first row
    assert lines[-1][1].text == "列席：县政府办公室 吴海涛"


def test_attendance_labels_are_heiti_and_names_fangsong(minutes: MeasuredMinutes) -> None:
    for page, line in attendance(minutes):
        chars = minutes.chars_of(page, line)
        labelled = line.text[:3] in ATTENDANCE_LABELS
        label, names = (chars[:3], chars[3:]) if labelled else ([], chars)
        assert all(char.font.startswith("NotoSansCJK") for char in label), label
        assert {char.font.split("-")[0] for char in names} == {"FandolFang"}, line.text


def test_attendance_starts_two_characters_in_and_wraps_under_the_first_name(minutes: MeasuredMinutes) -> None:
    """GB/T 9704-2012 10.3: 左空二字; 回行时与冒号后的首字对齐."""
    first_name_x = None
    wrapped = []
    for page, line in attendance(minutes):
        chars = minutes.chars_of(page, line)
        if line.text[:3] in ATTENDANCE_LABELS:
            assert chars[0].x0 == pytest.approx(BLOCK_LEFT + 2 * CHARACTER, abs=0.3)
            first_name_x = chars[3].x0
            assert first_name_x == pytest.approx(chars[0].x0 + 3 * CJK_ADVANCE, abs=0.3)
        else:
            assert first_name_x is not None
            wrapped.append((line.text[:6], round(chars[0].x0 - first_name_x, 2)))

    assert wrapped, "the example's 出席 line should wrap"
    assert all(abs(offset) <= 0.2 for _, offset in wrapped), wrapped


# -- 版记 and page numbers --------------------------------------------------------------------------------------


def test_imprint_is_at_the_foot_of_the_last_page_only(minutes: MeasuredMinutes) -> None:
    """GB/T 9704-2012 7.4: 抄送 and 印发 between rules, the last rule on the 版心's bottom edge."""
    pages = {page.number for page in minutes.pages if imprint_rules(page) or any(map(is_imprint, page.lines))}
    rules = imprint_rules(minutes.last)
    lines = [line for line in minutes.last.lines if is_imprint(line)]

    assert pages == {len(minutes.pages)}
    assert [line.text for line in lines] == ["抄送：县考绩办。", "青山县人民政府办公室2026年11月27日印发"]
    assert {round(line.size, 2) for line in lines} == {14}
    assert [round(rule.thickness, 2) for rule in rules] == pytest.approx([0.35, 0.25, 0.35], abs=0.1)
    assert all(abs(rule.length - 156) <= 1 for rule in rules)
    assert abs(rules[-1].bottom - BLOCK_BOTTOM) <= 0.5


def test_page_numbers_alternate_sides_7mm_below_the_block(minutes: MeasuredMinutes) -> None:
    """GB/T 9704-2012 7.5: "— N —" in 4号 on every page, odd pages right, even pages left, one 字 in."""
    numbers = minutes.page_numbers()

    assert sorted(numbers) == list(range(1, len(minutes.pages) + 1))
    assert not page_number_errors(numbers)


def test_every_embedded_font_is_a_mapped_open_font(minutes: MeasuredMinutes) -> None:
    assert minutes.fonts
    assert not unmapped_fonts(minutes.fonts), minutes.fonts


def test_markup_and_template_syntax_print_literally(measure: Callable[..., MeasuredMinutes]) -> None:
    minutes = measure(intro=HOSTILE, decisions__0__lead_unit=HOSTILE)
    text = "".join(line.text for page in minutes.pages for line in page.lines)

    assert text.count(HOSTILE) == 2


# -- the 版记's page (GB/T 9704-2012 7.4, 7.5; page rules in docs/decisions/0011) ---------------------------------

SHORT = {
    "decisions": [{"text": "原则同意县住建局提出的实施计划。", "lead_unit": "县住建局", "deadline": "2026-12-31"}],
    "attendance__present": ["县住建局 郑立新", "县财政局 孙丽华"],
}
# The long body with 59 present: its text fills page 4 down to row 21, so the 版记 cannot follow it there.
FILLS_AN_EVEN_PAGE = {**LONG, "attendance__present": [f"县第{index}工作局 张{index}" for index in range(1, 60)]}


def imprint_pages(minutes: MeasuredMinutes) -> list[int]:
    return [page.number for page in minutes.pages if any(map(is_imprint, page.lines))]


def test_short_minutes_printed_double_sided_put_the_imprint_on_page_2(
    measure: Callable[..., MeasuredMinutes],
) -> None:
    """The 版记 ends the document's last face, an even page: page 2 holds it alone, numbered."""
    minutes = measure(**SHORT)

    assert len(minutes.pages) == 2
    assert imprint_pages(minutes) == [2]
    assert all(is_imprint(line) for line in minutes.pages[1].body_lines)
    assert sorted(minutes.page_numbers()) == [1, 2]
    assert abs(imprint_rules(minutes.last)[-1].bottom - BLOCK_BOTTOM) <= 0.5


def test_short_minutes_printed_single_sided_keep_the_imprint_under_the_text(
    measure: Callable[..., MeasuredMinutes],
) -> None:
    minutes = measure(**SHORT, printing="single-sided")

    assert len(minutes.pages) == 1
    assert imprint_pages(minutes) == [1]
    assert abs(imprint_rules(minutes.last)[-1].bottom - BLOCK_BOTTOM) <= 0.5


def test_text_filling_an_even_page_puts_a_blank_page_before_the_imprint_both_unnumbered(
    measure: Callable[..., MeasuredMinutes],
) -> None:
    """GB/T 9704-2012 7.5: when a blank page precedes the 版记 page, neither carries a page number."""
    minutes = measure(**FILLS_AN_EVEN_PAGE)
    count = len(minutes.pages)

    assert count % 2 == 0
    assert imprint_pages(minutes) == [count]
    assert not minutes.pages[-2].lines, "the page before the 版记 page should be blank"
    assert sorted(minutes.page_numbers()) == list(range(1, count - 1))
