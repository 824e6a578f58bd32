"""Built-in 会议简报 template (document.docx): 报头, articles on the 22-line grid, 报尾 at the foot.

Every part of the 报头 is a whole number of 579-twip rows (six in all), so the articles below it sit on
the same rows as on every other page. Geometry and its measurements: docs/decisions/0008-meeting-brief.md.
"""

from __future__ import annotations

from lxml import etree

from service.rendering import ooxml
from service.rendering.ooxml import (
    Border,
    Expr,
    TableBorders,
    run,
    run_properties,
    tag_paragraph,
)
from service.typography.gbt9704 import (
    FONT_HEITI,
    FONT_KAITI,
    FONT_XIAOBIAOSONG,
    IMPRINT_INNER_RULE,
    IMPRINT_OUTER_RULE,
    LINE_PITCH,
    RED,
    SIZE_2HAO,
    TEXT_WIDTH,
)
from tools.template_builder.common import (
    BASELINE_IN_LINE,
    BODY_EM_BOTTOM,
    BODY_EM_TOP,
    EM_ABOVE_BASELINE,
    MARK_LINE_EM,
    RED_RULE_BEFORE,
    KindTemplates,
    assemble,
    body_paragraph,
    body_run,
    conditional,
    conditional_rows,
    end_paragraph,
    exact_paragraph,
    half_points,
    imprint_cell,
    imprint_last_row,
    imprint_names_row,
    imprint_table,
    red_rule,
    row_paragraph,
)

ROW = LINE_PITCH

# --- 报头 -------------------------------------------------------------------------------------------------
#
# Rows of the first page (typesetting spec §5.1; sizes borrowed from GB/T 9704-2012):
#   1      密级 or 内部资料 flush left (3号黑体, as 7.2.2), 编号 flush right (3号仿宋, as 份号 7.2.1)
#   2–3    the name, red 小标宋, centred; its em box centred between row 1's text and row 4's
#   4      期号 (3号仿宋), centred
#   5      编印单位 flush left, date flush right (3号仿宋)
#   6      the red rule, 4 mm under row 5's em box (as 7.2.7), 156 mm, 0.35 mm
#   7…     the articles
# The name's 1.5 em line is at most 1080 twips (小初, gbt9704.MARK_MAX_SIZE): two rows hold it.
NAME_BAND_ROWS = 2
ISSUE_ROW = 1 + NAME_BAND_ROWS  # rows above the 期号's row
# The middle between row 1's em bottom and the 期号's em top, from the block's top.
NAME_MIDDLE = (BODY_EM_BOTTOM + ROW * ISSUE_ROW + BODY_EM_TOP) / 2
# An exact line of 1.5 em puts the em top 0.8 × 1.5 − 0.88 = 0.32 em below the line's top; the em box's
# middle is 0.5 em lower, so the line starts 0.82 em above NAME_MIDDLE.
NAME_MIDDLE_IN_LINE = MARK_LINE_EM * BASELINE_IN_LINE - EM_ABOVE_BASELINE + 0.5
NAME_LINE = half_points("name_size", MARK_LINE_EM)
NAME_BEFORE = f"{(NAME_MIDDLE - ROW).twips} - {half_points('name_size', NAME_MIDDLE_IN_LINE)}"
# The rest of the name's rows goes before the 期号, so the rows below stay whole.
ISSUE_BEFORE = f"{(ROW * NAME_BAND_ROWS).twips} - ({NAME_BEFORE}) - {NAME_LINE}"


def brief_head() -> list[etree._Element]:
    """报头: 内部资料/编号, the red name, 期号, 编印单位 and date, the red rule."""
    return [
        row_paragraph(body_run("{{ classification }}", FONT_HEITI), ooxml.tab_run(), body_run("{{ copy_no }}")),
        exact_paragraph(
            run("{{ name }}", run_properties(FONT_XIAOBIAOSONG, Expr("name_size"), color=RED)),
            line=Expr(NAME_LINE),
            before=Expr(NAME_BEFORE),
            align="center",
        ),
        row_paragraph(body_run("{{ issue }}"), before=Expr(ISSUE_BEFORE), align="center"),
        row_paragraph(body_run("{{ editor }}"), ooxml.tab_run(), body_run("{{ date }}")),
        # Row 6 exactly: the rule 4 mm under row 5's em box (as GB/T 9704-2012 7.2.7), then the row's rest.
        red_rule(ROW - RED_RULE_BEFORE),
    ]


# --- articles ----------------------------------------------------------------------------------------------


def article_title(value: str, before: ooxml.Measure | None = None) -> etree._Element:
    """One line of an article's title: 2号小标宋, centred, one grid row, kept with what follows."""
    return exact_paragraph(
        run(value, run_properties(FONT_XIAOBIAOSONG, SIZE_2HAO)),
        line=ROW,
        before=before,
        align="center",
        keep_next=True,
    )


