"""会议纪要意见反馈单 (feedback slip on draft minutes): one page per unit, the form filling the 版心.

The page holds the title (2号小标宋), the issuer, and a two-column form down to the bottom edge of the
text block: 专题内容, 主持人, 参会单位, 起草人员, 主任、副主任审核, 文稿传出时间, 意见反馈时间, a tall 反馈意见
cell with 单位负责人署名并加盖公章 at its foot, and the 修改反馈要求 notes. Every row but 反馈意见 is as tall
as its text needs; 反馈意见 takes what is left, so the form ends on the 版心's bottom edge. How many lines
a cell's text needs is worked out here (count_lines) with the advances LibreOffice sets; a body whose
text would leave too little room for the feedback is refused by MinutesFeedbackSlipFormSchema.
Geometry and the reasons behind it: docs/decisions/0006-minutes-feedback-slip.md.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError, validates_schema

from schemas.minutes_feedback_slip import MinutesFeedbackSlipSchema
from service.documents.kind import DocumentKind, Part
from service.errors import bilingual
from service.typography.chinese_dates import format_datetime, format_deadline
from service.typography.gbt9704 import (
    BODY_CHAR_SPACING,
    LINE_PITCH,
    SIZE_3HAO,
    TEXT_HEIGHT,
    TEXT_WIDTH,
)
from service.typography.numbering import section_label
from service.typography.text_metrics import width_in_chars
from service.typography.title import break_title
from service.typography.units import Length, mm, pt, twips

# --- the form's geometry (the template builder draws it from these numbers) ------------------------------

FRAME_RULE = pt(0.75)  # decision: the outer frame a little heavier, as printed forms have it
ROW_RULE = pt(0.5)  # decision: inner rules 0.5 pt, as the notice's reply slip
# NOTE: LibreOffice draws the frame's left rule inside the table's left edge and its right rule straddling
# the right edge, so a table of the 版心's width sticks out 0.26 mm on the right; the form is one frame
# narrower, and its rules run from 28.0 to 184.0 mm.
FORM_WIDTH = TEXT_WIDTH - FRAME_RULE
# decision: the widest one-line label, 文稿传出时间, sets in 6 × 15.75 pt = 33.3 mm of the 35.7 mm column.
LABEL_WIDTH = mm(36) - FRAME_RULE
VALUE_WIDTH = FORM_WIDTH - LABEL_WIDTH  # 120 mm
CELL_PADDING = mm(1.2)  # decision: values start 1.2 mm inside the rules, so that a line holds 21 characters
# A line of text in a cell: exact, 1.267 em, so that the em box sits in the middle of the line (LibreOffice
# puts the baseline 0.8 L below the line's top, the em box 0.88 em over and 0.12 em under it:
# 0.8 L − 0.38 em = L / 2 gives L = 1.267 em = 20.27 pt at 3号).
CELL_LINE = twips(405)
# Above and below a cell's lines, so that a one-line row is exactly one grid row (579 twips).
ROW_PADDING = (LINE_PITCH - CELL_LINE) / 2
# A DOCX body must end in a paragraph: under the full-height form, an exact 2-twip one.
END_PARAGRAPH_LINE = twips(2)
# NOTE: measured in LibreOffice 7.4: it adds the outer halves of the frame's top and bottom rules to the
# table's height, and it moves the end paragraph to a second page unless the frame's bottom edge stays
# 0.14 mm (8 twips) above the 版心's bottom edge. The form keeps 3 twips more in hand: its frame's bottom
# edge is at 261.79 mm from the paper's top, 0.21 mm above the 版心's.
TABLE_ALLOWANCE = FRAME_RULE + twips(22)

ADVANCE = SIZE_3HAO + BODY_CHAR_SPACING  # one character cell of 3号 text as LibreOffice sets it (15.75 pt)
NOTE_NUMBER = (SIZE_3HAO / 2 + BODY_CHAR_SPACING) * 2  # "1." in half-width characters (15.5 pt)
# NOTE: LibreOffice takes the rules' widths off a cell's text width too (measured: a line of 21 characters
# broke with 1.5 mm paddings); counting both sides at the frame's width errs on the safe side.
CELL_RULES = FRAME_RULE * 2
VALUE_CHARS = math.floor((VALUE_WIDTH - CELL_PADDING * 2 - CELL_RULES).pt / ADVANCE.pt)  # 21 (331.9 pt)
LABEL_CHARS = math.floor((LABEL_WIDTH - CELL_RULES).pt / ADVANCE.pt)  # 6
NOTE_CHARS = VALUE_CHARS - 1  # after the "1." the notes' hanging indent keeps

# Row keys in the form's order, with the label each prints in its first column.
LABELS: dict[str, str] = {
    "topic": "专题内容",
    "chair": "主持人",
    "unit": "参会单位",
    "drafter": "起草人员",
    "reviewer": "主任、副主任审核",
    "sent_at": "文稿传出时间",
    "reply_by": "意见反馈时间",
    "feedback": "反馈意见",
    "notes": "修改反馈要求",
}
SIGNATURE = "单位负责人署名并加盖公章："
SIGNATURE_DATE = "年　　月　　日"
# Decision: below seven lines (about 50 mm with the signature) a unit has no room to write its opinion.
MIN_FEEDBACK_LINES = 7
ISSUER_ROWS = 1  # the issuer's line under the title (28 characters at most: one row)

# --- how many lines text sets in a cell ------------------------------------------------------------------

# Kinsoku (GB/T 15834-2011, as service.typography.title): marks that stay with the character before them …
_NO_LINE_START = frozenset("。，、；：？！”’）》】〕」』〉·…—～/" + ",.;:?!)]}%")
# … and those that stay with the character after them.
_NO_LINE_END = frozenset("“‘（《【〔「『〈" + "([{")
# Runs LibreOffice does not break (Latin words, numbers, e-mail addresses), spaces, any other character.
_PIECES = re.compile(r"[!-~]+| +|.", re.DOTALL)
# NOTE: LibreOffice (as Word) puts extra space between a Han character and a Latin letter or digit next to
# it (autoSpaceDE/autoSpaceDN, on by default): 3.5 pt measured at 3号, counted as a quarter 字.
AUTOSPACE = 0.25
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_LATIN = re.compile(r"[A-Za-z0-9]")


# FandolFang's ASCII advances (em), measured in LibreOffice's PDF at 3号 and rounded up into classes; a
# half-width digit is 0.5 em, but Latin letters run from 0.28 (i, l) to 1.02 (W).
_ASCII_EM = {
    **dict.fromkeys(".:,;!'[]|", 0.28),
    **dict.fromkeys(" -jfil", 0.34),
    **dict.fromkeys("srt()I", 0.4),
    **dict.fromkeys('0123456789goa/*$\\"`{}?zce', 0.5),
    **dict.fromkeys("bdhnpuSkqvxyJ", 0.57),
    **dict.fromkeys("LZ~^", 0.62),
    **dict.fromkeys("EPF", 0.68),
    **dict.fromkeys("AHNUVXYRwCTB", 0.74),
    **dict.fromkeys("GOQ@_+=<>KD&", 0.78),
    **dict.fromkeys("m#%", 0.84),
    "M": 0.91,
    "W": 1.02,
}


def set_width(text: str) -> float:
    """The width of `text` in 3号仿宋 as LibreOffice sets it, in 字 (15.75 pt), erring on the wide side.

    ASCII from FandolFang's measured advances; anything else full-width, except what text_metrics counts
    as zero (combining marks, joiners) — a narrow non-ASCII letter may come from a fallback font, so it too
    counts a whole 字. Add the space LibreOffice puts between Han and Latin characters.
    """
    total = 0.0
    for character in text:
        if character in _ASCII_EM:
            total += _ASCII_EM[character]
        elif character.isascii():
            total += 1.0
        else:
            total += min(width_in_chars(character) * 2, 1.0)
    return total + sum(_autospace(a, b) for a, b in itertools.pairwise(text))


def _autospace(before: str, after: str) -> float:
    """The extra space LibreOffice sets between two neighbouring characters, in 字."""
    if (_HAN.match(before) and _LATIN.match(after)) or (_LATIN.match(before) and _HAN.match(after)):
        return AUTOSPACE
    return 0.0


def count_lines(text: str, capacity: float) -> int:
    """How many lines `text` takes in a cell `capacity` characters (字) wide; at least one.

    Greedy, as LibreOffice fills lines: a Han character or full-width mark may end a line anywhere except
    before a mark that cannot start one; a run of ASCII letters, digits and marks moves whole to the next
    line, and breaks only when it is longer than a line. Half-width characters count ½ 字 (they set at
    7.75 of 15.75 pt), so the count errs, if at all, on the side of one line too many.
    """
    atoms: list[str] = []
    opening = ""
    for piece in _PIECES.findall(text):
        if piece in _NO_LINE_START and atoms and not atoms[-1].isspace():
            atoms[-1] += piece
        elif piece in _NO_LINE_END:
            opening += piece
        else:
            atoms.append(opening + piece)
            opening = ""
    if opening:
        atoms.append(opening)
    lines, used = 1, 0.0
    previous = ""
    for atom in atoms:
        # The space between this atom and the one before counts with this one (conservative at a break).
        width = set_width(atom) + _autospace(previous[-1:], atom[:1])
        previous = atom
        if atom.isspace():
            used = min(used + width, capacity)  # a space at a line's end takes no room on the next
            continue
        if used + width <= capacity:
            used += width
            continue
        if used > 0:
            lines += 1
        extra_lines = max(math.ceil(width / capacity) - 1, 0)
        lines += extra_lines
        used = width - extra_lines * capacity
    return lines


def row_height(lines: int) -> Length:
    """A form row holding `lines` lines of 3号 text: one grid row for one line, 20.25 pt more per line."""
    return ROW_PADDING * 2 + CELL_LINE * lines


# --- the slip's text ---------------------------------------------------------------------------------------


def drafter_lines(drafter: dict[str, Any]) -> list[str]:
    """起草人员 as lines: 周敏　电话：0578-2123460 / 传真：… / 邮箱：…, items joined while a line holds them."""
    items = [drafter["name"], "电话：" + drafter["phone"]]
    if drafter.get("fax"):
        items.append("传真：" + drafter["fax"])
    if drafter.get("email"):
        items.append("邮箱：" + drafter["email"])
    lines = [items[0]]
    for item in items[1:]:
        joined = f"{lines[-1]}　{item}"
        if count_lines(joined, VALUE_CHARS) == 1:
            lines[-1] = joined
        else:
            lines.append(item)
    return lines


def notes(data: dict[str, Any]) -> list[str]:
    """修改反馈要求: send to the leaders at once; reply within N working days to the section; no reply = agreed."""
    to = data["issuer"] + data.get("reply_to_section", "")
    texts = [
        "请接此单后立即送单位领导审阅。",
        f"请在{data['reply_within_workdays']}个工作日内将修改意见反馈至{to}。",
        "逾期未反馈的，视为无修改意见。",
    ]
    return [section_label(3, number) + text for number, text in enumerate(texts, start=1)]


# --- rows -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlipLayout:
    """How one slip fills its page: title lines, each row's lines of text and height (twips)."""

    title_lines: list[str]
    lines: dict[str, int]  # lines of text per row key (the label's or the value's, whichever is more)
    heights: dict[str, int]  # row heights in twips, "feedback" being what the others leave

    @property
    def feedback_lines(self) -> int:
        """Lines of 3号 text the feedback cell could hold, its signature included."""
        return (self.heights["feedback"] - (ROW_PADDING * 2).twips) // CELL_LINE.twips


