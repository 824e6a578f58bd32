"""chinese_numeral() and section_label(): the 层次序数 of GB/T 9704-2012 7.3.3."""

from __future__ import annotations

import pytest

from service.typography.numbering import chinese_numeral, section_label


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "一"),
        (2, "二"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (55, "五十五"),
        (90, "九十"),
        (99, "九十九"),
    ],
    ids=str,
)
def test_chinese_numeral(n: int, expected: str) -> None:
    assert chinese_numeral(n) == expected


@pytest.mark.parametrize("n", [0, 100, -1, True], ids=["zero", "hundred", "negative", "bool"])
def test_chinese_numeral_refuses_numbers_outside_1_to_99(n: int) -> None:
    with pytest.raises(ValueError):
        chinese_numeral(n)


@pytest.mark.parametrize(
    ("level", "n", "expected"),
    [
        (1, 1, "一、"),
        (1, 12, "十二、"),
        (2, 1, "（一）"),
        (2, 3, "（三）"),
        (3, 1, "1."),
        (3, 12, "12."),
        (4, 1, "（1）"),
        (4, 105, "（105）"),
    ],
    ids=[
        "level1",
        "level1-twelve",
        "level2",
        "level2-three",
        "level3",
        "level3-twelve",
        "level4",
        "level4-large",
    ],
)
def test_section_label(level: int, n: int, expected: str) -> None:
    assert section_label(level, n) == expected


def test_section_labels_use_full_width_parentheses_and_a_half_width_point() -> None:
    assert "(" not in section_label(2, 1) + section_label(4, 1)
    assert section_label(3, 1) != "1、"


@pytest.mark.parametrize(
    ("level", "n"),
    [(0, 1), (5, 1), (1, 0), (3, 0), (2, 100)],
    ids=["level0", "level5", "zero", "zero-level3", "level2-over-99"],
)
def test_section_label_refuses_unknown_levels_and_numbers(level: int, n: int) -> None:
    with pytest.raises(ValueError):
        section_label(level, n)
