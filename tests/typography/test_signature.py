"""layout_signature(): 署名 and 成文日期 positions of GB/T 9704-2012 7.3.5.1 and 7.3.5.2."""

from __future__ import annotations

import pytest

from service.typography.gbt9704 import CHAR_WIDTH
from service.typography.signature import layout_signature
from service.typography.text_metrics import width_in_chars
from service.typography.units import Length

SIGNATORY = "青山县人民政府办公室"  # 10 characters
DATE = "2026年11月25日"  # 7 characters: the eight digits count half each


def test_example_widths() -> None:
    assert width_in_chars(SIGNATORY) == 10
    assert width_in_chars(DATE) == 7


def test_sealed_date_is_right_indented_four_characters_with_the_signatory_centred_over_it() -> None:
    layout = layout_signature(SIGNATORY, DATE, sealed=True)
    # date: 4 × 15.793 pt = 63.17 pt = 1263 twips; 署名: 4 + (7 − 10) / 2 = 2.5 characters = 790 twips
    assert layout.date_right_indent.twips == 1263
    assert layout.signatory_right_indent.twips == 790
    assert layout.blank_lines_before == 2


def test_unsealed_signatory_is_right_indented_two_characters_and_the_date_starts_two_further_right() -> None:
    layout = layout_signature(SIGNATORY, DATE, sealed=False)
    # 署名: 2 characters = 632 twips; date: 10 − 7 = 3 characters = 948 twips
    assert layout.signatory_right_indent.twips == 632
    assert layout.date_right_indent.twips == 948
    assert layout.blank_lines_before == 1


def test_unsealed_date_longer_than_the_signatory_is_right_indented_two_characters() -> None:
    layout = layout_signature("青山县政府", DATE, sealed=False)
    # date: 2 characters; 署名: 4 + 7 − 5 = 6 characters
    assert layout.date_right_indent == CHAR_WIDTH * 2
    assert abs(layout.signatory_right_indent.emu - (CHAR_WIDTH * 6).emu) <= 1


@pytest.mark.parametrize(
    "signatory",
    ["青山县人民政府办公室", "青山县政府", "县委", "中共青山县委青山县人民政府办公室"],
    ids=["longer-than-date", "shorter", "very-short", "very-long"],
)
def test_unsealed_date_starts_two_characters_right_of_the_signatory(signatory: str) -> None:
    layout = layout_signature(signatory, DATE, sealed=False)
    signatory_start = layout.signatory_right_indent + CHAR_WIDTH * width_in_chars(signatory)
    date_start = layout.date_right_indent + CHAR_WIDTH * width_in_chars(DATE)
    assert abs((signatory_start - date_start).emu - (CHAR_WIDTH * 2).emu) <= 2
    assert layout.date_right_indent >= CHAR_WIDTH * 2
    assert layout.signatory_right_indent >= CHAR_WIDTH * 2


@pytest.mark.parametrize(
    "signatory",
    ["青山县人民政府办公室", "县委", "青山县发展和改革局"],
    ids=["longer-than-date", "shorter", "odd-difference"],
)
def test_sealed_signatory_centre_is_the_date_centre(signatory: str) -> None:
    layout = layout_signature(signatory, DATE, sealed=True)
    signatory_centre = layout.signatory_right_indent * 2 + CHAR_WIDTH * width_in_chars(signatory)
    date_centre = layout.date_right_indent * 2 + CHAR_WIDTH * width_in_chars(DATE)
    assert abs((signatory_centre - date_centre).emu) <= 2


def test_sealed_signatory_indent_never_goes_negative() -> None:
    layout = layout_signature("中共青山县委办公室青山县人民政府办公室", DATE, sealed=True)
    assert layout.signatory_right_indent == Length(0)
    assert layout.date_right_indent == CHAR_WIDTH * 4
