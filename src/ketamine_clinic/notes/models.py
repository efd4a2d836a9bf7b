"""Clinical notes, their addenda and templates; psychotherapy notes in a table of their own.

A note is a draft until signed; signing locks it (a change after that is an addendum). Psychotherapy
notes (HIPAA 45 CFR 164.501) are kept apart from the record: a separate model, read only by their
author, never in the notes lists, the API's general lists, exports or the chart.
"""

import uuid

from django.db import models
from django.utils import timezone

from ketamine_clinic.core.immutable import Immutable

# A note section or an addendum is refused (a field error) beyond these; never cut.
SECTION_MAX_CHARS = 20_000
ADDENDUM_MAX_CHARS = 5_000
PSYCHOTHERAPY_NOTE_MAX_CHARS = 20_000


class NoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_COSIGN = "awaiting_cosign", "Signed, awaiting co-signature"
    SIGNED = "signed", "Signed"


class NoteTemplate(Immutable):
    """A clinic's own version of a note template (the shipped ones live in ``rules.KINDS``); a change
    is a new version, never an edit."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=120)
    sections = models.JSONField()  # [[key, label], ...]
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "kind", "version"], name="one_note_template_version")]
        ordering = ["kind", "-version"]


class _SealedOnceSigned(Immutable):
    """Sealed from the moment the stored row is signed (not when the instance in hand is being signed)."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        row = super().from_db(db, field_names, values)
        row._stored_signed = row.stored_signed_state()
        return row

    def stored_signed_state(self) -> bool:
        raise NotImplementedError

    def is_sealed(self) -> bool:
        return not self._state.adding and getattr(self, "_stored_signed", False)


class Note(_SealedOnceSigned):
    # Once signed, only the co-signature and the version (bumped by each addendum) still change.
    MUTABLE_FIELDS = frozenset({"status", "cosigned_at", "version", "updated_at"})
    changed_message = "{name} is signed and locked; add an addendum instead."

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="notes")
    kind = models.CharField(max_length=30)
    discipline = models.CharField(max_length=10)  # rules.Discipline chosen when written
    title = models.CharField(max_length=200)
    template_version = models.PositiveIntegerField(default=0)  # 0: the shipped template
    loinc_code = models.CharField(max_length=20)
    loinc_display = models.CharField(max_length=80)
    sections = models.JSONField(default=list)  # [{"key", "label", "text"}], in the template's order
    search_text = models.TextField(blank=True)  # title and sections, for search
    source_facts = models.JSONField(default=list, blank=True)  # pre-filled facts: [{"label", "value", "source_type", "source_id"}]
    service_minutes = models.PositiveIntegerField(null=True, blank=True)
    psychotherapy_minutes = models.PositiveIntegerField(null=True, blank=True)
    em_minutes = models.PositiveIntegerField(null=True, blank=True)
    appointment = models.ForeignKey("plans.Appointment", on_delete=models.PROTECT, null=True, blank=True, related_name="notes")
    session = models.ForeignKey("treatments.TreatmentSession", on_delete=models.PROTECT, null=True, blank=True, related_name="notes")
    status = models.CharField(max_length=20, choices=NoteStatus.choices, default=NoteStatus.DRAFT)
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)
    cosigner = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    cosigned_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["patient", "-created_at"]), models.Index(fields=["organization", "status"])]

    @property
    def is_locked(self) -> bool:
        return self.status != NoteStatus.DRAFT

    def stored_signed_state(self) -> bool:
        return self.status != NoteStatus.DRAFT


class NoteAddendum(Immutable):
    """A change after signing: signed and timestamped when written, shown under the note."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    note = models.ForeignKey(Note, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "id"]


class PsychotherapyNote(_SealedOnceSigned):
    """A therapist's process notes (45 CFR 164.501), separate from the record: author-only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    appointment = models.ForeignKey("plans.Appointment", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.TextField()
    signed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def stored_signed_state(self) -> bool:
        return self.signed_at is not None


DISCLOSURE_REFERENCE_MAX_CHARS = 300


class PsychotherapyNoteDisclosure(models.Model):
    """The author's disclosure of one psychotherapy note to one named colleague, on the patient's
    written authorization (45 CFR 164.508(a)(2)). The colleague reads that note only, read-only,
    while the disclosure is neither revoked nor past its expiry. Revoking keeps the row (history)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    note = models.ForeignKey(PsychotherapyNote, on_delete=models.PROTECT, related_name="disclosures")
    recipient = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    authorization_signed_on = models.DateField()
    authorization_reference = models.CharField(max_length=DISCLOSURE_REFERENCE_MAX_CHARS)
    authorization_expires_on = models.DateField(null=True, blank=True)
    granted_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            # One live disclosure of a note to a colleague: two concurrent grants cannot both stand.
            models.UniqueConstraint(fields=["note", "recipient"], condition=models.Q(revoked_at__isnull=True),
                                    name="one_live_psychotherapy_disclosure"),
        ]
