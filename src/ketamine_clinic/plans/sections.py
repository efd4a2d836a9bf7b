"""The plans sections of the patient chart and the Today page (registered in ``apps.py``; see
``core.sections``)."""

from django.utils import timezone

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core import batch
from ketamine_clinic.core.prepared import Prepared

from . import scheduling
from .models import Appointment, AppointmentStatus, TreatmentPlan
from .scheduling.requests import open_requests_for

PLANS_SHOWN = 10
UPCOMING_SHOWN = 5
REQUESTS_SHOWN = 20


_LATEST_PLANS = Prepared(lambda patient_id: TreatmentPlan.objects.filter(patient_id=patient_id).select_related("location")
                         .order_by("-created_at")[:PLANS_SHOWN])
_UPCOMING = Prepared(lambda patient_id, now: Appointment.objects
                     .filter(patient_id=patient_id, end_at__gte=now, status=AppointmentStatus.BOOKED)
                     .select_related("location", "resource", "staff").order_by("start_at")[:UPCOMING_SHOWN])


@batch.reads
def chart_summary_reads(request, patient) -> dict:
    """The patient's latest plans and next appointments, both compiled once per process (for ``core.batch``)."""
    return {
        ("plans.chart.plans", patient.pk): _LATEST_PLANS(patient.pk).knowing(patient=patient),
        ("plans.chart.upcoming", patient.pk): _UPCOMING(patient.pk, timezone.now()).knowing(patient=patient),
    }


def chart_summary(request, patient) -> dict:
    """The patient's plans and next appointments: one statement, whatever their number."""
    user = request.user
    read = batch.lists(chart_summary_reads(request, patient))
    plans, upcoming = read[("plans.chart.plans", patient.pk)], read[("plans.chart.upcoming", patient.pk)]
    return {"plans": plans, "upcoming": upcoming,
            "can_edit": user.may("plan.edit"), "can_book": user.may("schedule.manage")}


def today_list(request, patient=None) -> dict:
    """The day's appointments at the user's location (``?schedule_location=``: another, or "all"),
    each in its own time zone, and the patients' open change requests."""
    user = request.user
    ctx = Context.from_request(request)
    locations = list(scheduling.locations_for(ctx))
    wanted = request.GET.get("schedule_location")
    if wanted == "all":
        selected = None
    elif wanted:
        selected = next((loc for loc in locations if str(loc.public_id) == wanted), None)
    else:
        selected = next((loc for loc in locations if loc.pk == user.default_location_id), None)
    appts = scheduling.appointments_for(ctx, selected, None)
    counts = {s: 0 for s in AppointmentStatus.values}
    for a in appts:
        counts[a.status] += 1
    return {"locations": locations, "selected": selected, "appointments": appts,
            "counts": [(AppointmentStatus(s).label, n) for s, n in counts.items() if n],
            "multi": len(locations) > 1, "requests": list(open_requests_for(ctx)[:REQUESTS_SHOWN])}
