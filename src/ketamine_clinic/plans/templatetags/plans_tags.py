"""Template tags for the plan card on the chart and the day's list on the Today screen."""

from django import template
from django.utils import timezone

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.services import Context
from ketamine_clinic.plans.scheduling.requests import open_requests_for

from .. import scheduling
from ..models import Appointment, AppointmentStatus, PlanStatus, TreatmentPlan

register = template.Library()


@register.simple_tag
def plans_chart_summary(user, patient):
    """Plans and the next appointments of a patient, in three queries."""
    if not has_permission(user, "plan.view"):
        return {"visible": False}
    plans = list(TreatmentPlan.objects.filter(patient=patient).select_related("location").order_by("-created_at")[:10])
    upcoming = list(Appointment.objects.filter(patient=patient, end_at__gte=timezone.now(), status=AppointmentStatus.BOOKED)
                    .select_related("location", "resource", "staff").order_by("start_at")[:5])
    return {
        "visible": True, "plans": plans, "upcoming": upcoming,
        "open": [p for p in plans if p.status in (PlanStatus.DRAFT, PlanStatus.ACTIVE, PlanStatus.PAUSED)],
        "can_edit": has_permission(user, "plan.edit"), "can_book": has_permission(user, "schedule.manage"),
    }


@register.simple_tag
def plans_today(request):
    """The day's appointments at the user's location (or every location), each in its own time zone."""
    user = request.user
    if not has_permission(user, "schedule.view"):
        return {"visible": False}

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

    return {"visible": True, "locations": locations, "selected": selected, "appointments": appts,
            "counts": [(AppointmentStatus(s).label, n) for s, n in counts.items() if n],
            "multi": len(locations) > 1, "requests": list(open_requests_for(ctx)[:20])}


@register.filter
def at_location(appointment, fmt="D Y-m-d H:i"):
    """An appointment's start in its location's time zone, formatted (never the server's zone)."""
    from django.utils import dateformat

    return dateformat.format(appointment.local_start(), fmt)


@register.filter
def end_at_location(appointment, fmt="H:i"):
    from django.utils import dateformat

    return dateformat.format(appointment.local_end(), fmt)


@register.filter
def in_zone(moment, zone_name):
    """Any aware datetime shown in ``zone_name``, e.g. a change's time at the appointment's location."""
    import zoneinfo

    from django.utils import dateformat

    if moment is None:
        return ""
    return dateformat.format(moment.astimezone(zoneinfo.ZoneInfo(zone_name)), "Y-m-d H:i")


@register.filter
def words(value):
    """An enum value like ``before_each_session`` as words."""
    return str(getattr(value, "value", value)).replace("_", " ").replace("24h", "24 h")
