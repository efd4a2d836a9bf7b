"""The note pages and the API end to end: autosave, sign, the locked note, addenda, bad input as
field errors (never a 500, never cut), script shown as text, the PDF read back."""

import json
import re

import pytest

from ketamine_clinic.notes import services
from ketamine_clinic.notes.models import SECTION_MAX_CHARS, Note, NoteStatus
from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def pdf_text(data: bytes) -> str:
    """The text an uncompressed PDF shows: every string drawn with Tj, in order."""
    assert data.startswith(b"%PDF")
    out = []
    for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", data):
        text = re.sub(rb"\\([0-7]{1,3})", lambda m: bytes([int(m.group(1), 8)]), raw)
        out.append(re.sub(rb"\\(.)", rb"\1", text).decode("cp1252"))
    return "\n".join(out)


def test_a_nurse_writes_autosaves_and_signs_a_note_in_the_pages(client_for, nurse, patient):
    client = client_for(nurse)
    response = client.post(f"/notes/patient/{patient.public_id}/new/", {"kind": "administration"})
    note = Note.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/notes/{note.public_id}/"
    page = client.get(response["Location"])
    assert b"template to review" in page.content and b'hx-post="/notes/' in page.content
    assert client.post(f"/notes/{note.public_id}/draft/", {"section_plan": "Next infusion Friday"}).status_code == 204
    note.refresh_from_db()
    assert note.sections[-1]["text"] == "Next infusion Friday"
    signed = client.post(f"/notes/{note.public_id}/sign/", {"section_plan": "Next infusion Friday", "service_minutes": "60"})
    assert signed.status_code == 302
    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED and note.service_minutes == 60
    # Once signed, autosave and signing are refused with the reason; the text stays.
    refused = client.post(f"/notes/{note.public_id}/draft/", {"section_plan": "changed"})
    assert refused.status_code == 409 and b"addendum" in refused.content
    assert client.post(f"/notes/{note.public_id}/addendum/", {"text": "BP recheck 128/80"}).status_code == 302
    shown = client.get(f"/notes/{note.public_id}/").content.decode()
    assert "BP recheck 128/80" in shown and "Signed" in shown


def test_oversize_section_in_the_form_is_a_field_error(client_for, nurse, patient):
    note = services.start_note(ctx_for(nurse), patient, "progress")
    client = client_for(nurse)
    response = client.post(f"/notes/{note.public_id}/sign/", {"section_plan": "x" * (SECTION_MAX_CHARS + 1)})
    assert response.status_code == 422 and b"characters or fewer" in response.content
    assert client.post(f"/notes/{note.public_id}/draft/", {"section_plan": "y" * (SECTION_MAX_CHARS + 1)}).status_code == 422
    note.refresh_from_db()
    assert note.status == NoteStatus.DRAFT and note.sections[-1]["text"] == ""


def test_script_in_a_note_is_shown_as_text(client_for, nurse, patient):
    note = services.start_note(ctx_for(nurse), patient, "progress")
    services.sign_note(ctx_for(nurse), note, {"section_plan": SCRIPT})
    services.add_addendum(ctx_for(nurse), note, SCRIPT)
    body = client_for(nurse).get(f"/notes/{note.public_id}/").content.decode()
    assert "<script>alert" not in body and "<img src=x" not in body
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in body


def test_the_pdf_holds_the_note_its_signature_and_addenda(client_for, nurse, patient):
    note = services.start_note(ctx_for(nurse), patient, "progress")
    services.sign_note(ctx_for(nurse), note, {"section_subjective": "Sleeping better", "section_plan": SCRIPT})
    services.add_addendum(ctx_for(nurse), note, "Called the patient back.")
    response = client_for(nurse).get(f"/notes/{note.public_id}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("Progress note (SOAP)", patient.mrn, "LOINC 11506-3", "Sleeping better", "Signed", "Addendum signed",
                     "Called the patient back.", '<script>alert("x")</script>'):
        assert expected in text, expected


def test_search_finds_words_in_notes_and_addenda(client_for, nurse, patient):
    a = services.start_note(ctx_for(nurse), patient, "progress")
    services.sign_note(ctx_for(nurse), a, {"section_plan": "Refer to sleep clinic"})
    b = services.start_note(ctx_for(nurse), patient, "progress")
    services.sign_note(ctx_for(nurse), b, {"section_plan": "Continue"})
    services.add_addendum(ctx_for(nurse), b, "Nausea resolved")
    client = client_for(nurse)
    assert [n["id"] for n in client.get(f"/api/v1/patients/{patient.public_id}/notes?q=sleep").json()["items"]] == [str(a.public_id)]
    assert [n["id"] for n in client.get(f"/api/v1/patients/{patient.public_id}/notes?q=nausea").json()["items"]] == [str(b.public_id)]
    page = client.get(f"/notes/patient/{patient.public_id}/?q=nausea").content.decode()
    assert str(b.public_id) in page and str(a.public_id) not in page
    too_long = client.get(f"/api/v1/patients/{patient.public_id}/notes?q={'z' * 101}")
    assert too_long.status_code == 422 and "q" in too_long.json()["errors"]


def _post(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def test_the_api_drafts_signs_and_adds_addenda(client_for, therapist, patient):
    client = client_for(therapist)
    created = _post(client, f"/api/v1/patients/{patient.public_id}/notes", {"kind": "kap_integration"})
    assert created.status_code == 201
    note = created.json()
    assert note["loinc_code"] == "11506-3" and note["template_version"] == 0 and note["status"] == "draft"
    url = f"/api/v1/notes/{note['id']}"
    saved = _post(client, url + "/draft", {"sections": {"experience": "Felt connected"}, "service_minutes": 53,
                                           "psychotherapy_minutes": 53, "version": note["version"]}, "put")
    assert saved.status_code == 200 and saved.json()["psychotherapy_minutes"] == 53
    stale = _post(client, url + "/draft", {"sections": {"experience": "x"}, "version": note["version"]}, "put")
    assert stale.status_code == 409 and "version" in stale.json()["errors"]
    unknown = _post(client, url + "/draft", {"sections": {"nope": "x"}}, "put")
    assert unknown.status_code == 422 and "sections" in unknown.json()["errors"]
    signed = _post(client, url + "/sign", {"sections": {"plan": "Journal daily"}})
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    locked = _post(client, url + "/draft", {"sections": {"plan": "changed"}}, "put")
    assert locked.status_code == 409 and "addendum" in locked.json()["detail"]
    added = _post(client, url + "/addenda", {"text": "Patient called: doing well"})
    assert added.status_code == 201
    assert [a["text"] for a in client.get(url).json()["addenda"]] == ["Patient called: doing well"]
    empty = _post(client, url + "/addenda", {"text": "  "})
    assert empty.status_code == 422 and "text" in empty.json()["errors"]


def test_the_api_refuses_bad_input_without_writing(client_for, nurse, patient):
    client = client_for(nurse)
    assert _post(client, f"/api/v1/patients/{patient.public_id}/notes", {"kind": "poem"}).status_code == 422
    assert _post(client, f"/api/v1/patients/{patient.public_id}/notes", {"kind": "progress", "session_id": str(patient.public_id)}).status_code == 422
    assert client.post(f"/api/v1/patients/{patient.public_id}/notes", "{not json", content_type="application/json").status_code == 400
    assert not Note.objects.exists()
