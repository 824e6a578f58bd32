"""The feedback slip as LibreOffice prints it: one A4 page, the form filling the 版心 to its bottom edge.

Every PDF goes through the real pipeline and the warm LibreOffice pool; each body is converted once per
module. Positions are millimetres from the paper's top-left corner (tests/rendering/pdf_measure.py); the
targets are in docs/decisions/0006-minutes-feedback-slip.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest

from service.documents.minutes_feedback_slip import (
    CELL_LINE,
    KIND,
    LABELS,
    MIN_FEEDBACK_LINES,
    SlipLayout,
    layout,
)
from service.documents.pipeline import validate_document
from tests.conftest import body_for
from tests.documents.conftest import MeasurePdf
from tests.rendering.pdf_measure import (
    BLACK,
    BLOCK_BOTTOM,
    BLOCK_LEFT,
    BLOCK_RIGHT,
    BLOCK_TOP,
    EM_ABOVE_BASELINE,
    EM_BELOW_BASELINE,
    MM_PER_PT,
    ROW,
    Char,
    MeasuredPdf,
    Page,
    Rule,
    unmapped_fonts,
)

NAME = "minutes-feedback-slip"
LINE = CELL_LINE.mm  # one line of text in a form cell (mm)
# LibreOffice sets the page's first grid row 0.16 mm low (ADR 0002: the notice's 份号 baseline is 45.33 mm).
FIRST_BASELINE = 45.33
LABEL_COLUMN_RIGHT = 64.0  # mm: the rule between labels and values
FRAME_BOTTOM = 261.79  # mm: ADR 0006, 0.21 mm above the 版心's bottom edge

ONE_UNIT = {"units": ["县住建局"]}
# Near the most the page holds: a two-line title, Latin and digits in the values, 21-character lines.
DENSE = {
    "title": "青山县人民政府第35次常务会议纪要意见反馈单",
    "topic": "研究县城老旧小区改造2027年实施计划和城关镇供水管网（一期）更新工程资金安排有关事项",
    "chair": "县委常委、常务副县长 Lin Guoping（林国平）",
    "units": ["青山县自然资源和规划局（县林业局）"],
    "reviewer": "县政府办公室主任 陈立新、副主任 吴海涛",
    "drafter": {
        "name": "欧阳晓",
        "phone": "0578-2123457转8001",
        "fax": "0578-2123461",
        "email": "zhengfu.mishuke@qingshan.example.cn",
    },
}
# Pure Han text exactly 21 characters a line, and a Latin word that must move whole to the next line.
FULL_LINES = {
    "topic": "研究县城老旧小区改造实施计划及资金安排事项" * 2,
    "chair": "县政府副县长林国平同志主持会议并作讲话强调",
    "reviewer": "县政府办公室副主任吴海涛 Wu-Haitao-Deputy-Director",
}
HOSTILE = {"units": ['县<住建>局&"规划"{{ unit }}'], "topic": "{{ 7 * 7 }} </w:t> {%p if %}"}


@dataclass(frozen=True)
class CellLine:
    """Characters on one baseline within one column of the form (label or value)."""

    column: str  # "label" or "value"
    baseline: float
    em_top: float
    em_bottom: float
    x0: float
    x1: float
    text: str


class MeasuredSlip(MeasuredPdf):
    @property
    def page(self) -> Page:
        return self.pages[0]

    @cached_property
    def cells(self) -> list[CellLine]:
        """The page's characters grouped by column (label or value) and baseline, top to bottom."""
        groups: dict[tuple[str, float], list[Char]] = {}
        for char in self.page.chars:
            column = "label" if char.x0 < LABEL_COLUMN_RIGHT else "value"
            groups.setdefault((column, round(char.baseline, 2)), []).append(char)
        cells = []
        for (column, baseline), chars in sorted(groups.items(), key=lambda item: item[0][1]):
            chars.sort(key=lambda c: c.x0)
            size = max(c.size for c in chars) * MM_PER_PT
            cells.append(
                CellLine(
                    column=column,
                    baseline=baseline,
                    em_top=baseline - EM_ABOVE_BASELINE * size,
                    em_bottom=baseline + EM_BELOW_BASELINE * size,
                    x0=chars[0].x0,
                    x1=chars[-1].x1,
                    text="".join(c.text for c in chars),
                )
            )
        return cells

    @property
    def verticals(self) -> list[tuple[float, float, float, float]]:
        """The vertical rules as (x, top, bottom, width), mm, left to right."""
        return sorted((s.x0, s.top, s.bottom, s.width) for s in self.page.strokes if s.vertical)

    @property
    def colours(self) -> frozenset[tuple[float, ...]]:
        return frozenset(char.color for char in self.page.chars)

    @property
    def frame(self) -> list[Rule]:
        """The frame's top and bottom rules: the heavier, full-width ones."""
        return [rule for rule in self.page.rules if rule.thickness > 0.22]

    @property
    def rules(self) -> list[Rule]:
        """Every horizontal rule of the form, top to bottom (the frame's included)."""
        return sorted((rule for rule in self.page.rules if rule.length > 150), key=lambda rule: rule.top)

    def band(self, label: str) -> tuple[float, float]:
        """The row holding `label`: the bottom of the rule above it, the top of the rule below it."""
        lines = [cell for cell in self.cells if cell.column == "label" and cell.text in label]
        assert "".join(cell.text for cell in lines) == label, [cell.text for cell in lines]
        middle = (lines[0].em_top + lines[-1].em_bottom) / 2
        above = max(rule.bottom for rule in self.rules if rule.top < middle)
        below = min(rule.top for rule in self.rules if rule.top > middle)
        return above, below

    def values(self, label: str) -> list[CellLine]:
        top, bottom = self.band(label)
        return [cell for cell in self.cells if cell.column == "value" and top < cell.baseline < bottom]

    def label_lines(self, label: str) -> list[CellLine]:
        top, bottom = self.band(label)
        return [cell for cell in self.cells if cell.column == "label" and top < cell.baseline < bottom]


