from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render

from ketamine_clinic.audit.services import Context
from ketamine_clinic.patients.models import TimelineEvent
from ketamine_clinic.patients.services import patients_for
from ketamine_clinic.patients.timeline import visible_timeline


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # the database is down: say so, with no detail
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def home(request):
    """The Today screen. Scheduling and alerts add their sections as they arrive."""
    user = request.user
    if user.is_portal_patient:
        return redirect("portal:home")
    if not user.is_staff_member:
        return render(request, "core/no_organization.html", status=403)
    ctx = Context.from_request(request)
    recent = (
        visible_timeline(user, TimelineEvent.objects.filter(patient__in=patients_for(ctx)))
        .select_related("patient", "actor")
        .order_by("-occurred_at")[:15]
    )
    return render(request, "core/today.html", {"recent_events": recent, "patient_count": patients_for(ctx).count()})
