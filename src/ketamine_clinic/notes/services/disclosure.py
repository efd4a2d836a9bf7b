"""Disclosing one psychotherapy note, on the patient's written authorization, to a named colleague.

HIPAA keeps psychotherapy notes apart (45 CFR 164.501) and lets them be used or disclosed only with
the patient's authorization, with narrow exceptions (164.508(a)(2)). Here only the author discloses,
one note to one colleague of the same clinic who reads clinical notes; the authorization (date
signed, reference, optional expiry) is recorded with it. The colleague reads that note only,
read-only, every read audited; the author revokes it at any time. Nothing else changes: the note is
still in no chart section, export, general API list, portal or FHIR resource.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.permissions import has_permission, require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed, require_own_clinic
from ketamine_clinic.core.ids import uuid_or_none

from ..models import DISCLOSURE_REFERENCE_MAX_CHARS, PsychotherapyNote, PsychotherapyNoteDisclosure

READ_DISCLOSED = "psychotherapy_note.read_disclosed"


def eligible_recipients(ctx: Context, pnote: PsychotherapyNote) -> list[User]:
    """Colleagues of the author's clinic who may receive a disclosure (they read clinical notes)."""
    require_own_clinic(ctx.user, pnote.organization_id, "psychotherapy note")
    users = User.objects.filter(organization_id=pnote.organization_id, kind=User.Kind.STAFF, is_active=True).exclude(pk=pnote.author_id)
    return [u for u in users.order_by("last_name", "first_name", "username") if has_permission(u, READ_DISCLOSED)]


def _parse_date(raw, field: str, errors: dict, required: bool) -> dt.date | None:
    raw = (str(raw) if raw is not None else "").strip()
    if not raw:
        if required:
            errors[field] = ["Give the date."]
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[field] = ["Give a date as YYYY-MM-DD."]
        return None


