"""Rooms, chairs and staff per location, opening hours, and every appointment write.

The rules (spacing, opening hours, daylight saving, conflicts) live in
``clinical.protocols.scheduling``; this package feeds it the database's facts and writes the
result. Each booking transaction locks the location (and the patient) row, so two people booking
the same chair at once cannot both succeed.

The functions live in modules by topic; import them from here (``scheduling.book_appointment``).
"""

from ._common import BOOKABLE_KINDS, INPUT_CONFLICTS, explain_scheduling_error
from .appointments import (
    NEXT_STATUS,
    book_appointment,
    cancel_appointment,
    cancel_future_plan_appointments,
    induction_finished,
    mark_no_show,
    reschedule_appointment,
    set_appointment_status,
)
from .reads import (
    appointments_for,
    bookable_resources,
    chair_grid,
    closed_dates_of,
    get_appointment_for,
    get_location_for,
    local_day_bounds,
    local_today,
    locations_for,
    opening_hours_of,
    therapists,
)
from .series import book_linked_sessions, book_series, propose_series
from .setup import add_closed_date, add_resource, get_resource_for, set_opening_hours, set_resource_active

__all__ = [
    "BOOKABLE_KINDS", "INPUT_CONFLICTS", "NEXT_STATUS", "add_closed_date", "add_resource", "appointments_for",
    "book_appointment", "book_linked_sessions", "book_series", "bookable_resources", "cancel_appointment",
    "cancel_future_plan_appointments",
    "induction_finished", "closed_dates_of", "explain_scheduling_error", "get_appointment_for",
    "get_location_for", "get_resource_for", "local_day_bounds", "local_today", "locations_for", "mark_no_show",
    "opening_hours_of", "chair_grid", "propose_series", "reschedule_appointment", "set_appointment_status", "set_opening_hours",
    "set_resource_active", "therapists",
]
