"""The feedback slip's body: defaults, the computed 意见反馈时间, and every way a body is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from marshmallow import ValidationError

from schemas.minutes_feedback_slip import MinutesFeedbackSlipSchema
from service.documents.pipeline import validate_document
from service.errors import PayloadInvalidError
from service.typography.workdays import published_years
from tests.conftest import body_for

KIND = "minutes-feedback-slip"
CHINA = timezone(timedelta(hours=8))
LAST_PUBLISHED = published_years().stop - 1


slip_body = body_for(KIND)


def load(body: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = MinutesFeedbackSlipSchema().load(body)
    return loaded


def test_example_validates_with_its_deadline_computed() -> None:
    data = load(slip_body())

    assert data["units"] == ["县住建局", "县财政局", "县自然资源和规划局", "城关镇人民政府"]
    # Sent Friday 20 November 2026 16:30; two working days: Monday 23, Tuesday 24; at 17:30.
    assert data["reply_by"] == datetime(2026, 11, 24, 17, 30, tzinfo=CHINA)


def test_defaults_fill_title_closing_time_reviewer_and_section() -> None:
    data = load(slip_body(reviewer=None, reply_to_section=None))

    assert data["title"] == "会议纪要意见反馈单"
    assert data["closing_time"] == "17:30"
    assert data["reviewer"] == ""
    assert data["reply_to_section"] == ""


@pytest.mark.parametrize(
    ("sent_at", "workdays", "closing", "expected"),
    [
        pytest.param("2026-11-20T16:30:00+08:00", 2, "17:30", datetime(2026, 11, 24, 17, 30), id="across-a-weekend"),
        pytest.param("2026-11-20T08:00:00+08:00", 1, "17:00", datetime(2026, 11, 23, 17, 0), id="closing-at-five"),
        pytest.param("2026-11-21T10:00:00+08:00", 1, "17:30", datetime(2026, 11, 23, 17, 30), id="sent-on-saturday"),
        pytest.param("2026-09-30T11:00:00+08:00", 2, "17:30", datetime(2026, 10, 9, 17, 30), id="across-national-day"),
        pytest.param("2026-10-09T15:00:00+08:00", 1, "17:30", datetime(2026, 10, 10, 17, 30), id="make-up-saturday"),
        pytest.param("2026-09-18T09:00:00+08:00", 1, "17:30", datetime(2026, 9, 20, 17, 30), id="make-up-sunday"),
    ],
)
def test_deadline_is_closing_time_on_the_nth_working_day(
    sent_at: str, workdays: int, closing: str, expected: datetime
) -> None:
    data = load(slip_body(sent_at=sent_at, reply_within_workdays=workdays, closing_time=closing))

    assert data["reply_by"] == expected.replace(tzinfo=CHINA)


def test_deadline_keeps_the_offset_the_time_was_sent_in() -> None:
    # 2026-11-20 23:30 in UTC is already Saturday in China; the day is counted as the office's clock read it.
    data = load(slip_body(sent_at="2026-11-20T23:30:00+00:00", reply_within_workdays=1))

    assert data["reply_by"] == datetime(2026, 11, 23, 17, 30, tzinfo=UTC)


def test_hostile_text_survives_validation_unchanged() -> None:
    hostile = '<w:t>&amp;</w:t> "引号" {{ topic }} {%p if %}'

    assert load(slip_body(topic=hostile))["topic"] == hostile


def test_unit_list_refuses_a_unit_named_twice() -> None:
    with pytest.raises(ValidationError) as raised:
        load(slip_body(units=["县住建局", "县财政局", "县住建局"]))

    assert list(raised.value.messages) == ["units[2]"]


# Each case: the change to the example body, the field path the 422 names, the status.
INVALID_BODIES = [
    pytest.param({"issuer": None}, "issuer", 422, id="issuer-missing"),
    pytest.param({"issuer": "青" * 29}, "issuer", 422, id="issuer-longer-than-a-line"),
    pytest.param({"topic": "  "}, "topic", 422, id="topic-blank"),
    pytest.param({"topic": "研" * 101}, "topic", 422, id="topic-too-long"),
    pytest.param({"chair": "林国平\t副县长"}, "chair", 422, id="chair-control-character"),
    pytest.param({"chair": 7}, "chair", 422, id="chair-not-text"),
    pytest.param({"units": []}, "units", 422, id="units-empty"),
    pytest.param({"units": "县住建局"}, "units", 422, id="units-not-a-list"),
    pytest.param({"units": ["县" * 31]}, "units[0]", 422, id="unit-too-long"),
    pytest.param({"units": ["县住建局", "县住建局"]}, "units[1]", 422, id="unit-twice"),
    pytest.param({"units": ["督查室/信访局", "督查室_信访局"]}, "units[1]", 422, id="units-with-one-file-name"),
    pytest.param({"units": [f"单位{n}" for n in range(51)]}, "units", 422, id="too-many-units"),
    pytest.param({"drafter": None}, "drafter", 422, id="drafter-missing"),
    pytest.param({"drafter__phone": None}, "drafter.phone", 422, id="drafter-phone-missing"),
    pytest.param({"drafter__phone": "call me"}, "drafter.phone", 422, id="drafter-phone-garbled"),
    pytest.param({"drafter__email": "zfbmsk.qingshan"}, "drafter.email", 422, id="drafter-email-garbled"),
    pytest.param({"drafter__mobile": "13800000000"}, "drafter.mobile", 422, id="drafter-unknown-field"),
    pytest.param({"reviewer": "审" * 41}, "reviewer", 422, id="reviewer-too-long"),
    pytest.param({"sent_at": "2026-11-20T16:30:00"}, "sent_at", 422, id="sent-at-without-offset"),
    pytest.param({"sent_at": "2026年11月20日"}, "sent_at", 422, id="sent-at-not-iso"),
    pytest.param(
        {"sent_at": f"{LAST_PUBLISHED + 1}-03-02T10:00:00+08:00"}, "sent_at", 422, id="sent-in-unpublished-year"
    ),
    pytest.param(
        {"sent_at": f"{LAST_PUBLISHED}-12-30T10:00:00+08:00", "reply_within_workdays": 5},
        "sent_at",
        422,
        id="deadline-in-unpublished-year",
    ),
    pytest.param({"sent_at": "2003-06-02T10:00:00+08:00"}, "sent_at", 422, id="sent-before-the-calendar"),
    pytest.param({"reply_within_workdays": 0}, "reply_within_workdays", 422, id="workdays-zero"),
    pytest.param({"reply_within_workdays": 31}, "reply_within_workdays", 422, id="workdays-over-thirty"),
    pytest.param({"reply_within_workdays": "2"}, "reply_within_workdays", 422, id="workdays-as-text"),
    pytest.param({"reply_within_workdays": None}, "reply_within_workdays", 422, id="workdays-missing"),
    pytest.param({"reply_to_section": "科" * 21}, "reply_to_section", 422, id="section-too-long"),
    pytest.param({"closing_time": "5:30pm"}, "closing_time", 422, id="closing-time-garbled"),
    pytest.param({"closing_time": "24:00"}, "closing_time", 422, id="closing-time-out-of-range"),
    pytest.param({"title": "题" * 41}, "title", 422, id="title-too-long"),
    pytest.param({"deadline": "2026-11-24"}, "deadline", 422, id="unknown-field"),
    pytest.param(
        {
            "topic": "研究" * 50,
            "chair": "主持" * 20,
            "reviewer": "审核" * 20,
        },
        "topic",
        422,
        id="too-much-text-for-one-page",
    ),
]


@pytest.mark.parametrize(("change", "field", "status"), INVALID_BODIES)
def test_invalid_body_is_refused_naming_the_field(change: dict[str, Any], field: str, status: int) -> None:
    with pytest.raises(PayloadInvalidError) as raised:
        validate_document(KIND, slip_body(**change))

    assert raised.value.status == status
    assert field in raised.value.errors, raised.value.errors
    for message in raised.value.errors[field]:
        chinese, english = message.split(" / ", 1)
        assert chinese and english


def test_unpublished_year_message_says_the_schedule_is_not_published() -> None:
    year = LAST_PUBLISHED + 1
    with pytest.raises(PayloadInvalidError) as raised:
        validate_document(KIND, slip_body(sent_at=f"{year}-01-05T10:00:00+08:00"))

    (message,) = raised.value.errors["sent_at"]
    assert f"{year}年的节假日安排尚未公布" in message
    assert "not published" in message
