"""Small template filters of the assessments pages (the Today screen's alert list is
``assessments.sections.today_alerts``, registered as a Today section)."""

from django import template

from ketamine_clinic.clinical import instruments as ci

register = template.Library()


@register.filter
def risk_answers(alert) -> tuple:
    """The positive answers behind an alert, in words (question and answer), from its response."""
    response = alert.response
    return ci.risk_answers(response.instrument_key, response.answers)
