"""Properties of Chinese numerals and 层次序数: every numeral reads back, labels take every valid number."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.typography.numbering import chinese_numeral, section_label

DIGIT_VALUES = {character: value for value, character in enumerate("〇一二三四五六七八九")} | {"零": 0}
PLACES = {"十": 10, "百": 100, "千": 1000}


def read_numeral(text: str) -> int:
    """The value of a Chinese numeral below 10000 written the usual way (一千零五, 二十, 十一), read back."""
    total, pending = 0, 0
    for character in text:
        if character in DIGIT_VALUES:
            pending = DIGIT_VALUES[character]
        elif character in PLACES:
            total += (pending or 1) * PLACES[character]  # 十一: a bare 十 is one ten
            pending = 0
        else:
            raise ValueError(f"not a numeral: {text}")
    return total + pending


def test_the_reader_here_reads_numerals_up_to_ten_thousand() -> None:
    examples = {"七": 7, "十": 10, "十一": 11, "二十": 20, "一百零五": 105, "三千零二十": 3020, "九千九百九十九": 9999}
    assert {text: read_numeral(text) for text in examples} == examples


def test_every_numeral_from_one_to_ninety_nine_reads_back_and_is_written_the_standard_way() -> None:
    for n in range(1, 100):
        text = chinese_numeral(n)
        assert read_numeral(text) == n, text
        assert "〇" not in text and "零" not in text
        assert not text.startswith("一十"), text  # 十一, never 一十一, as section numbers write it
        assert not text.endswith("十〇"), text


@settings(max_examples=200)
@given(n=st.integers().filter(lambda n: not 1 <= n <= 99))
def test_numbers_outside_one_to_ninety_nine_are_refused_bilingually(n: int) -> None:
    with pytest.raises(ValueError, match=r"只能写1至99的中文数字 / chinese_numeral\(\) takes 1\.\.99"):
        chinese_numeral(n)


@settings(max_examples=200)
@given(level=st.integers(min_value=1, max_value=4), n=st.integers(min_value=1, max_value=10**6))
def test_a_section_label_carries_its_number_in_the_form_of_its_level(level: int, n: int) -> None:
    if level <= 2 and n > 99:
        with pytest.raises(ValueError, match=r"1\.\.99"):
            section_label(level, n)
        return

    label = section_label(level, n)

    forms = {
        1: r"(?P<n>[一二三四五六七八九十]+)、",
        2: r"（(?P<n>[一二三四五六七八九十]+)）",
        3: r"(?P<n>\d+)\.",
        4: r"（(?P<n>\d+)）",
    }
    match = re.fullmatch(forms[level], label)
    assert match is not None, label
    assert (read_numeral(match["n"]) if level <= 2 else int(match["n"])) == n


@settings(max_examples=200)
@given(level=st.integers(), n=st.integers())
def test_a_section_label_is_refused_for_a_level_or_number_that_does_not_exist(level: int, n: int) -> None:
    if 1 <= level <= 4 and n >= 1 and (level > 2 or n <= 99):
        assert section_label(level, n)
        return

    with pytest.raises(ValueError, match=" / "):
        section_label(level, n)
