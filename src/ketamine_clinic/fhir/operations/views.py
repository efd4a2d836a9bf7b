"""The operation endpoints: ``GET /fhir/r4/Patient/<id>/$everything``."""

from ..views import base_url, fhir_view, respond
from . import everything


@fhir_view(("GET", "HEAD"))
def patient_everything(request, ctx, resource_id):
    return respond(everything.bundle(request, ctx, resource_id, base_url(request)))
