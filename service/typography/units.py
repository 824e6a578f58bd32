"""Typed lengths: one integer count of EMU behind every distance, as OOXML and python-docx count them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

EMU_PER_INCH = 914400
EMU_PER_PT = 12700  # 914400 / 72
EMU_PER_MM = 36000  # 914400 / 25.4
EMU_PER_TWIP = 635  # a twip is 1/20 pt
EMU_PER_HALF_POINT = 6350  # OOXML w:sz counts half-points
EIGHTH_POINT = Fraction(EMU_PER_PT, 8)  # OOXML border widths (w:sz of w:pBdr) count eighths of a point


def _round_half_away(value: float | Fraction) -> int:
    """Round to the nearest integer, ties away from zero, so that (-x) rounds to -(x rounded)."""
    magnitude = math.floor(abs(Fraction(value)) + Fraction(1, 2))
    return magnitude if value >= 0 else -magnitude


@dataclass(frozen=True, order=True)
class Length:
    """A distance on the page, stored as a whole number of EMU (914400 per inch, 12700 per pt, 36000 per mm).

    Conversions to coarser units round half away from zero; for the non-negative lengths a page is made
    of, that is the usual round-half-up.
    """

    emu: int

    @property
    def twips(self) -> int:
        """Twentieths of a point (OOXML dxa), rounded."""
        return _round_half_away(Fraction(self.emu, EMU_PER_TWIP))

    @property
    def pt(self) -> float:
        """Points, unrounded."""
        return self.emu / EMU_PER_PT

    @property
    def mm(self) -> float:
        """Millimetres, unrounded."""
        return self.emu / EMU_PER_MM

    @property
    def half_points(self) -> int:
        """Half-points, rounded: the unit of OOXML font sizes (w:sz)."""
        return _round_half_away(Fraction(self.emu, EMU_PER_HALF_POINT))

    @property
    def eighth_points(self) -> int:
        """Eighths of a point, rounded: the unit of OOXML border widths."""
        return _round_half_away(self.emu / EIGHTH_POINT)

    def __add__(self, other: Length) -> Length:
        if not isinstance(other, Length):
            return NotImplemented
        return Length(self.emu + other.emu)

    def __sub__(self, other: Length) -> Length:
        if not isinstance(other, Length):
            return NotImplemented
        return Length(self.emu - other.emu)

    def __mul__(self, factor: float) -> Length:
        if isinstance(factor, bool) or not isinstance(factor, int | float):
            return NotImplemented
        return Length(_round_half_away(self.emu * factor))

    __rmul__ = __mul__

    def __truediv__(self, divisor: float) -> Length:
        if isinstance(divisor, bool) or not isinstance(divisor, int | float):
            return NotImplemented
        if isinstance(divisor, int):
            return Length(_round_half_away(Fraction(self.emu, divisor)))
        return Length(_round_half_away(self.emu / divisor))

    def __neg__(self) -> Length:
        return Length(-self.emu)

    def __str__(self) -> str:
        return f"{self.mm:.2f} mm"


def mm(x: float) -> Length:
    """A length in millimetres."""
    return Length(_round_half_away(x * EMU_PER_MM))


def pt(x: float) -> Length:
    """A length in points (1/72 inch)."""
    return Length(_round_half_away(x * EMU_PER_PT))


def twips(x: float) -> Length:
    """A length in twips (1/20 pt, OOXML dxa)."""
    return Length(_round_half_away(x * EMU_PER_TWIP))
