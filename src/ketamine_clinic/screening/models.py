"""Screening records: intake evaluations, eligibility decisions, consent and REMS enrollment.

Nothing here is ever hard-deleted. A completed evaluation is replaced by a newer one that
supersedes it; a signed decision is immutable and a newer decision supersedes it; a consent is
revoked (with a reason), never removed; a REMS enrollment entered by mistake is marked
entered-in-error. The rules themselves live in ``clinical.eligibility``; these models only store.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from ketamine_clinic.clinical.eligibility import Outcome
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core.immutable import Immutable, NeverDeleted

ROUTE_CHOICES = [(r.value, r.label) for r in Route]
OUTCOME_CHOICES = [(o.value, o.label) for o in Outcome]


class IntakeEvaluation(NeverDeleted):
    """One version of a patient's intake evaluation, stored as ``Evaluation.to_dict()`` JSON."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETED = "completed", "Completed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="evaluations")
    version = models.PositiveIntegerField()  # 1, 2, 3 … per patient
    schema_version = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    data = models.JSONField()  # validated by Evaluation.from_dict, normalized by to_dict
    revision = models.PositiveIntegerField(default=1)  # bumps on every draft save (stale-edit guard)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "version"], name="evaluation_version_unique"),
            models.UniqueConstraint(fields=["patient"], condition=Q(status="draft"), name="one_draft_evaluation_per_patient"),
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="completed", superseded_at__isnull=True),
                name="one_current_evaluation_per_patient",
            ),
        ]

    def __str__(self) -> str:
        return f"Evaluation v{self.version} ({self.get_status_display()})"

    deleted_message = "Evaluations are never deleted."

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.COMPLETED and self.superseded_at is None

    @property
    def state_label(self) -> str:
        if self.is_draft:
            return "draft"
        return "current" if self.superseded_at is None else "superseded"


class EligibilityDecision(Immutable):
    """A prescriber's signed decision for one route, on one completed evaluation."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        DECLINE = "decline", "Decline"

    MUTABLE_FIELDS = frozenset({"superseded_by", "superseded_at"})

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="eligibility_decisions")
    evaluation = models.ForeignKey(IntakeEvaluation, on_delete=models.PROTECT, related_name="decisions")
    route = models.CharField(max_length=20, choices=ROUTE_CHOICES)
    version = models.PositiveIntegerField()  # 1, 2, 3 … per patient and route
    decision = models.CharField(max_length=10, choices=Decision.choices)
    engine_outcome = models.CharField(max_length=30, choices=OUTCOME_CHOICES)  # what the engine said when signed
    engine_rule_ids = models.JSONField(default=list)
    # The safety facts (clinical.eligibility.chart.safety_facts) of the evaluation read with the
    # chart when signed; null for decisions signed before this was recorded (rules compared only).
    chart_facts = models.JSONField(null=True, blank=True, default=None)
    override_reason = models.TextField(blank=True)  # required to approve a relative contraindication
    note = models.TextField(blank=True)
    signed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["route", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "route", "version"], name="decision_version_unique"),
            models.UniqueConstraint(
                fields=["patient", "route"], condition=Q(superseded_at__isnull=True), name="one_latest_decision_per_route"
            ),
        ]

    @property
    def route_label(self) -> str:
        return Route(self.route).label

    @property
    def outcome_label(self) -> str:
        """As a signed decision reads: "Approved" / "Declined" (the choice labels are the buttons' verbs)."""
        return "Approved" if self.decision == self.Decision.APPROVE else "Declined"

    @property
    def is_override(self) -> bool:
        return self.decision == self.Decision.APPROVE and self.engine_outcome == Outcome.NEEDS_PRESCRIBER_REVIEW


class ConsentDocument(Immutable):
    """One version of a clinic's consent text for a route. An edit creates a new version."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    route = models.CharField(max_length=20, choices=ROUTE_CHOICES)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField()
    is_template = models.BooleanField(default=False)  # the shipped default, not yet reviewed by the clinic
    requires_reconsent = models.BooleanField(
        default=False, help_text="Consents signed on earlier versions stop being valid; patients must sign again."
    )
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["route", "-version"]
        constraints = [models.UniqueConstraint(fields=["organization", "route", "version"], name="consent_doc_version_unique")]

    @property
    def route_label(self) -> str:
        return Route(self.route).label


class Consent(NeverDeleted):
    """A patient's signature on one consent document version; witnessed by staff; revocable."""

    class Via(models.TextChoices):
        CLINIC = "clinic", "In clinic"
        PORTAL = "portal", "Patient portal"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="consents")
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, related_name="consents")
    route = models.CharField(max_length=20, choices=ROUTE_CHOICES)
    signed_name = models.CharField(max_length=200)
    signed_at = models.DateTimeField(default=timezone.now)
    signed_ip = models.GenericIPAddressField(null=True, blank=True)
    signed_via = models.CharField(max_length=10, choices=Via.choices)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    witnessed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    witnessed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    revocation_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        indexes = [models.Index(fields=["patient", "route"])]

    deleted_message = "Consents are never deleted; revoke them."

    @property
    def route_label(self) -> str:
        return Route(self.route).label


class RemsEnrollment(NeverDeleted):
    """Spravato REMS patient enrollment, required before the first esketamine dose."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENTERED_IN_ERROR = "entered-in-error", "Entered in error"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="rems_enrollments")
    enrolled_on = models.DateField()
    patient_signed_name = models.CharField(max_length=200)
    prescriber = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    rems_patient_id = models.CharField("REMS patient ID", max_length=40, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-enrolled_on", "-recorded_at"]

    deleted_message = "REMS enrollments are never deleted; mark them entered in error."


class PatientReportedIntake(NeverDeleted):
    """The part of the intake a patient answers in the portal; staff review and merge it."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (patient still answering)"
        SUBMITTED = "submitted", "Sent to the clinic"
        MERGED = "merged", "Reviewed and merged"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="reported_intakes")
    answers = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(IntakeEvaluation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    merged_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    merged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status__in=["draft", "submitted"]), name="one_open_reported_intake"
            )
        ]

    deleted_message = "Patient-reported intakes are never deleted."
