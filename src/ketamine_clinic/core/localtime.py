"""Whose clock a date or a time follows: the one rule for time zones.

Times are stored in UTC and shown, and dates are decided, in the time zone of the clinic location
the thing belongs to:

- a session or an appointment: its location;
- a patient (and anything of theirs: consent, decision, questionnaire): their home location;
- a page with no patient: the signed-in user's location (staff: their default location; a portal
  patient: their home location);
- otherwise the server's fallback zone (``settings.TIME_ZONE``).

So a Pacific clinic's evening approval is dated that evening, not "tomorrow" in New York, and a
Berlin clinic's morning is not "yesterday". Templates use the same rule through the
``localtime_tags`` library (``{% in_zone_of patient %}`` and ``|in_zone_of:obj``).
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone


def server_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def location_zone(location) -> zoneinfo.ZoneInfo:
    return location.tz if location is not None else server_zone()


def patient_zone(patient) -> zoneinfo.ZoneInfo:
    return location_zone(patient.home_location if patient.home_location_id else None)


def user_zone(user) -> zoneinfo.ZoneInfo:
    """The zone of a signed-in user's location; the server's for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return server_zone()
    if getattr(user, "default_location_id", None):
        return location_zone(user.default_location)
    if getattr(user, "kind", None) == "patient":
        patient = getattr(user, "patient_record", None)  # the reverse of Patient.portal_user
        if patient is not None:
            return patient_zone(patient)
    return server_zone()


def zone_of(obj) -> zoneinfo.ZoneInfo:
    """The zone ``obj``'s times are shown in: a zone, a zone name, a location, a patient, or a record
    with a ``location`` (session, appointment) or a ``patient``; None: the active zone."""
    if obj is None or obj == "":
        return timezone.get_current_timezone()
    if isinstance(obj, dt.tzinfo):
        return obj
    if isinstance(obj, str):
        return zoneinfo.ZoneInfo(obj)
    if hasattr(obj, "time_zone"):  # a location
        return location_zone(obj)
    if hasattr(obj, "home_location_id"):  # a patient
        return patient_zone(obj)
    if getattr(obj, "location_id", None):
        return location_zone(obj.location)
    if getattr(obj, "patient_id", None):
        return patient_zone(obj.patient)
    raise TypeError(f"no time zone rule for {type(obj).__name__}")


def local_date(moment: dt.datetime, obj) -> dt.date:
    """The calendar date of ``moment`` where ``obj`` is (see ``zone_of``)."""
    return timezone.localtime(moment, zone_of(obj)).date()


def patient_today(patient, now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), patient_zone(patient)).date()
