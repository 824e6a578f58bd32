"""The standalone reply slip: its context, and the DOCX whose table is the notice's attachment table."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient
from lxml import etree

from service.config import Settings
from service.documents.pipeline import OutputFormat, TemplateCatalog, render_document, validate_document
from tests.conftest import BodyFactory, load_example
from tests.rendering.docx_xml import Paragraph, Rendered, w, xpath

HEADERS = ["姓名", "性别", "单位及职务", "联系电话", "备注"]
BLANK_ROW = {"name": "", "gender": "", "unit_title": "", "phone": "", "remarks": ""}
HOSTILE = '<w:t>&amp;</w:t> "引号" {{ title }} {%p if x %}'


def context_for(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    validated = validate_document(kind, body)
    return validated.kind.build_context(validated.data)


def render_docx(kind: str, body: dict[str, Any]) -> Rendered:
    catalog = TemplateCatalog(Settings().templates_dir)
    return Rendered(render_document(catalog, kind, body, OutputFormat.DOCX).content)


def slip_table(rendered: Rendered) -> etree._Element:
    tables = [t for t in rendered.tables if any(Paragraph(p).text == "姓名" for p in t.iter(w("p")))]
    assert len(tables) == 1
    return tables[0]


def row_texts(table: etree._Element) -> list[list[str]]:
    return [[Paragraph(p).text for p in xpath(tr, "w:tc/w:p")] for tr in xpath(table, "w:tr")]


# -- context ------------------------------------------------------------------------------------------------


def test_example_is_a_blank_slip_of_eight_rows(reply_slip_body: BodyFactory) -> None:
    context = context_for("reply-slip", reply_slip_body())

    assert context == {
        "title_lines": ["全县冬春季安全生产工作会议参会回执"],
        "instructions": "请于2026年12月1日（星期二）下午5:00前将此回执传真至0578-2123456"
        "或发送电子邮件至yjj@qingshan.example.cn。",
        "contact": "联系人：陈晓东，联系电话：0578-2123457。",
        "rows": [BLANK_ROW] * 8,
    }


def test_title_and_instructions_are_the_notice_attachment_s(reply_slip_body: BodyFactory) -> None:
    notice = load_example("meeting-notice")
    slip = context_for("reply-slip", reply_slip_body(reply=notice["reply"], meeting__name=notice["meeting"]["name"]))
    attached = context_for("meeting-notice", notice)["reply_slip"]

    assert "".join(slip["title_lines"]) == attached["title"]
    assert slip["instructions"] == attached["instructions"]
    assert len(slip["rows"]) == len(attached["rows"])


def test_given_title_replaces_the_default(reply_slip_body: BodyFactory) -> None:
    context = context_for("reply-slip", reply_slip_body(reply__title="冬春季安全生产工作会议回执"))

    assert context["title_lines"] == ["冬春季安全生产工作会议回执"]


def test_long_title_is_broken_into_centred_lines_of_at_most_20_characters(reply_slip_body: BodyFactory) -> None:
    name = "青山县二〇二六年度冬春季安全生产暨森林防灭火工作电视电话会议"
    lines = context_for("reply-slip", reply_slip_body(meeting__name=name))["title_lines"]

    assert len(lines) == 2
    assert "".join(lines) == name + "参会回执"
    assert all(len(line) <= 20 for line in lines)


def test_channels_follow_what_is_given(reply_slip_body: BodyFactory) -> None:
    fax_only = context_for("reply-slip", reply_slip_body(reply__email=None))
    neither = context_for("reply-slip", reply_slip_body(reply__email=None, reply__fax=None))

    assert fax_only["instructions"].endswith("前将此回执传真至0578-2123456。")
    assert neither["instructions"].endswith("前将此回执报送会议主办单位。")


def test_without_contact_nothing_follows_the_instructions(reply_slip_body: BodyFactory) -> None:
    assert context_for("reply-slip", reply_slip_body(contact=None))["contact"] == ""


def test_prefilled_attendees_come_first_and_blank_rows_make_up_the_count(reply_slip_body: BodyFactory) -> None:
    attendees = [
        {"name": "王建军", "gender": "男", "unit": "城关镇人民政府", "title": "副镇长", "phone": "13800000001"},
        {"name": "李秀梅", "gender": "女", "unit": "城关镇人民政府", "title": "安监站站长", "remarks": "素食"},
        {"name": "赵立新"},
    ]

    rows = context_for("reply-slip", reply_slip_body(attendees=attendees))["rows"]

    assert rows == [
        {"name": "王建军", "gender": "男", "unit_title": "城关镇人民政府副镇长", "phone": "13800000001", "remarks": ""},
        {"name": "李秀梅", "gender": "女", "unit_title": "城关镇人民政府安监站站长", "phone": "", "remarks": "素食"},
        {"name": "赵立新", "gender": "", "unit_title": "", "phone": "", "remarks": ""},
        *[BLANK_ROW] * 5,
    ]


def test_more_attendees_than_rows_leave_no_blank_row(reply_slip_body: BodyFactory) -> None:
    attendees = [{"name": f"参会人{i}"} for i in range(10)]

    rows = context_for("reply-slip", reply_slip_body(attendees=attendees, reply__rows=8))["rows"]

    assert [row["name"] for row in rows] == [a["name"] for a in attendees]


# -- DOCX ---------------------------------------------------------------------------------------------------


def test_table_is_the_notice_attachment_table(reply_slip_body: BodyFactory) -> None:
    """Same grid, widths, rules and header row as the notice's 附件 (GB/T 9704 page, typesetting spec §5.4)."""
    slip = slip_table(render_docx("reply-slip", reply_slip_body()))
    attached = slip_table(render_docx("meeting-notice", load_example("meeting-notice")))

    for path in ("w:tblPr", "w:tblGrid", "w:tr[1]"):
        (mine,), (theirs,) = xpath(slip, path), xpath(attached, path)
        assert etree.tostring(mine) == etree.tostring(theirs), path
    mine_row, their_row = xpath(slip, "w:tr[2]/w:trPr")[0], xpath(attached, "w:tr[2]/w:trPr")[0]
    assert etree.tostring(mine_row) == etree.tostring(their_row)
    assert row_texts(slip) == [HEADERS, *[[""] * 5] * 8]


