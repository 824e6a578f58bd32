"""Properties of punctuation: normalising is idempotent and changes only what its Correction reports."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.typography.punctuation import (
    cc_line,
    ensure_full_stop,
    join_names,
    normalise_punctuation,
    recipients_line,
    strip_trailing_colon,
)

HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
SPACES = " \t"
LIST_PUNCTUATION = "，,、；;：:。"
SENTENCE_ENDS = "。！？；…”.!?;"

# Drawn as lists of characters: st.text() would merge these alphabets into one flat set of code points.
running_text = st.lists(
    st.one_of(
        st.sampled_from("会议通知请各单位于报送材料中文"),
        st.sampled_from("abcXYZ0123456789"),
        st.sampled_from(",;:?!()"),
        st.sampled_from(" \t"),
        st.sampled_from("，。（）“”—…·、"),
        st.characters(),
    ),
    max_size=40,
).map("".join)


@dataclass
class Alignment:
    """How an output lines up with its input: which input marks became full-width, which spaces went."""

    converted: list[int] = field(default_factory=list)
    removed: list[int] = field(default_factory=list)


def align(text: str, result: str) -> Alignment:
    """Line result up with text, character by character; fail if anything else changed."""
    alignment = Alignment()
    j = 0
    for i, character in enumerate(text):
        if j < len(result) and result[j] == character:
            j += 1
        elif j < len(result) and character in HALF_TO_FULL and result[j] == HALF_TO_FULL[character]:
            alignment.converted.append(i)
            j += 1
        elif character in SPACES:
            alignment.removed.append(i)
        else:
            pytest.fail(f"{character!r} at {i} of {text!r} did not survive into {result!r}")
    assert j == len(result), f"{result!r} has more than {text!r}"
    return alignment


def parentheses(text: str) -> dict[int, int]:
    """Each matched ( and ) with the position of its partner."""
    partners: dict[int, int] = {}
    opened: list[int] = []
    for index, character in enumerate(text):
        if character == "(":
            opened.append(index)
        elif character == ")" and opened:
            opening = opened.pop()
            partners[opening], partners[index] = index, opening
    return partners


def neighbours(text: str, index: int) -> list[int]:
    """The positions of the nearest characters either side of text[index] that are not spaces or tabs."""
    found = []
    for step in (-1, 1):
        position = index + step
        while 0 <= position < len(text) and text[position] in SPACES:
            position += step
        if 0 <= position < len(text):
            found.append(position)
    return found


def is_cjk(character: str) -> bool:
    """Chinese as GB/T 15834 sees it: wide or full-width, or one of the marks set from the Chinese font."""
    return unicodedata.east_asian_width(character) in ("W", "F") or character in "“”‘’…—·"


def is_ascii_alnum(character: str) -> bool:
    return character.isascii() and character.isalnum()


def between_ascii(text: str, index: int) -> bool:
    return 0 < index < len(text) - 1 and is_ascii_alnum(text[index - 1]) and is_ascii_alnum(text[index + 1])


@settings(max_examples=500)
@given(text=running_text)
def test_normalising_twice_is_normalising_once(text: str) -> None:
    once, _ = normalise_punctuation(text)

    assert normalise_punctuation(once) == (once, [])


@settings(max_examples=500)
@given(text=running_text)
def test_normalising_changes_only_marks_and_the_spaces_beside_them_and_says_so(text: str) -> None:
    result, corrections = normalise_punctuation(text)

    alignment = align(text, result)
    if not alignment.converted:
        assert (result, corrections) == (text, [])
        return
    for index in alignment.converted:
        # 3.14, a,b, 9:00, f(x): a mark between two ASCII letters or digits stays as written.
        assert not between_ascii(text, index), (text, index)
        # Converted only in Chinese text: next to Chinese or to another converted mark (itself or its partner).
        group = [index, *([partners[index]] if index in (partners := parentheses(text)) else [])]
        assert any(
            is_cjk(text[neighbour]) or neighbour in alignment.converted
            for member in group
            for neighbour in neighbours(text, member)
        ), (text, index)
    for index in alignment.removed:
        # Only a run of spaces touching a converted mark goes.
        left, right = index, index
        while left >= 0 and text[left] in SPACES:
            left -= 1
        while right < len(text) and text[right] in SPACES:
            right += 1
        assert left in alignment.converted or right in alignment.converted, (text, index)
    assert len(result) == len(text) - len(alignment.removed)

    [correction] = corrections
    assert (correction.original, correction.corrected) == (text, result)
    chinese, english = correction.message.split(" / ")
    for mark, count in Counter(text[index] for index in alignment.converted).items():
        assert f"“{mark}”→“{HALF_TO_FULL[mark]}”{count}处" in chinese
        assert f"{mark} → {HALF_TO_FULL[mark]} ×{count}" in english
    assert ("删除其两侧的空格" in chinese) == bool(alignment.removed)
    assert ("removed the spaces" in english) == bool(alignment.removed)


@settings(max_examples=300)
@given(
    before=st.sampled_from(["会议", "通知：", "截至", ""]),
    token=st.sampled_from(["3.14", "a,b", "9:00", "f(x)", "1,000", "0578-2123456", "http://gov.cn", "x!y", "A;B"]),
    after=st.sampled_from(["为准", "。", "（见附件）", ""]),
)
def test_ascii_between_letters_and_digits_is_left_alone_in_chinese_text(before: str, token: str, after: str) -> None:
    result, _ = normalise_punctuation(before + token + after)

    assert token in result


# A name, and after it what a clerk may type before the list's own separator: spaces and punctuation, mixed.
name_cores = st.sampled_from(["县财政局", "各乡镇人民政府", "县直各单位", ""]) | st.lists(
    st.sampled_from("县委政府办公室财政局 \t,，:：;。、") | st.characters(), max_size=8
).map("".join)
name_tails = st.lists(st.sampled_from(" \t\u3000,，:：;；。、"), max_size=4).map("".join)
names = st.lists(st.builds(str.__add__, name_cores, name_tails))


@settings(max_examples=300)
@given(names=names, separator=st.sampled_from(["，", "、"]))
def test_join_names_keeps_every_non_blank_name_in_order(names: list[str], separator: str) -> None:
    kept = [name.strip() for name in names if name.strip()]

    joined = join_names(names, separator=separator)

    assert joined == separator.join(kept)
    if not any(separator in name for name in kept):
        assert (joined.split(separator) if joined else []) == kept


def list_item(name: str) -> str:
    """A name as it appears in a list: without surrounding spaces or the punctuation the list supplies."""
    return re.sub(rf"[\s{LIST_PUNCTUATION}]+$", "", name.strip())


@settings(max_examples=300)
@given(names=names)
def test_recipients_and_cc_lines_end_in_exactly_one_mark(names: list[str]) -> None:
    items = [list_item(name) for name in names if list_item(name)]
    if not items:
        for line in (recipients_line, cc_line):
            with pytest.raises(ValueError, match="名单为空 / the list of names is empty"):
                line(names)
        return

    for line, mark in ((recipients_line, "："), (cc_line, "。")):
        text = line(names)
        assert text.endswith(mark)
        assert text[-2] not in LIST_PUNCTUATION and not text[-2].isspace(), text
        assert text == "，".join(items) + mark


def test_a_mark_beside_a_converted_mark_is_in_chinese_text_too() -> None:
    assert normalise_punctuation("会,,")[0] == "会，，"
    assert normalise_punctuation("通知:(a)")[0] == "通知：（a）"


def test_recipients_line_drops_punctuation_a_clerk_typed_before_the_colon() -> None:
    assert recipients_line(["县财政局， ：", "县审计局 ；"]) == "县财政局，县审计局："
    assert cc_line(["县财政局 。", "县审计局、 "]) == "县财政局，县审计局。"


texts = st.lists(st.one_of(st.sampled_from("请按时参会。！？；…”）:：,， \t\n"), st.characters()), max_size=20).map(
    "".join
)


@settings(max_examples=500)
@given(text=texts)
def test_ensure_full_stop_ends_a_sentence_once(text: str) -> None:
    result = ensure_full_stop(text)

    assert ensure_full_stop(result) == result
    body = text.rstrip()
    ended = body[-1:] in (*SENTENCE_ENDS, ":", "：") or (body[-2:-1] in (*"。！？.!?",) and body[-1] in "）)")
    if not body or ended:
        assert result == text
    else:
        assert result == body + "。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("是否参加?", "是否参加?"),
        ("务必参加!", "务必参加!"),
        ("请于12月1日前报送.", "请于12月1日前报送."),
        ("(详见附件.)", "(详见附件.)"),
    ],
    ids=["question-mark", "exclamation-mark", "full-point", "point-inside-parenthesis"],
)
def test_ensure_full_stop_adds_no_second_mark_after_a_half_width_one(text: str, expected: str) -> None:
    assert ensure_full_stop(text) == expected


@settings(max_examples=300)
@given(text=texts)
def test_strip_trailing_colon_leaves_no_colon_and_reports_exactly_what_it_removed(text: str) -> None:
    stripped, correction = strip_trailing_colon(text)

    assert not stripped.rstrip().endswith((":", "："))
    assert strip_trailing_colon(stripped) == (stripped, None)
    if correction is None:
        assert stripped == text
    else:
        assert (correction.original, correction.corrected) == (text, stripped)
        assert text.startswith(stripped)
        assert set(text[len(stripped) :]) <= set(":：") | {character for character in text if character.isspace()}
        assert "冒号已去除" in correction.message.split(" / ")[0]
