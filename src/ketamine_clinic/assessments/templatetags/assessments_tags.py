"""Small template tags: the Today screen's alert list (the chart's assessment section is
``outcomes_tags.assessment_chart_summary``: it draws the PHQ-9 trajectory with session markers).
"""

from django import template

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import instruments as ci

from .. import forms as aforms
from .. import services

register = template.Library()


@register.simple_tag
def today_alerts(user, limit: int = 20) -> dict:
    """Open suicide-risk alerts of the user's clinic: all for clinicians, escalated ones for admins."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff_member", False):
        return {"visible": False}
    clinician = has_permission(user, "alert.acknowledge") or has_permission(user, "assessment.view")
    admin = has_permission(user, "org.manage")
    if not (clinician or admin):
        return {"visible": False}
    alerts = services.with_people(services.open_alerts_for(Context(user=user), "open")[:limit])
    return {
        "visible": True,
        "alerts": alerts,
        "escalated_only": not clinician,
        "can_acknowledge": has_permission(user, "alert.acknowledge"),
        "can_see_answers": has_permission(user, "assessment.view"),
        "common_actions": aforms.COMMON_ALERT_ACTIONS,
    }


@register.filter
def risk_answers(alert) -> tuple:
    """The positive answers behind an alert, in words (question and answer), from its response."""
    response = alert.response
    return ci.risk_answers(response.instrument_key, response.answers)
