"""A bulk export job: who asked, for what, and where its NDJSON files are once the task ran."""

import uuid

from django.conf import settings
from django.db import models


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class ExportLevel(models.TextChoices):
    SYSTEM = "system", "System"
    PATIENT = "patient", "All patients"
    GROUP = "group", "Group (a location's patients)"


class ExportJob(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="fhir_export_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=10, choices=ExportLevel.choices)
    group = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    types = models.JSONField(default=list)  # resource type names, in export order
    since = models.DateTimeField(null=True, blank=True)
    request_url = models.CharField(max_length=2000)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.CharField(max_length=200, blank=True)
    transaction_time = models.DateTimeField()
    output = models.JSONField(default=list)  # [{"type", "file", "count"}]
    errors = models.JSONField(default=list)  # [str]: types left out, with why
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"FHIR export {self.public_id} ({self.status})"
