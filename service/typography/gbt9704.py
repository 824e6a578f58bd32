"""The numbers of GB/T 9704-2012《党政机关公文格式》, named once, each with the clause it comes from.

Clauses are cited as "GB/T 9704-2012 x.y.z"; "derived" marks arithmetic on cited values, "practice"
a value the standard leaves open that templates agree on, and "decision" a choice made here where
neither helps. Character counts (…_CHARS) are in 字 and become lengths through CHAR_WIDTH.
"""

from __future__ import annotations

from service.typography.text_metrics import width
from service.typography.units import Length, mm, pt, twips

# Page and text block (版心)
PAGE_WIDTH = mm(210)  # GB/T 9704-2012 5.1: A4 (GB/T 148)
PAGE_HEIGHT = mm(297)  # GB/T 9704-2012 5.1: A4 (GB/T 148)
MARGIN_TOP = mm(37)  # GB/T 9704-2012 5.2.1: 天头 37 mm
MARGIN_LEFT = mm(28)  # GB/T 9704-2012 5.2.1: 订口 28 mm
TEXT_WIDTH = mm(156)  # GB/T 9704-2012 5.2.1: 版心 156 mm × 225 mm
TEXT_HEIGHT = mm(225)  # GB/T 9704-2012 5.2.1: 版心 156 mm × 225 mm
MARGIN_RIGHT = mm(26)  # derived: 210 − 28 − 156
MARGIN_BOTTOM = mm(35)  # derived: 297 − 37 − 225
# GB/T 9704-2012 5.2.1: 天头 37 mm ± 1 mm, 订口 28 mm ± 1 mm; the 版心 is fixed, so the right and bottom
# margins it leaves inherit the same ± 1 mm (derived)
MARGIN_TOLERANCE = mm(1)

# Grid
LINES_PER_PAGE = 22  # GB/T 9704-2012 5.2.3: 一般每面排22行
CHARS_PER_LINE = 28  # GB/T 9704-2012 5.2.3: 每行排28个字
# derived: 22 lines must fit 225 mm (12756 twips). 22 × 579 = 12738 twips = 224.7 mm fits; 580 gives
# 12760 twips = 225.07 mm, which overflows the block, and Word then sets only 21 lines. The standard's own
# 行 (GB/T 9704-2012 3.2: a 3号 height plus 7/8 of one, 30 pt) would need 232.8 mm and cannot be meant here.
LINE_PITCH = twips(579)
CHAR_WIDTH = TEXT_WIDTH / CHARS_PER_LINE  # derived: the 字 of GB/T 9704-2012 3.1 on this grid, ≈15.79 pt
# NOTE: LibreOffice honours a `lines` grid plus −0.25 pt condensing, which sets 28 × 15.75 pt = 441 pt in
# the 442.2 pt line; Word's `linesAndChars` grid gives 14 characters a line in LibreOffice 7.4.
BODY_CHAR_SPACING = pt(-0.25)

# Type sizes: GB/T 9704-2012 5.2.2 names sizes in 号; these are the points of the 字号 convention
SIZE_CHUHAO = pt(42)  # 字号: 初号
SIZE_XIAOCHU = pt(36)  # 字号: 小初
SIZE_1HAO = pt(26)  # 字号: 一号
SIZE_2HAO = pt(22)  # 字号: 二号
SIZE_3HAO = pt(16)  # 字号: 三号
SIZE_4HAO = pt(14)  # 字号: 四号
BODY_SIZE = SIZE_3HAO  # GB/T 9704-2012 5.2.2: 一般用3号仿宋体字
TITLE_SIZE = SIZE_2HAO  # GB/T 9704-2012 7.3.1: 一般用2号小标宋体字
IMPRINT_SIZE = SIZE_4HAO  # GB/T 9704-2012 7.4.2, 7.4.3: 版记 in 4号仿宋
PAGE_NUMBER_SIZE = SIZE_4HAO  # GB/T 9704-2012 7.5: 4号半角宋体阿拉伯数字
# derived: 156 mm = 442.2 pt holds 20 characters of 22 pt (20.1)
TITLE_MAX_CHARS = 20

# Fonts: the names official templates use; fontconfig maps them to the fonts installed (fonts/)
FONT_FANGSONG = "仿宋_GB2312"  # GB/T 9704-2012 5.2.2: 仿宋体, every element unless stated otherwise
FONT_XIAOBIAOSONG = "方正小标宋简体"  # GB/T 9704-2012 7.2.4, 7.3.1: 小标宋体 for the mark and the title
FONT_HEITI = "黑体"  # GB/T 9704-2012 7.2.2, 7.2.3, 7.3.3: 密级, 紧急程度, level-1 headings
FONT_KAITI = "楷体_GB2312"  # GB/T 9704-2012 7.2.6, 7.3.3: 签发人 names, level-2 headings
FONT_SONGTI = "宋体"  # GB/T 9704-2012 7.5: page numbers
FONT_LATIN = "Times New Roman"  # practice: digits and Latin letters in every template seen

