"""Checks that apps above plans add to booking and to the plan page, filled from their
``AppConfig.ready()`` (billing adds its prior authorizations). Plans sits below those apps and never
imports them; it only calls what was registered here.

- ``BOOKING_CHECKS``: ``fn(patient, kind, day, today) -> list[str]``: why booking an appointment of
  ``kind`` on the local date ``day`` needs a reason (empty: nothing to say). Called inside the
  booking transaction, after the patient row is locked, so concurrent bookings are counted.
- ``PLAN_WARNINGS``: ``fn(user, plan, today) -> list[str]``: warnings shown on the plan page.
"""

import datetime as dt

BOOKING_CHECKS: list = []
PLAN_WARNINGS: list = []


def booking_problems(patient, kind: str, day: dt.date, today: dt.date) -> list[str]:
    return [problem for check in BOOKING_CHECKS for problem in check(patient, kind, day, today)]


def plan_warnings(user, plan, today: dt.date) -> list[str]:
    return [warning for source in PLAN_WARNINGS for warning in source(user, plan, today)]
