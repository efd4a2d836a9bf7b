"""Django's ``|date`` filter, with the formats the pages use most written out directly.

A chart shows about a hundred dates and times; Django's filter parses its format string and
looks up the active language for each (about 20 µs), the timeline alone spends over a
millisecond on it. This library is a template builtin (settings.TEMPLATES) and replaces ``date``
for every template: "Y-m-d", "Y-m-d H:i", "H:i" and "c" are formatted here, exactly as Django
formats them (tests/core/test_fast_dates.py compares the two), and every other format, value or
type goes to Django's own filter. Like Django's, it receives the value already in the active time
zone (``expects_localtime``).
"""

import datetime as dt

from django import template
from django.template.defaultfilters import date as django_date

register = template.Library()


def _ymd(value) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def _hm(value) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


_DATE_FORMATS = {"Y-m-d": _ymd, "c": lambda value: value.isoformat()}
_DATETIME_FORMATS = {**_DATE_FORMATS, "Y-m-d H:i": lambda value: f"{_ymd(value)} {_hm(value)}", "H:i": _hm}


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    if isinstance(value, dt.datetime):
        fast = _DATETIME_FORMATS.get(arg)
    elif isinstance(value, dt.date):
        fast = _DATE_FORMATS.get(arg)
    else:
        fast = None
    return fast(value) if fast else django_date(value, arg)
