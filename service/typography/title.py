"""Breaking 公文 titles (标题) into balanced trapezoid or diamond lines (GB/T 9704-2012 7.3.1)."""

from __future__ import annotations

import itertools
import logging
import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from typing import Any

from service.typography.gbt9704 import TITLE_MAX_CHARS
from service.typography.text_metrics import width_in_chars

# Kinsoku, derived from GB/T 15834-2011 (typesetting spec §6.1) plus the ASCII forms of the same marks.
_NO_LINE_START = frozenset("。，、；：？！”’）》】〕」』〉·…—～/" + ",.;:?!)]}%")
_NO_LINE_END = frozenset("“‘（《【〔「『〈" + "([{")
# A number stays with its 第 and its unit: 第3届, 2026年, 15号.
_NUMBER_PREFIXES = frozenset("第")
_NUMBER_UNITS = frozenset("年月日时号届次期批个项名周岁元万亿%")
# A place name's one-character suffix stays with the name: 青山县, never 青山 / 县.
_PLACE_SUFFIXES = frozenset("省市县区镇乡村州")
# Words that lean on what precedes them make a poor line start; words that lead into what follows, a poor end.
_WEAK_STARTS = frozenset({*"的之地得了着过等及和与或并", "以及", "及其", "并且", "或者"})
_WEAK_ENDS = frozenset({*"和与及或并对在把将为向从以于被由", "及其", "以及", "对于", "根据", "按照", "围绕"})
# A forwarded document's name starts well on a new line: 关于印发 / 《…》的通知.
_FORWARDING_VERBS = frozenset({"印发", "转发", "批转"})
# 文种 (document kinds) a title ends with; 的 + 文种 is one piece, since …工作的 / 通知 reads as a slip.
_DOCUMENT_KINDS = (
    "通知", "通报", "决定", "决议", "命令", "公报", "公告", "通告", "意见", "报告", "请示", "批复", "议案",
    "函", "复函", "纪要", "方案", "办法", "规定", "细则", "规则", "条例", "预案", "计划", "规划", "要点",
    "总结", "简报", "回执", "说明", "答复",
)  # fmt: skip
# Compounds common in 公文 titles that jieba's general dictionary cuts in two (人民|群众). They are added
# to this module's own tokenizer only.
_OFFICIAL_WORDS = (
    "人民群众", "安全生产", "森林防火", "防汛抗旱", "安全隐患", "专项整治", "专项检查", "专项行动",
    "营商环境", "市场主体", "民营经济", "高质量发展", "乡村振兴", "生态环境", "应急管理", "疫情防控",
    "实施意见", "指导意见", "实施方案", "工作方案", "工作会议", "工作要点", "工作规则", "管理办法",
    "实施细则", "考核办法", "应急预案", "表彰决定", "领导小组", "人口普查", "投资计划", "重点项目",
    "党政机关", "公文格式", "农田水利", "高标准农田", "集体经济", "产权制度", "元旦春节",
)  # fmt: skip

# Scores, in the unit of the balance term (characters squared); break_title() explains them.
_ISSUER_BREAK = -100.0
_AT_SPACE = -10.0
_AFTER_DE = -6.0
_BEFORE_BOOK_TITLE = -6.0
_AFTER_FORWARDING_VERB = -6.0
_INSIDE_BOOK_TITLE = 40.0
_WEAK_START = 30.0
_WEAK_END = 30.0
_ABOUT_AT_END = 100.0
_SINGLE_CHARACTER_START = 15.0
_AT_SPACE_INSIDE_ASCII = 100.0
_INSIDE_ATOM = 1000.0
_EXTRA_LINE = 150.0
_SHAPE = 40.0
_SHAPE_PER_CHAR = 10.0
_TRAPEZOID = 10.0
_ZWJ = "\u200d"  # ZERO WIDTH JOINER: the character after it draws as one glyph with the one before
# Search steps per line count before the best cut found so far is taken: realistic titles need a few
# hundred; the cap keeps a pathological 100-character title in the milliseconds.
_SEARCH_BUDGET = 5000

_tokenizer: Any = None
_tokenizer_lock = threading.Lock()