RED = "FF0000"  # practice: the screen red of DOCX templates; GB/T 9704-2012 6.2 prints Y80 % M80 %

# 版头
COPY_NUMBER_DIGITS = 6  # GB/T 9704-2012 7.2.1: 份号 in six Arabic digits
SECRECY_LEVELS = ("秘密", "机密", "绝密")  # GB/T 9704-2012 7.2.2
URGENCY_LEVELS = ("特急", "加急")  # GB/T 9704-2012 7.2.3
ISSUER_MARK_TOP = mm(35)  # GB/T 9704-2012 7.2.4: 发文机关标志 top edge 35 mm below the top of the 版心
# Decision: the standard leaves the mark's size open (7.2.4: 醒目、美观、庄重); 小初 is the size most
# red-headed templates use for a mark, and issuer_mark_size() shrinks it only when it overflows the line.
MARK_MAX_SIZE = SIZE_XIAOCHU
MARK_MIN_SIZE = SIZE_3HAO  # decision: below the body size a mark stops being a mark; the template wraps
MARK_SIZE_STEP = pt(0.5)  # decision: OOXML sizes are whole half-points
BLANK_LINES_BELOW_MARK = 2  # GB/T 9704-2012 7.2.5: 发文字号 two lines below the mark
SIGNER_RIGHT_INDENT_CHARS = 1  # GB/T 9704-2012 7.2.6: 签发人 right-indented one character
RULE_BELOW_NUMBER = mm(4)  # GB/T 9704-2012 7.2.7: the red separator 4 mm below the 发文字号
HEADER_RULE_WIDTH = mm(0.35)  # practice: the standard gives no thickness (7.2.7)

# 主体
BLANK_LINES_ABOVE_TITLE = 2  # GB/T 9704-2012 7.3.1: title two lines below the red separator
BLANK_LINES_ABOVE_RECIPIENTS = 1  # GB/T 9704-2012 7.3.2: 主送机关 one line below the title
PARAGRAPH_INDENT_CHARS = 2  # GB/T 9704-2012 7.3.3: 每个自然段左空二字
SEALED_DATE_RIGHT_INDENT_CHARS = 4  # GB/T 9704-2012 7.3.5.1: 成文日期一般右空四字
UNSEALED_SIGNATORY_RIGHT_INDENT_CHARS = 2  # GB/T 9704-2012 7.3.5.2: 署名右空二字
UNSEALED_DATE_OFFSET_CHARS = 2  # GB/T 9704-2012 7.3.5.2: date starts two characters right of the 署名
# GB/T 9704-2012 7.3.5.2: a date longer than the 署名 is right-indented 2 characters
UNSEALED_DATE_MIN_RIGHT_INDENT_CHARS = 2

# 版记
IMPRINT_OUTER_RULE = mm(0.35)  # GB/T 9704-2012 7.4.1: first and last lines, recommended 0.35 mm
IMPRINT_INNER_RULE = mm(0.25)  # GB/T 9704-2012 7.4.1: lines in between, recommended 0.25 mm
IMPRINT_INDENT = SIZE_4HAO  # GB/T 9704-2012 7.4.2, 7.4.3: indented one 4号 character left and right

# 页码
PAGE_NUMBER_GAP = mm(7)  # GB/T 9704-2012 7.5: the dash's top edge 7 mm below the 版心
# GB/T 9704-2012 7.5: odd pages 右空一字, even pages 左空一字, one 4号 character
PAGE_NUMBER_INDENT = SIZE_4HAO
PAGE_NUMBER_DASH = "—"  # GB/T 9704-2012 7.5: 一字线 either side of the number

# 信函格式
LETTER_MARK_TOP = mm(30)  # GB/T 9704-2012 10.1: mark top edge 30 mm from the top edge of the paper
LETTER_RULE_LENGTH = mm(170)  # GB/T 9704-2012 10.1: both red double lines 170 mm long
LETTER_RULE_BELOW_MARK = mm(4)  # GB/T 9704-2012 10.1: double line 4 mm below the mark
# GB/T 9704-2012 10.1: the second double line 20 mm above the bottom edge of the paper
LETTER_BOTTOM_RULE_FROM_PAPER_BOTTOM = mm(20)
LETTER_GAP_7_8 = pt(14)  # GB/T 9704-2012 10.1: 7/8 of a 3号 character's height (7/8 × 16 pt)


def issuer_mark_size(text: str) -> Length:
    """The size for the 发文机关标志 `text`: the largest that keeps it on one line of the 版心.

    Sizes run from MARK_MAX_SIZE down in half-point steps; a mark that overflows even at
    MARK_MIN_SIZE (16 pt) gets MARK_MIN_SIZE and wraps in the template.
    """
    size = MARK_MAX_SIZE
    while size > MARK_MIN_SIZE:
        if width(text, size) <= TEXT_WIDTH:
            return size
        size = size - MARK_SIZE_STEP
    return MARK_MIN_SIZE
