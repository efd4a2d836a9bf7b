"""``timeline_lines`` writes exactly what the chart's template loop wrote: times in the page's zone
(across a daylight-saving change), summaries and names escaped, a line with no author, none at all."""

import datetime as dt

from django.template import Context, Template
from django.utils import timezone

from ketamine_clinic.patients.models import TimelineEvent

TEMPLATE_LOOP = Template(
    """{% for e in timeline %}<li><time datetime="{{ e.occurred_at|date:'c' }}">{{ e.occurred_at|date:"Y-m-d H:i" }}</time> """
    """{{ e.summary }}{% if e.actor %} <small>— {{ e.actor.name }}</small>{% endif %}</li>{% empty %}"""
    """<li class="muted">Nothing yet.</li>{% endfor %}""")
TAG = Template("{% load timeline_tags %}{% timeline_lines timeline %}")


def test_the_tag_writes_what_the_template_loop_wrote(nurse):
    nurse.first_name = 'Ann <b>"O\'Neil"</b> & co'
    utc = dt.timezone.utc
    events = [
        TimelineEvent(occurred_at=dt.datetime(2026, 3, 8, 6, 59, 30, 123456, tzinfo=utc), summary="PHQ9 total 14 (Moderate)", actor=nurse),
        TimelineEvent(occurred_at=dt.datetime(2026, 3, 8, 7, 0, tzinfo=utc), summary="<script>alert('x')</script> & \"more\"", actor=None),
        TimelineEvent(occurred_at=dt.datetime(2026, 11, 1, 5, 30, tzinfo=utc), summary="Plan signed", actor=nurse),
    ]
    for zone in ("America/New_York", "UTC", "Asia/Kolkata"):
        with timezone.override(zone):
            for shown in (events, []):
                context = {"timeline": shown}
                expected = TEMPLATE_LOOP.render(Context(context))
                assert TAG.render(Context(context)) == expected
    with timezone.override("America/New_York"):
        html = TAG.render(Context({"timeline": events}))
    assert "2026-03-08 01:59" in html and "2026-03-08 03:00" in html  # the clocks went forward in between
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html
