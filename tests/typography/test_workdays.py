"""Working days on the official calendar: weekends, National Day with its 调休 days, unpublished years."""

from __future__ import annotations

from datetime import date

import pytest

from service.errors import PayloadInvalidError
from service.typography.workdays import add_workdays, is_workday, published_years

# The 2026 schedule as chinesecalendar 1.11 carries it: 中秋节 25–27 September, 国庆节 1–7 October,
# made up on Sunday 20 September and Saturday 10 October.
NATIONAL_DAY = [date(2026, 10, day) for day in range(1, 8)]
MAKE_UP_DAYS = [date(2026, 9, 20), date(2026, 10, 10)]


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        pytest.param(date(2026, 11, 20), 1, date(2026, 11, 23), id="friday-plus-one-is-monday"),
        pytest.param(date(2026, 11, 20), 2, date(2026, 11, 24), id="friday-plus-two-is-tuesday"),
        pytest.param(date(2026, 11, 21), 1, date(2026, 11, 23), id="saturday-start-counts-from-monday"),
        pytest.param(date(2026, 11, 22), 5, date(2026, 11, 27), id="sunday-plus-five-is-friday"),
        pytest.param(date(2026, 11, 16), 3, date(2026, 11, 19), id="midweek-no-weekend"),
        pytest.param(date(2026, 11, 16), 10, date(2026, 11, 30), id="two-weekends"),
    ],
)
def test_add_workdays_skips_weekends(start: date, count: int, expected: date) -> None:
    assert add_workdays(start, count) == expected


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        pytest.param(date(2026, 9, 30), 1, date(2026, 10, 8), id="eve-of-national-day-plus-one"),
        pytest.param(date(2026, 9, 30), 2, date(2026, 10, 9), id="eve-of-national-day-plus-two"),
        pytest.param(date(2026, 10, 9), 1, date(2026, 10, 10), id="friday-plus-one-is-make-up-saturday"),
        pytest.param(date(2026, 10, 8), 3, date(2026, 10, 12), id="make-up-saturday-counts-in-the-middle"),
        pytest.param(date(2026, 9, 18), 1, date(2026, 9, 20), id="friday-plus-one-is-make-up-sunday"),
        pytest.param(date(2026, 9, 24), 1, date(2026, 9, 28), id="mid-autumn-friday-skipped"),
        pytest.param(date(2026, 9, 29), 3, date(2026, 10, 9), id="across-the-whole-golden-week"),
        pytest.param(date(2026, 10, 3), 1, date(2026, 10, 8), id="sent-during-the-holiday"),
    ],
)
def test_add_workdays_follows_national_day_and_its_make_up_days(start: date, count: int, expected: date) -> None:
    assert add_workdays(start, count) == expected


@pytest.mark.parametrize("day", NATIONAL_DAY, ids=lambda day: day.isoformat())
def test_national_day_is_not_a_working_day(day: date) -> None:
    assert is_workday(day) is False


@pytest.mark.parametrize("day", MAKE_UP_DAYS, ids=lambda day: day.isoformat())
def test_make_up_weekend_day_is_a_working_day(day: date) -> None:
    assert day.weekday() >= 5
    assert is_workday(day) is True


def test_published_years_run_from_2004_to_at_least_2026() -> None:
    years = published_years()
    assert years.start == 2004
    assert 2026 in years


def test_unpublished_year_is_refused_with_the_year_named() -> None:
    unpublished = published_years().stop  # the first year chinesecalendar does not carry
    with pytest.raises(PayloadInvalidError) as raised:
        is_workday(date(unpublished, 3, 2))

    assert raised.value.status == 422
    assert f"{unpublished}年的节假日安排尚未公布" in raised.value.detail
    assert f"schedule for {unpublished} is not published" in raised.value.detail


def test_period_running_into_an_unpublished_year_is_refused_not_guessed() -> None:
    last = published_years().stop - 1
    with pytest.raises(PayloadInvalidError) as raised:
        add_workdays(date(last, 12, 28), 5)

    assert f"{last + 1}年" in raised.value.detail


def test_year_before_the_calendar_is_refused() -> None:
    with pytest.raises(PayloadInvalidError):
        add_workdays(date(2003, 6, 2), 1)


@pytest.mark.parametrize("count", [0, -1, True, 1.0], ids=["zero", "negative", "bool", "float"])
def test_add_workdays_wants_a_positive_whole_count(count: object) -> None:
    with pytest.raises(ValueError, match="positive whole number"):
        add_workdays(date(2026, 11, 20), count)  # type: ignore[arg-type]
