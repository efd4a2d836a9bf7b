"""Business days skip weekends and US federal holidays (observed dates)."""

import datetime as dt

import pytest

from ketamine_clinic.core.business_days import add_business_days, business_days_between, is_business_day


@pytest.mark.parametrize("day, business", [
    (dt.date(2026, 11, 26), False),  # Thanksgiving (Thursday)
    (dt.date(2026, 11, 27), True),   # the Friday after is not a federal holiday
    (dt.date(2026, 12, 25), False),  # Christmas (Friday)
    (dt.date(2026, 7, 3), False),    # Independence Day (Saturday) observed on Friday
    (dt.date(2027, 1, 18), False),   # Martin Luther King Jr. Day
    (dt.date(2026, 6, 19), False),   # Juneteenth (Friday)
    (dt.date(2026, 12, 5), False),   # a Saturday
    (dt.date(2026, 12, 7), True),    # an ordinary Monday
])
def test_is_business_day(day, business):
    assert is_business_day(day) is business


@pytest.mark.parametrize("start, days, due", [
    (dt.date(2026, 12, 7), 3, dt.date(2026, 12, 10)),    # Monday + 3, no holiday
    (dt.date(2026, 12, 4), 3, dt.date(2026, 12, 9)),     # Friday: the weekend is skipped
    (dt.date(2026, 11, 25), 1, dt.date(2026, 11, 27)),   # Wednesday before Thanksgiving
    (dt.date(2026, 12, 23), 3, dt.date(2026, 12, 29)),   # across Christmas Friday and the weekend
    (dt.date(2026, 12, 31), 1, dt.date(2027, 1, 4)),     # New Year's Day (Friday) and the weekend
    (dt.date(2027, 1, 15), 1, dt.date(2027, 1, 19)),     # Friday before MLK Day
    (dt.date(2026, 12, 7), 0, dt.date(2026, 12, 7)),
])
def test_add_business_days(start, days, due):
    assert add_business_days(start, days) == due


@pytest.mark.parametrize("start, end, days", [
    (dt.date(2026, 12, 7), dt.date(2026, 12, 21), 10),   # two plain weeks
    (dt.date(2026, 12, 21), dt.date(2027, 1, 4), 8),     # Christmas and New Year's Day off
    (dt.date(2026, 11, 23), dt.date(2026, 11, 30), 4),   # Thanksgiving week
    (dt.date(2026, 12, 10), dt.date(2026, 12, 7), 0),    # end before start
])
def test_business_days_between(start, end, days):
    assert business_days_between(start, end) == days
