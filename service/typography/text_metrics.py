"""How wide text sets, in character cells (字), without opening a font.

The unit is the 字 of GB/T 9704-2012 3.1: the width of one Chinese character. Chinese fonts set
every Han character, full-width punctuation mark and most symbols in one square em, and Latin
letters and digits in about half of one (FandolFang and 仿宋_GB2312 digits measure 0.5 em), so:

* East Asian Width W (wide) and F (full-width) count 1;
* A (ambiguous: “ ” ‘ ’ — … · × ° Greek, Cyrillic) counts 1, because in a 公文 these are set
  from the Chinese font, which draws them full-width;
* Na (narrow), H (half-width) and N (neutral, e.g. most Latin with diacritics) count 0.5;
* combining marks, format characters (zero-width space and joiner, BOM, variation selectors)
  and control characters count 0;
* an emoji counts 1: those of East Asian Width W already do; a narrow symbol followed by the
  emoji presentation selector U+FE0F becomes 1; a character joined by U+200D (ZWJ) onto the
  previous one draws as part of that glyph and counts 0.
"""

from __future__ import annotations

import unicodedata

from service.typography.units import Length

_ZERO_WIDTH_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Cc"})
_ZWJ = "\u200d"
_EMOJI_PRESENTATION = "\ufe0f"


def _cell_width(character: str) -> float:
    if unicodedata.category(character) in _ZERO_WIDTH_CATEGORIES:
        return 0.0
    if unicodedata.east_asian_width(character) in ("W", "F", "A"):
        return 1.0
    return 0.5


def width_in_chars(text: str) -> float:
    """The width of `text` in 字 (one Chinese character = 1, a Latin letter or digit = 0.5)."""
    total = 0.0
    previous = ""
    for index, character in enumerate(text):
        following = text[index + 1 : index + 2]
        if previous == _ZWJ:
            cell = 0.0
        elif following == _EMOJI_PRESENTATION:
            cell = 1.0
        else:
            cell = _cell_width(character)
        total += cell
        previous = character
    return total


def width(text: str, size: Length) -> Length:
    """The width of `text` set at font size `size`, each 字 being one em."""
    return size * width_in_chars(text)
