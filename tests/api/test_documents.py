"""The document routes over HTTP: files, problem+json errors, corrections, escaping."""

from __future__ import annotations

import io
import json
import re
from typing import Any
from urllib.parse import unquote

import pytest
from docx import Document
from flask.testing import FlaskClient

from tests.conftest import BodyFactory

NOTICE_URL = "/api/v1/documents/meeting-notice"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# Chinese first, then " / ", then English (DEVELOPERS.md: bad input names the field in both).
BILINGUAL = re.compile(r"^[^\x00-\x7f].* / .*[A-Za-z]")


def document_text(content: bytes) -> str:
    """All paragraph text of the body, tables and footers, in order, one paragraph per line."""
    document = Document(io.BytesIO(content))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines += [cell.text for row in table.rows for cell in row.cells]
    for section in document.sections:
        for footer in (section.footer, section.even_page_footer, section.first_page_footer):
            lines += [p.text for p in footer.paragraphs]
    return "\n".join(lines)


def test_example_notice_renders_as_docx_named_after_its_title(client: FlaskClient, notice_body: BodyFactory) -> None:
    response = client.post(NOTICE_URL, json=notice_body())

    assert response.status_code == 200
    assert response.mimetype == DOCX_TYPE
    disposition = response.headers["Content-Disposition"]
    assert 'filename="meeting-notice.docx"' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == "青山县人民政府办公室关于召开全县冬春季安全生产工作会议的通知.docx"
    assert re.fullmatch(r'"[0-9a-f]{64}"', response.headers["ETag"])
    text = document_text(response.data)
    assert "青政办发〔2026〕15号" in text
    assert "2026年12月3日（星期四）上午9:00—11:30" in text


def test_same_body_gives_identical_bytes(client: FlaskClient, notice_body: BodyFactory) -> None:
    first = client.post(NOTICE_URL, json=notice_body())
    second = client.post(NOTICE_URL, json=notice_body())

    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]


INVALID_BODIES = [
    pytest.param({"title": None}, "title", id="missing-title"),
    pytest.param({"date": "2026-13-40"}, "date", id="bad-date"),
    pytest.param({"date": "2026/11/25"}, "date", id="date-not-iso"),
    pytest.param({"doc_number": "青政办发〔2026〕05号"}, "doc_number", id="padded-serial"),
    pytest.param({"doc_number": "青政办发〔2026〕第15号"}, "doc_number", id="serial-with-di"),
    pytest.param({"doc_number": "青政办发2026-15号"}, "doc_number", id="wrong-brackets"),
    pytest.param({"doc_number": "青政办发〔26〕15号"}, "doc_number", id="two-digit-year"),
    pytest.param({"doc_number": {"prefix": "青政办发"}}, "doc_number", id="allocation-not-available"),
    pytest.param({"urgency": "紧急"}, "urgency", id="unknown-urgency"),
    pytest.param({"secrecy": "内部"}, "secrecy", id="unknown-secrecy"),
    pytest.param({"secrecy": "机密★1年"}, "copy_no", id="secret-without-copy-number"),
    pytest.param({"copy_no": "12345"}, "copy_no", id="copy-number-five-digits"),
    pytest.param({"format": "memo"}, "format", id="unknown-format"),
    pytest.param({"title": "x" * 2_000_000}, "title", id="two-megabyte-string"),  # just under the 2 MiB limit
    pytest.param({"title": "关于召开\x07会议的通知"}, "title", id="control-character"),
    pytest.param({"requirements__1": "请准时\x00参会。"}, "requirements[1]", id="control-character-in-list"),
    pytest.param({"meeting__start": "2026-12-03T09:00:00"}, "meeting.start", id="time-without-offset"),
    pytest.param({"meeting__end": "2026-12-03T08:00:00+08:00"}, "meeting.end", id="end-before-start"),
    pytest.param({"meeting__attendees": []}, "meeting.attendees", id="no-attendees"),
    pytest.param({"meeting__venue": "   "}, "meeting.venue", id="blank-venue"),
    pytest.param({"recipients": "各乡镇人民政府"}, "recipients", id="recipients-not-a-list"),
    pytest.param({"reply__email": "yjj-at-qingshan"}, "reply.email", id="bad-email"),
    pytest.param({"contact__phone": "call me"}, "contact.phone", id="bad-phone"),
    pytest.param({"seal": "yes"}, "seal", id="seal-not-boolean"),
    pytest.param({"titel": "错字段"}, "titel", id="unknown-field"),
    pytest.param({"issuer__name": None}, "issuer.name", id="missing-issuer-name"),
    pytest.param({"printed_on": "2026-11-01"}, "printed_on", id="printed-before-dated"),
    pytest.param({"reply__deadline": "2026-12-05T17:00:00+08:00"}, "reply.deadline", id="reply-after-meeting"),
]


