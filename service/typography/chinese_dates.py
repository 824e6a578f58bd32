"""Dates and times as 公文 write them: 2026年12月3日（星期四）上午9:00.

Dates use Arabic digits with the full year and no zero padding (GB/T 9704-2012 7.3.5.4, and
clause 9 referring to GB/T 15835). Times use the 12-hour clock with a named period of the day,
the way meeting notices write them. A datetime is always shown in its own offset: a meeting at
09:00+08:00 reads 上午9:00 wherever the server runs; nothing here converts time zones.
"""

from __future__ import annotations

from datetime import date, datetime, time

_WEEKDAYS = "一二三四五六日"
# (first hour of the period, its name), in order; each runs until the next one starts.
_PERIODS = ((0, "凌晨"), (6, "上午"), (12, "中午"), (13, "下午"), (18, "晚上"))
RANGE_DASH = "—"  # U+2014, one 一字线 between two clock times (GB/T 15834-2011 连接号)
RANGE_TO = "至"


def format_date(d: date) -> str:
    """2026年11月25日: Arabic digits, full year, no zero padding."""
    return f"{d.year}年{d.month}月{d.day}日"


def weekday_name(d: date) -> str:
    """星期一 … 星期日."""
    return "星期" + _WEEKDAYS[d.weekday()]


def day_period(t: time) -> str:
    """凌晨 (0–6), 上午 (6–12), 中午 (12–13), 下午 (13–18) or 晚上 (18–24)."""
    name = _PERIODS[0][1]
    for first_hour, period in _PERIODS:
        if t.hour >= first_hour:
            name = period
    return name


def format_clock(t: time) -> str:
    """The 12-hour clock that goes after day_period(): 9:00, 3:30, 12:15, 0:30 (seconds are dropped)."""
    hour = t.hour - 12 if t.hour > 12 else t.hour
    return f"{hour}:{t.minute:02d}"


def _date_and_weekday(d: date, *, with_year: bool = True) -> str:
    text = format_date(d) if with_year else f"{d.month}月{d.day}日"
    return f"{text}（{weekday_name(d)}）"


def _period_and_clock(t: time) -> str:
    return day_period(t) + format_clock(t)


def format_datetime(dt: datetime) -> str:
    """2026年12月3日（星期四）上午9:00, in dt's own offset."""
    return _date_and_weekday(dt.date()) + _period_and_clock(dt.time())


def format_datetime_range(start: datetime, end: datetime | None) -> str:
    """A meeting's time span, written as short as it reads unambiguously.

    Same day: 2026年12月3日（星期四）上午9:00—11:30, or 上午9:00—下午2:00 when the period changes.
    Different days: 2026年12月3日（星期四）上午9:00至12月4日（星期五）下午5:00, the second year shown only
    when it differs. No end, or an end equal to the start: format_datetime(start). Each end is shown in
    its own offset. Raises ValueError when end is before start or only one of them has an offset.
    """
    if end is None:
        return format_datetime(start)
    if (start.utcoffset() is None) != (end.utcoffset() is None):
        raise ValueError(
            "开始和结束时间须同时带或同时不带时区 / start and end must both have a UTC offset or both lack one"
        )
    if end < start:
        raise ValueError(f"结束时间早于开始时间 / end {end.isoformat()} is before start {start.isoformat()}")
    if end == start:
        return format_datetime(start)
    start_day, end_day = start.date(), end.date()
    if start_day == end_day:
        start_time, end_time = start.time(), end.time()
        end_text = format_clock(end_time)
        if day_period(end_time) != day_period(start_time):
            end_text = day_period(end_time) + end_text
        return format_datetime(start) + RANGE_DASH + end_text
    second = _date_and_weekday(end_day, with_year=end_day.year != start_day.year)
    return format_datetime(start) + RANGE_TO + second + _period_and_clock(end.time())


def format_deadline(dt: datetime) -> str:
    """A deadline: 2026年12月1日（星期二）下午5:00前."""
    return format_datetime(dt) + "前"
