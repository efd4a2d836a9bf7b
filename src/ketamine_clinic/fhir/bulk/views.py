"""Bulk Data ``$export`` endpoints (async request pattern): kick-off → 202 with Content-Location;
status → 202 with X-Progress, then 200 with the manifest; files; DELETE cancels. Same bearer
tokens as the rest of /fhir/r4, and the job must be the caller's clinic's."""

from django.http import FileResponse

from ketamine_clinic.core.errors import NotFound

from ..errors import FhirError, outcome
from ..views import base_url, fhir_view, respond
from . import params, services
from .files import ERROR_FILE
from .models import ExportStatus


def _kickoff(request, ctx, level, group=None):
    if "respond-async" not in request.headers.get("Prefer", ""):
        raise FhirError(400, "A bulk export runs in the background: send 'Prefer: respond-async'.", "invalid")
    types, since = params.parse(request.GET, level)
    types = params.within_scopes(request.user, types, explicit="_type" in request.GET)
    job = services.start(ctx, level, types, since, request.build_absolute_uri(), group)
    response = respond(outcome([("informational", "Export queued; poll the Content-Location URL.", [])], "information"), 202)
    response["Content-Location"] = f"{base_url(request)}/bulk-status/{job.public_id}"
    return response


@fhir_view(("GET",))
def system_export(request, ctx):
    return _kickoff(request, ctx, "system")


@fhir_view(("GET",))
def patient_export(request, ctx):
    return _kickoff(request, ctx, "patient")


@fhir_view(("GET",))
def group_export(request, ctx, group_id):
    return _kickoff(request, ctx, "group", services.group_for(ctx, group_id))


def _job(ctx, job_id):
    try:
        return services.job_for(ctx, job_id)
    except NotFound as exc:
        raise FhirError(404, str(exc), "not-found") from None


@fhir_view(("GET", "DELETE"))
def status(request, ctx, job_id):
    job = _job(ctx, job_id)
    if request.method == "DELETE":
        services.cancel(ctx, job)
        return respond(outcome([("informational", "Export cancelled and its files deleted.", [])], "information"), 202)
    if job.status in (ExportStatus.QUEUED, ExportStatus.RUNNING):
        response = respond(outcome([("informational", f"Export {job.status}.", [])], "information"), 202)
        response["X-Progress"] = job.progress or job.status
        response["Retry-After"] = "5"
        return response
    if job.status == ExportStatus.FAILED:
        return respond(outcome([("exception", "; ".join(job.errors) or "The export failed.", [])]), 422)
    return _manifest(request, job)


def _manifest(request, job):
    files = f"{base_url(request)}/bulk-files/{job.public_id}"
    body = {
        "transactionTime": job.transaction_time.isoformat(),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [{"type": o["type"], "url": f"{files}/{o['file']}", "count": o["count"]} for o in job.output],
        "error": [{"type": "OperationOutcome", "url": f"{files}/{ERROR_FILE}"}] if job.errors else [],
    }
    response = respond(body)
    response["Content-Type"] = "application/json"
    return response


@fhir_view(("GET",))
def download(request, ctx, job_id, file_name):
    job = _job(ctx, job_id)
    try:
        path = services.file_for(ctx, job, file_name)
    except NotFound as exc:
        raise FhirError(404, str(exc), "not-found") from None
    return FileResponse(open(path, "rb"), content_type="application/fhir+ndjson")
