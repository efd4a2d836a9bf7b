"""What a patient was sent to read, and when they opened and acknowledged it.

The page's text is kept as sent (numbers filled from the clinic's settings of that day), so the
record shows exactly the version the patient acknowledged even after the page or a setting changes.
"""

import uuid

from django.db import models
from django.utils import timezone

from ketamine_clinic.core.immutable import Immutable


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
