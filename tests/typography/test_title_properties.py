"""Properties of break_title(): the title comes back whole, lines fit, kinsoku holds, words stay whole, few lines."""

from __future__ import annotations

import itertools
import math
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.typography.text_metrics import width_in_chars

# _tokens and _pieces are the words and unbreakable pieces the module sees: "a word stays whole" and "the
# fewest lines" are about exactly those, so the test asks the module for them rather than guessing jieba.
from service.typography.title import _pieces, _tokens, break_title, load_dictionary

# GB/T 15834-2011 marks that may not open a line, and those that may not close one, with their ASCII forms.
CLOSING = frozenset("。，、；：？！”’）》】〕」』〉·…—～/" + ",.;:?!)]}%")
OPENING = frozenset("“‘（《【〔「『〈" + "([{")

WORDS = [
    "青山县", "人民政府", "办公室", "关于", "印发", "转发", "召开", "全县", "安全生产", "工作", "会议", "的",
    "进一步", "加强", "和", "改进", "新形势下", "疫情防控", "实施方案", "乡村振兴", "高质量发展", "第3届",
    "2026年", "GB/T 9704-2012", "培训班", "表彰", "先进集体", "个人", "做好", "元旦春节", "期间", "有关",
    "中共青山县委", "县直各单位", "森林防火", "专项整治", "PM2.5", "及", "与",
]  # fmt: skip
ZWJ = "\u200d"
EMOJI_PARTS = ["\u0301", "\ufe0f", ZWJ, "❤", "👨", "\u20e3"]
ENDINGS = ["的通知", "的决定", "的意见", "的批复", "的函", "通知", ""]


@st.composite
def segment(draw: st.DrawFn) -> str:
    """A word of a 公文 title, perhaps in brackets or quotes, perhaps followed by a mark or a space."""
    word = draw(st.sampled_from(WORDS))
    wrapper = draw(st.sampled_from(["", "", "", "《》", "（）", "“”", "【】"]))
    text = f"{wrapper[0]}{word}{wrapper[1]}" if wrapper else word
    return text + draw(st.sampled_from(["", "", "", "", "、", "，", "——", "……", " "]))


titles = st.builds(
    lambda parts, ending: "".join(parts) + ending,
    st.lists(segment(), min_size=1, max_size=14),
    st.sampled_from(ENDINGS),
)
widths = st.integers(min_value=8, max_value=30)


@pytest.fixture(scope="module", autouse=True)
def _dictionary() -> None:
    load_dictionary()


def reassemble(title: str, lines: list[str]) -> None:
    """Assert that the lines are the title in order, with nothing between them but dropped whitespace."""
    rest = title.strip()
    for line in lines:
        body = line.lstrip()
        assert body and line == line.rstrip(), lines
        # A line starts with a space only when a combining mark sits on it (a spacing accent): no break there.
        assert body == line or joins_previous(body[0]), lines
        while not rest.startswith(line) and rest[:1].isspace():
            rest = rest[1:]
        assert rest.startswith(line), (title, lines)
        rest = rest[len(line) :]
    assert rest == "", (title, lines)


def break_offsets(title: str, lines: list[str]) -> list[int]:
    """Where in the stripped title each line after the first begins."""
    text, offsets, position = title.strip(), [], 0
    for line in lines:
        position = text.index(line, position)
        offsets.append(position)
        position += len(line)
    return offsets[1:]


def fewest_lines(title: str, max_chars: int) -> int:
    """The fewest lines the title's unbreakable pieces pack into (first fit is optimal for a fixed order)."""
    pieces, gaps = _pieces(_tokens(title.strip()))
    lines, width = 1, 0.0
    for piece, gap in zip(pieces, gaps, strict=True):
        piece_width = width_in_chars(piece)
        if width and width + width_in_chars(gap) + piece_width > max_chars:
            lines, width = lines + 1, piece_width
        else:
            width += (width_in_chars(gap) if width else 0.0) + piece_width
    return lines


