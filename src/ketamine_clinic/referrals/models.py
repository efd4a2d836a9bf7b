"""Referrals from outside clinicians and appointment requests from the public.

A submission is quarantined text: it lands with status ``new``, is shown only to the clinic's
inbox staff, and touches no chart until staff accept it (``services.accept``)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReferralKind(models.TextChoices):
    CLINICIAN = "clinician", "Clinician referral"
    SELF = "self", "Appointment request (self-referral)"


class ReferralStatus(models.TextChoices):
    NEW = "new", "New (quarantined, not yet reviewed)"
    CONTACTED = "contacted", "Contacted"
    SCHEDULED = "scheduled", "Scheduled for evaluation"
    REGISTERED = "registered", "Registered"
    DECLINED = "declined", "Declined"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    SOON = "soon", "Soon (within 2 weeks)"
    URGENT = "urgent", "Urgent"


class Referral(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="referrals")
    kind = models.CharField(max_length=10, choices=ReferralKind.choices)
    status = models.CharField(max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.NEW)
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(default=timezone.now)
    # The referring clinician (empty for a self-referral).
    referrer_name = models.CharField(max_length=150, blank=True)
    referrer_npi = models.CharField("Referrer NPI", max_length=10, blank=True)
    referrer_practice = models.CharField(max_length=200, blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)
    referrer_fax = models.CharField(max_length=40, blank=True)
    reason = models.TextField(max_length=2000)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    diagnoses = models.JSONField(default=list, blank=True, help_text="[{code, display}] as the referrer gave them")
    medications = models.JSONField(default=list, blank=True, help_text="[{name, dose}]")
    trials = models.JSONField(default=list, blank=True, help_text="[{drug, dose_mg_per_day, weeks, outcome}]")
    # The patient, as submitted (not a chart until accepted).
    patient_given_name = models.CharField(max_length=100)
    patient_family_name = models.CharField(max_length=100)
    patient_date_of_birth = models.DateField()
    patient_phone = models.CharField(max_length=40)
    patient_email = models.EmailField(max_length=254, blank=True)
    consent_to_contact = models.BooleanField()
    consent_to_letters = models.BooleanField(default=False, help_text="The patient agrees that the clinic writes to the referrer")
    # What staff did.
    decline_reason = models.CharField(max_length=500, blank=True)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="referrals")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["organization", "status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.submitted_at:%Y-%m-%d}"

    @property
    def patient_name(self) -> str:
        return f"{self.patient_family_name}, {self.patient_given_name}"

    @property
    def reported_by(self) -> str:
        """How chart entries carried from this referral are marked."""
        if self.kind == ReferralKind.SELF:
            return "Reported by the patient (appointment request)"
        return f"Reported by the referrer: {self.referrer_name} (NPI {self.referrer_npi})"


class ReferralStatusChange(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="changes")
    from_status = models.CharField(max_length=12)
    to_status = models.CharField(max_length=12)
    reason = models.CharField(max_length=500, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]


class LetterKind(models.TextChoices):
    FIRST_SEEN = "first_seen", "Patient seen"
    INDUCTION_END = "induction_end", "End of the treatment series, with the measured outcome"


class ReferralLetter(models.Model):
    """A letter to the referring clinician, drawn once from frozen content (a reprint shows what was sent)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=20, choices=LetterKind.choices)
    content = models.JSONField()
    pdf = models.BinaryField()
    generated_at = models.DateTimeField(default=timezone.now)
    generated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["generated_at", "id"]
        constraints = [models.UniqueConstraint(fields=["referral", "kind"], name="one_letter_of_each_kind_per_referral")]


class PublicPostWindow(models.Model):
    """Public form posts from one client address in one clock hour, in the database so the limit
    holds across processes and app servers. The address is kept only as a keyed hash."""

    client_key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    posts = models.PositiveIntegerField(default=0)
    honeypot_hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client_key", "window_start"], name="one_post_window_per_client_hour")]
