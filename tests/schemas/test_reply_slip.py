"""The standalone reply slip's schema: the notice's reply and contact objects, prefilled rows, cross-field rules."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from schemas.reply_slip import ReplySlipSchema
from tests.conftest import BodyFactory, load_example

VALIDATE_URL = "/api/v1/documents/reply-slip/validate"
# Chinese first, then " / ", then English.
BILINGUAL = re.compile(r"^[^\x00-\x7f].* / .*[A-Za-z]")


def person(**fields: Any) -> dict[str, Any]:
    return {"name": "王建军", **fields}


def test_example_body_validates_with_the_notice_defaults(reply_slip_body: BodyFactory) -> None:
    data = ReplySlipSchema().load(reply_slip_body())

    assert data["reply"]["rows"] == 8
    assert data["attendees"] == []
    assert data["meeting"]["name"] == "全县冬春季安全生产工作会议"


def test_the_notice_reply_object_is_accepted_as_is(reply_slip_body: BodyFactory) -> None:
    """An office system copies `reply` and `contact` from the notice body unchanged."""
    notice = load_example("meeting-notice")
    body = reply_slip_body(reply=notice["reply"], contact=notice["contact"])

    assert ReplySlipSchema().load(body)["reply"]["email"] == notice["reply"]["email"]


def test_prefilled_attendee_keeps_every_column(reply_slip_body: BodyFactory) -> None:
    attendee = person(gender="男", unit="城关镇人民政府", title="副镇长", phone="13800000000", remarks="住宿")

    data = ReplySlipSchema().load(reply_slip_body(attendees=[attendee]))

    assert data["attendees"] == [attendee]


def test_meeting_start_is_optional(reply_slip_body: BodyFactory) -> None:
    assert "start" not in ReplySlipSchema().load(reply_slip_body(meeting__start=None))["meeting"]


def test_hostile_text_survives_validation_unchanged(reply_slip_body: BodyFactory) -> None:
    hostile = '<w:t>&amp;</w:t> "{{ title }}" {%p if %}'

    assert ReplySlipSchema().load(reply_slip_body(meeting__name=hostile))["meeting"]["name"] == hostile


INVALID_BODIES = [
    pytest.param({"meeting": None}, "meeting", 422, id="missing-meeting"),
    pytest.param({"meeting__name": None}, "meeting.name", 422, id="missing-meeting-name"),
    pytest.param({"meeting__name": "会" * 101}, "meeting.name", 422, id="meeting-name-too-long"),
    pytest.param({"meeting__start": "2026-12-03 09:00"}, "meeting.start", 422, id="start-not-iso"),
    pytest.param({"reply": None}, "reply", 422, id="missing-reply"),
    pytest.param({"reply__deadline": None}, "reply.deadline", 422, id="missing-deadline"),
    pytest.param({"reply__deadline": "2026-12-01T17:00:00"}, "reply.deadline", 422, id="deadline-without-offset"),
    pytest.param(
        {"reply__deadline": "2026-12-05T17:00:00+08:00"}, "reply.deadline", 422, id="deadline-after-the-meeting"
    ),
    pytest.param({"reply__rows": 0}, "reply.rows", 422, id="no-rows"),
    pytest.param({"reply__rows": 61}, "reply.rows", 422, id="too-many-rows"),
    pytest.param({"reply__rows": "8"}, "reply.rows", 422, id="rows-as-string"),
    pytest.param({"reply__fax": "fax me"}, "reply.fax", 422, id="bad-fax"),
    pytest.param({"reply__email": "yjj-at-qingshan"}, "reply.email", 422, id="bad-email"),
    pytest.param({"reply__title": "回执\x07"}, "reply.title", 422, id="control-character-in-title"),
    pytest.param({"contact__phone": "call me"}, "contact.phone", 422, id="bad-contact-phone"),
    pytest.param({"issuer": "机" * 51}, "issuer", 422, id="issuer-too-long"),
    pytest.param({"attendees": "王建军"}, "attendees", 422, id="attendees-not-a-list"),
    pytest.param({"attendees": [person()] * 61}, "attendees", 422, id="more-attendees-than-rows-allow"),
    pytest.param({"attendees": ["王建军"]}, "attendees[0]", 422, id="attendee-not-an-object"),
    pytest.param({"attendees": [{"unit": "城关镇"}]}, "attendees[0].name", 422, id="attendee-without-name"),
    pytest.param({"attendees": [person(gender="M")]}, "attendees[0].gender", 422, id="unknown-gender"),
    pytest.param(
        {"attendees": [person(), person(unit="城关镇\x00")]}, "attendees[1].unit", 422, id="control-character-in-unit"
    ),
    pytest.param({"attendees": [person(phone="n/a")]}, "attendees[0].phone", 422, id="bad-attendee-phone"),
    pytest.param({"attendees": [person(age=40)]}, "attendees[0].age", 422, id="unknown-attendee-field"),
    pytest.param({"meeting_name": "全县会议"}, "meeting_name", 422, id="unknown-field"),
]


@pytest.mark.parametrize(("overrides", "field", "status"), INVALID_BODIES)
def test_invalid_body_is_rejected_naming_the_field(
    client: FlaskClient, reply_slip_body: BodyFactory, overrides: dict[str, Any], field: str, status: int
) -> None:
    response = client.post(VALIDATE_URL, json=reply_slip_body(**overrides))

    assert response.status_code == status
    problem = response.get_json()
    assert problem["code"] == "payload_invalid"
    assert field in problem["errors"], problem["errors"]
    assert all(BILINGUAL.match(message) for message in problem["errors"][field]), problem["errors"][field]


def test_example_is_valid_over_http(client: FlaskClient, reply_slip_body: BodyFactory) -> None:
    response = client.post(VALIDATE_URL, json=reply_slip_body())

    assert response.status_code == 200
    assert response.get_json() == {"valid": True, "corrections": []}
