"""Bulk export services: kick-off (a queued job and its background task in one transaction), the
job's status, its files, and cancellation. Every job is read through the actor's clinic; another
clinic's job looks unknown (404)."""

import shutil
import uuid
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.models import Location
from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import record
from ketamine_clinic.core.errors import NotFound, require_own_clinic

from ..errors import FhirError
from .files import ERROR_FILE, export_dir
from .models import ExportJob, ExportLevel, ExportStatus
from .tasks import run_bulk_export

def group_for(ctx, group_id) -> Location:
    """A Group is a location's patients (their home location); another clinic's location is unknown."""
    try:
        location = Location.objects.filter(organization_id=ctx.user.organization_id, public_id=uuid.UUID(str(group_id))).first()
    except ValueError:
        location = None
    if location is None:
        raise FhirError(404, "No such Group in this clinic (a Group is a location: use its id).", "not-found")
    return location


def start(ctx, level: str, types: list[str], since, request_url: str, group: Location | None = None) -> ExportJob:
    """Queue an export and its task together: both or neither."""
    require(ctx.user, "fhir.bulk_export")
    if group is not None:
        require_own_clinic(ctx.user, group.organization_id, "Group")
    with transaction.atomic():
        job = ExportJob.objects.create(
            organization_id=ctx.user.organization_id, requested_by=ctx.user, level=ExportLevel(level), group=group,
            types=types, since=since, request_url=request_url[:2000], transaction_time=timezone.now())
        record(ctx, Action.FHIR_EXPORT_START, obj=job, organization=job.organization,
               detail={"level": level, "types": types, "since": since.isoformat() if since else None,
                       "group": str(group.public_id) if group else None})
        run_bulk_export.enqueue(str(job.public_id))
    return job


def job_for(ctx, job_id) -> ExportJob:
    """The actor's clinic's export job (not cancelled); 404 otherwise."""
    require(ctx.user, "fhir.bulk_export")
    try:
        job = (ExportJob.objects.filter(organization_id=ctx.user.organization_id, public_id=uuid.UUID(str(job_id)))
               .exclude(status=ExportStatus.CANCELLED).select_related("organization").first())
    except ValueError:
        job = None
    if job is None:
        raise NotFound("No such export job in this clinic.")
    return job


def cancel(ctx, job: ExportJob) -> None:
    """Cancel a queued or running export, or delete a finished one's files (the task checks the status)."""
    require(ctx.user, "fhir.bulk_export")
    require_own_clinic(ctx.user, job.organization_id, "export job")
    with transaction.atomic():
        locked = ExportJob.objects.select_for_update().get(pk=job.pk)
        locked.status, locked.finished_at = ExportStatus.CANCELLED, timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        record(ctx, Action.FHIR_EXPORT_DELETE, obj=locked, organization=locked.organization)
    shutil.rmtree(export_dir(job), ignore_errors=True)


def file_for(ctx, job: ExportJob, file_name: str) -> Path:
    """A finished job's output file, by the name in its manifest; 404 for any other name."""
    require(ctx.user, "fhir.bulk_export")
    require_own_clinic(ctx.user, job.organization_id, "export job")
    listed = {entry["file"] for entry in job.output} | ({ERROR_FILE} if job.errors else set())
    if job.status != ExportStatus.DONE or file_name not in listed:
        raise NotFound("No such file in this export.")
    record(ctx, Action.FHIR_EXPORT_DOWNLOAD, obj=job, organization=job.organization, detail={"file": file_name})
    return export_dir(job) / file_name
