"""The patient registry: demographics, body measurements, allergies, medications, antidepressant
trials and diagnoses. Nothing here is ever hard-deleted: an edit bumps ``version`` and leaves a
``Revision`` snapshot; a mistaken entry is marked entered-in-error."""

import uuid
from decimal import Decimal

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Cast, Upper
from django.utils import timezone


class RecordStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive / stopped / resolved"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


class SexAtBirth(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Unknown / not disclosed"


class DrugClass(models.TextChoices):
    SSRI = "ssri", "SSRI"
    SNRI = "snri", "SNRI"
    TCA = "tca", "Tricyclic antidepressant"
    MAOI = "maoi", "MAOI"
    ATYPICAL_ANTIDEPRESSANT = "atypical_antidepressant", "Other antidepressant (bupropion, mirtazapine …)"
    BENZODIAZEPINE = "benzodiazepine", "Benzodiazepine"
    Z_DRUG = "z_drug", "Non-benzodiazepine sedative hypnotic"
    OPIOID = "opioid", "Opioid"
    STIMULANT = "stimulant", "Psychostimulant"
    LAMOTRIGINE = "lamotrigine", "Lamotrigine"
    LITHIUM = "lithium", "Lithium"
    ANTIPSYCHOTIC = "antipsychotic", "Antipsychotic"
    ANTIHYPERTENSIVE = "antihypertensive", "Antihypertensive"
    OTHER = "other", "Other"


def _trigram_index(field: str) -> GinIndex:
    """A pg_trgm GIN index on ``UPPER(field::text)``, the very expression Django's ``icontains`` and
    ``iexact`` compare on PostgreSQL, so the search's ``%word%`` matches use it instead of a scan.
    Created on PostgreSQL only (migrations 0005, 0006); SQLite searches the same way without it.
    ``fastupdate`` off: a new patient goes into the index at once. With it on, new rows wait in a
    pending list that every search reads through until vacuum merges it (after a bulk import, a
    search took 15 ms instead of 1)."""
    return GinIndex(OpClass(Upper(Cast(field, output_field=models.TextField())), name="gin_trgm_ops"),
                    name=f"patient_{field}_trgm", fastupdate=False)


SEARCH_INDEXES = [_trigram_index(f) for f in ("given_name", "family_name", "preferred_name", "mrn", "phone_digits")]


class Patient(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=32)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    sex_at_birth = models.CharField(max_length=10, choices=SexAtBirth.choices)
    gender_identity = models.CharField(max_length=60, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    phone_digits = models.CharField(max_length=40, blank=True, db_index=True)  # for search
    email = models.EmailField(max_length=254, blank=True)
    address_line = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    emergency_contact_name = models.CharField(max_length=150, blank=True)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    emergency_contact_phone = models.CharField(max_length=40, blank=True)
    referring_provider_name = models.CharField(max_length=150, blank=True)
    referring_provider_phone = models.CharField(max_length=40, blank=True)
    referring_provider_npi = models.CharField("Referring provider NPI", max_length=10, blank=True)
    home_location = models.ForeignKey("accounts.Location", on_delete=models.PROTECT, null=True, blank=True)
    # "No known allergies" is a finding someone asked about and recorded, not the absence of
    # entries: empty means nobody has recorded it. Recording an allergy clears it.
    no_known_allergies_at = models.DateTimeField(null=True, blank=True)
    no_known_allergies_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    care_team = models.ManyToManyField("accounts.User", blank=True, related_name="care_team_patients")
    portal_user = models.OneToOneField(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="patient_record"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "mrn"], name="mrn_unique_per_org")]
        indexes = [
            models.Index(fields=["organization", "family_name", "given_name"]),
            models.Index(fields=["organization", "date_of_birth"]),
            *SEARCH_INDEXES,
        ]
        ordering = ["family_name", "given_name"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        preferred = f" “{self.preferred_name}”" if self.preferred_name and self.preferred_name != self.given_name else ""
        return f"{self.family_name}, {self.given_name}{preferred}"

    def age_on(self, day) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class ClinicalRecord(models.Model):
    """Common shape of the chart's sub-records: public id, status, version, who and when."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=20, choices=RecordStatus.choices, default=RecordStatus.ACTIVE)
    version = models.PositiveIntegerField(default=1)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # Who reported it when it did not come from the clinic's own examination, e.g. "Referral from
    # Dr A. Lee (NPI 1234567893)"; empty for the clinic's own entries.
    reported_by = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True


class BodyMeasurement(ClinicalRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="measurements")
    measured_on = models.DateField()
    weight_kg = models.DecimalField(max_digits=5, decimal_places=1)
    height_cm = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)

    class Meta:
        ordering = ["-measured_on", "-recorded_at"]

    @property
    def bmi_kg_per_m2(self) -> Decimal | None:
        if not self.height_cm:
            return None
        height_m = self.height_cm / Decimal(100)
        return (self.weight_kg / (height_m * height_m)).quantize(Decimal("0.1"))


class Allergy(ClinicalRecord):
    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"
        UNKNOWN = "unknown", "Unknown"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="allergies")
    substance = models.CharField(max_length=150)
    reaction = models.CharField(max_length=200, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.UNKNOWN)

    class Meta:
        ordering = ["substance"]


class Medication(ClinicalRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="medications")
    name = models.CharField(max_length=150)
    drug_class = models.CharField(max_length=30, choices=DrugClass.choices)
    dose = models.CharField(max_length=100, blank=True, help_text="e.g. 20 mg daily")
    started_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]


class AntidepressantTrial(ClinicalRecord):
    class Outcome(models.TextChoices):
        NO_RESPONSE = "no_response", "No response"
        PARTIAL = "partial", "Partial response"
        RESPONSE = "response", "Response"
        INTOLERANCE = "intolerance", "Stopped: intolerance"
        ONGOING = "ongoing", "Ongoing"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="trials")
    drug = models.CharField(max_length=150)
    dose_mg_per_day = models.DecimalField(max_digits=7, decimal_places=2)
    weeks = models.PositiveSmallIntegerField()
    adequate = models.BooleanField(help_text="Adequate dose for an adequate time, in the clinician's judgement")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    current_episode = models.BooleanField(default=True)

    class Meta:
        ordering = ["-recorded_at"]


class Diagnosis(ClinicalRecord):
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="diagnoses")
    icd10_code = models.CharField("ICD-10-CM code", max_length=8)
    display = models.CharField(max_length=200)
    onset_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["icd10_code"]


class TestResult(ClinicalRecord):
    """A pre-treatment test the eligibility rules ask for: an ECG, or a laboratory result such as
    liver function tests, with its interpretation and, optionally, the report itself."""

    __test__ = False  # not a pytest test class, despite the name

    class Kind(models.TextChoices):
        ECG = "ecg", "ECG"
        LIVER_TESTS = "liver_tests", "Liver function tests"
        OTHER_LAB = "other_lab", "Other laboratory test"

    class Interpretation(models.TextChoices):
        NORMAL = "normal", "Normal"
        ABNORMAL_NOT_SIGNIFICANT = "abnormal_not_significant", "Abnormal, not clinically significant"
        ABNORMAL_SIGNIFICANT = "abnormal_significant", "Abnormal, clinically significant"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="test_results")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField("Test", max_length=150, help_text="e.g. 12-lead ECG, hepatic function panel")
    performed_on = models.DateField("Date performed")
    result = models.CharField(max_length=500, help_text="The findings as reported, e.g. sinus rhythm 72/min, QTc 420 ms")
    interpretation = models.CharField(max_length=30, choices=Interpretation.choices)
    # The report (PDF or image) is kept in the database, so backups and restores carry it and it is
    # only ever served through a permission-checked view.
    attachment_name = models.CharField("Attached report", max_length=200, blank=True)
    attachment_type = models.CharField(max_length=40, blank=True)
    attachment = models.BinaryField(blank=True, default=b"", editable=False)

    class Meta:
        ordering = ["-performed_on", "-recorded_at"]


class Revision(models.Model):
    """A snapshot of one version of a patient record or sub-record, kept forever."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="revisions")
    record_type = models.CharField(max_length=40)  # "patient", "allergy", "medication" …
    record_id = models.UUIDField()
    version = models.PositiveIntegerField()
    data = models.JSONField()
    changed_fields = models.JSONField(default=list)
    reason = models.CharField(max_length=300, blank=True)
    changed_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id", "version"], name="one_revision_per_version")
        ]
        ordering = ["-changed_at", "-id"]


class TimelineEvent(models.Model):
    """A line on the chart's timeline; later modules (sessions, measures) add their own kinds."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="timeline")
    occurred_at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    actor = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["patient", "-occurred_at"])]