@settings(max_examples=300, deadline=None)
@given(title=titles, max_chars=widths)
def test_lines_give_back_the_title_and_none_is_too_wide(title: str, max_chars: int) -> None:
    lines = break_title(title, max_chars=max_chars)

    reassemble(title, lines)
    assert all(width_in_chars(line) <= max_chars for line in lines), lines
    if width_in_chars(title.strip()) <= max_chars:
        assert lines == [title.strip()]
    else:
        assert len(lines) >= math.ceil(width_in_chars("".join(title.split())) / max_chars)
    assert break_title(title, max_chars=max_chars) == lines  # deterministic


@settings(max_examples=300, deadline=None)
@given(title=titles, max_chars=widths)
def test_where_every_piece_fits_kinsoku_holds_and_words_stay_whole(title: str, max_chars: int) -> None:
    pieces, _ = _pieces(_tokens(title.strip()))
    if max(width_in_chars(piece) for piece in pieces) > max_chars:
        return  # a piece wider than a line must be broken somewhere inside; see the test above

    lines = break_title(title, max_chars=max_chars)

    for before, after in itertools.pairwise(lines):
        assert after[0] not in CLOSING, lines
        assert before[-1] not in OPENING, lines
    # Every break falls between two of the words the module's tokenizer (jieba plus 公文 compounds) cut.
    word_edges = set(itertools.accumulate(len(token) for token in _tokens(title.strip())))
    assert set(break_offsets(title, lines)) <= word_edges, lines
    fewest = fewest_lines(title, max_chars)
    assert fewest <= len(lines) <= fewest + 1, (fewest, lines)


def joins_previous(character: str) -> bool:
    """Combining marks, U+FE0F and the zero width joiner: drawn together with the character before."""
    return unicodedata.category(character) in ("Mn", "Me") or character == ZWJ


def is_one_character(line: str) -> bool:
    """Whether the line is one base character with the marks, selectors and joined characters it carries.

    Spaces carrying a mark (a spacing accent) count as one character too.
    """
    bases = [
        character
        for index, character in enumerate(line)
        if index == 0 or not (joins_previous(character) or line[index - 1] == ZWJ)
    ]
    return len(bases) == 1 or "".join(bases).isspace()


any_text = st.lists(
    st.sampled_from("青山县关于通知《》（）“”，。、 ab12-/") | st.sampled_from(EMOJI_PARTS) | st.characters(),
    max_size=60,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(title=any_text, max_chars=st.integers(min_value=1, max_value=25))
def test_any_text_breaks_into_lines_that_fit_and_give_it_back(title: str, max_chars: int) -> None:
    lines = break_title(title, max_chars=max_chars)

    reassemble(title, lines)
    for line in lines:
        # Only one character too wide for a line stands alone in it (a mark before U+FE0F counts 1, text_metrics).
        assert width_in_chars(line) <= max_chars or is_one_character(line), lines
    text = title.strip()
    for (before, after), offset in zip(itertools.pairwise(lines), break_offsets(title, lines), strict=True):
        assert not joins_previous(after[0]), lines
        # A joiner joins across no break, unless the title put whitespace after it (the break is there).
        assert not before.endswith(ZWJ) or text[offset - 1].isspace(), lines


@pytest.mark.parametrize(
    ("title", "max_chars", "expected"),
    [
        ("青 青", 1, ["青", "青"]),
        ("青山 青山" + " " * 10 + "青山 青山", 5, ["青山 青山", "青山 青山"]),
    ],
    ids=["one-character-a-line", "wide-space-where-the-line-breaks"],
)
def test_whitespace_dropped_at_a_break_does_not_add_lines(title: str, max_chars: int, expected: list[str]) -> None:
    assert break_title(title, max_chars=max_chars) == expected


@pytest.mark.parametrize(
    ("title", "max_chars", "expected"),
    [
        ("会议❤\ufe0f通知", 2, ["会议", "❤\ufe0f", "通知"]),
        ("a\ufe0fa\ufe0fa\ufe0f", 1, ["a\ufe0f", "a\ufe0f", "a\ufe0f"]),
        ("青青\u0301\ufe0f", 1, ["青", "青\u0301\ufe0f"]),
    ],
    ids=[
        "emoji-keeps-its-selector",
        "selector-makes-a-letter-full-width",
        "too-wide-alone-still-one-line-each",
    ],
)
def test_breaks_respect_what_draws_as_one_character(title: str, max_chars: int, expected: list[str]) -> None:
    assert break_title(title, max_chars=max_chars) == expected
