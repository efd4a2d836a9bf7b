"""The operation endpoints: ``GET /fhir/r4/Patient/<id>/$everything``, and the portal patient's own
record download (``/portal/my-record.json``: a portal page, signed in, not the FHIR API)."""

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import NotFound

from ..views import FHIR_JSON, base_url, fhir_view, respond
from . import everything


@fhir_view(("GET", "HEAD"))
def patient_everything(request, ctx, resource_id):
    return respond(everything.bundle(request, ctx, resource_id, base_url(request)))


@login_required
@require_GET
def my_record(request):
    """The signed-in portal patient's whole record as FHIR JSON, to save; staff are refused (403)."""
    if not request.user.is_portal_patient:
        return render(request, "core/forbidden.html", {"reason": everything.PORTAL_ONLY}, status=403)
    try:
        _patient, bundle = everything.own_record(Context.from_request(request), base_url(request))
    except NotFound:
        return render(request, "portal/unlinked.html", status=404)
    response = HttpResponse(json.dumps(bundle, indent=1), content_type=FHIR_JSON)
    response["Content-Disposition"] = 'attachment; filename="my-record.json"'
    response["Cache-Control"] = "no-store"  # PHI: no copy kept by a shared browser's cache
    return response
