"""Checks that apps above plans add to booking and to the plan page, filled from their
``AppConfig.ready()`` (billing adds its prior authorizations). Plans sits below those apps and never
imports them; it only calls what was registered here.

- ``BOOKING_CHECKS``: ``fn(patient, kind, day, today, exclude_pk=None) -> list[str]``: why booking an
  appointment of ``kind`` on the local date ``day`` needs a reason (empty: nothing to say);
  ``exclude_pk`` is an appointment being moved, not counted as booked. Called inside the booking
  transaction, after the patient row is locked, so concurrent bookings are counted.
- ``PLAN_WARNINGS``: ``fn(user, plan, today) -> list[str]``: warnings shown on the plan page.

Every path that books or moves a dosing session (by hand, a generated series, a booster, a
reschedule) runs the booking checks; past them it needs a reason, kept with the booking and audited.
"""

import datetime as dt

from ketamine_clinic.core.errors import ValidationFailed

BOOKING_CHECKS: list = []
PLAN_WARNINGS: list = []


def booking_problems(patient, kind: str, day: dt.date, today: dt.date, exclude_pk=None) -> list[str]:
    return [problem for check in BOOKING_CHECKS for problem in check(patient, kind, day, today, exclude_pk=exclude_pk)]


def plan_warnings(user, plan, today: dt.date) -> list[str]:
    return [warning for source in PLAN_WARNINGS for warning in source(user, plan, today)]


class Overrides:
    """The booking problems met while booking one or several sessions in a transaction, refused
    together (every problem date listed) unless a reason was given. Call ``refuse_unless_reason()``
    before the transaction commits: raising there rolls back every session already inserted."""

    def __init__(self, reason: str = "", field: str = "override_reason"):
        self.reason = (reason or "").strip()
        self.field = field
        self.problems: list[str] = []

    def check(self, patient, kind: str, day: dt.date, today: dt.date, exclude_pk=None) -> list[str]:
        """The problems of booking ``day`` (each naming the date), remembered for the refusal."""
        found = [p if str(day) in p else f"{day}: {p}"
                 for p in booking_problems(patient, kind, day, today, exclude_pk=exclude_pk)]
        self.problems += found
        return found

    def refuse_unless_reason(self) -> None:
        if self.problems and not self.reason:
            raise ValidationFailed({self.field: [*self.problems, "Give a reason to book past the prior authorization anyway."]},
                                   "Booking past the prior authorization needs a reason; nothing was saved.")
