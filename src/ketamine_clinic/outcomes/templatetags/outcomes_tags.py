"""The chart page's assessment section: latest scores, open alerts and a small PHQ-9 trajectory.

It runs a fixed, small number of queries (two) so the chart page that includes it stays cheap.
"""

from django import template

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.assessments.models import AlertStatus, QuestionnaireResponse, ResponseStatus, SuicideRiskAlert
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.core.localtime import patient_zone

from .. import trajectory

register = template.Library()


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
