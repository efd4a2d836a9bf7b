"""The patient portal: a patient sees their own record and nothing else."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.patients.services import current_measurement, get_own_patient_record


@login_required
def portal_home(request):
    if not request.user.is_portal_patient:
        return redirect("home")
    try:
        patient = get_own_patient_record(Context.from_request(request))
    except NotFound:
        return render(request, "portal/unlinked.html", status=404)
    return render(request, "portal/home.html", {"patient": patient, "measurement": current_measurement(patient)})