def load_dictionary() -> None:
    """Load jieba's dictionary now (about 0.5 s) instead of during the first title that needs breaking."""
    _get_tokenizer()


def _get_tokenizer() -> Any:
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba  # deferred: it imports pkg_resources, slow, and most titles never need it

                # jieba announces "Building prefix dict ..." on stderr at DEBUG level on every initialisation.
                jieba.setLogLevel(logging.WARNING)
                # Our own Tokenizer: words another module adds to jieba's global one cannot change our breaks.
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                for word in _OFFICIAL_WORDS:
                    tokenizer.add_word(word)
                _tokenizer = tokenizer
    return _tokenizer


def _is_han(character: str) -> bool:
    return "\u4e00" <= character <= "\u9fff"


def _is_ascii_visible(character: str) -> bool:
    return character.isascii() and not character.isspace()


def _joins_previous(character: str) -> bool:
    """A combining mark, a variation selector (U+FE0F makes an emoji) or ZWJ: drawn with the character before."""
    return unicodedata.category(character) in ("Mn", "Me") or character == _ZWJ


def _clusters(text: str) -> list[str]:
    """The characters of `text` a line may break between: marks stay with their base, ZWJ sequences whole."""
    clusters: list[str] = []
    for character in text:
        if clusters and (_joins_previous(character) or clusters[-1].endswith(_ZWJ)):
            clusters[-1] += character
        else:
            clusters.append(character)
    # A mark on a space (a spacing accent) keeps the spaces before it too: no line of blanks alone.
    for index in range(len(clusters) - 2, -1, -1):
        following = clusters[index + 1]
        if clusters[index].isspace() and following[0].isspace() and not following.isspace():
            clusters[index : index + 2] = [clusters[index] + following]
    return clusters


def _glued(left: str, right: str) -> bool:
    """Whether a line must not break between two neighbouring tokens."""
    last, first = left[-1], right[0]
    if first in _NO_LINE_START or last in _NO_LINE_END:
        return True
    # jieba cuts before marks and selectors; apart from their base they would also measure wrong (text_metrics).
    if _joins_previous(first) or last == _ZWJ:
        return True
    if _is_ascii_visible(last) and _is_ascii_visible(first):
        return True  # one ASCII run: GB/T, 9704-2012, 3.5
    if (last.isdigit() and first in _NUMBER_UNITS) or (last in _NUMBER_PREFIXES and first.isdigit()):
        return True
    return len(right) == 1 and first in _PLACE_SUFFIXES and _is_han(last)


def _tokens(title: str) -> list[str]:
    """jieba's words of `title`, whitespace runs as single tokens, and a final 的 + 文种 as one token."""
    suffix = ""
    for kind in sorted(_DOCUMENT_KINDS, key=len, reverse=True):
        if title.endswith("的" + kind) and len(title) > len(kind) + 1:
            suffix = "的" + kind
            break
    tokens: list[str] = []
    for word in _get_tokenizer().cut(title[: len(title) - len(suffix)], HMM=True):
        if word.isspace() and tokens and tokens[-1].isspace():
            tokens[-1] += word
        else:
            tokens.append(word)
    return [*tokens, suffix] if suffix else tokens


@dataclass
class _Atoms:
    """The title cut into atoms, never broken inside, with what breaking before each one scores."""

    texts: list[str]
    gaps: list[str]  # gaps[j]: whitespace before texts[j], dropped when the line breaks there
    costs: list[float]  # costs[j]: the score of a break before texts[j] (costs[0] unused)


def _pieces(tokens: list[str]) -> tuple[list[str], list[str]]:
    """Tokens merged wherever no break is allowed, and the whitespace before each merged piece."""
    pieces: list[str] = []
    gaps: list[str] = []
    pending = ""
    index = 0
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token.isspace():
            if pieces and following and _is_ascii_visible(pieces[-1][-1]) and _is_ascii_visible(following[0]):
                pieces[-1] += token + following  # a space inside an ASCII run: GB/T 9704-2012
                index += 2
            else:
                pending += token
                index += 1
            continue
        if pieces and _glued(pieces[-1], token):
            pieces[-1] += pending + token
        else:
            gaps.append(pending if pieces else "")
            pieces.append(token)
        pending = ""
        index += 1
    return pieces, gaps


