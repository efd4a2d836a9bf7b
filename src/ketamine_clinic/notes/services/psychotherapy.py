"""Psychotherapy notes (HIPAA 45 CFR 164.501): a therapist's notes analysing the conversation of a
session, kept apart from the record. Only their author reads them, every access is audited, and no
list, export, chart section or API list of the record includes them. What the record needs
(times, modality, interventions summary, progress) goes in a therapy progress note instead.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed, require_own_clinic
from ketamine_clinic.core.ids import uuid_or_none
from ketamine_clinic.patients.models import Patient

from ..models import PSYCHOTHERAPY_NOTE_MAX_CHARS, PsychotherapyNote


def _clean_text(text) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({"text": ["Write the note."]})
    if len(text) > PSYCHOTHERAPY_NOTE_MAX_CHARS:
        raise ValidationFailed({"text": [f"Keep the note to {PSYCHOTHERAPY_NOTE_MAX_CHARS:,} characters or fewer (it has {len(text):,})."]})
    return text


def _audit(ctx, action: Action, pnote: PsychotherapyNote) -> None:
    record(ctx, action, obj=pnote, patient=pnote.patient, organization=pnote.organization)


def own_psychotherapy_notes(ctx: Context, patient: Patient) -> QuerySet[PsychotherapyNote]:
    """The actor's own psychotherapy notes on this patient (the listing is audited too)."""
    require(ctx.user, "psychotherapy_note.write")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    qs = PsychotherapyNote.objects.filter(organization_id=ctx.user.organization_id, author=ctx.user, patient=patient)
    record(ctx, Action.PSYCHOTHERAPY_NOTE_LIST, obj=patient, patient=patient)
    return qs


def get_psychotherapy_note_for(ctx: Context, public_id) -> PsychotherapyNote:
    """The note, for its author only; to anyone else it does not exist."""
    require(ctx.user, "psychotherapy_note.write")
    pid = uuid_or_none(public_id)
    pnote = PsychotherapyNote.objects.filter(public_id=pid, author=ctx.user, organization_id=ctx.user.organization_id).select_related(
        "patient", "organization").first() if pid else None
    if pnote is None:
        raise NotFound("No such psychotherapy note.")
    _audit(ctx, Action.PSYCHOTHERAPY_NOTE_VIEW, pnote)
    return pnote


def write_psychotherapy_note(ctx: Context, patient: Patient, text: str) -> PsychotherapyNote:
    require(ctx.user, "psychotherapy_note.write")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    text = _clean_text(text)
    with transaction.atomic():
        pnote = PsychotherapyNote.objects.create(organization=patient.organization, patient=patient, author=ctx.user, text=text)
        _audit(ctx, Action.PSYCHOTHERAPY_NOTE_CREATE, pnote)
    return pnote


def _locked_own(ctx: Context, pnote: PsychotherapyNote) -> PsychotherapyNote:
    locked = PsychotherapyNote.objects.select_for_update().select_related("patient", "organization").get(pk=pnote.pk)
    if locked.author_id != ctx.user.pk:
        raise NotFound("No such psychotherapy note.")
    if locked.signed_at is not None:
        raise Conflict("This psychotherapy note is signed and locked; write a new one to add to it.")
    return locked


def update_psychotherapy_note(ctx: Context, pnote: PsychotherapyNote, text: str) -> PsychotherapyNote:
    require(ctx.user, "psychotherapy_note.write")
    text = _clean_text(text)
    with transaction.atomic():
        pnote = _locked_own(ctx, pnote)
        pnote.text, pnote.version, pnote.updated_at = text, pnote.version + 1, timezone.now()
        pnote.save(update_fields=["text", "version", "updated_at"])
        _audit(ctx, Action.PSYCHOTHERAPY_NOTE_UPDATE, pnote)
    return pnote


def sign_psychotherapy_note(ctx: Context, pnote: PsychotherapyNote) -> PsychotherapyNote:
    require(ctx.user, "psychotherapy_note.write")
    with transaction.atomic():
        pnote = _locked_own(ctx, pnote)
        pnote.signed_at, pnote.version = timezone.now(), pnote.version + 1
        pnote.save(update_fields=["signed_at", "version"])
        _audit(ctx, Action.PSYCHOTHERAPY_NOTE_SIGN, pnote)
    return pnote
