"""Small template tags: the Today screen's alert list and the chart's assessment section.

Each runs a fixed, small number of queries (the chart section: two) so pages that include them
stay cheap.
"""

from django import template

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.core.localtime import patient_zone

from .. import forms as aforms
from .. import services, trajectory
from ..models import AlertStatus, QuestionnaireResponse, ResponseStatus, SuicideRiskAlert

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


@register.simple_tag
def assessment_chart_summary(user, patient, recent: int = 60) -> dict:
    """Latest score per instrument, open alerts and a small PHQ-9 chart: two queries."""
    if not has_permission(user, "assessment.view"):
        return {"visible": False}
    rows = list(
        QuestionnaireResponse.objects.filter(patient=patient, status=ResponseStatus.SUBMITTED, superseded_by__isnull=True)
        .order_by("-completed_at", "-id")
        .only("public_id", "instrument_key", "completed_at", "total", "band_label", "risk_level", "suicide_risk", "recall_period")[:recent]
    )
    latest: dict[str, QuestionnaireResponse] = {}
    for r in rows:
        latest.setdefault(r.instrument_key, r)
    phq9 = [(r.completed_at, r.total) for r in reversed(rows) if r.instrument_key == "phq9" and r.total is not None]
    tz = patient_zone(patient)
    chart = trajectory.build(patient, "phq9", phq9, small=True, tz=tz) if phq9 else None
    alerts = list(
        SuicideRiskAlert.objects.filter(patient=patient, status=AlertStatus.OPEN).order_by("-raised_at")[:5]
    )
    return {
        "visible": True,
        "latest": [{"instrument": ci.get_instrument(k), "response": r} for k, r in latest.items()],
        "chart": chart,
        "alerts": alerts,
        "can_acknowledge": has_permission(user, "alert.acknowledge"),
    }
