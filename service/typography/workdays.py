"""Working days (工作日) on the official Chinese calendar: weekends, 法定节假日 and 调休 make-up days.

The State Council publishes each year's holiday schedule (国务院办公厅关于某年部分节假日安排的通知)
late in the year before; `chinesecalendar` carries the published schedules. A date in a year it does not
carry is refused, never guessed: a weekday in an unpublished year may turn out to be a holiday, and a
Saturday a make-up working day.

Periods are counted the way the Civil Code counts them (民法典 第二百零一条: the day the period starts
is not counted; 第二百零三条: a period ends when business stops on its last day), so "N working days
after" a moment is the N-th working day after its calendar date, whatever the hour.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from chinese_calendar import constants

from service.errors import PayloadInvalidError, bilingual

_ONE_DAY = timedelta(days=1)


def published_years() -> range:
    """The years whose holiday schedule the installed calendar carries (2004 … the latest published)."""
    # The same bounds chinese_calendar checks before answering (it raises NotImplementedError outside them).
    return range(min(constants.holidays).year, max(constants.holidays).year + 1)


def is_workday(day: date) -> bool:
    """True on a working day: Monday–Friday that is not a holiday, or a 调休 Saturday/Sunday.

    Raises PayloadInvalidError when the year's schedule is not published (or not yet known here).
    """
    if day.year not in published_years():
        raise _unpublished(day.year)
    return bool(chinese_calendar.is_workday(day))


def _unpublished(year: int) -> PayloadInvalidError:
    years = published_years()
    return PayloadInvalidError(
        bilingual(
            f"{year}年的节假日安排尚未公布（本服务只有{years.start}至{years.stop - 1}年的安排），无法推算工作日",
            f"The official holiday schedule for {year} is not published or not yet known here "
            f"(known: {years.start}-{years.stop - 1}); working days in {year} cannot be counted.",
        )
    )


def add_workdays(start: date, count: int) -> date:
    """The `count`-th working day after `start` (`start` itself is never counted); count ≥ 1.

    add_workdays(Friday, 1) is the next Monday, unless that is a holiday. Every day passed over must be in
    a published year, so a period running into an unpublished year raises PayloadInvalidError.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"工作日数须为正整数 / count must be a positive whole number, got {count!r}")
    if start == date.max:  # the day after would overflow before is_workday() could refuse it
        raise _unpublished(start.year + 1)
    day, found = start, 0
    while found < count:
        day += _ONE_DAY
        if is_workday(day):
            found += 1
    return day
