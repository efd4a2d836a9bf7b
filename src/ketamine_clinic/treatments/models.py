"""The treatment session day: one session per patient visit, built around a snapshot of the dose
order, with append-only rows for everything charted during it (vitals, rate changes, devices,
monitoring entries, alerts). Session-level fields carry a ``version`` so a stale edit is refused.

Nothing here is hard-deleted: a mistaken entry is marked entered-in-error and stays readable.
"""

import uuid

from django.db import models
from django.utils import timezone

from ketamine_clinic.clinical.routes import Route


class SessionStatus(models.TextChoices):
    CHECKED_IN = "checked_in", "Checked in"
    DOSING = "dosing", "Dosing"
    OBSERVING = "observing", "Observation"
    DISCHARGED = "discharged", "Discharged"
    ENDED = "ended", "Ended without a dose"


OPEN_STATUSES = (SessionStatus.CHECKED_IN, SessionStatus.DOSING, SessionStatus.OBSERVING)


class Indication(models.TextChoices):
    DEPRESSION = "depression", "Depression (mood disorders)"
    CHRONIC_PAIN = "chronic_pain", "Chronic pain"


class DoseUnit(models.TextChoices):
    MG_PER_KG = "mg/kg", "mg/kg"
    MG = "mg", "mg (fixed)"
    DEVICES = "devices", "devices (28 mg each)"
    MG_PER_KG_PER_H = "mg/kg/h", "mg/kg/h (infusion rate)"


class EntryStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


class TreatmentSession(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="treatment_sessions")
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="treatment_sessions")
    route = models.CharField(max_length=30)
    indication = models.CharField(max_length=20, choices=Indication.choices, default=Indication.DEPRESSION)
    status = models.CharField(max_length=12, choices=SessionStatus.choices, default=SessionStatus.CHECKED_IN)

    # The order, as a snapshot: the session never depends on the plan's later changes.
    dose_unit = models.CharField(max_length=10, choices=DoseUnit.choices)
    dose_amount = models.DecimalField(max_digits=8, decimal_places=3)
    infusion_minutes = models.PositiveIntegerField(null=True, blank=True)
    infusion_volume_ml = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    product_name = models.CharField(max_length=120)
    concentration_mg_per_ml = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    dose_source = models.CharField(max_length=40, default="clinic-policy")
    ordered_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    checked_in_at = models.DateTimeField(default=timezone.now)
    checked_in_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    # Pre-dose checklist facts (session-level, version-checked).
    weight_today_kg = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    last_food_at = models.DateTimeField(null=True, blank=True)
    last_liquid_at = models.DateTimeField(null=True, blank=True)
    ride_home_confirmed = models.BooleanField(default=False)
    can_become_pregnant = models.BooleanField(null=True, blank=True)
    pregnancy_test = models.CharField(max_length=10, blank=True)  # "" | negative | positive
    measure_deferrals = models.JSONField(default=dict, blank=True)  # measure key -> reason
    bp_decision_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    bp_decision_at = models.DateTimeField(null=True, blank=True)
    bp_decision_note = models.CharField(max_length=500, blank=True)
    bp_decision_reading = models.ForeignKey("VitalsReading", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    # A prescriber's documented decision to dose despite a high-risk C-SSRS (for that response only).
    cssrs_decision_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cssrs_decision_at = models.DateTimeField(null=True, blank=True)
    cssrs_decision_note = models.CharField(max_length=500, blank=True)
    cssrs_decision_response = models.ForeignKey("assessments.QuestionnaireResponse", on_delete=models.PROTECT, null=True,
                                                blank=True, related_name="+")

    # The dose as authorized when dosing started (the computed plan and its guardrail).
    dose_plan = models.JSONField(default=dict, blank=True)
    dose_mg = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)
    guardrail_level = models.CharField(max_length=6, blank=True)
    guardrail_message = models.CharField(max_length=300, blank=True)
    cosigned_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cosign_reason = models.CharField(max_length=500, blank=True)
    predose_vitals_ok = models.BooleanField(null=True, blank=True)  # for the REMS form

    dosing_started_at = models.DateTimeField(null=True, blank=True)
    dosing_ended_at = models.DateTimeField(null=True, blank=True)

    # Discharge.
    padss = models.JSONField(default=dict, blank=True)
    escort_present = models.BooleanField(default=False)
    clinician_judges_ready = models.BooleanField(default=False)
    ready_without_minimum_min = models.PositiveIntegerField(null=True, blank=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharged_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    end_reason = models.CharField(max_length=500, blank=True)

    # Optional links: a session may start from today's appointment of a treatment plan.
    plan = models.ForeignKey("plans.TreatmentPlan", on_delete=models.PROTECT, null=True, blank=True, related_name="treatment_sessions")
    appointment = models.OneToOneField("plans.Appointment", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="treatment_session")

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-checked_in_at", "-id"]
        indexes = [
            models.Index(fields=["location", "status"]),
            models.Index(fields=["patient", "-checked_in_at"]),
        ]

    def __str__(self) -> str:
        return f"Session {self.public_id} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def route_label(self) -> str:
        return Route(self.route).label


class VitalsReading(models.Model):
    """One set of vital signs: append-only (two nurses charting both keep their rows)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="vitals")
    observed_at = models.DateTimeField()
    phase = models.CharField(max_length=10)  # clinical.session.Phase
    systolic_mmhg = models.PositiveSmallIntegerField(null=True, blank=True)
    diastolic_mmhg = models.PositiveSmallIntegerField(null=True, blank=True)
    heart_rate_per_min = models.PositiveSmallIntegerField(null=True, blank=True)
    spo2_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    respiratory_rate_per_min = models.PositiveSmallIntegerField(null=True, blank=True)
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=EntryStatus.choices, default=EntryStatus.ACTIVE)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["observed_at", "id"]

    @property
    def blood_pressure(self) -> str:
        return f"{self.systolic_mmhg}/{self.diastolic_mmhg}" if self.systolic_mmhg is not None else ""


class Administration(models.Model):
    """The product given: lot and expiry, when dosing started and stopped, who gave it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.OneToOneField(TreatmentSession, on_delete=models.PROTECT, related_name="administration")
    product_name = models.CharField(max_length=120)
    lot_number = models.CharField(max_length=40)
    expiry_date = models.DateField()
    concentration_mg_per_ml = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    pump_concentration_mg_per_ml = models.DecimalField(max_digits=10, decimal_places=5, null=True, blank=True)
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    bolus_mg = models.DecimalField(max_digits=8, decimal_places=1, null=True, blank=True)  # IM / oral
    given_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)