@pytest.mark.parametrize("attendees", [0, 3, 30], ids=["blank", "three-prefilled", "thirty-prefilled"])
def test_header_repeats_and_no_row_splits(reply_slip_body: BodyFactory, attendees: int) -> None:
    people = [{"name": f"参会人{i}", "unit": "县应急管理局", "title": "科员"} for i in range(attendees)]
    table = slip_table(render_docx("reply-slip", reply_slip_body(attendees=people)))
    header, *rows = xpath(table, "w:tr")

    assert xpath(header, "w:trPr/w:tblHeader")
    assert all(xpath(tr, "w:trPr/w:cantSplit") for tr in [header, *rows])
    assert not [tr for tr in rows if xpath(tr, "w:trPr/w:tblHeader")]
    assert len(rows) == max(attendees, 8)
    assert all(int(xpath(tr, "w:trPr/w:trHeight")[0].get(w("val"))) >= 567 for tr in rows)  # ≥ 10 mm to write


def test_last_row_is_kept_with_the_instructions_in_word(reply_slip_body: BodyFactory) -> None:
    """Word and WPS honour keepNext row by row: the instructions never open a page alone there."""
    rows = xpath(slip_table(render_docx("reply-slip", reply_slip_body())), "w:tr")[1:]

    def keeps(tr: etree._Element) -> set[str | None]:
        return {k.get(w("val")) for k in xpath(tr, "w:tc/w:p/w:pPr/w:keepNext")}

    assert keeps(rows[-1]) == {"1"}
    assert all(keeps(tr) == {"0"} for tr in rows[:-1])


def test_page_opens_with_the_title_then_contact_line_table_and_instructions(reply_slip_body: BodyFactory) -> None:
    rendered = render_docx("reply-slip", reply_slip_body())
    top = rendered.top_level
    title, blank, contact, table, instructions, organiser = top[:6]

    assert Paragraph(title).text == "全县冬春季安全生产工作会议参会回执"
    assert Paragraph(title).align == "center"
    (run,) = Paragraph(title).text_runs
    assert (run.font(), run.size) == ("方正小标宋简体", 44)  # 2号小标宋
    assert Paragraph(blank).text == ""
    assert Paragraph(contact).text == "填报单位（盖章）：\t联系人：\t联系电话："
    assert table is slip_table(rendered)
    assert Paragraph(instructions).text.startswith("请于2026年12月1日（星期二）下午5:00前")
    assert Paragraph(organiser).text == "联系人：陈晓东，联系电话：0578-2123457。"


def test_prefilled_cells_print_in_their_columns(reply_slip_body: BodyFactory) -> None:
    attendee = {"name": "王建军", "gender": "男", "unit": "城关镇人民政府", "title": "副镇长", "phone": "13800000001"}
    table = slip_table(render_docx("reply-slip", reply_slip_body(attendees=[attendee], reply__rows=2)))

    assert row_texts(table) == [HEADERS, ["王建军", "男", "城关镇人民政府副镇长", "13800000001", ""], [""] * 5]


def test_hostile_text_prints_literally(reply_slip_body: BodyFactory) -> None:
    body = reply_slip_body(
        meeting__name=HOSTILE,
        attendees=[{"name": HOSTILE[:40], "unit": HOSTILE, "remarks": "{{ rows }}"}],
        contact__name="{% raw %}&<>",
    )
    rendered = render_docx("reply-slip", body)
    texts = [p.text for p in rendered.all_paragraphs]

    assert HOSTILE + "参会回执" in "".join(texts[:3])
    assert HOSTILE[:40] in texts
    assert HOSTILE in texts
    assert "{{ rows }}" in texts
    assert "联系人：{% raw %}&<>，联系电话：0578-2123457。" in texts


def test_api_renders_the_example_as_docx_named_after_the_title(
    client: FlaskClient, reply_slip_body: BodyFactory
) -> None:
    response = client.post("/api/v1/documents/reply-slip", json=reply_slip_body())

    assert response.status_code == 200
    encoded = response.headers["Content-Disposition"].split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "全县冬春季安全生产工作会议参会回执.docx"
    assert slip_table(Rendered(response.data)) is not None