@pytest.mark.parametrize(("overrides", "field"), INVALID_BODIES)
def test_invalid_body_is_422_naming_the_field(
    client: FlaskClient, notice_body: BodyFactory, overrides: dict[str, Any], field: str
) -> None:
    response = client.post(NOTICE_URL, json=notice_body(**overrides))

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 422
    assert problem["code"] == "payload_invalid"
    assert field in problem["errors"], problem["errors"]
    assert all(BILINGUAL.match(message) for message in problem["errors"][field]), problem["errors"][field]
    assert BILINGUAL.match(problem["detail"])


def test_every_problem_is_reported_at_once(client: FlaskClient, notice_body: BodyFactory) -> None:
    body = notice_body(title=None, urgency="紧急", meeting__start="tomorrow")

    problem = client.post(NOTICE_URL, json=body).get_json()

    assert {"title", "urgency", "meeting.start"} <= set(problem["errors"])


def test_body_over_the_size_limit_is_413(client: FlaskClient, notice_body: BodyFactory) -> None:
    body = notice_body(intro="通" * 1_000_000)  # 3 MB of UTF-8

    response = client.post(NOTICE_URL, json=body)

    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert BILINGUAL.match(response.get_json()["detail"])


def test_non_json_body_is_415(client: FlaskClient, notice_body: BodyFactory) -> None:
    response = client.post(NOTICE_URL, data=json.dumps(notice_body()), content_type="text/plain")

    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post(NOTICE_URL, data='{"title": ', content_type="application/json")

    assert response.status_code == 400
    assert response.get_json()["code"] == "json_invalid"


def test_json_array_body_is_422(client: FlaskClient) -> None:
    response = client.post(NOTICE_URL, json=[1, 2])

    assert response.status_code == 422


def test_unknown_format_is_400(client: FlaskClient, notice_body: BodyFactory) -> None:
    response = client.post(f"{NOTICE_URL}?format=odt", json=notice_body())

    assert response.status_code == 400
    assert response.get_json()["code"] == "unsupported_format"


@pytest.mark.parametrize(
    ("written", "printed"),
    [
        pytest.param("青政办发[2026]15号", "青政办发〔2026〕15号", id="square-brackets"),
        pytest.param("青政办发【2026】15号", "青政办发〔2026〕15号", id="lenticular-brackets"),
        pytest.param("青政办发(2026)15号", "青政办发〔2026〕15号", id="parentheses"),
        pytest.param("青政办发（2026）15号", "青政办发〔2026〕15号", id="full-width-parentheses"),
    ],
)
def test_bracket_slip_is_corrected_and_reported(
    client: FlaskClient, notice_body: BodyFactory, written: str, printed: str
) -> None:
    response = client.post(NOTICE_URL, json=notice_body(doc_number=written))

    assert response.status_code == 200
    report = json.loads(unquote(response.headers["Gongwen-Corrections"]))
    assert report[0]["field"] == "doc_number"
    assert report[0]["original"] == written
    assert report[0]["corrected"] == printed
    assert BILINGUAL.match(report[0]["message"])
    assert printed in document_text(response.data)


