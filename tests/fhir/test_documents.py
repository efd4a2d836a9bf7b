"""DocumentReference: signed notes (US Core 6.1.0) as plain text, never drafts; searched by patient,
type, category and date; needs note.read. A psychotherapy note's text appears in no FHIR response."""

import base64
import json

import pytest
from django.utils import timezone

from ketamine_clinic.fhir.resources import REGISTRY
from ketamine_clinic.notes import services as note_services
from tests.support.people import ctx_for

from .support import fhir, ok, refused, resources

pytestmark = pytest.mark.django_db

PROFILE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-documentreference|6.1.0"
SECRET = "Dreamt of the lighthouse again; private material 7Q2X"


@pytest.fixture
def notes(prescriber, therapist, patient):
    progress = note_services.start_note(ctx_for(prescriber), patient, "progress")
    progress = note_services.sign_note(ctx_for(prescriber), progress, {"section_subjective": "Feels calmer.", "section_plan": "Infusion Friday."})
    note_services.add_addendum(ctx_for(prescriber), progress, "BP rechecked: normal.")
    draft = note_services.start_note(ctx_for(prescriber), patient, "intake")
    note_services.save_draft(ctx_for(prescriber), draft, {"section_hpi": "Draft words only"})
    pnote = note_services.write_psychotherapy_note(ctx_for(therapist), patient, SECRET)
    note_services.sign_psychotherapy_note(ctx_for(therapist), pnote)
    return progress, draft, pnote


def _text(document) -> str:
    return base64.b64decode(document["content"][0]["attachment"]["data"]).decode()


def test_signed_note_is_a_us_core_document_with_its_text(nurse, notes, patient, prescriber):
    progress = notes[0]
    doc = ok(fhir(nurse, "get", f"/DocumentReference/{progress.public_id}"))
    assert doc["meta"]["profile"] == [PROFILE]
    assert doc["type"]["coding"][0] == {"system": "http://loinc.org", "code": progress.loinc_code, "display": progress.loinc_display}
    assert doc["category"][0]["coding"][0]["code"] == "clinical-note"
    assert doc["status"] == "current" and doc["docStatus"] == "amended"
    assert doc["subject"]["reference"] == f"Patient/{patient.public_id}"
    assert doc["author"][0]["reference"] == f"Practitioner/{prescriber.public_id}"
    text = _text(doc)
    assert "Feels calmer." in text and "Infusion Friday." in text and "BP rechecked: normal." in text
    assert doc["content"][0]["attachment"]["contentType"].startswith("text/plain")


def test_search_by_patient_type_category_date_and_never_a_draft(nurse, notes, patient):
    progress, draft, _ = notes
    def ids(query):
        return [r["id"] for r in resources(ok(fhir(nurse, "get", f"/DocumentReference?{query}")))]
    today = timezone.localdate().isoformat()
    mine = [str(progress.public_id)]
    for query in (f"patient={patient.public_id}", f"type=http://loinc.org|{progress.loinc_code}", f"type={progress.loinc_code}",
                  "category=clinical-note", f"date={today}", f"patient=Patient/{patient.public_id}&date=ge{today}"):
        assert ids(query) == mine, query
    assert ids("type=34117-2") == [] and ids("category=discharge-summary") == [] and ids("date=lt2000") == []
    refused(fhir(nurse, "get", f"/DocumentReference/{draft.public_id}"), 404)


def test_needs_note_read_and_outsider_sees_none(front_desk, outsider, notes):
    refused(fhir(front_desk, "get", "/DocumentReference"), 403)  # front desk sees that notes exist, not their text
    refused(fhir(outsider, "get", f"/DocumentReference/{notes[0].public_id}"), 404)
    assert ok(fhir(outsider, "get", "/DocumentReference"))["total"] == 0


def _decoded_strings(value):
    """Every string in a response, base64 attachments decoded too."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "data" and isinstance(inner, str):
                yield base64.b64decode(inner).decode(errors="replace")
            yield from _decoded_strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _decoded_strings(inner)
    elif isinstance(value, str):
        yield value


def test_a_psychotherapy_notes_text_appears_in_no_fhir_response(therapist, prescriber, notes, patient):
    pnote = notes[2]
    for user in (therapist, prescriber):  # its author reads it in the app, but never through FHIR
        for name, rtype in REGISTRY.items():
            query = f"patient={patient.public_id}" if "patient" in rtype.params else ""
            includes = "".join(f"&_include={i}" for i in rtype.includes)
            response = fhir(user, "get", f"/{name}?{query}&_count=100{includes}")
            assert response.status_code in (200, 403), (name, response.content)
            body = response.json()
            assert SECRET not in json.dumps(body) and not any(SECRET in s for s in _decoded_strings(body)), name
            for entry in body.get("entry", []):
                resource = entry["resource"]
                assert resource["id"] != str(pnote.public_id), name
                read = fhir(user, "get", f"/{resource['resourceType']}/{resource['id']}")
                assert not any(SECRET in s for s in _decoded_strings(read.json())), name
        refused(fhir(user, "get", f"/DocumentReference/{pnote.public_id}"), 404)