def _split_wide(piece: str, gap: str, max_chars: float) -> list[tuple[str, str, float]]:
    """A piece wider than a line as (text, gap before, extra cost of breaking before) triples.

    It splits at its spaces first (a long ASCII phrase), and a word still too wide into characters (a
    character keeping its combining marks).
    """
    parts: list[tuple[str, str, float]] = []
    words = re.split(r"(\s+)", piece)
    for index in range(len(words) - 2, 0, -2):
        if words[index + 1] and _joins_previous(words[index + 1][0]):  # a mark on a space is no break
            words[index - 1 : index + 2] = ["".join(words[index - 1 : index + 2])]
    for index in range(0, len(words), 2):
        word = words[index]
        if not word:
            continue
        before = gap if index == 0 else words[index - 1]
        first_cost = 0.0 if index == 0 else _AT_SPACE_INSIDE_ASCII
        if width_in_chars(word) <= max_chars:
            parts.append((word, before, first_cost))
            continue
        first, *rest = _clusters(word)
        parts.append((first, before, first_cost))
        parts.extend((cluster, "", _INSIDE_ATOM) for cluster in rest)
    return parts


def _atoms(title: str, max_chars: float) -> _Atoms:
    pieces, piece_gaps = _pieces(_tokens(title))
    texts: list[str] = []
    gaps: list[str] = []
    extra: list[float] = []
    for piece, gap in zip(pieces, piece_gaps, strict=True):
        parts = _split_wide(piece, gap, max_chars) if width_in_chars(piece) > max_chars else [(piece, gap, 0.0)]
        for text, before, cost in parts:
            texts.append(text)
            gaps.append(before)
            extra.append(cost)

    costs = [0.0] * len(texts)
    first_about = next((j for j, text in enumerate(texts) if text.startswith("关于")), None)
    depth = 0  # how many 《 are open before texts[j]
    for j in range(1, len(texts)):
        before, after = texts[j - 1], texts[j]
        depth += before.count("《") - before.count("》")
        cost = extra[j]
        if j == first_about and width_in_chars("".join(texts[:j])) >= 2:
            cost += _ISSUER_BREAK
        if gaps[j] and not extra[j]:
            cost += _AT_SPACE
        if before.endswith("的"):
            cost += _AFTER_DE
        if after.startswith("《"):
            cost += _BEFORE_BOOK_TITLE
        if before in _FORWARDING_VERBS:
            cost += _AFTER_FORWARDING_VERB
        if depth > 0:
            cost += _INSIDE_BOOK_TITLE
        if after in _WEAK_STARTS or after.startswith("的"):
            cost += _WEAK_START
        elif len(after) == 1 and _is_han(after):
            cost += _SINGLE_CHARACTER_START
        if before == "关于":
            cost += _ABOUT_AT_END
        elif before in _WEAK_ENDS:
            cost += _WEAK_END
        costs[j] = cost
    return _Atoms(texts, gaps, costs)


def _shape_cost(widths: list[float]) -> float:
    """Zero for the shapes 7.3.1 asks for, more the further the line widths are from them.

    A first line longer than the second, or an inner line shorter than both its neighbours, costs
    _SHAPE plus _SHAPE_PER_CHAR per character of the difference. So two lines must be 上短下长
    (a trapezoid); three or more lines cost nothing as a diamond (菱形: an inner line strictly the
    longest) and _TRAPEZOID when the last line is as long as any inner one.
    """
    cost = 0.0
    if len(widths) >= 2 and widths[0] > widths[1]:
        cost += _SHAPE + _SHAPE_PER_CHAR * (widths[0] - widths[1])
    if len(widths) <= 2:
        return cost
    for index in range(1, len(widths) - 1):
        dip = min(widths[index - 1], widths[index + 1]) - widths[index]
        if dip > 0:
            cost += _SHAPE + _SHAPE_PER_CHAR * dip
    if widths[-1] >= max(widths[1:-1]):
        cost += _TRAPEZOID
    return cost


