"""Properties of Length: conversions round-trip within the rounding the unit allows, symmetric about zero."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from service.typography.units import (
    EIGHTH_POINT,
    EMU_PER_HALF_POINT,
    EMU_PER_MM,
    EMU_PER_PT,
    EMU_PER_TWIP,
    Length,
    mm,
    pt,
    twips,
)

# Far beyond any page (a kilometre is 3.6e10 EMU) and well inside the 2**53 a float holds exactly.
emus = st.integers(min_value=-(10**12), max_value=10**12)


@settings(max_examples=300)
@given(emu=emus)
def test_rounded_units_are_the_nearest_whole_count(emu: int) -> None:
    length = Length(emu)

    rounded = [
        (length.twips, Fraction(EMU_PER_TWIP)),
        (length.half_points, Fraction(EMU_PER_HALF_POINT)),
        (length.eighth_points, EIGHTH_POINT),
    ]
    for count, unit in rounded:
        assert abs(count * unit - emu) <= unit / 2
    # Ties go away from zero, so a length and its negative round to opposite counts.
    assert ((-length).twips, (-length).half_points, (-length).eighth_points) == (
        -length.twips,
        -length.half_points,
        -length.eighth_points,
    )


@settings(max_examples=300)
@given(emu=emus)
def test_millimetres_and_points_read_back_to_the_same_emu(emu: int) -> None:
    length = Length(emu)

    assert mm(length.mm) == length
    assert pt(length.pt) == length


@settings(max_examples=300)
@given(count=st.integers(min_value=-(10**9), max_value=10**9))
def test_whole_twips_go_round_exactly(count: int) -> None:
    assert twips(count).twips == count
    assert twips(count).emu == count * EMU_PER_TWIP
    assert pt(count).emu == count * EMU_PER_PT
    assert mm(count).emu == count * EMU_PER_MM


@settings(max_examples=300)
@given(
    value=st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    unit=st.sampled_from([(mm, EMU_PER_MM), (pt, EMU_PER_PT), (twips, EMU_PER_TWIP)]),
)
def test_a_length_from_any_value_is_within_half_an_emu_of_it(
    value: float, unit: tuple[Callable[[float], Length], int]
) -> None:
    make, emu_per_unit = unit

    length = make(value)

    assert abs(length.emu - value * emu_per_unit) <= 0.5 + 1e-5  # the float product is off by far less
    assert make(-value) == -length


@settings(max_examples=300)
@given(emu=emus, factor=st.integers(min_value=1, max_value=1000))
def test_multiplying_then_dividing_by_a_whole_number_gives_the_length_back(emu: int, factor: int) -> None:
    length = Length(emu)

    assert (length * factor) / factor == length
    assert factor * length == length * factor
