"""Running an export: claim the queued job, write one NDJSON file per resource type (the registry's
serializers, searched as the requesting user, so the same permissions apply), then publish the
manifest. Cancellation is checked between patients; a cancelled job's files are removed.

Psychotherapy notes are not a registry type: they can never be written here.
"""

import datetime as dt
import json
import shutil

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.permissions import has_permission
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.patients import services as patient_services

from ..errors import outcome
from ..resources import REGISTRY
from ..operations.compartment import readable
from .files import ERROR_FILE, fresh_dir, private_file
from .models import ExportJob, ExportLevel, ExportStatus

class Cancelled(Exception):
    pass


def run(job_id: str) -> str:
    job = _claim(job_id)
    if job is None:
        return "skipped: not queued"
    ctx = Context(user=job.requested_by)
    if not has_permission(job.requested_by, "fhir.bulk_export"):
        _finish(job, ExportStatus.FAILED, [], ["The requester may no longer export."])
        return "failed"
    directory = fresh_dir(job)
    try:
        output, errors = _write(ctx, job, directory)
    except Cancelled:
        shutil.rmtree(directory, ignore_errors=True)
        return "cancelled"
    if not _finish(job, ExportStatus.DONE, output, errors):
        shutil.rmtree(directory, ignore_errors=True)
        return "cancelled"
    return f"done: {sum(o['count'] for o in output)} resources"


def _claim(job_id: str) -> ExportJob | None:
    with transaction.atomic():
        job = (ExportJob.objects.select_for_update(of=("self",)).select_related("organization", "requested_by", "group")
               .filter(public_id=job_id, status=ExportStatus.QUEUED).first())
        if job is not None:
            job.status = ExportStatus.RUNNING
            job.save(update_fields=["status"])
    return job


def _finish(job: ExportJob, status: str, output: list, errors: list) -> bool:
    """Publish the result unless the job was cancelled meanwhile (then False)."""
    with transaction.atomic():
        locked = ExportJob.objects.select_for_update().get(pk=job.pk)
        if locked.status == ExportStatus.CANCELLED:
            return False
        locked.status, locked.output, locked.errors, locked.finished_at = status, output, errors, timezone.now()
        locked.progress = ""
        locked.save(update_fields=["status", "output", "errors", "finished_at", "progress"])
        record(Context(user=job.requested_by), Action.FHIR_EXPORT_COMPLETE, obj=locked, organization=locked.organization,
               detail={"status": status, "counts": {o["type"]: o["count"] for o in output}, "errors": len(errors)})
    return True


def _patients(ctx, job):
    patients = patient_services.patients_for(ctx).select_related("organization").order_by("id")
    return patients.filter(home_location=job.group) if job.level == ExportLevel.GROUP else patients


def _fresh(resource: dict, since) -> bool:
    """Changed since ``_since``? A resource without meta.lastUpdated is always included."""
    updated = (resource.get("meta") or {}).get("lastUpdated")
    return since is None or updated is None or dt.datetime.fromisoformat(updated) >= since


class _Files:
    """One NDJSON file per type, opened lazily; counts what was written."""

    def __init__(self, directory, since):
        self.directory, self.since, self.handles, self.counts = directory, since, {}, {}

    def write(self, resource: dict) -> None:
        if not _fresh(resource, self.since):
            return
        kind = resource["resourceType"]
        if kind not in self.handles:
            self.handles[kind] = private_file(self.directory / f"{kind}.ndjson")
            self.counts[kind] = 0
        self.handles[kind].write(json.dumps(resource, separators=(",", ":")) + "\n")
        self.counts[kind] += 1

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


def _write(ctx, job, directory) -> tuple[list, list]:
    files, errors = _Files(directory, job.since), set()
    try:
        _write_patients(ctx, job, files, errors)
        for name in job.types:  # the clinic's shared resources (Practitioner, Location…): system level only
            rtype = REGISTRY[name]
            if name != "Patient" and "patient" not in rtype.params:
                items, _ = rtype.search(ctx, [])
                for item in items:
                    files.write(rtype.to_fhir(item))
    finally:
        files.close()
    output = [{"type": name, "file": f"{name}.ndjson", "count": files.counts[name]} for name in job.types if name in files.counts]
    if errors:
        with private_file(directory / ERROR_FILE) as handle:
            handle.write(json.dumps(outcome([("suppressed", why, []) for why in sorted(errors)], "warning")) + "\n")
    return output, sorted(errors)


def _write_patients(ctx, job, files, errors) -> None:
    patient_type = REGISTRY["Patient"]
    per_patient = [REGISTRY[name] for name in job.types if "patient" in REGISTRY[name].params]
    patients = _patients(ctx, job)
    total = patients.count()
    for n, patient in enumerate(patients.iterator(chunk_size=500), start=1):
        if n % 50 == 1:
            _progress(job, f"patient {n} of {total}")
        if "Patient" in job.types:
            files.write(patient_type.to_fhir(patient))
        for rtype in per_patient:
            items, why = readable(ctx, rtype, patient)
            if why:
                errors.add(why)
            for item in items:
                files.write(rtype.to_fhir(item))


def _progress(job, text: str) -> None:
    """Record progress for the status endpoint; stop when the job was cancelled meanwhile."""
    if ExportJob.objects.filter(pk=job.pk, status=ExportStatus.CANCELLED).exists():
        raise Cancelled
    ExportJob.objects.filter(pk=job.pk).update(progress=text[:200])