slip_body = body_for(NAME)


@pytest.fixture
def measure_slip(measure_pdf: MeasurePdf) -> Callable[..., MeasuredSlip]:
    """measure_slip(**overrides): the example slip for one unit, with overrides, as a measured PDF."""
    return lambda **overrides: measure_pdf(NAME, slip_body(**{**ONE_UNIT, **overrides}), MeasuredSlip)


@pytest.fixture
def slip(measure_slip: Callable[..., MeasuredSlip]) -> MeasuredSlip:
    return measure_slip()


@pytest.fixture(params=["example", "dense", "full-lines"])
def any_slip(request: pytest.FixtureRequest, measure_slip: Callable[..., MeasuredSlip]) -> MeasuredSlip:
    return measure_slip(**{"example": {}, "dense": DENSE, "full-lines": FULL_LINES}[request.param])


def estimated_layout(body: dict[str, Any]) -> SlipLayout:
    data = validate_document(NAME, body).data
    part = KIND.parts(data)[0].data
    return layout(part, part["units"][0])


# -- the page ---------------------------------------------------------------------------------------------


def test_slip_is_one_a4_page(any_slip: MeasuredSlip) -> None:
    assert len(any_slip.pages) == 1
    assert any_slip.page.width == pytest.approx(210, abs=0.1)
    assert any_slip.page.height == pytest.approx(297, abs=0.1)


def test_everything_lies_inside_the_text_block(any_slip: MeasuredSlip) -> None:
    for cell in any_slip.cells:
        assert cell.x0 >= BLOCK_LEFT - 0.05, cell
        assert cell.x1 <= BLOCK_RIGHT + 0.05, cell
        assert cell.em_top >= BLOCK_TOP, cell
        assert cell.em_bottom <= BLOCK_BOTTOM, cell


def test_title_is_2hao_xiaobiaosong_centred_on_the_first_row(slip: MeasuredSlip) -> None:
    title = slip.page.line_with("会议纪要意见反馈单")

    assert title.size == pytest.approx(22)
    assert all(font.startswith("NotoSerifCJK") and "Bold" in font for font in title.fonts)
    assert title.baseline == pytest.approx(FIRST_BASELINE, abs=0.15)
    assert (title.x0 + title.x1) / 2 == pytest.approx((BLOCK_LEFT + BLOCK_RIGHT) / 2, abs=0.3)


def test_two_line_title_takes_two_rows_and_the_form_starts_a_row_lower(
    slip: MeasuredSlip, measure_slip: Callable[..., MeasuredSlip]
) -> None:
    dense = measure_slip(**DENSE)
    first, second = (dense.page.line_with(part) for part in ("第35次", "常务会议"))

    assert second.baseline - first.baseline == pytest.approx(ROW, abs=0.05)
    assert dense.frame[0].top - slip.frame[0].top == pytest.approx(ROW, abs=0.05)


def test_issuer_is_3hao_kaiti_centred_on_the_second_row(slip: MeasuredSlip) -> None:
    issuer = slip.page.line_with("青山县人民政府办公室")

    assert issuer.size == pytest.approx(16)
    assert all(font.startswith("FandolKai") for font in issuer.fonts)
    assert issuer.baseline == pytest.approx(FIRST_BASELINE + ROW, abs=0.15)
    assert (issuer.x0 + issuer.x1) / 2 == pytest.approx((BLOCK_LEFT + BLOCK_RIGHT) / 2, abs=0.3)


# -- the form ---------------------------------------------------------------------------------------------


def test_frame_runs_the_width_of_the_text_block(any_slip: MeasuredSlip) -> None:
    top, bottom = any_slip.frame
    for rule in (top, bottom):
        assert rule.x0 == pytest.approx(BLOCK_LEFT, abs=0.05)
        assert rule.x1 == pytest.approx(BLOCK_RIGHT, abs=0.05)
        assert rule.thickness == pytest.approx(0.75 * 25.4 / 72, abs=0.03)
    left, _middle, right = any_slip.verticals
    assert left[0] - left[3] / 2 == pytest.approx(BLOCK_LEFT, abs=0.05)
    assert right[0] + right[3] / 2 == pytest.approx(BLOCK_RIGHT, abs=0.05)


