"""Clinical notes: start a draft from a template, autosave it, sign it (locks it), co-sign it, add
addenda; the reads every screen and the API use.

Who may write a note follows its kind's disciplines (``rules``): medical notes need
``note.write_medical``, therapy notes ``note.write_therapy``. Only the author edits or signs a
draft; others see that it exists. A signed note never changes: an addendum is the only way to add.
"""

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ketamine_clinic.accounts.models import User
from ketamine_clinic.accounts.permissions import PermissionDenied, has_permission, require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed, require_own_clinic
from ketamine_clinic.core.ids import uuid_or_none
from ketamine_clinic.patients.models import Patient, TimelineEvent
from ketamine_clinic.patients.timeline import timeline_summary
from ketamine_clinic.plans.models import Appointment
from ketamine_clinic.treatments.models import TreatmentSession

from .. import clinic_policy, prefill, rules
from ..models import ADDENDUM_MAX_CHARS, SECTION_MAX_CHARS, Note, NoteAddendum, NoteStatus
from .templates import template_for

WRITE_ACTION = {rules.Discipline.MEDICAL: "note.write_medical", rules.Discipline.THERAPY: "note.write_therapy"}
MINUTE_FIELDS = ("service_minutes", "psychotherapy_minutes", "em_minutes")
SEARCH_MAX_CHARS = 100


# --- reads ------------------------------------------------------------------------------------
def notes_for_patient(ctx: Context, patient: Patient, q: str = "") -> QuerySet[Note]:
    """The patient's notes, newest first (front desk: that they exist). ``q`` searches the text,
    so it needs the right to read notes."""
    require(ctx.user, "note.list")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    qs = Note.objects.filter(organization_id=ctx.user.organization_id, patient=patient)
    q = (q or "").strip()
    if q:
        require(ctx.user, "note.read")
        if len(q) > SEARCH_MAX_CHARS:
            raise ValidationFailed({"q": [f"Keep the search to {SEARCH_MAX_CHARS} characters or fewer."]})
        qs = qs.filter(Q(search_text__icontains=q) | Q(addenda__text__icontains=q)).distinct()
    return qs.select_related("author", "cosigner")


def unsigned_notes_for(user) -> QuerySet[Note]:
    """Drafts the user wrote and notes waiting for the user's co-signature (the Today list)."""
    return Note.objects.filter(organization_id=user.organization_id).filter(
        Q(author=user, status=NoteStatus.DRAFT) | Q(cosigner=user, status=NoteStatus.AWAITING_COSIGN)
    ).select_related("patient", "author")


def get_note_for(ctx: Context, public_id, *, audit: bool = True) -> Note:
    """A note the actor may read: same clinic, the right to read notes, and a draft only by its author."""
    require(ctx.user, "note.read")
    note_id = uuid_or_none(public_id)
    note = Note.objects.filter(organization_id=ctx.user.organization_id, public_id=note_id).select_related(
        "patient", "author", "cosigner").first() if note_id else None
    if note is None:
        raise NotFound("No such note.")
    if note.status == NoteStatus.DRAFT and note.author_id != ctx.user.pk:
        raise Conflict("This note is a draft; only its author reads it until it is signed.")
    if audit:
        record(ctx, Action.NOTE_VIEW, obj=note, patient=note.patient, organization=note.organization)
    return note


def may_write(user, note_or_kind) -> bool:
    kind = rules.KINDS[getattr(note_or_kind, "kind", note_or_kind)]
    return any(has_permission(user, WRITE_ACTION[d]) for d in kind.disciplines)


def writable_kinds(user) -> list[rules.NoteKind]:
    return [k for k in rules.KINDS.values() if may_write(user, k.key)]


def cosign_required_for(note: Note) -> bool:
    return clinic_policy.cosign_required(note.organization, note.author)


def cosigners_for(note: Note) -> list[User]:
    """Colleagues who may co-sign: same clinic, active, allowed to write this kind, not the author."""
    candidates = User.objects.filter(organization_id=note.organization_id, is_active=True, kind="staff").exclude(pk=note.author_id)
    return [u for u in candidates if _may_cosign(u, note)]


# --- writes -----------------------------------------------------------------------------------
def _discipline_for(user, kind: rules.NoteKind) -> rules.Discipline:
    for discipline in sorted(kind.disciplines):
        if has_permission(user, WRITE_ACTION[discipline]):
            return discipline
    raise PermissionDenied(WRITE_ACTION[sorted(kind.disciplines)[0]])


def _audit(ctx, action: Action, note: Note, detail: dict | None = None, obj=None) -> None:
    record(ctx, action, obj=obj or note, patient=note.patient, organization=note.organization, detail=detail or {})


def _timeline(ctx, note: Note, summary: str) -> None:
    TimelineEvent.objects.create(patient=note.patient, kind="note", summary=timeline_summary(summary), actor=ctx.user)


