"""REST API of clinical notes: list and search a patient's notes, start a draft, autosave, sign,
co-sign, add addenda. Psychotherapy notes have their own endpoints and answer only their author;
no general list includes them.

Thin: each handler parses, calls the service the pages use, and answers with the standard error
shape (declared per endpoint).
"""

import datetime as dt
from uuid import UUID

from ninja import Field, Query, Router, Schema, Status

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.pagination import MAX_PAGE, page_slice
from ketamine_clinic.core.schemas import errors
from ketamine_clinic.patients.services import get_patient_for

from . import services
from .models import Note, PsychotherapyNote

router = Router(tags=["notes"])


# --- schemas ----------------------------------------------------------------------------------
class NoteSummary(Schema):
    id: UUID
    kind: str
    title: str
    status: str
    loinc_code: str = Field(description="LOINC document type (system http://loinc.org)")
    author: str
    created_at: dt.datetime
    signed_at: dt.datetime | None
    addenda_count: int


class NotePage(Schema):
    items: list[NoteSummary]
    count: int
    page: int
    page_size: int


class NoteSectionOut(Schema):
    key: str
    label: str
    text: str


class SourceFactOut(Schema):
    group: str = Field(description="order | dose | times | vitals | score | event | discharge")
    label: str
    value: str
    source_type: str
    source_id: str = Field(description="Public id of the entry the fact comes from")
    source_url: str


class AddendumOut(Schema):
    id: UUID
    text: str
    author: str
    signed_at: dt.datetime


class NoteOut(NoteSummary):
    version: int
    loinc_display: str
    template_version: int = Field(description="0: the shipped template (to be reviewed by the clinic)")
    sections: list[NoteSectionOut]
    source_facts: list[SourceFactOut]
    service_minutes: int | None
    psychotherapy_minutes: int | None
    em_minutes: int | None
    cosigner: str | None
    cosigned_at: dt.datetime | None
    addenda: list[AddendumOut]


class NoteIn(Schema):
    kind: str = Field(description="intake | consult | administration | esketamine | progress | kap_preparation | "
                                  "kap_dosing | kap_integration | therapy_progress | telephone")
    appointment_id: UUID | None = None
    session_id: UUID | None = Field(None, description="A treatment session: the note is pre-filled from its record")


class DraftIn(Schema):
    sections: dict[str, str] = Field(default_factory=dict, description="section key -> text")
    service_minutes: int | None = None
    psychotherapy_minutes: int | None = None
    em_minutes: int | None = None
    version: int | None = Field(None, description="The version you read; a stale one is refused with 409")


class SignIn(DraftIn):
    cosigner_id: UUID | None = Field(None, description="Required when the clinic asks a co-signature for the author's role")


class AddendumIn(Schema):
    text: str


class NoteSearch(Schema):
    q: str = Field("", max_length=100, description="Words in the notes and addenda (needs the right to read notes)")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(25, ge=1, le=100)


class PsychotherapyNoteIn(Schema):
    text: str


class PsychotherapyNoteOut(Schema):
    id: UUID
    patient_id: UUID
    text: str
    created_at: dt.datetime
    signed_at: dt.datetime | None
    version: int


# --- helpers ----------------------------------------------------------------------------------
def _summary(note: Note) -> dict:
    return {"id": note.public_id, "kind": note.kind, "title": note.title, "status": note.status, "loinc_code": note.loinc_code,
            "author": note.author.name, "created_at": note.created_at, "signed_at": note.signed_at,
            "addenda_count": note.addenda.count()}


def _full(note: Note) -> dict:
    return {
        **_summary(note), "version": note.version, "loinc_display": note.loinc_display, "template_version": note.template_version,
        "sections": note.sections, "source_facts": note.source_facts, "service_minutes": note.service_minutes,
        "psychotherapy_minutes": note.psychotherapy_minutes, "em_minutes": note.em_minutes,
        "cosigner": note.cosigner.name if note.cosigner else None, "cosigned_at": note.cosigned_at,
        "addenda": [{"id": a.public_id, "text": a.text, "author": a.author.name, "signed_at": a.signed_at}
                    for a in note.addenda.select_related("author")],
    }


def _draft_data(payload: DraftIn) -> dict:
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    data.pop("cosigner_id", None)
    return data


def _pnote(p: PsychotherapyNote) -> dict:
    return {"id": p.public_id, "patient_id": p.patient.public_id, "text": p.text, "created_at": p.created_at,
            "signed_at": p.signed_at, "version": p.version}


