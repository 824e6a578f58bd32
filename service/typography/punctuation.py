"""Punctuation of 公文 lists and running text (GB/T 15834-2011, as GB/T 9704-2012 clause 9 requires)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence

from service.typography.corrections import Correction, bilingual

# What a list item may carry at its end that the list itself supplies (separator, colon, full stop).
_LIST_PUNCTUATION = "，,、；;：:。"
_COLONS = ":："
# Trailing punctuation is stripped together with the spaces among it: 县财政局， ： is 县财政局.
_TRAILING_LIST_PUNCTUATION = re.compile(rf"[\s{_LIST_PUNCTUATION}]+$")
_TRAILING_COLONS = re.compile(rf"[\s{_COLONS}]+$")
_SENTENCE_ENDS = "。！？；…”.!?;"
_CLOSED_SENTENCE_ENDS = "。！？.!?"  # what may stand before a closing parenthesis that ends the text
_HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
# Marks drawn from the Chinese font although Unicode calls them ambiguous (see text_metrics).
_CJK_AMBIGUOUS = frozenset("“”‘’…—·")
_ADJACENT_SPACES = " \t"


def join_names(names: Sequence[str], *, separator: str = "，") -> str:
    """The names joined by `separator`, each stripped of surrounding spaces; blank names are left out."""
    if isinstance(names, str):
        raise TypeError("names must be a sequence of names, not one string")
    return separator.join(stripped for name in names if (stripped := name.strip()))


def _list_items(names: Sequence[str]) -> list[str]:
    if isinstance(names, str):
        raise TypeError("names must be a sequence of names, not one string")
    items = [_TRAILING_LIST_PUNCTUATION.sub("", name.strip()) for name in names]
    items = [item for item in items if item]
    if not items:
        raise ValueError("名单为空 / the list of names is empty")
    return items


def recipients_line(names: Sequence[str]) -> str:
    """主送机关: the names joined by "，" ending in a full-width colon (GB/T 9704-2012 7.3.2).

    A name's own trailing colon or comma is dropped silently; call strip_trailing_colon() first to
    report it.
    """
    return join_names(_list_items(names)) + "："


def cc_line(names: Sequence[str]) -> str:
    """抄送机关: the names joined by "，" ending in a full stop (GB/T 9704-2012 7.4.2)."""
    return join_names(_list_items(names)) + "。"


def strip_trailing_colon(name: str) -> tuple[str, Correction | None]:
    """A recipient without the colon a clerk typed after it, with a Correction (the service adds it)."""
    stripped = name.rstrip()
    if not stripped.endswith(tuple(_COLONS)):
        return name, None
    stripped = _TRAILING_COLONS.sub("", stripped)
    return stripped, Correction(
        name,
        stripped,
        bilingual(
            f"主送机关“{stripped}”后的冒号已去除，冒号由系统统一添加",
            f"Removed the colon after {stripped}: the service adds it",
        ),
    )


def ensure_full_stop(text: str) -> str:
    """`text` ending in "。" unless it ends a sentence already (。！？；…” or 。）) or with a colon.

    A half-width . ! ? ; counts as ending the sentence too: 是否参加? wants its ? made full-width, not a
    second mark after it. When a stop is added, trailing whitespace goes; otherwise the text comes back
    unchanged.
    """
    body = text.rstrip()
    if not body or body[-1] in _SENTENCE_ENDS or body[-1] in _COLONS:
        return text
    if body[-1] in "）)" and body[-2:-1] and body[-2] in _CLOSED_SENTENCE_ENDS:
        return text
    return body + "。"


def _is_cjk(character: str) -> bool:
    if not character or character.isspace():
        return False
    return unicodedata.east_asian_width(character) in ("W", "F") or character in _CJK_AMBIGUOUS


def _is_ascii_alnum(character: str) -> bool:
    return character.isascii() and character.isalnum()


def _neighbour(text: str, index: int, step: int) -> int | None:
    """The position of the nearest character from text[index] in direction `step`, skipping spaces."""
    index += step
    while 0 <= index < len(text) and text[index] in _ADJACENT_SPACES:
        index += step
    return index if 0 <= index < len(text) else None


def _between_ascii(text: str, index: int) -> bool:
    """Whether text[index] sits between two ASCII letters or digits: 9:00, 98.5, 1,000, f(x)."""
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    return _is_ascii_alnum(before) and _is_ascii_alnum(after)


def _beside_chinese(text: str, index: int) -> bool:
    return any(
        neighbour is not None and _is_cjk(text[neighbour])
        for neighbour in (_neighbour(text, index, -1), _neighbour(text, index, 1))
    )


def normalise_punctuation(text: str) -> tuple[str, list[Correction]]:
    """Half-width , ; : ? ! ( ) in Chinese running text made full-width, with one Correction listing them.

    A mark is converted when the nearest character on either side is Chinese or a converted mark (so
    会,, becomes 会，，), unless it sits between two ASCII letters or digits: times (9:00), decimals
    (98.5), numbers (1,000), phone numbers (0578-2123456), e-mail addresses and URLs (http://) stay as
    written. Matched parentheses are converted together or not at all, so 会议(2026) becomes
    会议（2026） and f(x) stays. Spaces and tabs next to a converted mark are removed, since the
    full-width mark carries its own spacing. Normalising the result again changes nothing.
    """
    partner: dict[int, int] = {}
    open_positions: list[int] = []
    for index, character in enumerate(text):
        if character == "(":
            open_positions.append(index)
        elif character == ")" and open_positions:
            opening = open_positions.pop()
            partner[opening], partner[index] = index, opening

    def group(index: int) -> tuple[int, ...]:
        return (index, partner[index]) if index in partner else (index,)

    # A converted mark is Chinese punctuation, so the marks beside it are in Chinese text too (会,, is 会，，):
    # converting them as well is what lets a second pass find nothing left to do.
    converted: set[int] = set()
    pending = [
        index
        for index, character in enumerate(text)
        if character in _HALF_TO_FULL and any(_beside_chinese(text, i) for i in group(index))
    ]
    while pending:
        index = pending.pop()
        if index in converted or any(_between_ascii(text, i) for i in group(index)):
            continue
        for member in group(index):
            converted.add(member)
            for step in (-1, 1):
                neighbour = _neighbour(text, member, step)
                if neighbour is not None and text[neighbour] in _HALF_TO_FULL and neighbour not in converted:
                    pending.append(neighbour)
    if not converted:
        return text, []

    removed_spaces = set()
    for index in converted:
        for step in (-1, 1):
            position = index + step
            while 0 <= position < len(text) and text[position] in _ADJACENT_SPACES:
                removed_spaces.add(position)
                position += step

    pieces = []
    for index, character in enumerate(text):
        if index in removed_spaces:
            continue
        pieces.append(_HALF_TO_FULL[character] if index in converted else character)
    result = "".join(pieces)

    counts = sorted(Counter(text[index] for index in converted).items())
    listed_zh = "，".join(f"“{mark}”→“{_HALF_TO_FULL[mark]}”{count}处" for mark, count in counts)
    listed_en = "; ".join(f"{mark} → {_HALF_TO_FULL[mark]} ×{count}" for mark, count in counts)
    zh_spaces = "，并删除其两侧的空格" if removed_spaces else ""
    en_spaces = ", and removed the spaces beside them" if removed_spaces else ""
    message = bilingual(
        f"已将中文语句中的半角标点改为全角：{listed_zh}{zh_spaces}",
        f"Replaced half-width punctuation in Chinese text with full-width: {listed_en}{en_spaces}",
    )
    return result, [Correction(text, result, message)]
