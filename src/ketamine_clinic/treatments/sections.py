"""The treatments sections of the patient chart and the Today page (registered in ``apps.py``; see
``core.sections``)."""

from django.db.models import Count, Q
from django.utils import timezone

from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared

from .models import OPEN_STATUSES, RemsForm, TreatmentSession

SESSIONS_SHOWN = 10


_RECENT_SESSIONS = Prepared(lambda patient_id: TreatmentSession.objects.filter(patient_id=patient_id)
                            .select_related("location").order_by("-checked_in_at")[:SESSIONS_SHOWN])


def chart_sessions_reads(request, patient) -> dict:
    """The patient's recent sessions with their locations (for ``core.batch``; compiled once per process)."""
    return {("treatments.chart.sessions", patient.pk): _RECENT_SESSIONS(patient.pk).knowing(patient=patient)}


def chart_sessions(request, patient) -> dict:
    """The patient's recent sessions with their locations: one read, whatever their number."""
    sessions = batch.lists(chart_sessions_reads(request, patient))[("treatments.chart.sessions", patient.pk)]
    return {
        "sessions": sessions,
        "open": next((s for s in sessions if s.status in OPEN_STATUSES), None),
        "can_run": request.user.may("session.run"),
    }


def today_sessions(request, patient=None) -> dict:
    """Patients in session per location and the clinic's REMS forms due: two aggregate queries."""
    user = request.user
    by_location = list(
        TreatmentSession.objects.filter(organization_id=user.organization_id, status__in=OPEN_STATUSES)
        .values("location__public_id", "location__name")
        .annotate(total=Count("id", distinct=True),
                  alerts=Count("alerts", filter=Q(alerts__acknowledged_at__isnull=True), distinct=True))
        .order_by("location__name")
    )
    rems = None
    if user.may("rems.form"):
        today = timezone.localdate()
        rems = RemsForm.objects.filter(organization_id=user.organization_id, submitted_at__isnull=True).aggregate(
            due=Count("id"), overdue=Count("id", filter=Q(due_date__lt=today)))
    return {"locations": by_location, "rems": rems}