# --- notes ------------------------------------------------------------------------------------
@router.get("/patients/{patient_id}/notes", response={200: NotePage, **errors(401, 403, 404, 422)},
            summary="List or search a patient's notes (front desk: that they exist, never their text)")
def list_notes(request, patient_id: UUID, params: Query[NoteSearch]):
    ctx = Context.from_request(request)
    patient = get_patient_for(ctx, patient_id)
    qs = services.notes_for_patient(ctx, patient, params.q)
    items = list(qs[page_slice(params.page, params.page_size)])
    return {"items": [_summary(n) for n in items], "count": qs.count(), "page": params.page, "page_size": params.page_size}


@router.post("/patients/{patient_id}/notes", response={201: NoteOut, **errors(400, 401, 403, 404, 422)},
             summary="Start a draft note from the clinic's template")
def create_note(request, patient_id: UUID, payload: NoteIn):
    ctx = Context.from_request(request)
    patient = get_patient_for(ctx, patient_id)
    links = services.resolve_links(ctx, patient, payload.appointment_id, payload.session_id)
    note = services.start_note(ctx, patient, payload.kind, **links)
    return Status(201, _full(note))


@router.get("/notes/{note_id}", response={200: NoteOut, **errors(401, 403, 404, 409, 422)}, summary="Read a note with its addenda")
def read_note(request, note_id: UUID):
    return _full(services.get_note_for(Context.from_request(request), note_id))


@router.put("/notes/{note_id}/draft", response={200: NoteOut, **errors(400, 401, 403, 404, 409, 422)},
            summary="Autosave the author's draft (a signed note is refused with 409)")
def save_draft(request, note_id: UUID, payload: DraftIn):
    ctx = Context.from_request(request)
    note = services.get_note_for(ctx, note_id, audit=False)
    return _full(services.save_draft(ctx, note, _draft_data(payload), expected_version=payload.version))


@router.post("/notes/{note_id}/sign", response={200: NoteOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Sign the author's draft: the note is locked from now")
def sign_note(request, note_id: UUID, payload: SignIn):
    ctx = Context.from_request(request)
    note = services.get_note_for(ctx, note_id, audit=False)
    return _full(services.sign_note(ctx, note, _draft_data(payload), cosigner_id=payload.cosigner_id, expected_version=payload.version))


@router.post("/notes/{note_id}/cosign", response={200: NoteOut, **errors(401, 403, 404, 409, 422)}, summary="Co-sign a note you were asked to")
def cosign_note(request, note_id: UUID):
    ctx = Context.from_request(request)
    return _full(services.cosign_note(ctx, services.get_note_for(ctx, note_id, audit=False)))


@router.post("/notes/{note_id}/addenda", response={201: AddendumOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Add a signed, timestamped addendum to a signed note")
def add_addendum(request, note_id: UUID, payload: AddendumIn):
    ctx = Context.from_request(request)
    a = services.add_addendum(ctx, services.get_note_for(ctx, note_id, audit=False), payload.text)
    return Status(201, {"id": a.public_id, "text": a.text, "author": a.author.name, "signed_at": a.signed_at})


# --- psychotherapy notes (author only) ----------------------------------------------------------
@router.get("/patients/{patient_id}/psychotherapy-notes", response={200: list[PsychotherapyNoteOut], **errors(401, 403, 404, 422)},
            summary="Your own psychotherapy notes on a patient (nobody else's; every access audited)")
def list_psychotherapy_notes(request, patient_id: UUID):
    ctx = Context.from_request(request)
    require(ctx.user, "psychotherapy_note.write")  # refused before the patient lookup is audited
    patient = get_patient_for(ctx, patient_id)
    return [_pnote(p) for p in services.own_psychotherapy_notes(ctx, patient).select_related("patient")]


@router.post("/patients/{patient_id}/psychotherapy-notes", response={201: PsychotherapyNoteOut, **errors(400, 401, 403, 404, 422)},
             summary="Write a psychotherapy note, kept apart from the record")
def create_psychotherapy_note(request, patient_id: UUID, payload: PsychotherapyNoteIn):
    ctx = Context.from_request(request)
    require(ctx.user, "psychotherapy_note.write")
    patient = get_patient_for(ctx, patient_id)
    return Status(201, _pnote(services.write_psychotherapy_note(ctx, patient, payload.text)))


@router.get("/psychotherapy-notes/{psychotherapy_note_id}", response={200: PsychotherapyNoteOut, **errors(401, 403, 404, 422)},
            summary="Read one of your psychotherapy notes")
def read_psychotherapy_note(request, psychotherapy_note_id: UUID):
    return _pnote(services.get_psychotherapy_note_for(Context.from_request(request), psychotherapy_note_id))