def layout(data: dict[str, Any], unit: str) -> SlipLayout:
    """The slip for `unit`: which rows take how many lines, and how tall the feedback row is."""
    title_lines = break_title(data["title"])
    values = {
        "topic": count_lines(data["topic"], VALUE_CHARS),
        "chair": count_lines(data["chair"], VALUE_CHARS),
        "unit": count_lines(unit, VALUE_CHARS),
        "drafter": sum(count_lines(line, VALUE_CHARS) for line in drafter_lines(data["drafter"])),
        "reviewer": count_lines(data.get("reviewer", ""), VALUE_CHARS),
        "sent_at": 1,
        "reply_by": 1,
        "notes": sum(count_lines(note[2:], NOTE_CHARS) for note in notes(data)),
    }
    lines = {key: max(count, count_lines(LABELS[key], LABEL_CHARS)) for key, count in values.items()}
    heights = {key: row_height(count).twips for key, count in lines.items()}
    above = LINE_PITCH * (len(title_lines) + ISSUER_ROWS)
    table = TEXT_HEIGHT - above - TABLE_ALLOWANCE
    heights["feedback"] = table.twips - sum(heights.values())
    return SlipLayout(title_lines, lines, heights)


# --- context ------------------------------------------------------------------------------------------------


def build_context(data: dict[str, Any]) -> dict[str, Any]:
    """The template context for one slip (the contract is in templates/minutes-feedback-slip/manifest.json)."""
    unit = "、".join(data["units"])
    slip = layout(data, unit)
    return {
        "title_lines": slip.title_lines,
        "issuer": data["issuer"],
        "topic": data["topic"],
        "chair": data["chair"],
        "unit": unit,
        "drafter_lines": drafter_lines(data["drafter"]),
        "reviewer": data.get("reviewer", ""),
        "sent_at": format_datetime(data["sent_at"]),
        "reply_by": format_deadline(data["reply_by"]),
        "notes": notes(data),
        "rows": slip.heights,
    }


