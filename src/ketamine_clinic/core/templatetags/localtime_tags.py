"""Times in the zone of the location they belong to (the one rule of ``core.localtime``).

``{% in_zone_of obj %}…{% endin_zone_of %}``: every ``|date``/``|time`` inside shows in ``obj``'s
zone (a patient: their home location; a session or appointment: its location; a location; None:
the zone already active, the user's). base.html wraps each page's content in it with the page's
``patient``.

``{{ moment|in_zone_of:obj|date:"Y-m-d H:i" }}``: one value in ``obj``'s zone.
``{{ moment|local_date_of:obj|date:"Y-m-d" }}``: its calendar date there.
"""

import datetime as dt

from django import template
from django.templatetags.tz import TimezoneNode, do_timezone
from django.utils import timezone

from ..localtime import local_date, zone_of

register = template.Library()


@register.filter
def in_zone_of(value, obj):
    if not isinstance(value, dt.datetime):  # a date has no zone
        return value
    return do_timezone(value, zone_of(obj))


@register.filter
def local_date_of(value, obj):
    if not isinstance(value, dt.datetime):
        return value
    return local_date(value, obj)


class _ZoneOfExpression:
    """Resolves to ``obj``'s zone, for Django's own ``{% timezone %}`` node."""

    def __init__(self, expression):
        self.expression = expression

    def resolve(self, context):
        try:
            return zone_of(self.expression.resolve(context, ignore_failures=True))
        except TypeError:  # not a patient, session or location: keep the user's zone
            return timezone.get_current_timezone()


@register.tag("in_zone_of")
def in_zone_of_tag(parser, token):
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError("{% in_zone_of obj %} takes one argument")
    nodelist = parser.parse(("endin_zone_of",))
    parser.delete_first_token()
    return TimezoneNode(nodelist, _ZoneOfExpression(parser.compile_filter(bits[1])))
