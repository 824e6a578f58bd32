"""Where the 发文机关署名 (signatory) and 成文日期 (date) sit, per GB/T 9704-2012 7.3.5.1 and 7.3.5.2."""

from __future__ import annotations

from dataclasses import dataclass

from service.typography import gbt9704
from service.typography.gbt9704 import CHAR_WIDTH
from service.typography.text_metrics import width_in_chars
from service.typography.units import Length

# GB/T 9704-2012 7.3.5.1: the seal's top within one line of the body; see layout_signature().
SEALED_BLANK_LINES = 2
# GB/T 9704-2012 7.3.5.2: 在正文（或附件说明）下空一行右空二字编排发文机关署名.
UNSEALED_BLANK_LINES = 1


@dataclass(frozen=True)
class SignatureLayout:
    """Right indents of the 署名 and date paragraphs, and the blank lines between the body and the 署名."""

    signatory_right_indent: Length
    date_right_indent: Length
    blank_lines_before: int


def _chars(count: float) -> Length:
    return CHAR_WIDTH * count


def layout_signature(signatory: str, date_text: str, *, sealed: bool) -> SignatureLayout:
    """The 署名 and date positions for a single-organ document, sealed (加盖印章) or not.

    Widths count width_in_chars() × CHAR_WIDTH, the 字 of the 28-character grid.

    Sealed (7.3.5.1): the date is right-indented 4 characters and the 署名 centred over it, so the
    署名's right indent is the date's plus half the difference of their widths (clamped at 0 when the
    署名 is the wider by more than twice that indent). Decision, two blank lines before the 署名: a
    42 mm seal (119 pt) spans about 4.1 lines of 28.95 pt. With the body's last line ending at 0, the
    署名 fills line 2–3 and the date 3–4, so their joint centre is at 3.0 lines; a seal centred a
    little above it (2.6–2.9, leaving them "slightly below the centre") has its top 0.55–0.85 lines
    below the body: within one line, as required. One blank line would push the seal into the body,
    three would leave its top more than a line away.

    Unsealed (7.3.5.2): one blank line, then the 署名 right-indented 2 characters; the date on the
    next line starts 2 characters to the right of the 署名's first character, so its right indent
    is the 署名's width minus its own. When that would leave less than 2 characters, the date is
    right-indented 2 characters and the 署名 moved left to keep the 2-character offset.
    """
    signatory_width = _chars(width_in_chars(signatory))
    date_width = _chars(width_in_chars(date_text))
    if sealed:
        date_indent = _chars(gbt9704.SEALED_DATE_RIGHT_INDENT_CHARS)
        centred = date_indent + (date_width - signatory_width) / 2
        return SignatureLayout(max(centred, Length(0)), date_indent, SEALED_BLANK_LINES)

    signatory_indent = _chars(gbt9704.UNSEALED_SIGNATORY_RIGHT_INDENT_CHARS)
    offset = _chars(gbt9704.UNSEALED_DATE_OFFSET_CHARS)
    # The 署名's first character starts at signatory_indent + signatory_width from the right margin;
    # the date's first character starts `offset` to its right.
    date_indent = signatory_indent + signatory_width - offset - date_width
    minimum = _chars(gbt9704.UNSEALED_DATE_MIN_RIGHT_INDENT_CHARS)
    if date_indent < minimum:
        date_indent = minimum
        signatory_indent = date_indent + date_width + offset - signatory_width
    return SignatureLayout(signatory_indent, date_indent, UNSEALED_BLANK_LINES)