class _Search:
    """The lowest-scoring cut of the atoms into lines: a dynamic-programming seed, then branch and bound."""

    def __init__(self, atoms: _Atoms, max_chars: float) -> None:
        self.atoms = atoms
        self.max_chars = max_chars
        self.count = len(atoms.texts)
        self.prefix = [0.0] * (self.count + 1)  # widths of the atoms before index
        self.gap_prefix = [0.0] * (self.count + 1)  # widths of the gaps up to and including index - 1
        for index, (text, gap) in enumerate(zip(atoms.texts, atoms.gaps, strict=True)):
            self.prefix[index + 1] = self.prefix[index] + width_in_chars(text)
            self.gap_prefix[index + 1] = self.gap_prefix[index] + width_in_chars(gap)
        self.total = self.line_width(0, self.count)
        self.cheapest_break = min([0.0, *atoms.costs[1:]])
        self.lines = 0
        self.steps = 0
        self.best_score = math.inf
        self.best_breaks: list[int] = []

    def line_width(self, start: int, end: int) -> float:
        """The width of atoms[start:end] set as one line, with the gaps between them."""
        return self.prefix[end] - self.prefix[start] + self.gap_prefix[end] - self.gap_prefix[start + 1]

    def search(self, lines: int, extra_cost: float) -> None:
        """Look for a cut into exactly `lines` lines that beats the best score so far."""
        self.lines = lines
        seed = self._seed()
        if seed is not None:
            self._consider(seed, extra_cost + sum(self.atoms.costs[end] for end in seed))
        self.steps = 0
        self._extend(0, [], [], extra_cost)

    def _score(self, breaks: list[int]) -> tuple[list[float], float]:
        edges = [0, *breaks, self.count]
        widths = [self.line_width(start, end) for start, end in itertools.pairwise(edges)]
        balance = sum(w * w for w in widths) - sum(widths) ** 2 / len(widths)
        return widths, balance + _shape_cost(widths)

    def _consider(self, breaks: list[int], break_costs: float) -> None:
        widths, score = self._score(breaks)
        score += break_costs
        if max(widths) <= self.max_chars and score < self.best_score:
            self.best_score, self.best_breaks = score, breaks

    def _seed(self) -> list[int] | None:
        """The cut minimising the squared widths plus the break scores, shape aside: a first bound."""
        # best[end]: the lowest score of atoms[:end] on the lines placed so far; starts[line][end]: where
        # that line starts when it ends at `end`.
        best = [0.0] + [math.inf] * self.count
        starts: list[list[int]] = []
        for _ in range(self.lines):
            previous, best = best, [math.inf] * (self.count + 1)
            start_of = [-1] * (self.count + 1)
            for end in range(1, self.count + 1):
                for start in range(end - 1, -1, -1):
                    width = self.line_width(start, end)
                    if width > self.max_chars:
                        break
                    candidate = previous[start] + width * width + (self.atoms.costs[start] if start else 0.0)
                    if candidate < best[end]:
                        best[end], start_of[end] = candidate, start
            starts.append(start_of)
        if best[self.count] == math.inf:
            return None
        breaks: list[int] = []
        end = self.count
        for start_of in reversed(starts):
            end = start_of[end]
            breaks.append(end)
        return breaks[::-1][1:]

    def _extend(self, start: int, breaks: list[int], widths: list[float], partial: float) -> None:
        self.steps += 1
        if self.steps > _SEARCH_BUDGET:
            return
        lines_left = self.lines - len(widths)
        if lines_left == 1:
            width = self.line_width(start, self.count)
            if width <= self.max_chars:
                final = [*widths, width]
                balance = sum(w * w for w in final) - sum(final) ** 2 / self.lines
                score = partial + balance + _shape_cost(final)
                if score < self.best_score:
                    self.best_score, self.best_breaks = score, breaks
            return
        ideal = self.line_width(start, self.count) / lines_left
        ends = [
            end
            for end in range(start + 1, self.count - lines_left + 2)
            if self.line_width(start, end) <= self.max_chars
            and self.prefix[self.count] - self.prefix[end] <= self.max_chars * (lines_left - 1)
        ]
        ends.sort(key=lambda end: abs(self.line_width(start, end) - ideal))
        squares = sum(w * w for w in widths)
        # Nothing still to come can score below: the rest spread evenly, each later break the cheapest one.
        floor = self.cheapest_break * (lines_left - 2) - self.total**2 / self.lines
        for end in ends:
            width = self.line_width(start, end)
            rest = self.prefix[self.count] - self.prefix[end]
            cost = partial + self.atoms.costs[end]
            if cost + squares + width * width + rest * rest / (lines_left - 1) + floor >= self.best_score:
                continue
            self._extend(end, [*breaks, end], [*widths, width], cost)

    def best_lines(self) -> list[str]:
        edges = [0, *self.best_breaks, self.count]
        return [
            self.atoms.texts[start]
            + "".join(self.atoms.gaps[index] + self.atoms.texts[index] for index in range(start + 1, end))
            for start, end in itertools.pairwise(edges)
        ]