def resolve_links(ctx: Context, patient: Patient, appointment_id=None, session_id=None) -> dict:
    """The patient's appointment and treatment session named by public id (404 for anyone else's)."""
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    links = {}
    for field, model, raw in (("appointment", Appointment, appointment_id), ("session", TreatmentSession, session_id)):
        if raw in (None, ""):
            continue
        found = model.objects.filter(patient=patient, public_id=uuid_or_none(raw)).first() if uuid_or_none(raw) else None
        if found is None:
            raise ValidationFailed({field: [f"No such {field.replace('session', 'treatment session')} for this patient."]})
        links[field] = found
    return links


def start_note(ctx: Context, patient: Patient, kind: str, *, appointment=None, session=None) -> Note:
    """A draft from the clinic's template for ``kind``, attached to the patient (and optionally an
    appointment or a treatment session). From a session, the note is pre-filled from its record:
    the facts keep a link to their source entries, and the matching sections get a draft text."""
    require(ctx.user, "note.list")
    require_own_clinic(ctx.user, patient.organization_id, "patient")
    template = template_for(patient.organization, kind)
    note_kind = rules.KINDS[kind]
    discipline = _discipline_for(ctx.user, note_kind)
    system, code, display = note_kind.loinc
    facts, drafts = [], {}
    if session is not None:
        require(ctx.user, "session.view")
        if session.patient_id != patient.pk:
            raise ValidationFailed({"session": ["This treatment session is another patient's."]})
        facts = prefill.session_facts(session)
        drafts = prefill.drafted_sections(kind, facts)
    sections = [{"key": key, "label": label, "text": drafts.get(key, "")} for key, label in template.sections]
    now = timezone.now()
    with transaction.atomic():
        note = Note.objects.create(
            organization=patient.organization, patient=patient, kind=kind, discipline=discipline, title=template.title,
            template_version=template.version, loinc_code=code, loinc_display=display, sections=sections,
            search_text="\n".join([template.title, *(s["text"] for s in sections)]), source_facts=facts,
            appointment=appointment, session=session, author=ctx.user, created_at=now, updated_at=now,
        )
        _audit(ctx, Action.NOTE_CREATE, note, {"kind": kind, "template_version": template.version, "prefilled_facts": len(facts),
                                          "session": str(session.public_id) if session else ""})
    return note


def _parse_minutes(data: dict) -> dict[str, int | None]:
    values, errors = {}, {}
    for field in MINUTE_FIELDS:
        raw = data.get(field)
        if raw in (None, ""):
            values[field] = None
            continue
        try:
            values[field] = int(str(raw).strip())
        except (TypeError, ValueError):
            errors[field] = ["Enter whole minutes."]
    if errors:
        raise ValidationFailed(errors)
    try:
        rules.check_minutes(values["service_minutes"], values["psychotherapy_minutes"], values["em_minutes"])
    except rules.MinutesError as exc:
        raise ValidationFailed({exc.field: [exc.message]}) from None
    return values


def _apply(note: Note, data: dict) -> list[str]:
    """Put the submitted section texts and minutes on the note (unsaved); field errors, never a cut."""
    texts = data.get("sections") if isinstance(data.get("sections"), dict) else {
        s["key"]: data[f"section_{s['key']}"] for s in note.sections if f"section_{s['key']}" in data}
    errors = {}
    for section in note.sections:
        text = texts.get(section["key"])
        if text is None:
            continue
        text = str(text)
        if len(text) > SECTION_MAX_CHARS:
            errors[f"section_{section['key']}"] = [f"Keep this section to {SECTION_MAX_CHARS:,} characters or fewer (it has {len(text):,})."]
        section["text"] = text
    unknown = set(texts) - {s["key"] for s in note.sections}
    if unknown:
        errors["sections"] = [f"This note has no section {', '.join(sorted(unknown))}."]
    if errors:
        raise ValidationFailed(errors)
    changed = ["sections", "search_text"]
    if any(field in data for field in MINUTE_FIELDS):
        minutes = _parse_minutes({f: data.get(f, getattr(note, f)) for f in MINUTE_FIELDS})
        if not rules.KINDS[note.kind].therapy_time and minutes["psychotherapy_minutes"]:
            raise ValidationFailed({"psychotherapy_minutes": ["This kind of note records no psychotherapy time."]})
        for field, value in minutes.items():
            setattr(note, field, value)
        changed += list(MINUTE_FIELDS)
    note.search_text = "\n".join([note.title, *(s["text"] for s in note.sections)])
    return changed


def _lock(note: Note) -> Note:
    return Note.objects.select_for_update().select_related("patient", "organization", "author").get(pk=note.pk)


def _check_version(note: Note, expected) -> None:
    if expected in (None, ""):
        return
    try:
        expected = int(expected)
    except (TypeError, ValueError):
        raise ValidationFailed({"version": ["Send the version you read, a whole number."]}) from None
    if expected != note.version:
        raise Conflict(f"This note was changed elsewhere (now version {note.version}); reload it. Nothing was saved.",
                       {"version": [f"Current version is {note.version}."]})