def test_form_starts_under_the_issuer_and_ends_on_the_text_blocks_bottom_edge(any_slip: MeasuredSlip) -> None:
    top, bottom = any_slip.frame
    rows_above = len(estimated_layout(any_slip.body).title_lines) + 1  # the title's rows and the issuer's

    assert top.top == pytest.approx(BLOCK_TOP + rows_above * ROW + 0.2, abs=0.1)
    assert bottom.bottom == pytest.approx(FRAME_BOTTOM, abs=0.05)
    assert bottom.bottom <= BLOCK_BOTTOM


def test_labels_stand_in_the_forms_order_centred_in_their_column(slip: MeasuredSlip) -> None:
    tops = []
    for label in LABELS.values():
        lines = slip.label_lines(label)
        assert "".join(line.text for line in lines) == label
        for line in lines:
            assert (line.x0 + line.x1) / 2 == pytest.approx((BLOCK_LEFT + LABEL_COLUMN_RIGHT) / 2, abs=0.5)
        tops.append(lines[0].baseline)
    assert tops == sorted(tops)


def test_every_row_holds_its_text_in_no_more_lines_than_estimated(any_slip: MeasuredSlip) -> None:
    estimated = estimated_layout(any_slip.body).lines
    for key, label in LABELS.items():
        if key == "feedback":
            continue
        values = any_slip.values(label)
        top, bottom = any_slip.band(label)
        assert 1 <= len(values) <= estimated[key], (label, [v.text for v in values])
        for line in values:
            assert top < line.em_top and line.em_bottom < bottom, (label, line.text)


@pytest.mark.parametrize("label", ["主持人", "参会单位", "文稿传出时间", "意见反馈时间"])
def test_one_line_rows_are_one_grid_row_with_the_text_centred(slip: MeasuredSlip, label: str) -> None:
    top, bottom = slip.band(label)
    (value,) = slip.values(label)

    assert bottom - top == pytest.approx(ROW, abs=0.3)  # less the rules' widths
    assert (value.em_top + value.em_bottom) / 2 == pytest.approx((top + bottom) / 2, abs=0.25)


def test_values_start_just_inside_the_column_rule(slip: MeasuredSlip) -> None:
    rows = [key for key in LABELS if key not in ("feedback", "notes")]
    starts = {round(line.x0, 2) for key in rows for line in slip.values(LABELS[key])}

    assert len(starts) == 1
    # The label column is 35.74 mm wide; values 1.2 mm inside it, plus LibreOffice's half rule.
    assert starts.pop() == pytest.approx(BLOCK_LEFT + 35.74 + 1.2 + 0.26, abs=0.1)


def test_deadline_and_sending_time_are_printed_in_full(slip: MeasuredSlip) -> None:
    assert [v.text for v in slip.values("文稿传出时间")] == ["2026年11月20日（星期五）下午4:30"]
    assert [v.text for v in slip.values("意见反馈时间")] == ["2026年11月24日（星期二）下午5:30前"]


def test_feedback_cell_is_the_tall_one_with_the_signature_at_its_foot(any_slip: MeasuredSlip) -> None:
    top, bottom = any_slip.band("反馈意见")
    signature, date = any_slip.values("反馈意见")

    assert bottom - top >= (MIN_FEEDBACK_LINES * LINE)
    assert signature.text == "单位负责人署名并加盖公章："
    assert date.text == "年　　月　　日"
    assert date.baseline - signature.baseline == pytest.approx(LINE, abs=0.05)
    assert 1.5 < bottom - date.em_bottom < 4.0


def test_notes_say_what_to_do_and_by_when(slip: MeasuredSlip) -> None:
    text = "".join(line.text for line in slip.values("修改反馈要求"))

    assert text == (
        "1.请接此单后立即送单位领导审阅。"
        "2.请在2个工作日内将修改意见反馈至青山县人民政府办公室秘书科。"
        "3.逾期未反馈的，视为无修改意见。"
    )


def test_unit_row_names_the_unit(slip: MeasuredSlip) -> None:
    assert [v.text for v in slip.values("参会单位")] == ["县住建局"]


def test_text_is_3hao_except_the_title(any_slip: MeasuredSlip) -> None:
    sizes = {round(line.size, 2) for line in any_slip.page.lines if not any("Bold" in f for f in line.fonts)}
    assert sizes == {16.0}


def test_every_embedded_font_is_a_mapped_open_font(any_slip: MeasuredSlip) -> None:
    assert any_slip.fonts
    assert not unmapped_fonts(any_slip.fonts), any_slip.fonts


def test_form_is_all_black(any_slip: MeasuredSlip) -> None:
    assert any_slip.colours <= BLACK
    assert all(rule.color in {(0.0,), (0.0, 0.0, 0.0)} for rule in any_slip.page.rules)


def test_markup_and_jinja_print_literally(measure_slip: Callable[..., MeasuredSlip]) -> None:
    hostile = measure_slip(**HOSTILE)

    assert [v.text for v in hostile.values("参会单位")] == ['县<住建>局&"规划"{{ unit }}']
    assert "".join(v.text for v in hostile.values("专题内容")) == "{{ 7 * 7 }} </w:t> {%p if %}"
