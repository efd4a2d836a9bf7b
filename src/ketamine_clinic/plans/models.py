"""Protocols in use, treatment plans, scheduling resources, appointments, boosters and reminders.

Nothing here is hard-deleted: a protocol edit is a new version row, a plan's status and dose
changes are rows with who/when/why, an appointment is cancelled or marked no-show, never removed.
Times are stored timezone-aware in UTC and shown in the location's time zone.
"""

import uuid

from django.db import models
from django.utils import timezone

from ketamine_clinic.core.tokens import HashedToken


class ClinicProtocol(models.Model):
    """One version of a clinic's own protocol (a copy of a shipped one, edited). Rows are immutable."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="protocols")
    key = models.CharField(max_length=80)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    route = models.CharField(max_length=30)
    data = models.JSONField(help_text="protocol_to_dict output, validated by protocol_from_dict")
    based_on_key = models.CharField(max_length=80)
    based_on_version = models.PositiveIntegerField()
    based_on_source = models.CharField(max_length=10, default="library")  # library | clinic
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "key", "version"], name="clinic_protocol_version_unique")]
        ordering = ["key", "-version"]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class Resource(models.Model):
    """A bookable chair or room at a location, or a staff member's availability there."""

    class Kind(models.TextChoices):
        CHAIR = "chair", "Chair"
        ROOM = "room", "Room"
        STAFF = "staff", "Staff member"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="resources")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    staff = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["location", "name"], name="resource_name_unique_per_location")]
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """One opening span of a location on a weekday, in the location's local time."""

    location = models.ForeignKey("accounts.Location", on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField()  # 0 = Monday
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]


class ClosedDate(models.Model):
    location = models.ForeignKey("accounts.Location", on_delete=models.CASCADE, related_name="closed_dates")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["location", "date"], name="closed_date_once")]
        ordering = ["date"]


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"
    STOPPED = "stopped", "Stopped"


class TreatmentPlan(models.Model):
    """One patient's plan made from one protocol version (kept as a snapshot in ``protocol_data``)."""

    class Kind(models.TextChoices):
        INDUCTION = "induction", "Treatment series"
        MAINTENANCE = "maintenance", "Maintenance boosters"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="treatment_plans")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INDUCTION)
    follows = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="followed_by")
    protocol_source = models.CharField(max_length=10)  # library | clinic
    protocol_key = models.CharField(max_length=80)
    protocol_version = models.PositiveIntegerField()
    protocol_title = models.CharField(max_length=200)
    protocol_data = models.JSONField()
    route = models.CharField(max_length=30)
    phase_name = models.CharField(max_length=60)
    session_count = models.PositiveSmallIntegerField()
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField()
    preferred_time = models.TimeField()
    therapist = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    notes = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    activated_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.protocol_title} ({self.get_status_display()})"

    @property
    def current_dose(self):
        return self.doses.order_by("-version").first()


class PlanStatusChange(models.Model):
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    reason = models.CharField(max_length=500)
    signed = models.BooleanField(default=False)
    changed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]


class PlanDose(models.Model):
    """A version of the plan's dose, in the protocol's dose unit. Signed versions are immutable."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="doses")
    version = models.PositiveIntegerField()
    dose = models.DecimalField(max_digits=8, decimal_places=3)
    unit = models.CharField(max_length=12)
    reason = models.CharField(max_length=500)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    signed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "version"], name="plan_dose_version_unique")]
        ordering = ["-version"]


class AppointmentKind(models.TextChoices):
    DOSING = "dosing", "Dosing session"
    PREPARATION = "preparation", "Preparation (therapy)"
    INTEGRATION = "integration", "Integration (therapy)"
    PSYCHOTHERAPY = "psychotherapy", "Psychotherapy"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Checked in"  # set by the session module
    IN_SESSION = "in_session", "In session"  # set by the session module
    DONE = "done", "Done"  # set by the session module
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


LIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN, AppointmentStatus.IN_SESSION, AppointmentStatus.DONE)


class Appointment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, related_name="appointments")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="appointments")
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments")
    kind = models.CharField(max_length=15, choices=AppointmentKind.choices, default=AppointmentKind.DOSING)
    phase_name = models.CharField(max_length=60, blank=True)
    session_number = models.PositiveSmallIntegerField(null=True, blank=True)
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments")
    staff = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    status_reason = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start_at"]
        indexes = [models.Index(fields=["location", "start_at"]), models.Index(fields=["patient", "start_at"])]

    @property
    def is_dosing(self) -> bool:
        return self.kind == AppointmentKind.DOSING

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    def local_start(self):
        return timezone.localtime(self.start_at, self.location.tz)

    def local_end(self):
        return timezone.localtime(self.end_at, self.location.tz)


class AppointmentChange(models.Model):
    """Every booking, move, cancellation and no-show of an appointment, with who and why."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="changes")
    action = models.CharField(max_length=20)  # booked | rescheduled | cancelled | no_show | status
    from_start = models.DateTimeField(null=True, blank=True)
    to_start = models.DateTimeField(null=True, blank=True)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]


class BoosterProposal(models.Model):
    """A system proposal a prescriber accepts (books) or declines: the maintenance taper, or an
    earlier booster after a relapse signal."""

    class Kind(models.TextChoices):
        MAINTENANCE = "maintenance", "Maintenance schedule"
        RELAPSE = "relapse", "Earlier booster (relapse)"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted (booked)"
        DECLINED = "declined", "Declined"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="booster_proposals")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    protocol_source = models.CharField(max_length=10)
    protocol_key = models.CharField(max_length=80)
    protocol_version = models.PositiveIntegerField()
    protocol_data = models.JSONField()
    visits = models.JSONField(help_text="[{due_date, phase_name, interval_days, source}]")
    explanation = models.CharField(max_length=500)
    source = models.CharField(max_length=60)
    signal_note = models.CharField(max_length=1000, blank=True)  # the clinician's relapse note
    signal_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    result_plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]


class Reminder(models.Model):
    """A reminder claimed before it is sent: the unique row means it is never sent twice."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "SMS"

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="reminders")
    channel = models.CharField(max_length=6, choices=Channel.choices)
    kind = models.CharField(max_length=80)  # "booked@<start>" or "day_before@<start>"
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CLAIMED)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appointment", "channel", "kind"], name="reminder_once")]

    @property
    def kind_label(self) -> str:
        """ "booked@20261203T1600Z" -> "Booking confirmation"; "day_before@…" -> "Day-before reminder"."""
        what = self.kind.split("@", 1)[0]
        return {"booked": "Booking confirmation", "day_before": "Day-before reminder"}.get(what, what.replace("_", " ").capitalize())


class CalendarFeed(HashedToken, models.Model):
    """A patient's secret iCalendar URL. Only the token's SHA-256 is stored; revoking ends it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="calendar_feeds")
    prefix = models.CharField(max_length=12)
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    TOKEN_PREFIX = "cal_"

    class Meta:
        ordering = ["-created_at"]


class AppointmentRequest(models.Model):
    """A patient's request, from the portal, to move or cancel a booked appointment. The request
    changes nothing by itself: staff see it, act on the appointment, and mark it handled."""

    class Kind(models.TextChoices):
        RESCHEDULE = "reschedule", "Reschedule"
        CANCEL = "cancel", "Cancel"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        HANDLED = "handled", "Handled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    note = models.CharField(max_length=500, blank=True)  # the patient's words, e.g. times that suit them
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    requested_at = models.DateTimeField(default=timezone.now)
    handled_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appointment"], condition=models.Q(status="open"),
                                    name="one_open_request_per_appointment"),
        ]
