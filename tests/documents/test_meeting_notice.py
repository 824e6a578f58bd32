"""The notice's context: sections written from the meeting data the way a clerk would write them."""

from __future__ import annotations

from typing import Any

from schemas.meeting_notice import MeetingNoticeSchema
from service.documents.meeting_notice import build_context
from tests.conftest import BodyFactory


def context_for(body: dict[str, Any]) -> dict[str, Any]:
    data = MeetingNoticeSchema().load(body)
    data.pop("corrections")
    return build_context(data)


def block_texts(context: dict[str, Any]) -> list[str]:
    return [block["hei"] + block["kai"] + block["text"] for block in context["blocks"]]


def test_example_notice_reads_like_a_clerk_wrote_it(notice_body: BodyFactory) -> None:
    texts = block_texts(context_for(notice_body()))

    assert texts == [
        "为全面部署今冬明春安全生产工作，经县政府同意，决定召开全县冬春季安全生产工作会议。现将有关事项通知如下：",
        "一、会议时间和地点",
        "会议时间：2026年12月3日（星期四）上午9:00—11:30。",
        "报到时间：2026年12月3日（星期四）上午8:30，报到地点：县行政中心一楼大厅。",
        "会议地点：县行政中心三楼第一会议室。",
        "二、参会人员",
        "1.各乡镇分管安全生产工作负责人、安监站站长。",
        "2.县应急管理局、县公安局、县住建局、县交通运输局等县安委会成员单位分管负责人。",
        "三、会议议程",
        "1.通报今年以来全县安全生产形势。",
        "2.县应急管理局部署冬春季安全生产大检查工作。",
        "3.县政府分管领导讲话。",
        "四、会议要求",
        "1.请参会人员提前15分钟到达会场，按桌签就座，会议期间将手机调至静音状态。",
        "2.参会人员原则上不得请假，确因特殊情况不能参会的，须事先向县政府分管领导请假，并指定熟悉情况的人员代会。",
        "3.各单位于12月1日17时前将参会回执传真或发送电子邮件至县应急管理局综合科。",
        "联系人：陈晓东，联系电话：0578-2123457。",
    ]


def test_level_one_headings_are_set_apart_for_heiti(notice_body: BodyFactory) -> None:
    blocks = context_for(notice_body())["blocks"]

    headings = [block["hei"] for block in blocks if block["hei"]]

    assert headings == ["一、会议时间和地点", "二、参会人员", "三、会议议程", "四、会议要求"]
    assert all(block["text"] == "" for block in blocks if block["hei"])


def test_reply_slip_is_attached_with_its_instructions(notice_body: BodyFactory) -> None:
    context = context_for(notice_body())

    slip = context["reply_slip"]
    assert slip["title"] == "全县冬春季安全生产工作会议参会回执"
    assert slip["instructions"] == (
        "请于2026年12月1日（星期二）下午5:00前将此回执传真至0578-2123456或发送电子邮件至yjj@qingshan.example.cn。"
    )
    assert slip["rows"] == list(range(8))
    assert context["attachments"] == ["全县冬春季安全生产工作会议参会回执"]


def test_reply_request_is_added_when_no_requirement_mentions_it(notice_body: BodyFactory) -> None:
    texts = block_texts(context_for(notice_body(requirements=["请准时参会"])))

    assert texts[texts.index("四、会议要求") + 2] == (
        "2.请于2026年12月1日（星期二）下午5:00前将全县冬春季安全生产工作会议参会回执（见附件）"
        "传真至0578-2123456或发送电子邮件至yjj@qingshan.example.cn。"
    )


def test_without_reply_there_is_no_attachment(notice_body: BodyFactory) -> None:
    context = context_for(notice_body(reply=None))

    assert context["reply_slip"] is None
    assert context["attachments"] == []


def test_missing_intro_is_written_from_the_meeting_name(notice_body: BodyFactory) -> None:
    texts = block_texts(context_for(notice_body(intro=None)))

    assert texts[0] == "经研究，决定召开全县冬春季安全生产工作会议。现将有关事项通知如下："


def test_single_attendee_is_not_numbered(notice_body: BodyFactory) -> None:
    texts = block_texts(context_for(notice_body(meeting__attendees=["各乡镇乡镇长"])))

    assert texts[texts.index("二、参会人员") + 1] == "各乡镇乡镇长。"


def test_title_recipients_and_imprint_lines(notice_body: BodyFactory) -> None:
    context = context_for(notice_body())

    assert context["title_lines"] == ["青山县人民政府办公室", "关于召开全县冬春季安全生产工作会议的通知"]
    assert context["recipients"] == "各乡镇人民政府，县政府各部门，各直属单位："
    assert context["cc"] == "县委办公室，县人大常委会办公室，县政协办公室。"
    assert context["printed_on"] == "2026年11月25日印发"
    assert context["note"] == "（此件公开发布）"
    assert context["date"] == "2026年11月25日"
    assert context["doc_number"] == "青政办发〔2026〕15号"
    assert context["issuer_mark"] == "青山县人民政府办公室文件"
    assert context["urgency"] == "加急"


def test_letter_mark_defaults_to_the_issuer_name(notice_body: BodyFactory) -> None:
    body = notice_body(format="letter")
    del body["issuer"]["mark"]

    assert context_for(body)["issuer_mark"] == "青山县人民政府办公室"


def test_note_given_with_parentheses_is_not_doubled(notice_body: BodyFactory) -> None:
    assert context_for(notice_body(note="（此件公开发布）"))["note"] == "（此件公开发布）"


def test_sealed_and_unsealed_signatures_differ(notice_body: BodyFactory) -> None:
    sealed = context_for(notice_body(seal=True))
    unsealed = context_for(notice_body(seal=False))

    assert sealed["sealed"] is True and unsealed["sealed"] is False
    assert sealed["date_indent"] > unsealed["date_indent"]