class RateChange(models.Model):
    """The pump set to ``rate_ml_per_h`` at ``at`` (0 = paused). Append-only."""

    administration = models.ForeignKey(Administration, on_delete=models.PROTECT, related_name="rate_changes")
    at = models.DateTimeField()
    rate_ml_per_h = models.DecimalField(max_digits=7, decimal_places=1)
    reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class DeviceDose(models.Model):
    """One esketamine nasal device (28 mg) given. Append-only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="devices")
    given_at = models.DateTimeField()
    lot_number = models.CharField(max_length=40)
    expiry_date = models.DateField()
    given_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["given_at", "id"]


class EntryKind(models.TextChoices):
    CADSS = "cadss", "Dissociation (CADSS total)"
    MOAAS = "moaas", "Sedation (MOAA/S)"
    SIDE_EFFECT = "side_effect", "Side effect"
    RESCUE = "rescue_medication", "Rescue medication"
    ADVERSE_EVENT = "adverse_event", "Adverse event"
    NOTE = "note", "Note"


class MonitoringEntry(models.Model):
    """A scale score, side effect, rescue medication, adverse event or note. Append-only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    occurred_at = models.DateTimeField()
    score = models.SmallIntegerField(null=True, blank=True)  # CADSS total or MOAA/S
    data = models.JSONField(default=dict, blank=True)
    summary = models.CharField(max_length=300)
    status = models.CharField(max_length=20, choices=EntryStatus.choices, default=EntryStatus.ACTIVE)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_at", "id"]


class SessionAlert(models.Model):
    """A value past a clinic threshold (or a severe event) that a clinician must acknowledge."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(TreatmentSession, on_delete=models.PROTECT, related_name="alerts")
    reading = models.ForeignKey(VitalsReading, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts")
    entry = models.ForeignKey(MonitoringEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts")
    kind = models.CharField(max_length=40)
    severity = models.CharField(max_length=10)
    message = models.CharField(max_length=300)
    source = models.CharField(max_length=40)
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    action_taken = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["raised_at", "id"]

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


class SessionDraft(models.Model):
    """An entry in progress, per user, session and form: survives a closed browser tab."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(TreatmentSession, on_delete=models.CASCADE, related_name="drafts")
    form_key = models.CharField(max_length=30)
    data = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)
    # When the form was last submitted: an autosave from a page rendered before then is stale
    # (it was in flight during the submit) and must not come back into the next entry.
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "session", "form_key"], name="one_draft_per_user_session_form")]


class RemsForm(models.Model):
    """The Spravato REMS Patient Monitoring Form of one esketamine session (due within 7 days)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    session = models.OneToOneField(TreatmentSession, on_delete=models.PROTECT, related_name="rems_form")
    schema_version = models.CharField(max_length=20)
    values = models.JSONField(default=dict)
    missing_required = models.JSONField(default=list)
    problems = models.JSONField(default=list)
    treatment_date = models.DateField()
    due_date = models.DateField()
    generated_at = models.DateTimeField(default=timezone.now)
    generated_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submission_reference = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["due_date", "id"]

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None
