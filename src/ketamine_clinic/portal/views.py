"""The patient portal: a patient sees their own record and nothing else."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.patients.services import current_measurement, get_own_patient_record
from ketamine_clinic.plans.services.reminders import instructions_for
from ketamine_clinic.plans.scheduling import requests


def _home(request, patient, *, error=None, error_for=None, status=200):
    upcoming = [{"appointment": a, "instructions": instructions_for(a),
                 "open_request": next((r for r in a.requests.all() if r.status == "open"), None)}
                for a in requests.upcoming_for_patient(patient)]
    return render(request, "portal/home.html", {
        "patient": patient, "measurement": current_measurement(patient), "upcoming": upcoming,
        "error": error, "error_for": error_for}, status=status)


@login_required
def portal_home(request):
    if not request.user.is_portal_patient:
        return redirect("home")
    try:
        patient = get_own_patient_record(Context.from_request(request))
    except NotFound:
        return render(request, "portal/unlinked.html", status=404)
    return _home(request, patient)


@login_required
@require_POST
def request_change(request, public_id):
    """The patient asks to reschedule or cancel; staff see the request. Nothing is moved here."""
    if not request.user.is_portal_patient:
        return redirect("home")
    ctx = Context.from_request(request)
    try:
        patient = get_own_patient_record(ctx)
        req = requests.request_change(ctx, patient, public_id, request.POST.dict())
    except NotFound:
        return render(request, "portal/unlinked.html", status=404)
    except (ValidationFailed, Conflict) as exc:
        detail = "; ".join(m for msgs in (exc.errors or {}).values() for m in msgs)
        return _home(request, patient, error=detail or exc.message, error_for=str(public_id), status=exc.status)
    messages.success(request, f"Your request to {req.get_kind_display().lower()} was sent. The clinic will contact you.")
    return redirect("portal:home")
