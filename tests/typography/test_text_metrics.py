"""width_in_chars() and width(): text width in 字 without a font."""

from __future__ import annotations

import pytest

from service.typography.text_metrics import width, width_in_chars
from service.typography.units import pt


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", 0),
        ("青山县人民政府办公室", 10),
        ("，。：；（）《》〔〕", 10),
        ("２０２６", 4),
        ("\u3000", 1),
        ("2026", 2),
        ("GB/T 9704-2012", 7),
        ("2026年11月25日", 7),
        ("—…“”·", 5),
        ("ｱｲ", 1),
        ("e\u0301", 0.5),
        ("\u200b\u200d\ufeff", 0),
        ("\t\n", 0),
        ("😀", 1),
        ("❤\ufe0f", 1),
        ("👨\u200d👩\u200d👧", 1),
    ],
    ids=[
        "empty",
        "han",
        "full-width-punctuation",
        "full-width-digits",
        "ideographic-space",
        "ascii-digits",
        "ascii-with-space",
        "date",
        "ambiguous-as-wide",
        "half-width-katakana",
        "combining-mark",
        "zero-width",
        "control",
        "emoji",
        "emoji-presentation-selector",
        "zwj-sequence",
    ],
)
def test_width_in_chars(text: str, expected: float) -> None:
    assert width_in_chars(text) == expected


def test_width_is_characters_times_size() -> None:
    assert width("青山县", pt(16)) == pt(48)
    assert width("2026年", pt(16)) == pt(48)
    assert width("", pt(16)) == pt(0)
