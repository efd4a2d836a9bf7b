"""Measurement-based care: questionnaire responses with their stored scores, suicide-risk alerts,
one-time links to a questionnaire, and a per-patient outcome summary kept for the dashboard.

A submitted response is immutable: its answers and scores never change. A correction is a new
response that ``amends`` the original; the original then points to it through ``superseded_by``
(the only field ever written after submission) and drops out of trajectories and outcomes.
"""

import uuid

from django.db import models
from django.utils import timezone

from ketamine_clinic.clinical.instruments import get_instrument
from ketamine_clinic.core.immutable import Immutable, ImmutableRecordError
from ketamine_clinic.core.tokens import HashedToken


class ImmutableResponseError(ImmutableRecordError):
    """Raised when code tries to change a submitted response (amend it instead)."""


class ResponseMode(models.TextChoices):
    PORTAL = "portal", "Patient portal"
    TABLET = "tablet", "Clinic tablet (one-time link)"
    EMAIL_LINK = "email_link", "Emailed one-time link"
    STAFF_PAPER = "staff_paper", "Paper form entered by staff"
    CLINICIAN = "clinician", "Clinician-rated"


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Draft (partial answers)"
    SUBMITTED = "submitted", "Submitted"


class QuestionnaireResponse(Immutable):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="questionnaire_responses")
    instrument_key = models.CharField(max_length=20)
    instrument_version = models.CharField(max_length=80)
    status = models.CharField(max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT)
    mode = models.CharField(max_length=12, choices=ResponseMode.choices)
    entered_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Who submitted it: the portal patient or the staff member; empty for a one-time link",
    )
    link = models.ForeignKey("MeasureLink", on_delete=models.PROTECT, null=True, blank=True, related_name="responses")
    answers = models.JSONField(default=dict)  # linkId -> int | bool
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True, help_text="When the patient answered (paper: the form's date)")
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The score, stored with the response (computed by clinical.instruments.score, never here).
    total = models.IntegerField(null=True, blank=True)
    band = models.CharField(max_length=40, blank=True)
    band_label = models.CharField(max_length=80, blank=True)
    item_flags = models.JSONField(default=list, blank=True)  # [{"flag", "link_id", "value", "message"}]
    suicide_risk = models.BooleanField(default=False)
    risk_level = models.CharField(max_length=10, blank=True)
    risk_reasons = models.JSONField(default=list, blank=True)
    subscores = models.JSONField(default=dict, blank=True)
    recall_period = models.CharField(max_length=120, blank=True)
    loinc_total = models.CharField(max_length=20, blank=True)
    # Corrections.
    amends = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendments")
    amendment_reason = models.CharField(max_length=300, blank=True)
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-completed_at", "-id"]
        indexes = [
            models.Index(fields=["patient", "instrument_key", "completed_at"]),
            models.Index(fields=["organization", "instrument_key", "completed_at"]),
        ]

    @classmethod
    def from_db(cls, db, field_names, values):
        obj = super().from_db(db, field_names, values)
        obj._loaded_status = obj.__dict__.get("status")  # never load a deferred field here
        return obj

    immutable_error = ImmutableResponseError
    changed_message = "A submitted response cannot be changed; amend it instead."
    deleted_message = "Responses are never deleted."

    def is_sealed(self) -> bool:
        """Sealed once stored as submitted (a draft is still being answered)."""
        if self.pk is None:
            return False
        stored = getattr(self, "_loaded_status", None)
        if stored is None:  # loaded without its status (deferred): ask the database
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
        return stored == ResponseStatus.SUBMITTED

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    @property
    def is_current(self) -> bool:
        return self.status == ResponseStatus.SUBMITTED and self.superseded_by_id is None

    @property
    def instrument(self):
        return get_instrument(self.instrument_key)


class AlertStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"


class SuicideRiskAlert(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="suicide_risk_alerts")
    response = models.OneToOneField(QuestionnaireResponse, on_delete=models.PROTECT, related_name="alert")
    raised_at = models.DateTimeField(default=timezone.now)
    reasons = models.JSONField(default=list)
    risk_level = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    notified = models.JSONField(default=list, blank=True)  # usernames emailed when raised
    acknowledged_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action_taken = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.JSONField(default=list, blank=True)  # usernames of the clinicians and admins told

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["organization", "status", "raised_at"])]

    @property
    def is_open(self) -> bool:
        return self.status == AlertStatus.OPEN


class LinkPurpose(models.TextChoices):
    TABLET = "tablet", "Clinic tablet"
    EMAIL = "email", "Emailed to the patient"


class MeasureLink(HashedToken, models.Model):
    """A one-time link to one questionnaire for one patient. Only the token's SHA-256 is stored."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="measure_links")
    instrument_key = models.CharField(max_length=20)
    purpose = models.CharField(max_length=10, choices=LinkPurpose.choices)
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    @property
    def mode(self) -> str:
        return ResponseMode.TABLET if self.purpose == LinkPurpose.TABLET else ResponseMode.EMAIL_LINK


class PatientOutcome(models.Model):
    """One patient's outcome on one instrument, as ``clinical.instruments.summarize_outcomes``
    computed it from their current responses. Refreshed by the service on every submission or
    amendment; the clinic dashboard aggregates these rows in the database."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="outcomes")
    instrument_key = models.CharField(max_length=20)
    baseline_at = models.DateTimeField()
    baseline_total = models.IntegerField()
    latest_at = models.DateTimeField()
    latest_total = models.IntegerField()
    follow_up_count = models.PositiveIntegerField(default=0)
    latest_change = models.IntegerField(default=0)  # latest_total - baseline_total (points)
    latest_percent_change = models.FloatField(null=True, blank=True)
    responded = models.BooleanField(default=False)
    first_response_at = models.DateTimeField(null=True, blank=True)
    days_to_first_response = models.FloatField(null=True, blank=True)
    remitted = models.BooleanField(null=True)
    first_remission_at = models.DateTimeField(null=True, blank=True)
    days_to_first_remission = models.FloatField(null=True, blank=True)
    first_relapse_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20)
    in_remission_now = models.BooleanField(null=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "instrument_key"], name="one_outcome_per_patient_instrument")
        ]
        indexes = [models.Index(fields=["organization", "instrument_key", "baseline_at"])]
