"""Length: integer EMU, the constructors, conversions and arithmetic."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any

import pytest

from service.typography.units import Length, mm, pt, twips


@pytest.mark.parametrize(
    ("length", "emu"),
    [
        (mm(1), 36000),
        (pt(1), 12700),
        (twips(1), 635),
        (mm(210), 7560000),
        (pt(0.5), 6350),
        (twips(-5), -3175),
    ],
    ids=["mm", "pt", "twip", "a4-width", "half-point", "negative-twips"],
)
def test_constructors_store_whole_emu(length: Length, emu: int) -> None:
    assert length.emu == emu


def test_constructors_round_to_the_nearest_emu() -> None:
    assert mm(0.35).emu == 12600  # 0.35 × 36000 is 12599.999… in binary floating point
    assert pt(1 / 3).emu == 4233


@pytest.mark.parametrize(
    ("length", "expected"),
    [(mm(37), 2098), (mm(35), 1984), (mm(28), 1587), (mm(26), 1474), (mm(156), 8844), (mm(225), 12756)],
    ids=["top-margin", "bottom-margin", "left-margin", "right-margin", "text-width", "text-height"],
)
def test_twips_match_the_values_templates_store(length: Length, expected: int) -> None:
    assert length.twips == expected


def test_twips_round_half_up() -> None:
    assert Length(317).twips == 0  # 0.4992 twip
    assert Length(318).twips == 1  # 0.5008 twip


def test_rounding_is_symmetric_for_negative_lengths() -> None:
    assert Length(3175).half_points == 1  # exactly half a half-point
    assert Length(-3175).half_points == -1
    assert pt(-0.25).twips == -5


def test_points_and_millimetres_are_floats() -> None:
    assert twips(579).pt == pytest.approx(28.95)
    assert mm(35).mm == pytest.approx(35.0)
    assert pt(72).mm == pytest.approx(25.4)


@pytest.mark.parametrize(
    ("length", "half_points"),
    [(pt(16), 32), (pt(22), 44), (pt(10.5), 21), (pt(36), 72)],
    ids=["3hao", "2hao", "5hao", "xiaochu"],
)
def test_half_points_give_ooxml_font_sizes(length: Length, half_points: int) -> None:
    assert length.half_points == half_points


@pytest.mark.parametrize(
    ("length", "eighths"),
    [(mm(0.35), 8), (mm(0.25), 6), (pt(1.5), 12), (pt(0.75), 6)],
    ids=["thick-rule", "thin-rule", "letter-thick", "letter-thin"],
)
def test_eighth_points_give_ooxml_border_widths(length: Length, eighths: int) -> None:
    assert length.eighth_points == eighths


def test_lengths_add_and_subtract() -> None:
    assert mm(28) + mm(156) + mm(26) == mm(210)
    assert mm(10) - mm(15) == mm(-5)
    assert -mm(5) == mm(-5)


def test_lengths_scale_by_numbers_with_emu_rounding() -> None:
    assert pt(1) * 3 == pt(3)
    assert 3 * pt(1) == pt(3)
    assert pt(16) * 0.875 == pt(14)
    assert (pt(1) / 3).emu == 4233
    assert (Length(1) / 2).emu == 1
    assert (Length(-1) / 2).emu == -1
    assert (mm(1) / 2.5).emu == 14400


@pytest.mark.parametrize(
    ("operation", "other"),
    [
        (operator.add, 1),
        (operator.sub, 1.0),
        (operator.mul, "2"),
        (operator.mul, mm(2)),
        (operator.truediv, mm(1)),
    ],
    ids=["add-number", "subtract-number", "times-string", "times-length", "divide-by-length"],
)
def test_arithmetic_with_other_types_is_refused(operation: Callable[[Any, Any], Any], other: object) -> None:
    with pytest.raises(TypeError):
        operation(mm(1), other)


def test_lengths_compare_and_sort() -> None:
    assert mm(1) < mm(2) <= mm(2) < pt(6)
    assert sorted([mm(3), pt(1), twips(1)]) == [twips(1), pt(1), mm(3)]
    assert max(mm(35), mm(37)) == mm(37)


def test_lengths_are_frozen_and_hashable() -> None:
    length = mm(35)
    with pytest.raises(dataclasses.FrozenInstanceError):
        length.emu = 0  # type: ignore[misc]
    assert {mm(35), mm(35.0), pt(1)} == {mm(35), pt(1)}


def test_str_shows_millimetres_with_two_decimals() -> None:
    assert str(mm(35)) == "35.00 mm"
    assert str(twips(579)) == "10.21 mm"
