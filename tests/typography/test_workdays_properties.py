"""Working days checked against the State Council's holiday notices themselves, not against chinesecalendar."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.errors import PayloadInvalidError
from service.typography.workdays import add_workdays, is_workday, published_years

ONE_DAY = timedelta(days=1)

# Written from the notices, not from chinesecalendar: per year, the 放假 ranges (first and last day, both
# included; a holiday "与周末连休" is listed by its own date, the weekend resting anyway) and the 调休 days
# on which work is made up (上班).
#
# 国务院办公厅关于2024年部分节假日安排的通知（国办发明电〔2023〕7号，2023年10月25日）. Its 除夕 (9 February)
# is only a day the notice encourages units to give off (鼓励…安排职工在除夕休息), so it stays a working day.
# 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024年11月12日）.
# 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）.
HOLIDAYS: dict[int, list[tuple[str, str]]] = {
    2024: [
        ("01-01", "01-01"),  # 元旦
        ("02-10", "02-17"),  # 春节
        ("04-04", "04-06"),  # 清明节
        ("05-01", "05-05"),  # 劳动节
        ("06-10", "06-10"),  # 端午节
        ("09-15", "09-17"),  # 中秋节
        ("10-01", "10-07"),  # 国庆节
    ],
    2025: [
        ("01-01", "01-01"),  # 元旦, 不调休
        ("01-28", "02-04"),  # 春节, 农历除夕 to 正月初七
        ("04-04", "04-06"),  # 清明节
        ("05-01", "05-05"),  # 劳动节
        ("05-31", "06-02"),  # 端午节
        ("10-01", "10-08"),  # 国庆节、中秋节
    ],
    2026: [
        ("01-01", "01-03"),  # 元旦
        ("02-15", "02-23"),  # 春节, 腊月二十八 to 正月初七
        ("04-04", "04-06"),  # 清明节
        ("05-01", "05-05"),  # 劳动节
        ("06-19", "06-21"),  # 端午节
        ("09-25", "09-27"),  # 中秋节
        ("10-01", "10-07"),  # 国庆节
    ],
}
MAKE_UP_DAYS: dict[int, list[str]] = {
    2024: ["02-04", "02-18", "04-07", "04-28", "05-11", "09-14", "09-29", "10-12"],
    2025: ["01-26", "02-08", "04-27", "09-28", "10-11"],
    2026: ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"],
}
FIRST_DAY = date(min(HOLIDAYS), 1, 1)
LAST_DAY = date(max(HOLIDAYS), 12, 31)


def on(year: int, month_day: str) -> date:
    month, day = month_day.split("-")
    return date(year, int(month), int(day))


def days_off() -> frozenset[date]:
    off = set()
    for year, ranges in HOLIDAYS.items():
        for first, last in ranges:
            day = on(year, first)
            while day <= on(year, last):
                off.add(day)
                day += ONE_DAY
    return frozenset(off)


DAYS_OFF = days_off()
MADE_UP = frozenset(on(year, month_day) for year, days in MAKE_UP_DAYS.items() for month_day in days)


def works(day: date) -> bool:
    """Whether the notices make `day` a working day: a made-up weekend day, or a weekday not given off."""
    assert FIRST_DAY <= day <= LAST_DAY, f"{day} is outside the notices written here"
    if day in MADE_UP:
        return True
    return day.isoweekday() <= 5 and day not in DAYS_OFF


def nth_working_day(start: date, count: int) -> date | None:
    """The count-th working day after start by the notices, or None when the notices run out first."""
    day = start
    while count:
        day += ONE_DAY
        if day > LAST_DAY:
            return None
        count -= works(day)
    return day


def test_the_notices_written_here_are_consistent() -> None:
    assert not DAYS_OFF & MADE_UP
    assert all(day.isoweekday() >= 6 for day in MADE_UP)  # 调休 only ever makes a Saturday or Sunday a working day


def test_the_notices_written_here_reach_the_last_year_the_calendar_carries() -> None:
    # When chinesecalendar brings a new year, add that year's notice above, so it is checked too.
    assert max(HOLIDAYS) == published_years().stop - 1
    assert all(year in published_years() for year in HOLIDAYS)


def test_is_workday_agrees_with_the_notices_on_every_day_they_cover() -> None:
    disagreements = [
        day
        for day in (FIRST_DAY + ONE_DAY * offset for offset in range((LAST_DAY - FIRST_DAY).days + 1))
        if is_workday(day) != works(day)
    ]

    assert disagreements == []


@settings(max_examples=300, deadline=None)
@given(
    # Counting never looks at the start itself, so it may be the last day before the notices begin.
    start=st.dates(min_value=FIRST_DAY - ONE_DAY, max_value=LAST_DAY),
    count=st.integers(min_value=1, max_value=60),
)
def test_add_workdays_is_the_nth_working_day_by_the_notices(start: date, count: int) -> None:
    expected = nth_working_day(start, count)
    if expected is None:
        # The period runs past the last notice, which is the last year the calendar carries (see above).
        with pytest.raises(PayloadInvalidError, match=f"{LAST_DAY.year + 1}年的节假日安排尚未公布"):
            add_workdays(start, count)
        return

    result = add_workdays(start, count)

    assert result == expected
    assert works(result) and is_workday(result)
    between = itertools.takewhile(lambda day: day <= result, (start + ONE_DAY * n for n in itertools.count(1)))
    assert sum(works(day) for day in between) == count


unpublished_days = st.one_of(
    st.dates(max_value=date(published_years().start - 1, 12, 31)),
    st.dates(min_value=date(published_years().stop, 1, 1)),
)


@settings(max_examples=200, deadline=None)
@given(day=unpublished_days)
def test_a_day_in_an_unpublished_year_is_refused_bilingually(day: date) -> None:
    with pytest.raises(PayloadInvalidError) as raised:
        is_workday(day)

    error = raised.value
    assert error.status == 422
    chinese, english = error.detail.split(" / ")
    assert chinese.startswith(f"{day.year}年的节假日安排尚未公布")
    assert re.search(rf"schedule for {day.year} is not published", english)


@settings(max_examples=200, deadline=None)
@given(start=unpublished_days, count=st.integers(min_value=1, max_value=30))
def test_a_period_in_an_unpublished_year_is_refused_not_guessed(start: date, count: int) -> None:
    if start == date(published_years().start - 1, 12, 31):
        start -= ONE_DAY  # the day after it is in a published year, and counting from it is fine

    with pytest.raises(PayloadInvalidError, match=r"年的节假日安排尚未公布.* / The official holiday schedule for"):
        add_workdays(start, count)


def test_counting_from_the_last_day_a_date_can_hold_is_refused_not_an_overflow() -> None:
    with pytest.raises(PayloadInvalidError, match="10000年的节假日安排尚未公布"):
        add_workdays(date.max, 1)
