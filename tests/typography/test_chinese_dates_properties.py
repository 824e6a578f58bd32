"""Properties of 公文 dates and times: unpadded dates that read back, weekdays, periods of the day, time spans."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.typography.chinese_dates import (
    day_period,
    format_clock,
    format_date,
    format_datetime,
    format_datetime_range,
    weekday_name,
)

DATE = re.compile(r"(?P<year>[1-9]\d{0,3})年(?P<month>[1-9]\d?)月(?P<day>[1-9]\d?)日")
PERIODS = "凌晨|上午|中午|下午|晚上"
CLOCK = rf"(?P<period>{PERIODS})(?P<hour>[1-9]?\d):(?P<minute>[0-5]\d)"
DATETIME = re.compile(rf"{DATE.pattern}（星期(?P<weekday>[一二三四五六日])）{CLOCK}")
# The periods as the docstrings of day_period() name them, [first, last) in hours; 晚上 runs to midnight.
PERIOD_HOURS = [("凌晨", 0, 6), ("上午", 6, 12), ("中午", 12, 13), ("下午", 13, 18), ("晚上", 18, 24)]
# What a 12-hour clock reading adds to become the 24-hour one, by period.
PERIOD_OFFSET = {"凌晨": 0, "上午": 0, "中午": 0, "下午": 12, "晚上": 12}

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
datetimes = st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31))


def zeller_weekday(d: date) -> str:
    """The weekday by Zeller's congruence, written 一 (Monday) … 日 (Sunday); nothing here asks datetime."""
    year, month = (d.year - 1, d.month + 12) if d.month < 3 else (d.year, d.month)
    century, year_of_century = divmod(year, 100)
    h = (d.day + 13 * (month + 1) // 5 + year_of_century + year_of_century // 4 + century // 4 + 5 * century) % 7
    return "六日一二三四五"[h]  # Zeller counts from Saturday


def read_date(text: str) -> date:
    match = DATE.fullmatch(text)
    assert match is not None, text
    return date(int(match["year"]), int(match["month"]), int(match["day"]))


def read_clock(period: str, clock: str) -> time:
    hour, minute = (int(part) for part in clock.split(":"))
    return time(hour + PERIOD_OFFSET[period], minute)


def read_datetime(text: str) -> datetime:
    match = DATETIME.fullmatch(text)
    assert match is not None, text
    day = read_date(text[: match.end("day") + 1])
    assert match["weekday"] == zeller_weekday(day)
    return datetime.combine(day, read_clock(match["period"], f"{match['hour']}:{match['minute']}"))


@settings(max_examples=300)
@given(d=st.dates())
def test_format_date_is_unpadded_and_reads_back(d: date) -> None:
    text = format_date(d)

    assert DATE.fullmatch(text), text
    assert read_date(text) == d


@settings(max_examples=300)
@given(d=st.dates())
def test_weekday_name_agrees_with_zeller_and_with_the_day_count(d: date) -> None:
    assert weekday_name(d) == "星期" + zeller_weekday(d)
    # 1 January of year 1 (ordinal 1) was a Monday in the proleptic Gregorian calendar.
    assert weekday_name(d) == "星期" + "一二三四五六日"[(d.toordinal() - 1) % 7]


def test_day_period_gives_every_minute_of_the_day_exactly_one_period() -> None:
    for minute_of_day in range(24 * 60):
        hour, minute = divmod(minute_of_day, 60)
        containing = [name for name, first, last in PERIOD_HOURS if first <= hour < last]
        assert len(containing) == 1
        assert day_period(time(hour, minute)) == containing[0], f"{hour}:{minute:02d}"


@pytest.mark.parametrize(
    ("t", "expected"),
    [
        (time(0, 0), "凌晨"),
        (time(5, 59, 59, 999999), "凌晨"),
        (time(6, 0), "上午"),
        (time(11, 59, 59, 999999), "上午"),
        (time(12, 0), "中午"),
        (time(12, 59, 59, 999999), "中午"),
        (time(13, 0), "下午"),
        (time(17, 59, 59, 999999), "下午"),
        (time(18, 0), "晚上"),
        (time(23, 59, 59, 999999), "晚上"),
    ],
    ids=lambda value: value.isoformat() if isinstance(value, time) else value,
)
def test_day_period_changes_exactly_at_the_boundaries(t: time, expected: str) -> None:
    assert day_period(t) == expected


@settings(max_examples=300)
@given(t=st.times(), tz=st.none() | offsets)
def test_period_and_clock_read_back_as_the_time_to_the_minute(t: time, tz: timezone | None) -> None:
    t = t.replace(tzinfo=tz)

    period, clock = day_period(t), format_clock(t)

    assert re.fullmatch(r"(0|[1-9]\d?):[0-5]\d", clock), clock
    assert read_clock(period, clock) == time(t.hour, t.minute)


@settings(max_examples=300)
@given(dt=datetimes, tz=st.none() | offsets)
def test_format_datetime_reads_back_in_its_own_offset(dt: datetime, tz: timezone | None) -> None:
    dt = dt.replace(tzinfo=tz)

    assert read_datetime(format_datetime(dt)) == dt.replace(second=0, microsecond=0, tzinfo=None)


@st.composite
def spans(draw: st.DrawFn) -> tuple[datetime, datetime]:
    """A start and a later end, both naive or both in one offset."""
    start = draw(datetimes).replace(tzinfo=draw(st.none() | offsets))
    length = draw(
        st.one_of(
            st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=23)),
            st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=800)),
        )
    )
    return start, start + length


@settings(max_examples=300)
@given(span=spans())
def test_a_span_within_one_day_shows_the_date_once_and_a_span_over_days_shows_both(
    span: tuple[datetime, datetime],
) -> None:
    start, end = span

    text = format_datetime_range(start, end)

    assert text.startswith(format_datetime(start))
    rest = text[len(format_datetime(start)) :]
    if end == start:
        assert rest == ""
    elif end.date() == start.date():
        assert text.count("年") == 1 and text.count("星期") == 1
        assert "至" not in text
        period = day_period(end.time()) if day_period(end.time()) != day_period(start.time()) else ""
        assert rest == "—" + period + format_clock(end.time())
        assert read_clock(day_period(end.time()), format_clock(end.time())) == time(end.hour, end.minute)
    else:
        assert rest.startswith("至")
        assert text.count("星期") == 2
        # The second date carries its year only when the year changes.
        year = f"{end.year}年" if end.year != start.year else ""
        second = f"{end.month}月{end.day}日（{weekday_name(end)}）{day_period(end.time())}{format_clock(end.time())}"
        assert rest == "至" + year + second
        assert read_datetime(f"{end.year}年{second}") == end.replace(second=0, microsecond=0, tzinfo=None)


@settings(max_examples=200)
@given(span=spans(), backwards=st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=30)))
def test_an_end_before_the_start_is_refused_bilingually(span: tuple[datetime, datetime], backwards: timedelta) -> None:
    start, _ = span

    with pytest.raises(ValueError, match=r"结束时间早于开始时间 / end .* is before start"):
        format_datetime_range(start, start - backwards)


@settings(max_examples=100)
@given(start=datetimes, end=datetimes, tz=offsets, aware_end=st.booleans())
def test_mixing_naive_and_aware_is_refused_bilingually(
    start: datetime, end: datetime, tz: timezone, aware_end: bool
) -> None:
    start, end = (start, end.replace(tzinfo=tz)) if aware_end else (start.replace(tzinfo=tz), end)

    with pytest.raises(ValueError, match=r"须同时带或同时不带时区 / start and end must both"):
        format_datetime_range(start, end)