def articles() -> list[etree._Element]:
    """编者按, then each article: a blank row between articles, title lines, paragraphs indented two 字."""
    return [
        *conditional(
            "editor_note",
            body_paragraph(body_run("编者按：", FONT_HEITI), body_run("{{ editor_note }}", FONT_KAITI)),
        ),
        tag_paragraph("{%p for article in articles %}"),
        # One blank row above every article but the first, as the title's space before.
        article_title(
            "{{ article.title_lines[0] }}", before=Expr(f"{ROW.twips} if editor_note or not loop.first else 0")
        ),
        tag_paragraph("{%p for line in article.title_lines[1:] %}"),
        article_title("{{ line }}"),
        tag_paragraph("{%p endfor %}"),
        tag_paragraph("{%p for paragraph in article.paragraphs %}"),
        body_paragraph(body_run("{{ paragraph }}")),
        tag_paragraph("{%p endfor %}"),
        tag_paragraph("{%p endfor %}"),
    ]


# --- 报尾 ------------------------------------------------------------------------------------------------------

DISTRIBUTION = (("报：", "report_to"), ("送：", "send_to"), ("发：", "issue_to"))
IMPRINT_RULES = TableBorders(top=Border(width=IMPRINT_OUTER_RULE), bottom=Border(width=IMPRINT_OUTER_RULE))


def brief_tail() -> list[etree._Element]:
    """报尾 at the foot of the last page, placed as the 版记 (common.imprint): a floating table.

    Between a 0.35 mm rule at the top and one on the 版心's bottom edge (GB/T 9704-2012 7.4.1, borrowed):
    the 报/送/发 rows that are given, laid out as the 版记's 抄送 row (wrapped lines under the first name),
    with no rule between them; then a 0.25 mm rule, then 共印N份 flush right one 4号 character in (as 印发日期,
    GB/T 9704-2012 7.4.3).
    """
    copies = imprint_cell(TEXT_WIDTH, "copies", align="right", borders={"top": Border(width=IMPRINT_INNER_RULE)})
    rows = [
        *(
            row
            for label, variable in DISTRIBUTION
            for row in conditional_rows(variable, 1, imprint_names_row(label, variable))
        ),
        imprint_last_row([copies]),
    ]
    return [imprint_table(rows, [TEXT_WIDTH], IMPRINT_RULES), end_paragraph()]


def build(variant: str) -> bytes:
    """The template as DOCX bytes, deterministic."""
    return assemble(
        [*brief_head(), *articles(), *brief_tail()],
        title="会议简报模板",
        subject="会议简报（报头、正文、报尾）",
    )


VARIABLES: dict[str, dict[str, str]] = {
    "classification": {"type": "str", "meaning": '"内部资料" or 密级和保密期限 ("机密★1年"), top left; "" when none'},
    "copy_no": {"type": "str", "meaning": '编号 (six digits), top right; "" when none'},
    "name": {"type": "str", "meaning": "简报名称, red, centred, one line"},
    "name_size": {
        "type": "int",
        "meaning": "the name's size in half-points (72 = 小初), chosen so it fits one line; also sets its line "
        "height and the space above and below it",
    },
    "issue": {"type": "str", "meaning": '期号, e.g. "第1期" or "第1期（总第25期）"'},
    "editor": {"type": "str", "meaning": "编印单位, flush left on the line above the red rule"},
    "date": {"type": "str", "meaning": '印发日期, e.g. "2026年12月3日", flush right on the editor\'s line'},
    "editor_note": {"type": "str", "meaning": '编者按 text (printed after "编者按：" in 楷体), or ""'},
    "articles": {
        "type": "list[{title_lines: list[str], paragraphs: list[str]}]",
        "meaning": "文章 in order: the title already broken into centred lines, then the paragraphs",
    },
    "report_to": {"type": "str", "meaning": '报： names joined by "，" ending in "。", or "" (row left out)'},
    "send_to": {"type": "str", "meaning": "送： names, as report_to"},
    "issue_to": {"type": "str", "meaning": "发： names, as report_to"},
    "copies": {"type": "str", "meaning": '印数, e.g. "共印60份", flush right on the 报尾\'s last row'},
}


TEMPLATES = KindTemplates(
    kind="meeting-brief",
    files={"document": "document.docx"},
    build=build,
    variables=VARIABLES,
    notes=(
        "Computed in the template from name_size: the name's line height and the space above it and above "
        "the 期号, so that the 报头 is always six grid rows.",
        "Built by tools/build_templates.py; geometry in docs/decisions/0008-meeting-brief.md.",
    ),
)
