"""Template filters of the plans pages: times at an appointment's location, enum values in words."""

import zoneinfo

from django import template
from django.utils import dateformat

register = template.Library()


@register.filter
def at_location(appointment, fmt="D Y-m-d H:i"):
    """An appointment's start in its location's time zone, formatted (never the server's zone)."""
    return dateformat.format(appointment.local_start(), fmt)


@register.filter
def end_at_location(appointment, fmt="H:i"):
    return dateformat.format(appointment.local_end(), fmt)


@register.filter
def in_zone(moment, zone_name):
    """Any aware datetime shown in ``zone_name``, e.g. a change's time at the appointment's location."""
    if moment is None:
        return ""
    return dateformat.format(moment.astimezone(zoneinfo.ZoneInfo(zone_name)), "Y-m-d H:i")


@register.filter
def words(value):
    """An enum value like ``before_each_session`` as words."""
    return str(getattr(value, "value", value)).replace("_", " ").replace("24h", "24 h")
