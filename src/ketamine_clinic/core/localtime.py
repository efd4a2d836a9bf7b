"""Whose clock a patient's "today" follows.

A patient's dates (may they be treated today, which measures are due, their age) follow the time
zone of their home location; without one, the server's fallback zone (``settings.TIME_ZONE``).
One rule, used everywhere, so a Pacific clinic's evening never counts as tomorrow.
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone


def patient_zone(patient) -> zoneinfo.ZoneInfo:
    location = patient.home_location if patient.home_location_id else None
    return location.tz if location is not None else zoneinfo.ZoneInfo(settings.TIME_ZONE)


def patient_today(patient, now: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(now or timezone.now(), patient_zone(patient)).date()