def split_by_unit(data: dict[str, Any]) -> list[Part]:
    """One slip per unit, in the order given; each part names its unit (ZIP member, PDF outline entry)."""
    return [Part(unit, {**data, "units": [unit]}) for unit in data["units"]]


def slip_title(data: dict[str, Any]) -> str:
    """The file's title: the slip's title, with the unit's name when there is only one slip."""
    units = data["units"]
    return data["title"] if len(units) > 1 else f"{data['title']}-{units[0]}"


class MinutesFeedbackSlipFormSchema(MinutesFeedbackSlipSchema):
    """The slip's body, refused when its text would leave the 反馈意见 cell too little room on the page."""

    @validates_schema
    def _check_fits_one_page(self, data: dict[str, Any], **_: Any) -> None:
        needed = ("title", "issuer", "topic", "chair", "units", "drafter", "reply_within_workdays")
        if any(key not in data for key in needed):
            return  # the missing field is reported on its own
        for index, unit in enumerate(data["units"]):
            slip = layout(data, unit)
            short = MIN_FEEDBACK_LINES - slip.feedback_lines
            if short > 0:
                field = _longest_field(slip, index)
                raise ValidationError(
                    bilingual(
                        f"内容过多，反馈单排不进一页：反馈意见栏还差约{short}行，请精简此项",
                        f"Too much text for the one-page slip: the feedback cell is about {short} lines "
                        "short; shorten this field.",
                    ),
                    field_name=field,
                )


_ROW_FIELDS = {
    "topic": "topic",
    "chair": "chair",
    "drafter": "drafter",
    "reviewer": "reviewer",
    "notes": "reply_to_section",
}


def _longest_field(slip: SlipLayout, unit_index: int) -> str:
    """The field whose row takes the most lines: the one worth shortening first."""
    fields = {**_ROW_FIELDS, "unit": f"units[{unit_index}]"}
    extra = {field: slip.lines[key] for key, field in fields.items()}
    extra["title"] = len(slip.title_lines)
    return max(extra, key=lambda field: extra[field])


KIND = DocumentKind(
    name="minutes-feedback-slip",
    label="会议纪要意见反馈单",
    schema=MinutesFeedbackSlipFormSchema,
    build_context=build_context,
    title=slip_title,
    document_date=lambda data: data["sent_at"].date(),
    subject=lambda data: str(data["topic"]),
    author=lambda data: str(data["issuer"]),
    split=split_by_unit,
)
