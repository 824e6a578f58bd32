"""Chinese numerals and the four levels of 层次序数 (section labels) of GB/T 9704-2012 7.3.3."""

from __future__ import annotations

_DIGITS = "〇一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """一 … 九十九 for 1..99, as section numbers write them (十一, 二十, 二十一); ValueError otherwise."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 99:
        raise ValueError(f"只能写1至99的中文数字 / chinese_numeral() takes 1..99, got {n!r}")
    tens, units = divmod(n, 10)
    tens_text = "" if tens == 0 else "十" if tens == 1 else _DIGITS[tens] + "十"
    units_text = _DIGITS[units] if units else ""
    return tens_text + units_text


def section_label(level: int, n: int) -> str:
    """The label of the n-th section at `level`: 一、 （一） 1. （1） (GB/T 9704-2012 7.3.3).

    Levels 1 and 2 use Chinese numerals (so n is 1..99) in full-width punctuation; levels 3 and 4
    use Arabic numerals, level 3 with a half-width point ("1." rather than "1、").
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"序号须为正整数 / section numbers start at 1, got {n!r}")
    if level == 1:
        return chinese_numeral(n) + "、"
    if level == 2:
        return f"（{chinese_numeral(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError(f"层次序数只有4级 / GB/T 9704-2012 7.3.3 has levels 1 to 4, got {level!r}")