def test_colon_after_recipient_is_removed_and_reported(client: FlaskClient, notice_body: BodyFactory) -> None:
    body = notice_body()
    body["recipients"][-1] = "各直属单位:"

    response = client.post(NOTICE_URL, json=body)

    report = json.loads(unquote(response.headers["Gongwen-Corrections"]))
    assert report[0]["field"] == "recipients[2]"
    assert "各乡镇人民政府，县政府各部门，各直属单位：" in document_text(response.data)


def test_validate_route_lists_corrections_without_rendering(client: FlaskClient, notice_body: BodyFactory) -> None:
    response = client.post(f"{NOTICE_URL}/validate", json=notice_body(doc_number="青政办发[2026]15号"))

    assert response.status_code == 200
    assert response.get_json()["corrections"][0]["corrected"] == "青政办发〔2026〕15号"


# Data is only ever text: markup, Jinja, quotes, emoji and rare characters must come out as sent.
HOSTILE = "&<>\"' {{ 7*7 }} {% if x %}🎉𠀀堃喆"

# Every free-text field of the notice; formats with their own grammar (numbers, dates, phones,
# e-mail) are validated instead and have their own tests.
TEXT_FIELDS = [
    "issuer__name",
    "issuer__mark",
    "title",
    "recipients__0",
    "intro",
    "meeting__name",
    "meeting__venue",
    "meeting__check_in__place",
    "meeting__attendees__0",
    "meeting__agenda__1",
    "requirements__2",
    "reply__title",
    "contact__name",
    "signatory",
    "note",
    "cc__1",
    "printed_by",
]


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_hostile_text_in_every_field_is_printed_exactly(
    client: FlaskClient, notice_body: BodyFactory, field: str
) -> None:
    body = notice_body(**{field: HOSTILE})
    if field == "issuer__name":
        # The example names the signatory and printer itself; without them the issuer's name is printed.
        del body["signatory"], body["printed_by"]
    response = client.post(NOTICE_URL, json=body)

    assert response.status_code == 200, response.get_json()
    text = document_text(response.data).replace("\n", "")
    assert HOSTILE in text


def test_json_null_body_is_422_not_a_malformed_body(client: FlaskClient) -> None:
    # Found by the fuzzer (tests/api/test_fuzz.py): `null` is valid JSON, yet it was answered 400 "could not be parsed".
    response = client.post(NOTICE_URL, data="null", content_type="application/json")

    assert response.status_code == 422
    assert response.get_json()["code"] == "payload_invalid"
    assert response.get_json()["errors"] == {"": ["应为JSON对象 / Expected a JSON object."]}


@pytest.mark.parametrize(
    "url",
    [
        pytest.param(NOTICE_URL, id="render"),
        pytest.param("/api/v1/meetings", id="meeting"),
        pytest.param("/api/v1/users", id="user"),
        pytest.param("/api/v1/session", id="sign-in"),
    ],
)
@pytest.mark.parametrize(
    "body",
    [
        pytest.param('{"password": "\\ud800\\ud800\\ud800\\ud800\\ud800"}', id="lone-surrogate-value"),
        pytest.param('{"\\udfff": 1}', id="lone-surrogate-key"),
        pytest.param("[" * 900 + "]" * 900, id="nested-900-deep"),
        pytest.param("[" * 100_000 + "]" * 100_000, id="nested-past-the-parser"),
    ],
)
def test_json_no_route_can_take_further_is_400(client: FlaskClient, url: str, body: str) -> None:
    # Found probing past the fuzzer (which sends only valid UTF-8): a lone surrogate reached scrypt, the template
    # registry and the problem's own JSON encoding, and deep nesting overflowed the parser's stack; all were 500.
    response = client.post(url, data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["code"] == "json_invalid"
