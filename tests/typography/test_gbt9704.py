"""The GB/T 9704-2012 constants agree with each other, and issuer_mark_size() fits the mark on one line."""

from __future__ import annotations

import ast
import inspect

import pytest

from service.typography import gbt9704
from service.typography.gbt9704 import (
    BODY_CHAR_SPACING,
    BODY_SIZE,
    CHAR_WIDTH,
    CHARS_PER_LINE,
    LETTER_GAP_7_8,
    LINE_PITCH,
    LINES_PER_PAGE,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    MARK_MAX_SIZE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    TEXT_HEIGHT,
    TEXT_WIDTH,
    TITLE_MAX_CHARS,
    TITLE_SIZE,
    issuer_mark_size,
)
from service.typography.text_metrics import width
from service.typography.units import Length, pt, twips


def test_margins_and_text_block_fill_the_a4_page() -> None:
    assert MARGIN_LEFT + TEXT_WIDTH + MARGIN_RIGHT == PAGE_WIDTH
    assert MARGIN_TOP + TEXT_HEIGHT + MARGIN_BOTTOM == PAGE_HEIGHT


def test_twenty_two_lines_of_579_twips_fit_the_text_block_and_580_would_not() -> None:
    assert LINE_PITCH * LINES_PER_PAGE <= TEXT_HEIGHT
    assert twips(580) * LINES_PER_PAGE > TEXT_HEIGHT


def test_char_width_divides_the_line_into_28() -> None:
    assert abs((CHAR_WIDTH * CHARS_PER_LINE).emu - TEXT_WIDTH.emu) <= CHARS_PER_LINE
    assert CHAR_WIDTH.pt == pytest.approx(15.79, abs=0.005)


def test_condensed_body_text_sets_28_characters_where_plain_16_pt_would_not() -> None:
    assert (BODY_SIZE + BODY_CHAR_SPACING) * CHARS_PER_LINE <= TEXT_WIDTH
    assert BODY_SIZE * CHARS_PER_LINE > TEXT_WIDTH


def test_title_line_holds_twenty_2hao_characters() -> None:
    assert TITLE_SIZE * TITLE_MAX_CHARS <= TEXT_WIDTH < TITLE_SIZE * (TITLE_MAX_CHARS + 1)


def test_letter_gap_is_seven_eighths_of_a_3hao_character() -> None:
    assert LETTER_GAP_7_8 == BODY_SIZE * 7 / 8


def test_every_constant_says_where_its_value_comes_from() -> None:
    """House style: each number cites its clause, or is marked derived, practice, decision or 字号."""
    source = inspect.getsource(gbt9704)
    lines = source.splitlines()
    sources = ("gb/t 9704-2012", "derived", "practice", "decision", "字号", "note:")
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper():
            line = lines[node.lineno - 1]
            comments_above = []
            index = node.lineno - 2
            while index >= 0 and lines[index].startswith("#"):
                comments_above.append(lines[index])
                index -= 1
            context = (line + " ".join(comments_above)).lower()
            assert any(mark in context for mark in sources), f"{node.targets[0].id} cites no source"


@pytest.mark.parametrize(
    ("mark", "expected"),
    [
        ("青山县人民政府办公室文件", pt(36)),
        ("青山县人民政府办公室会议纪要", pt(31.5)),
        ("中共青山县委青山县人民政府办公室联合文件", pt(22)),
        ("国家发展和改革委员会国家能源局青山县人民政府办公室文件", pt(16)),
        ("国家发展和改革委员会国家能源局青山县人民政府办公室联合文件", pt(16)),
        ("", MARK_MAX_SIZE),
    ],
    ids=[
        "12-characters",
        "14-characters",
        "20-characters",
        "27-characters",
        "overflows-even-at-16pt",
        "empty",
    ],
)
def test_issuer_mark_size(mark: str, expected: Length) -> None:
    assert issuer_mark_size(mark) == expected


def test_issuer_mark_size_is_the_largest_half_point_that_fits() -> None:
    for length in range(1, 28):
        mark = "青" * length
        size = issuer_mark_size(mark)
        assert size.emu % pt(0.5).emu == 0
        if size > pt(16):
            assert width(mark, size) <= TEXT_WIDTH < width(mark, size + pt(0.5)) or size == MARK_MAX_SIZE


def test_issuer_mark_size_counts_latin_letters_as_half() -> None:
    assert issuer_mark_size("青山县" + "A" * 34) == issuer_mark_size("青" * 20)
