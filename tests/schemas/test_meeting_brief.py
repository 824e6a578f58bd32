"""The brief schema: the example as sent, defaults, 内部资料 or a 密级, and every invalid body named by field."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from marshmallow import ValidationError

from schemas.fields import Secrecy
from schemas.meeting_brief import NAME_MAX_CHARS, MeetingBriefSchema
from tests.conftest import BodyFactory

VALIDATE_URL = "/api/v1/documents/meeting-brief/validate"
# Chinese first, then " / ", then English.
BILINGUAL = re.compile(r"^[^\x00-\x7f].* / .*[A-Za-z]")


def load(body: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = MeetingBriefSchema().load(body)
    return loaded


def test_example_body_validates_without_corrections(brief_body: BodyFactory) -> None:
    data = load(brief_body())

    assert data["corrections"] == []
    assert isinstance(data["classification"], Secrecy)
    assert data["classification"].text == "内部资料"
    assert data["distribution"]["report_to"] == ["县委、县政府领导"]
    assert [article["title"] for article in data["articles"]] == ["全县冬春季安全生产工作会议召开", "分组讨论情况"]


def test_optional_parts_default_to_nothing(brief_body: BodyFactory) -> None:
    data = load(brief_body(classification=None, distribution=None))

    assert "classification" not in data
    assert "total_issue_no" not in data
    assert data["distribution"] == {"report_to": [], "send_to": [], "issue_to": []}


def test_distribution_groups_may_be_left_out_one_by_one(brief_body: BodyFactory) -> None:
    data = load(brief_body(distribution__send_to=None))

    assert data["distribution"]["send_to"] == []
    assert data["distribution"]["issue_to"] == ["各乡镇人民政府", "县政府各部门"]


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        pytest.param("内部资料", "内部资料", id="internal"),
        pytest.param("秘密", "秘密", id="level-only"),
        pytest.param("机密★1年", "机密★1年", id="level-and-period"),
        pytest.param("机密*1年", "机密★1年", id="asterisk-corrected"),
    ],
)
def test_classification_is_internal_or_a_secrecy_level(brief_body: BodyFactory, written: str, kept: str) -> None:
    data = load(brief_body(classification=written, copy_no="000012"))

    assert data["classification"].text == kept
    assert [c.field for c in data["corrections"]] == ([] if written == kept else ["classification"])


def test_internal_brief_needs_no_copy_number(brief_body: BodyFactory) -> None:
    assert "copy_no" not in load(brief_body(classification="内部资料"))


def test_name_of_the_longest_allowed_length_is_accepted(brief_body: BodyFactory) -> None:
    name = "政协青山县第十一届委员会第五次会议秘书处工作简报"
    assert len(name) == NAME_MAX_CHARS

    assert load(brief_body(name=name))["name"] == name


def test_hostile_text_survives_validation_unchanged(brief_body: BodyFactory) -> None:
    hostile = "<w:t>&amp;</w:t> {{ name }} {%p if %} 🎉𠀀"

    data = load(brief_body(articles__0__title=hostile, articles__0__paragraphs=[hostile]))

    assert data["articles"][0]["title"] == hostile
    assert data["articles"][0]["paragraphs"] == [hostile]


def test_every_problem_is_reported_at_once(brief_body: BodyFactory) -> None:
    with pytest.raises(ValidationError) as raised:
        load(brief_body(name=None, copies=0, articles__1__title=""))

    assert {"name", "copies", "articles"} <= set(raised.value.messages)


# (the body change, the field path named in the 422's errors (None: no field), the status)
INVALID_BODIES = [
    pytest.param({"name": None}, "name", 422, id="missing-name"),
    pytest.param({"name": "   "}, "name", 422, id="blank-name"),
    pytest.param({"name": "报" * (NAME_MAX_CHARS + 1)}, "name", 422, id="name-too-long-for-one-line"),
    pytest.param({"name": "会议\x07简报"}, "name", 422, id="control-character-in-name"),
    pytest.param({"issue_no": None}, "issue_no", 422, id="missing-issue-number"),
    pytest.param({"issue_no": 0}, "issue_no", 422, id="issue-number-zero"),
    pytest.param({"issue_no": "1"}, "issue_no", 422, id="issue-number-as-string"),
    pytest.param({"issue_no": 1.5}, "issue_no", 422, id="issue-number-fraction"),
    pytest.param({"total_issue_no": 0}, "total_issue_no", 422, id="running-number-zero"),
    pytest.param({"issue_no": 5, "total_issue_no": 3}, "total_issue_no", 422, id="running-number-below-issue"),
    pytest.param({"editor": None}, "editor", 422, id="missing-editor"),
    pytest.param({"editor": "青山县人民政府办公室会议秘书组文字综合组"}, "editor", 422, id="editor-too-long"),
    pytest.param({"date": None}, "date", 422, id="missing-date"),
    pytest.param({"date": "2026-12-32"}, "date", 422, id="bad-date"),
    pytest.param({"date": "2026/12/03"}, "date", 422, id="date-not-iso"),
    pytest.param({"classification": "内部"}, "classification", 422, id="unknown-classification"),
    pytest.param({"classification": "机密★一年"}, "classification", 422, id="period-in-chinese-numerals"),
    pytest.param({"classification": "机密★1年"}, "copy_no", 422, id="classified-without-copy-number"),
    pytest.param({"copy_no": "12345"}, "copy_no", 422, id="copy-number-five-digits"),
    pytest.param({"editor_note": "按" * 1001}, "editor_note", 422, id="editor-note-too-long"),
    pytest.param({"articles": None}, "articles", 422, id="missing-articles"),
    pytest.param({"articles": []}, "articles", 422, id="no-articles"),
    pytest.param({"articles": "全县冬春季安全生产工作会议召开"}, "articles", 422, id="articles-not-a-list"),
    pytest.param({"articles__0": "会议召开"}, "articles[0]", 422, id="article-not-an-object"),
    pytest.param({"articles__0__title": None}, "articles[0].title", 422, id="article-without-title"),
    pytest.param({"articles__1__title": "题" * 61}, "articles[1].title", 422, id="article-title-too-long"),
    pytest.param({"articles__0__paragraphs": []}, "articles[0].paragraphs", 422, id="article-without-text"),
    pytest.param({"articles__0__paragraphs": "会议要求"}, "articles[0].paragraphs", 422, id="paragraphs-not-a-list"),
    pytest.param(
        {"articles__1__paragraphs__0": "与会人员\x00分三组"},
        "articles[1].paragraphs[0]",
        422,
        id="control-character-in-paragraph",
    ),
    pytest.param({"articles__0__subtitle": "副题"}, "articles[0].subtitle", 422, id="unknown-article-field"),
    pytest.param({"distribution": ["县委"]}, "distribution", 422, id="distribution-not-an-object"),
    pytest.param(
        {"distribution__report_to": "县委、县政府领导"}, "distribution.report_to", 422, id="report-to-not-a-list"
    ),
    pytest.param({"distribution__send_to__0": " "}, "distribution.send_to[0]", 422, id="blank-recipient"),
    pytest.param({"distribution__cc": ["县委办公室"]}, "distribution.cc", 422, id="unknown-distribution-group"),
    pytest.param({"copies": None}, "copies", 422, id="missing-copies"),
    pytest.param({"copies": 0}, "copies", 422, id="no-copies"),
    pytest.param({"copies": "60份"}, "copies", 422, id="copies-as-text"),
    pytest.param({"issue": 1}, "issue", 422, id="unknown-field"),
    pytest.param({"name": "报" * 3_000_000}, None, 413, id="body-over-the-size-limit"),
]


@pytest.mark.parametrize(("overrides", "field", "status"), INVALID_BODIES)
def test_invalid_body_is_refused_naming_the_field(
    client: FlaskClient, brief_body: BodyFactory, overrides: dict[str, Any], field: str | None, status: int
) -> None:
    response = client.post(VALIDATE_URL, json=brief_body(**overrides))

    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status
    if field is not None:
        assert problem["code"] == "payload_invalid"
        assert field in problem["errors"], problem["errors"]
        assert all(BILINGUAL.match(message) for message in problem["errors"][field]), problem["errors"][field]
