"""The chart page's assessment section: latest scores, open alerts and a small PHQ-9 trajectory
(registered in ``apps.py``; see ``core.sections``). It lives in outcomes because the trajectory does."""

from ketamine_clinic.assessments.models import AlertStatus, QuestionnaireResponse, ResponseStatus, SuicideRiskAlert
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared
from ketamine_clinic.core.localtime import patient_zone

from . import trajectory

RECENT_RESPONSES = 60  # the latest per instrument and the small chart's points come from these
OPEN_ALERTS_SHOWN = 5


# Compiled once per process (core.prepared).
_RECENT = Prepared(lambda patient_id: QuestionnaireResponse.objects.filter(
    patient_id=patient_id, status=ResponseStatus.SUBMITTED, superseded_by__isnull=True).order_by("-completed_at", "-id")
    .only("public_id", "instrument_key", "completed_at", "total", "band_label", "risk_level", "suicide_risk", "recall_period")
    [:RECENT_RESPONSES])
_OPEN_ALERTS = Prepared(lambda patient_id: SuicideRiskAlert.objects.filter(patient_id=patient_id, status=AlertStatus.OPEN)
                        .order_by("-raised_at")[:OPEN_ALERTS_SHOWN])


def chart_summary_reads(request, patient) -> dict:
    """The recent responses and the open alerts (for ``core.batch``)."""
    return {("outcomes.chart.responses", patient.pk): _RECENT(patient.pk),
            ("outcomes.chart.alerts", patient.pk): _OPEN_ALERTS(patient.pk).knowing(patient=patient)}


def chart_summary(request, patient) -> dict:
    """Latest score per instrument, open alerts and a small PHQ-9 trajectory: the responses and the
    alerts (one statement), and the clinic's outcome settings for the chart, whatever their number."""
    read = batch.lists(chart_summary_reads(request, patient))
    rows = read[("outcomes.chart.responses", patient.pk)]
    latest: dict[str, QuestionnaireResponse] = {}
    for r in rows:
        latest.setdefault(r.instrument_key, r)
    phq9 = [(r.completed_at, r.total) for r in reversed(rows) if r.instrument_key == "phq9" and r.total is not None]
    chart = trajectory.build(patient, "phq9", phq9, small=True, tz=patient_zone(patient)) if phq9 else None
    alerts = read[("outcomes.chart.alerts", patient.pk)]
    return {
        "latest": [{"instrument": ci.get_instrument(k), "response": r} for k, r in latest.items()],
        "chart": chart,
        "alerts": alerts,
        "can_acknowledge": request.user.may("alert.acknowledge"),
    }