def _clean(ctx: Context, pnote: PsychotherapyNote, data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    rid = uuid_or_none(data.get("recipient"))
    recipient = next((u for u in eligible_recipients(ctx, pnote) if u.public_id == rid), None) if rid else None
    if recipient is None:
        errors["recipient"] = ["Choose a colleague of this clinic who reads clinical notes."]
    signed_on = _parse_date(data.get("authorization_signed_on"), "authorization_signed_on", errors, required=True)
    if signed_on and signed_on > today:
        errors["authorization_signed_on"] = ["The authorization cannot be signed in the future."]
    expires_on = _parse_date(data.get("authorization_expires_on"), "authorization_expires_on", errors, required=False)
    if expires_on and expires_on < max(today, signed_on or today):
        errors["authorization_expires_on"] = ["The authorization has already expired: record a current one."]
    reference = (data.get("authorization_reference") or "").strip()
    if not reference:
        errors["authorization_reference"] = ["Describe the signed authorization (where it is filed, what it covers)."]
    elif len(reference) > DISCLOSURE_REFERENCE_MAX_CHARS:
        errors["authorization_reference"] = [f"At most {DISCLOSURE_REFERENCE_MAX_CHARS} characters (it has {len(reference)})."]
    if errors:
        raise ValidationFailed(errors)
    return {"recipient": recipient, "authorization_signed_on": signed_on, "authorization_expires_on": expires_on,
            "authorization_reference": reference}


def _locked_own_signed(ctx: Context, pnote: PsychotherapyNote) -> PsychotherapyNote:
    locked = PsychotherapyNote.objects.select_for_update().select_related("patient", "organization").get(pk=pnote.pk)
    if locked.author_id != ctx.user.pk:
        raise NotFound("No such psychotherapy note.")
    if locked.signed_at is None:
        raise Conflict("Sign the psychotherapy note before disclosing it, so the colleague reads what you signed.")
    return locked


def disclose_psychotherapy_note(ctx: Context, pnote: PsychotherapyNote, data: dict) -> PsychotherapyNoteDisclosure:
    """The author discloses the signed note to one colleague, recording the patient's authorization."""
    require(ctx.user, "psychotherapy_note.write")
    require_own_clinic(ctx.user, pnote.organization_id, "psychotherapy note")
    if pnote.author_id != ctx.user.pk:
        raise NotFound("No such psychotherapy note.")
    clean = _clean(ctx, pnote, data)
    try:
        with transaction.atomic():
            locked = _locked_own_signed(ctx, pnote)
            disclosure = PsychotherapyNoteDisclosure.objects.create(
                organization=locked.organization, note=locked, granted_by=ctx.user, **clean)
            record(ctx, Action.PSYCHOTHERAPY_NOTE_DISCLOSE, obj=locked, patient=locked.patient, organization=locked.organization,
                   detail={"disclosure": str(disclosure.public_id), "recipient": str(clean["recipient"].public_id),
                           "authorization_signed_on": clean["authorization_signed_on"].isoformat(),
                           "authorization_expires_on": clean["authorization_expires_on"].isoformat()
                           if clean["authorization_expires_on"] else None})
    except IntegrityError:
        raise Conflict("This note is already disclosed to that colleague; revoke that disclosure first to record a new one.") from None
    return disclosure


def disclosures_of(ctx: Context, pnote: PsychotherapyNote) -> QuerySet[PsychotherapyNoteDisclosure]:
    """The note's disclosures, live and revoked, for its author (the caller read the note, audited)."""
    require(ctx.user, "psychotherapy_note.write")
    require_own_clinic(ctx.user, pnote.organization_id, "psychotherapy note")
    if pnote.author_id != ctx.user.pk:
        raise NotFound("No such psychotherapy note.")
    return pnote.disclosures.select_related("recipient", "revoked_by")


def revoke_disclosure(ctx: Context, pnote: PsychotherapyNote, disclosure_id) -> PsychotherapyNoteDisclosure:
    """The author ends a disclosure; the colleague can no longer read the note. The row stays."""
    require(ctx.user, "psychotherapy_note.write")
    require_own_clinic(ctx.user, pnote.organization_id, "psychotherapy note")
    did = uuid_or_none(disclosure_id)
    with transaction.atomic():
        disclosure = (PsychotherapyNoteDisclosure.objects.select_for_update()
                      .filter(public_id=did, note_id=pnote.pk, note__author=ctx.user).select_related("note__patient").first()
                      if did else None)
        if disclosure is None:
            raise NotFound("No such disclosure.")
        if disclosure.revoked_at is not None:
            raise Conflict("This disclosure is already revoked.")
        disclosure.revoked_at, disclosure.revoked_by = timezone.now(), ctx.user
        disclosure.save(update_fields=["revoked_at", "revoked_by"])
        record(ctx, Action.PSYCHOTHERAPY_NOTE_DISCLOSURE_REVOKE, obj=disclosure.note, patient=disclosure.note.patient,
               organization=disclosure.organization, detail={"disclosure": str(disclosure.public_id)})
    return disclosure


def _live_for(user) -> QuerySet[PsychotherapyNoteDisclosure]:
    today = timezone.localdate()
    return (PsychotherapyNoteDisclosure.objects
            .filter(organization_id=user.organization_id, recipient=user, revoked_at__isnull=True)
            .filter(Q(authorization_expires_on__isnull=True) | Q(authorization_expires_on__gte=today)))


def notes_disclosed_to_me(ctx: Context) -> QuerySet[PsychotherapyNoteDisclosure]:
    """The live disclosures made to the caller (patient, author, dates; the list is audited)."""
    require(ctx.user, READ_DISCLOSED)
    qs = _live_for(ctx.user).select_related("note__patient", "note__author")
    record(ctx, Action.PSYCHOTHERAPY_NOTE_DISCLOSED_LIST, object_type="notes.psychotherapynotedisclosure",
           object_id="", organization=ctx.user.organization)
    return qs


def disclosed_psychotherapy_note_for(ctx: Context, public_id) -> tuple[PsychotherapyNote, PsychotherapyNoteDisclosure]:
    """A note disclosed to the caller (live disclosure only), read-only; to anyone else it does not exist."""
    require(ctx.user, READ_DISCLOSED)
    pid = uuid_or_none(public_id)
    disclosure = (_live_for(ctx.user).filter(note__public_id=pid).select_related("note__patient", "note__author", "note__organization")
                  .first() if pid else None)
    if disclosure is None:
        raise NotFound("No such psychotherapy note.")
    note = disclosure.note
    record(ctx, Action.PSYCHOTHERAPY_NOTE_DISCLOSED_VIEW, obj=note, patient=note.patient, organization=note.organization,
           detail={"disclosure": str(disclosure.public_id)})
    return note, disclosure