def break_title(title: str, *, max_chars: int = TITLE_MAX_CHARS) -> list[str]:
    """The title's centred lines (GB/T 9704-2012 7.3.1), none wider than `max_chars` characters.

    A title that fits stays one line (an empty title gives no lines). A longer one is cut into atoms
    that are never broken inside: jieba's words (plus a few 公文 compounds jieba splits, such as
    安全生产), ASCII runs (GB/T 9704-2012), numbers with their 第 and unit (第3届, 2026年), place names
    with their suffix (青山县), kinsoku pairs (no closing mark or 。，、 at a line start, no opening
    mark at a line end, —— and …… whole) and a final 的 + 文种 (的通知). Cuts into the fewest lines
    that fit, and into one line more, are scored, and the lowest score wins. The score, in characters
    squared, adds:

    * balance: the sum of the squared differences between each line's width and the mean width;
    * shape: see _shape_cost() (two lines 上短下长; three or more a diamond, a trapezoid costing 10);
    * per break: −100 before the first 关于 when an issuer's name precedes it (青山县人民政府办公室 /
      关于…), −10 at a space, −6 after 的, before 《 and after 印发/转发/批转; +40 inside 《…》, +30
      before a word leaning back (的 和 及 以及 …) or after one leading on (和 对 根据 …), +100 after
      关于, +15 before a one-character word; +100 at a space inside an ASCII run and +1000 inside a
      word, both only in a run wider than a line;
    * +150 for the extra line.

    The search is exact for real titles: a dynamic-programming cut (balance and breaks, shape aside)
    sets the first bound, and branch and bound, trying the most balanced lines first, rarely needs more
    than a hundred steps. A cap of _SEARCH_BUDGET steps per line count keeps pathological input fast.
    Ties keep the first cut found, so the result is deterministic. An 80-character title takes about
    1 ms once the dictionary is loaded (load_dictionary(), about 0.4 s, happens on first use).

    Widths are width_in_chars(): Latin letters and digits count half. Whitespace where a line breaks
    is dropped; whitespace around the title is stripped. A character is never parted from its combining
    marks, variation selector or ZWJ sequence; one still wider than a line (a mark before U+FE0F counts
    a whole 字) stands alone on a line of its own.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, got {max_chars}")
    text = title.strip()
    if width_in_chars(text) <= max_chars:
        return [text] if text else []
    search = _Search(_atoms(text, max_chars), max_chars)
    # Wider atoms were split down to single characters, so one atom a line fits and some count up to
    # search.count succeeds, unless one character alone is wider than a line (see below). The whitespace
    # where a line breaks is dropped, so only the atoms' own widths bound the count from below.
    fewest = max(2, math.ceil(search.prefix[search.count] / max_chars))
    for lines in range(min(fewest, search.count), search.count + 1):
        search.search(lines, 0.0)
        if search.best_score < math.inf:
            if lines < search.count:
                search.search(lines + 1, _EXTRA_LINE)
            break
    if search.best_score == math.inf:
        # No cut fits: one atom is wider than a line even alone (a character whose marks widen it), so each
        # atom gets a line of its own rather than the whole title one line.
        search.best_breaks = list(range(1, search.count))
    return search.best_lines()
