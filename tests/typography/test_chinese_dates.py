"""Dates and times written the 公文 way: 2026年12月3日（星期四）上午9:00."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from service.typography.chinese_dates import (
    day_period,
    format_clock,
    format_date,
    format_datetime,
    format_datetime_range,
    format_deadline,
    weekday_name,
)

BEIJING = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (date(2026, 11, 25), "2026年11月25日"),
        (date(2026, 1, 5), "2026年1月5日"),
        (date(2012, 7, 1), "2012年7月1日"),
        (datetime(2026, 12, 3, 23, 59), "2026年12月3日"),
    ],
    ids=["two-digit-month-and-day", "no-zero-padding", "standard-example", "datetime-gives-its-date"],
)
def test_format_date(d: date, expected: str) -> None:
    assert format_date(d) == expected


def test_weekday_name_runs_monday_to_sunday() -> None:
    names = [weekday_name(date(2026, 11, 30) + timedelta(days=offset)) for offset in range(7)]
    assert names == ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"]


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (time(0, 0), "凌晨"),
        (time(5, 59), "凌晨"),
        (time(6, 0), "上午"),
        (time(11, 59), "上午"),
        (time(12, 0), "中午"),
        (time(12, 59), "中午"),
        (time(13, 0), "下午"),
        (time(17, 59), "下午"),
        (time(18, 0), "晚上"),
        (time(23, 59), "晚上"),
    ],
    ids=lambda value: value.strftime("%H:%M") if isinstance(value, time) else value,
)
def test_day_period_boundaries(t: time, expected: str) -> None:
    assert day_period(t) == expected


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (time(9, 0), "9:00"),
        (time(15, 30), "3:30"),
        (time(12, 15), "12:15"),
        (time(0, 30), "0:30"),
        (time(13, 5), "1:05"),
        (time(23, 59, 59), "11:59"),
    ],
    ids=["morning", "afternoon", "noon", "after-midnight", "padded-minutes", "seconds-dropped"],
)
def test_format_clock_is_twelve_hour_without_padding_the_hour(t: time, expected: str) -> None:
    assert format_clock(t) == expected


def test_format_datetime() -> None:
    assert format_datetime(datetime(2026, 12, 3, 9, 0)) == "2026年12月3日（星期四）上午9:00"


def test_format_datetime_keeps_the_datetimes_own_offset() -> None:
    meeting = datetime(2026, 12, 3, 9, 0, tzinfo=BEIJING)
    assert format_datetime(meeting) == "2026年12月3日（星期四）上午9:00"
    assert format_datetime(meeting.astimezone(UTC)) == "2026年12月3日（星期四）凌晨1:00"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (datetime(2026, 12, 3, 9), None, "2026年12月3日（星期四）上午9:00"),
        (datetime(2026, 12, 3, 9), datetime(2026, 12, 3, 9), "2026年12月3日（星期四）上午9:00"),
        (datetime(2026, 12, 3, 9), datetime(2026, 12, 3, 11, 30), "2026年12月3日（星期四）上午9:00—11:30"),
        (datetime(2026, 12, 3, 9), datetime(2026, 12, 3, 14), "2026年12月3日（星期四）上午9:00—下午2:00"),
        (
            datetime(2026, 12, 3, 11),
            datetime(2026, 12, 3, 12, 30),
            "2026年12月3日（星期四）上午11:00—中午12:30",
        ),
        (datetime(2026, 12, 3, 14), datetime(2026, 12, 3, 17, 30), "2026年12月3日（星期四）下午2:00—5:30"),
        (
            datetime(2026, 12, 3, 9),
            datetime(2026, 12, 4, 17),
            "2026年12月3日（星期四）上午9:00至12月4日（星期五）下午5:00",
        ),
        (
            datetime(2026, 12, 3, 22),
            datetime(2026, 12, 4, 1),
            "2026年12月3日（星期四）晚上10:00至12月4日（星期五）凌晨1:00",
        ),
        (
            datetime(2026, 12, 31, 20),
            datetime(2027, 1, 1, 0, 30),
            "2026年12月31日（星期四）晚上8:00至2027年1月1日（星期五）凌晨0:30",
        ),
        (
            datetime(2026, 12, 3, 9, tzinfo=BEIJING),
            datetime(2026, 12, 3, 11, 30, tzinfo=BEIJING),
            "2026年12月3日（星期四）上午9:00—11:30",
        ),
    ],
    ids=[
        "no-end",
        "end-equals-start",
        "same-period",
        "period-changes",
        "morning-to-noon",
        "afternoon",
        "next-day",
        "across-midnight",
        "across-new-year",
        "with-offsets",
    ],
)
def test_format_datetime_range(start: datetime, end: datetime | None, expected: str) -> None:
    assert format_datetime_range(start, end) == expected


def test_format_datetime_range_uses_one_em_dash() -> None:
    text = format_datetime_range(datetime(2026, 12, 3, 9), datetime(2026, 12, 3, 11))
    assert text.count("\u2014") == 1
    assert "-" not in text and "~" not in text


def test_format_datetime_range_rejects_an_end_before_the_start() -> None:
    with pytest.raises(ValueError, match="before start"):
        format_datetime_range(datetime(2026, 12, 3, 11), datetime(2026, 12, 3, 9))


def test_format_datetime_range_rejects_mixing_naive_and_aware() -> None:
    with pytest.raises(ValueError, match="offset"):
        format_datetime_range(datetime(2026, 12, 3, 9, tzinfo=BEIJING), datetime(2026, 12, 3, 11))


def test_format_deadline() -> None:
    assert format_deadline(datetime(2026, 12, 1, 17, 0)) == "2026年12月1日（星期二）下午5:00前"