def _require_author_draft(ctx, note: Note) -> None:
    if note.author_id != ctx.user.pk:
        raise Conflict("Only the author edits or signs this note; add an addendum once it is signed.")
    if note.status != NoteStatus.DRAFT:
        raise Conflict("This note is signed and locked. To change it, add an addendum.")


def save_draft(ctx: Context, note: Note, data: dict, *, expected_version=None) -> Note:
    """Keep the author's text on the server as it is typed (autosave)."""
    with transaction.atomic():
        note = _lock(note)
        _require_author_draft(ctx, note)
        require(ctx.user, WRITE_ACTION[note.discipline])
        _check_version(note, expected_version)
        changed = _apply(note, data)
        note.version += 1
        note.updated_at = timezone.now()
        note.save(update_fields=[*changed, "version", "updated_at"])
        _audit(ctx, Action.NOTE_DRAFT_SAVE, note, {"version": note.version})
    return note


def _may_cosign(user, note: Note) -> bool:
    return (user.pk != note.author_id and user.is_active and user.organization_id == note.organization_id
            and has_permission(user, WRITE_ACTION[note.discipline]) and not clinic_policy.cosign_required(note.organization, user))


def _cosigner(note: Note, cosigner_id) -> User | None:
    if not clinic_policy.cosign_required(note.organization, note.author):
        if cosigner_id not in (None, ""):
            raise ValidationFailed({"cosigner": ["This note needs no co-signature at this clinic; leave the co-signer out."]})
        return None
    if cosigner_id in (None, ""):
        raise ValidationFailed({"cosigner": ["Your notes need a co-signature (clinic policy): choose the colleague who co-signs."]})
    user = User.objects.filter(public_id=uuid_or_none(cosigner_id), organization_id=note.organization_id).first() if uuid_or_none(cosigner_id) else None
    if user is None or not _may_cosign(user, note):
        raise ValidationFailed({"cosigner": ["Choose a colleague of this clinic who writes this kind of note and needs no co-signature."]})
    return user


def sign_note(ctx: Context, note: Note, data: dict | None = None, *, cosigner_id=None, expected_version=None, now=None) -> Note:
    """Sign the author's draft (with its last text, if ``data`` is sent): the note is locked from now."""
    now = now or timezone.now()
    with transaction.atomic():
        note = _lock(note)
        _require_author_draft(ctx, note)
        require(ctx.user, WRITE_ACTION[note.discipline])
        _check_version(note, expected_version)
        if data:
            _apply(note, data)
        if not any(s["text"].strip() for s in note.sections):
            raise ValidationFailed({"sections": ["Write at least one section before signing."]})
        cosigner = _cosigner(note, cosigner_id)
        note.status = NoteStatus.AWAITING_COSIGN if cosigner else NoteStatus.SIGNED
        note.cosigner, note.signed_at = cosigner, now
        note.version += 1
        note.updated_at = now
        note.save()
        _audit(ctx, Action.NOTE_SIGN, note, {"version": note.version, "cosigner": cosigner.username if cosigner else ""})
        _timeline(ctx, note, f"{note.title} signed by {ctx.user.name}" + (f", co-signature by {cosigner.name} pending" if cosigner else ""))
    return note


def cosign_note(ctx: Context, note: Note, *, now=None) -> Note:
    now = now or timezone.now()
    with transaction.atomic():
        note = _lock(note)
        if note.status != NoteStatus.AWAITING_COSIGN:
            raise Conflict("This note is not waiting for a co-signature.")
        if note.cosigner_id != ctx.user.pk:
            raise Conflict("Only the colleague the author chose co-signs this note.")
        require(ctx.user, WRITE_ACTION[note.discipline])
        note.status, note.cosigned_at = NoteStatus.SIGNED, now
        note.version += 1
        note.updated_at = now
        note.save(update_fields=["status", "cosigned_at", "version", "updated_at"])
        _audit(ctx, Action.NOTE_COSIGN, note, {"version": note.version})
        _timeline(ctx, note, f"{note.title} co-signed by {ctx.user.name}")
    return note


def add_addendum(ctx: Context, note: Note, text: str, *, now=None) -> NoteAddendum:
    """A signed, timestamped addition to a signed note, shown under it."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed({"text": ["Write the addendum."]})
    if len(text) > ADDENDUM_MAX_CHARS:
        raise ValidationFailed({"text": [f"Keep the addendum to {ADDENDUM_MAX_CHARS:,} characters or fewer (it has {len(text):,})."]})
    with transaction.atomic():
        note = _lock(note)
        require(ctx.user, WRITE_ACTION[note.discipline])
        if note.status == NoteStatus.DRAFT:
            raise Conflict("This note is still a draft: edit it, then sign it.")
        addendum = NoteAddendum.objects.create(note=note, text=text, author=ctx.user, signed_at=now or timezone.now())
        note.version += 1
        note.save(update_fields=["version"])
        _audit(ctx, Action.NOTE_ADDENDUM, note, {"addendum": str(addendum.public_id)})
        _timeline(ctx, note, f"Addendum to {note.title} by {ctx.user.name}")
    return addendum
