"""What a patient was sent to read, and when they opened and acknowledged it.

The page's text is kept as sent (numbers filled from the clinic's settings of that day), so the
record shows exactly the version the patient acknowledged even after the page or a setting changes.
"""

import uuid

from django.db import models
from django.utils import timezone

from ketamine_clinic.core.immutable import Immutable


CLINIC_PAGE_BODY_MAX_CHARS = 30_000


class ClinicEducationPage(Immutable):
    """A clinic's own version of an education page (started from the shipped page). Each save is a
    new row (immutable); the clinic's newest version replaces the shipped page for that clinic only.
    Version numbers continue after the shipped page's, so "v2" is never two different texts."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    slug = models.CharField(max_length=80)
    language = models.CharField(max_length=10)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    audience = models.CharField(max_length=120)
    routes = models.CharField(max_length=200)  # comma-separated route values, or "all"
    phase = models.CharField(max_length=10)  # before | after | any
    source = models.CharField(max_length=300)
    reviewer = models.CharField(max_length=120)
    review_date = models.DateField()
    body = models.TextField()  # Markdown with settings placeholders
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slug", "language", "-version"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug", "language", "version"],
                                               name="one_clinic_education_page_version")]


class EducationAssignment(Immutable):
    # What was sent never changes; only when the patient opened and acknowledged it is added.
    MUTABLE_FIELDS = frozenset({"opened_at", "acknowledged_at"})

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="education")
    page_slug = models.CharField(max_length=80)
    page_version = models.PositiveIntegerField()
    page_language = models.CharField(max_length=10)
    page_title = models.CharField(max_length=200)
    body_markdown = models.TextField()  # as sent, placeholders filled
    # The clinic's version that was sent (None: the shipped page of ``page_version``).
    clinic_page = models.ForeignKey(ClinicEducationPage, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assigned_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    assigned_because = models.CharField(max_length=120)  # "sent by staff" or "esketamine_nasal pack"
    sent_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["patient", "page_slug", "page_language", "page_version"],
                                               name="one_assignment_per_page_version")]

    @property
    def status(self) -> str:
        if self.acknowledged_at:
            return "acknowledged"
        return "opened" if self.opened_at else "sent"
