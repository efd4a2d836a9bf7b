"""DocumentReference (US Core DocumentReference 6.1.0) over signed clinical notes (``notes.Note``),
read-only, under ``note.read``.

Served: notes signed by their author (docStatus final, preliminary while a co-signature is awaited,
amended once an addendum exists). Drafts are never served. Psychotherapy notes are a separate model
(``notes.PsychotherapyNote``) that this module never reads. The content is the note as plain text
(title, sections, addenda), base64 in the attachment.
"""

import base64

from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.notes.models import Note, NoteStatus
from ketamine_clinic.patients import services as patient_services

from .. import codes
from ..search import SearchParam, datetime_q, reference_id, token
from .base import ID_PARAM, PATIENT_PARAM, ResourceType, audited_read, meta, patient_ref, searched

PROFILE = codes.profile("us-core-documentreference")
CATEGORY_SYSTEM = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
CLINICAL_NOTE = {"system": CATEGORY_SYSTEM, "code": "clinical-note", "display": "Clinical Note"}
FORMAT_CODE = {"system": "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode", "code": "urn:ihe:iti:xds:2017:mimeTypeSufficient",
               "display": "mimeType Sufficient"}
NOTE_SYSTEM = "urn:ketamine-clinic:note"
SERVED = (NoteStatus.SIGNED, NoteStatus.AWAITING_COSIGN)


def _person(user) -> dict:
    return {"reference": f"Practitioner/{user.public_id}", "display": user.display_name or user.get_full_name() or user.username}


def note_text(note: Note) -> str:
    """The note as plain text: title, each section under its label, then the addenda in order."""
    local = lambda when: timezone.localtime(when).strftime("%Y-%m-%d %H:%M")  # noqa: E731
    parts = [note.title, f"Signed {local(note.signed_at)} by {_person(note.author)['display']}"]
    parts += [f"{s['label']}\n{s['text']}" for s in note.sections if (s.get("text") or "").strip()]
    parts += [f"Addendum {local(a.signed_at)} by {_person(a.author)['display']}\n{a.text}" for a in note.addenda.all()]
    return "\n\n".join(parts) + "\n"


def _doc_status(note: Note) -> str:
    if note.status == NoteStatus.AWAITING_COSIGN:
        return "preliminary"
    return "amended" if list(note.addenda.all()) else "final"  # prefetched


def to_fhir(note: Note) -> dict:
    text = note_text(note)
    resource = {
        "resourceType": "DocumentReference",
        "id": str(note.public_id),
        "meta": meta(note, (PROFILE,)),
        "identifier": [{"system": NOTE_SYSTEM, "value": str(note.public_id)}],
        "status": "current",
        "docStatus": _doc_status(note),
        "type": {"coding": [{"system": codes.LOINC, "code": note.loinc_code, "display": note.loinc_display}], "text": note.title},
        "category": [{"coding": [CLINICAL_NOTE]}],
        "subject": patient_ref(note.patient),
        "date": note.signed_at.isoformat(),
        "author": [_person(note.author)],
        "description": note.title,
        "content": [{
            "attachment": {"contentType": "text/plain; charset=utf-8", "language": "en-US", "title": note.title,
                           "creation": note.signed_at.isoformat(), "data": base64.b64encode(text.encode()).decode()},
            "format": FORMAT_CODE,
        }],
    }
    if note.cosigner_id and note.cosigned_at:
        resource["authenticator"] = _person(note.cosigner)
    if note.session_id:
        resource["context"] = {"encounter": [{"reference": f"Encounter/{note.session.public_id}"}]}
    return resource


def _rows(organization_id):
    """The clinic's served notes (signed, never drafts), unpermissioned: ``_scoped`` checks the actor first."""
    return (Note.objects.filter(organization_id=organization_id, status__in=SERVED, signed_at__isnull=False)
            .select_related("patient", "author", "cosigner", "session").prefetch_related("addenda__author"))


def _scoped(ctx):
    require(ctx.user, "note.read")
    return _rows(ctx.user.organization_id)


def of_patient(patient):
    return _rows(patient.organization_id).filter(patient=patient).order_by("-signed_at", "-id")


def read(ctx, resource_id):
    return audited_read(ctx, _scoped(ctx), resource_id, "DocumentReference")


def _type(qs, value, ctx):
    loinc = []
    for part in value.split(","):
        system, code = token(part.strip())
        if system in (None, "", codes.LOINC):
            loinc.append(code)
    return qs.filter(loinc_code__in=loinc)


def _category(qs, value, ctx):
    wanted = [token(part.strip()) for part in value.split(",")]
    return qs if any(code == CLINICAL_NOTE["code"] and system in (None, "", CATEGORY_SYSTEM) for system, code in wanted) else qs.none()


PARAMS = {p.name: p for p in (
    ID_PARAM,
    PATIENT_PARAM,
    SearchParam("type", "token", _type, "LOINC document type, e.g. 11506-3 (progress note), 34117-2"),
    SearchParam("category", "token", _category, "clinical-note (every served note)"),
    SearchParam("date", "date", lambda qs, v, ctx: qs.filter(**datetime_q("signed_at", v)), "Day signed (prefixes eq, ge, gt, le, lt)"),
)}


def search(ctx, pairs):
    qs = _scoped(ctx).order_by("-signed_at", "-id")
    qs = searched(qs, pairs, ctx)
    # A search for one patient's notes is audited against that patient.
    patient_values = [v for p, v in pairs if p.name == "patient"]
    patient_id = reference_id(patient_values[0], "Patient") if len(patient_values) == 1 else None
    patient = patient_services.patients_for(ctx).filter(public_id=patient_id).first() if patient_id else None
    return qs, patient


TYPE = ResourceType(name="DocumentReference", profiles=(PROFILE,), params=PARAMS, to_fhir=to_fhir, read=read, search=search, of_patient=of_patient,
                    documentation="Signed clinical and therapy progress notes as plain text (never drafts, never psychotherapy notes)")
