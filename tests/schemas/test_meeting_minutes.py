"""The minutes schema: what office systems may send, and how each mistake is named in the 422."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask.testing import FlaskClient

from schemas.meeting_minutes import MeetingMinutesSchema
from tests.conftest import body_for

VALIDATE_URL = "/api/v1/documents/meeting-minutes/validate"
# Chinese first, then " / ", then English.
BILINGUAL = re.compile(r"^[^\x00-\x7f].* / .*[A-Za-z]")


minutes_body = body_for("meeting-minutes")


def load(body: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = MeetingMinutesSchema().load(body)
    return loaded


def test_example_body_validates_as_sent() -> None:
    data = load(minutes_body())

    assert data["issue_no"] == 27
    assert data["date"] == date(2026, 11, 27)
    assert data["decisions"][1]["support_units"] == []
    assert data["attendance"]["observers"] == ["县政府办公室 吴海涛"]
    assert data["printing"] == "double-sided"  # GB/T 9704-2012 prints on both sides


def test_optional_lists_default_to_empty() -> None:
    data = load(minutes_body(cc=None, attendance__absent=None, attendance__observers=None))

    assert data["cc"] == []
    assert data["attendance"]["absent"] == []
    assert data["attendance"]["observers"] == []


def test_hostile_text_survives_validation_unchanged() -> None:
    hostile = "<w:t>&amp;</w:t> {{ mark }} {%p if %} 🎉𠀀"

    assert load(minutes_body(intro=hostile))["intro"] == hostile


LONG = "议" * 1001
# (the body change, the field path in the 422's errors — or None —, the status)
CASES = [
    pytest.param({}, None, 200, id="example"),
    pytest.param({"issue_no": None, "intro": None, "cc": None}, None, 200, id="optional-fields-left-out"),
    pytest.param({"title": "关于县城老旧小区改造有关事项的会议纪要"}, None, 200, id="with-title"),
    pytest.param({"mark": None}, "mark", 422, id="missing-mark"),
    pytest.param({"mark": "青山县人民政府专题会议"}, "mark", 422, id="mark-without-jiyao"),
    pytest.param({"mark": "青山县人民政府" * 5 + "纪要"}, "mark", 422, id="mark-too-long"),
    pytest.param({"issue_no": 0}, "issue_no", 422, id="issue-zero"),
    pytest.param({"issue_no": "27"}, "issue_no", 422, id="issue-as-string"),
    pytest.param({"issuer": "  "}, "issuer", 422, id="blank-issuer"),
    pytest.param({"date": "2026/11/27"}, "date", 422, id="date-not-iso"),
    pytest.param({"date": "2026-11-18"}, "date", 422, id="dated-before-the-meeting"),
    pytest.param({"printed_on": "2026-11-26"}, "printed_on", 422, id="printed-before-dated"),
    pytest.param({"meeting": None}, "meeting", 422, id="missing-meeting"),
    pytest.param({"meeting__topic": None}, "meeting.topic", 422, id="missing-topic"),
    pytest.param({"meeting__start": "2026-11-19T15:00:00"}, "meeting.start", 422, id="start-without-offset"),
    pytest.param({"intro": "现将\x07纪要如下："}, "intro", 422, id="control-character"),
    pytest.param({"decisions": []}, "decisions", 422, id="no-decisions"),
    pytest.param({"decisions": "原则同意"}, "decisions", 422, id="decisions-not-a-list"),
    pytest.param({"decisions": [{"text": "同意。"}] * 51}, "decisions", 422, id="too-many-decisions"),
    pytest.param({"decisions__0__text": None}, "decisions[0].text", 422, id="decision-without-text"),
    pytest.param({"decisions__0__text": LONG}, "decisions[0].text", 422, id="decision-too-long"),
    pytest.param({"decisions__0__lead_unit": None}, "decisions[0].lead_unit", 422, id="support-without-lead"),
    pytest.param(
        {"decisions__0__support_units": "城关镇人民政府"}, "decisions[0].support_units", 422, id="units-not-a-list"
    ),
    pytest.param({"decisions__1__deadline": "2026-11-01"}, "decisions[1].deadline", 422, id="deadline-before"),
    pytest.param({"decisions__1__owner": "县财政局"}, "decisions[1].owner", 422, id="unknown-decision-field"),
    pytest.param({"attendance": None}, "attendance", 422, id="missing-attendance"),
    pytest.param({"attendance__present": []}, "attendance.present", 422, id="nobody-present"),
    pytest.param({"attendance__absent__0": "钱伟\x00"}, "attendance.absent[0]", 422, id="control-character-in-list"),
    pytest.param({"cc": "县考绩办"}, "cc", 422, id="cc-not-a-list"),
    pytest.param({"printing": "single-sided"}, None, 200, id="single-sided"),
    pytest.param({"printing": "duplex"}, "printing", 422, id="unknown-printing"),
    pytest.param({"titel": "错字段"}, "titel", 422, id="unknown-field"),
]


@pytest.mark.parametrize(("overrides", "field", "status"), CASES)
def test_validate_names_the_field_of_each_mistake(
    client: FlaskClient, overrides: dict[str, Any], field: str | None, status: int
) -> None:
    response = client.post(VALIDATE_URL, json=minutes_body(**overrides))

    assert response.status_code == status, response.get_json()
    problem = response.get_json()
    if field is None:
        assert problem["valid"] is True
        return
    assert response.mimetype == "application/problem+json"
    assert problem["code"] == "payload_invalid"
    assert field in problem["errors"], problem["errors"]
    assert all(BILINGUAL.match(message) for message in problem["errors"][field]), problem["errors"][field]


def test_every_problem_is_reported_at_once(client: FlaskClient) -> None:
    body = minutes_body(mark="会议记录", issue_no=-1, attendance__present=[])

    problem = client.post(VALIDATE_URL, json=body).get_json()

    assert {"mark", "issue_no", "attendance.present"} <= set(problem["errors"])
