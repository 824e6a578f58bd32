"""The sign-in sheet's schema: meeting time and place, the attendee list, blank rows for walk-ins."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask.testing import FlaskClient

from schemas.sign_in_sheet import MAX_ATTENDEES, SignInSheetSchema
from tests.conftest import BodyFactory

VALIDATE_URL = "/api/v1/documents/sign-in-sheet/validate"
BILINGUAL = re.compile(r"^[^\x00-\x7f].* / .*[A-Za-z]")
ATTENDEE = {"unit": "城关镇人民政府", "name": "王建军", "title": "副镇长"}


def test_example_body_validates(sheet_body: BodyFactory) -> None:
    data = SignInSheetSchema().load(sheet_body())

    assert len(data["attendees"]) == 20
    assert data["blank_rows"] == 5


def test_defaults_are_no_blank_rows_and_no_attendees(sheet_body: BodyFactory) -> None:
    data = SignInSheetSchema().load(sheet_body(blank_rows=None))

    assert data["blank_rows"] == 0
    assert SignInSheetSchema().load(sheet_body(attendees=None, blank_rows=30))["attendees"] == []


@pytest.mark.parametrize(
    "attendee",
    [
        pytest.param({"unit": "县应急管理局"}, id="unit-only"),
        pytest.param({"name": "王建军"}, id="name-only"),
        pytest.param({"unit": "县应急管理局", "name": "陈晓东"}, id="no-title"),
    ],
)
def test_attendee_needs_a_unit_or_a_name(sheet_body: BodyFactory, attendee: dict[str, str]) -> None:
    assert SignInSheetSchema().load(sheet_body(attendees=[attendee]))["attendees"] == [attendee]


def test_a_thousand_attendees_are_accepted(sheet_body: BodyFactory) -> None:
    data = SignInSheetSchema().load(sheet_body(attendees=[ATTENDEE] * MAX_ATTENDEES))

    assert len(data["attendees"]) == MAX_ATTENDEES


INVALID_BODIES = [
    pytest.param({"meeting": None}, "meeting", 422, id="missing-meeting"),
    pytest.param({"meeting__name": None}, "meeting.name", 422, id="missing-meeting-name"),
    pytest.param({"meeting__start": None}, "meeting.start", 422, id="missing-start"),
    pytest.param({"meeting__start": "2026-12-03T09:00:00"}, "meeting.start", 422, id="start-without-offset"),
    pytest.param({"meeting__end": "2026-12-03T08:00:00+08:00"}, "meeting.end", 422, id="end-before-start"),
    pytest.param({"meeting__venue": "   "}, "meeting.venue", 422, id="blank-venue"),
    pytest.param({"meeting__agenda": ["讲话"]}, "meeting.agenda", 422, id="unknown-meeting-field"),
    pytest.param({"title": "签" * 61}, "title", 422, id="title-too-long"),
    pytest.param({"issuer": ["青山县人民政府办公室"]}, "issuer", 422, id="issuer-not-a-string"),
    pytest.param({"attendees": {"unit": "县公安局"}}, "attendees", 422, id="attendees-not-a-list"),
    pytest.param({"attendees": [ATTENDEE] * (MAX_ATTENDEES + 1)}, "attendees", 422, id="too-many-attendees"),
    pytest.param({"attendees": [], "blank_rows": 0}, "attendees", 422, id="no-rows-at-all"),
    pytest.param({"attendees__0": "王建军"}, "attendees[0]", 422, id="attendee-not-an-object"),
    pytest.param({"attendees__1": {"title": "副镇长"}}, "attendees[1].name", 422, id="attendee-without-unit-or-name"),
    pytest.param({"attendees__2__title": "职" * 41}, "attendees[2].title", 422, id="attendee-title-too-long"),
    pytest.param({"attendees__3__name": "王\t建军"}, "attendees[3].name", 422, id="tab-in-name"),
    pytest.param({"attendees__4__phone": "13800000000"}, "attendees[4].phone", 422, id="unknown-attendee-field"),
    pytest.param({"blank_rows": -1}, "blank_rows", 422, id="negative-blank-rows"),
    pytest.param({"blank_rows": 201}, "blank_rows", 422, id="too-many-blank-rows"),
    pytest.param({"blank_rows": 2.5}, "blank_rows", 422, id="fractional-blank-rows"),
    pytest.param({"sign_column": "签名"}, "sign_column", 422, id="unknown-field"),
]


@pytest.mark.parametrize(("overrides", "field", "status"), INVALID_BODIES)
def test_invalid_body_is_rejected_naming_the_field(
    client: FlaskClient, sheet_body: BodyFactory, overrides: dict[str, Any], field: str, status: int
) -> None:
    response = client.post(VALIDATE_URL, json=sheet_body(**overrides))

    assert response.status_code == status
    problem = response.get_json()
    assert problem["code"] == "payload_invalid"
    assert field in problem["errors"], problem["errors"]
    assert all(BILINGUAL.match(message) for message in problem["errors"][field]), problem["errors"][field]


def test_example_is_valid_over_http(client: FlaskClient, sheet_body: BodyFactory) -> None:
    response = client.post(VALIDATE_URL, json=sheet_body())

    assert response.status_code == 200
    assert response.get_json() == {"valid": True, "corrections": []}
