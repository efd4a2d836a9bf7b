"""The calendar dates the clinic's date inputs accept.

A date far outside any clinic's working life is a typo or a probe, and at the calendar's edges
(0001-01-01, 9999-12-31) shifting it by a time zone or a few days overflows Python's ``datetime``.
Services check every date that becomes a range of times, so the API and the pages refuse it with
the same field message instead of failing.
"""

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError

from .errors import ValidationFailed

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)
OUT_OF_RANGE = f"Use a date between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."


def in_calendar(day: dt.date | None) -> bool:
    return day is None or EARLIEST_DATE <= day <= LATEST_DATE


def check_dates(**dates: dt.date | None) -> None:
    """ValidationFailed naming every field whose date lies outside EARLIEST_DATE..LATEST_DATE."""
    errors = {field: [OUT_OF_RANGE] for field, day in dates.items() if not in_calendar(day)}
    if errors:
        raise ValidationFailed(errors)


def calendar_date_validator(value: dt.date) -> None:
    """The same bound as a form field validator."""
    if not in_calendar(value):
        raise DjangoValidationError(OUT_OF_RANGE)
