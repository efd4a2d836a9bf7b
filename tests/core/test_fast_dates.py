"""The ``|date`` builtin gives exactly what Django's own filter gives, for every format and value."""

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import timezone

from ketamine_clinic.core.templatetags.fast_dates import date as fast_date

FORMATS = ["Y-m-d", "Y-m-d H:i", "H:i", "c", "D Y-m-d", "M j H:i", None, ""]
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
VALUES = [
    dt.date(2026, 3, 8), dt.date(987, 1, 2),
    dt.datetime(2026, 3, 8, 6, 59, 5, 120), dt.datetime(5, 12, 31, 23, 0),  # naive
    dt.datetime(2026, 3, 8, 6, 59, tzinfo=dt.timezone.utc), dt.datetime(2026, 11, 1, 5, 30, 1, tzinfo=NEW_YORK),
    None, "", "2026-03-08", 0,
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_builtin_matches_djangos_filter(value):
    from django.template.defaultfilters import date as django_date

    with timezone.override(zoneinfo.ZoneInfo("America/Los_Angeles")):
        for fmt in FORMATS:
            try:
                expected = django_date(value, fmt)
            except TypeError:  # Django refuses a time format for a date: so must the builtin
                with pytest.raises(TypeError):
                    fast_date(value, fmt)
                continue
            assert fast_date(value, fmt) == expected, (value, fmt)

def test_templates_use_it_with_the_value_in_the_active_zone():
    moment = dt.datetime(2026, 3, 8, 6, 59, tzinfo=dt.timezone.utc)
    template = Template('{{ moment|date:"Y-m-d H:i" }} {{ moment|date:"c" }} {{ day|date:"Y-m-d" }}')
    assert template.nodelist[0].filter_expression.filters[0][0] is fast_date  # the builtin, not Django's
    with timezone.override(zoneinfo.ZoneInfo("America/Los_Angeles")):
        text = template.render(Context({"moment": moment, "day": dt.date(2026, 3, 8)}))
    assert text == "2026-03-07 22:59 2026-03-07T22:59:00-08:00 2026-03-08"
