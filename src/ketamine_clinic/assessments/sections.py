"""The assessments section of the Today page (registered in ``apps.py``; see ``core.sections``)."""

from ketamine_clinic.audit.services import Context

from . import forms as aforms
from . import services

TODAY_ALERTS_LIMIT = 20


def today_alerts(request, patient=None) -> dict:
    """Open suicide-risk alerts of the user's clinic: all for clinicians, escalated ones for admins
    (two queries: the alerts with patient and response, then the names of who was told)."""
    user = request.user
    clinician = user.may("alert.acknowledge") or user.may("assessment.view")
    alerts = services.with_people(services.open_alerts_for(Context(user=user), "open")[:TODAY_ALERTS_LIMIT])
    return {
        "alerts": alerts,
        "escalated_only": not clinician,
        "can_acknowledge": user.may("alert.acknowledge"),
        "can_see_answers": user.may("assessment.view"),
        "common_actions": aforms.COMMON_ALERT_ACTIONS,
    }
