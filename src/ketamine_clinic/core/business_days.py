"""Business days: Monday to Friday except US federal holidays (observed dates, from the ``holidays``
package's calendar, which ships with the package: no network). Pure Python; shared by the DEA loss
deadlines (inventory) and the good-faith estimate deadlines (billing)."""

import datetime as dt
from functools import cache

import holidays


@cache
def _federal_holidays(year: int):
    return holidays.US(years=year, observed=True)


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def add_business_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` business days after ``start`` (``start`` itself never counts)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            remaining -= 1
    return day


def business_days_between(start: dt.date, end: dt.date) -> int:
    """Business days after ``start`` up to and including ``end`` (0 when ``end`` is not later)."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            days += 1
    return days
