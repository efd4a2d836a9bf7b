"""The remaining note pages: templates (managers only, a new version each save), psychotherapy notes
(therapist's own), the chart card and Today for roles that see notes, and co-signing in the page."""

import pytest

from django.template.loader import render_to_string
from django.test import RequestFactory

from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.notes import sections, services
from ketamine_clinic.notes.models import NoteStatus, NoteTemplate, PsychotherapyNote
from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


def test_templates_are_edited_by_managers_as_new_versions(client_for, prescriber, nurse, clinic_admin, outsider):
    assert client_for(nurse).get("/notes/templates/").status_code == 403
    client = client_for(clinic_admin)
    listing = client.get("/notes/templates/").content.decode()
    assert "shipped: template to review" in listing and "Therapy progress note (DAP)" in listing
    bad = client.post("/notes/templates/progress/", {"title": "", "sections": "", "reason": ""})
    assert bad.status_code == 422 and not NoteTemplate.objects.exists()
    ok = client.post("/notes/templates/progress/", {"title": "Progress (ours)", "sections": "Subjective\nRisk\nPlan", "reason": "Risk first"})
    assert ok.status_code == 302 and NoteTemplate.objects.get().version == 1
    assert client_for(outsider).get("/notes/templates/progress/").content.decode().count("Progress (ours)") == 0
    assert client.get("/notes/templates/nonsense/").status_code == 404


def test_a_therapist_keeps_psychotherapy_notes_in_their_own_pages(client_for, therapist, prescriber, patient):
    client = client_for(therapist)
    empty = client.post(f"/notes/patient/{patient.public_id}/psychotherapy/", {"text": ""})
    assert empty.status_code == 422 and not PsychotherapyNote.objects.exists()
    created = client.post(f"/notes/patient/{patient.public_id}/psychotherapy/", {"text": "Process <b>notes</b>"})
    pnote = PsychotherapyNote.objects.get()
    assert created["Location"] == f"/notes/psychotherapy/{pnote.public_id}/"
    page = client.get(created["Location"]).content.decode()
    assert "Process &lt;b&gt;notes&lt;/b&gt;" in page
    client.post(created["Location"], {"action": "sign", "text": "Process notes, final"})
    pnote.refresh_from_db()
    assert pnote.signed_at is not None and pnote.text == "Process notes, final"
    assert client_for(prescriber).get(created["Location"]).status_code == 403
    assert client_for(prescriber).get(f"/notes/patient/{patient.public_id}/psychotherapy/").status_code == 403


def test_cosigning_in_the_page(client_for, clinic_admin, nurse, prescriber, patient):
    change_setting(ctx_for(clinic_admin), "notes.cosign_required.nurse", "true", "Supervised nurses")
    note = services.start_note(ctx_for(nurse), patient, "progress")
    page = client_for(nurse).get(f"/notes/{note.public_id}/").content.decode()
    assert "Co-signer (required for your role, clinic policy)" in page and prescriber.name in page
    refused = client_for(nurse).post(f"/notes/{note.public_id}/sign/", {"section_plan": "Plan"})
    assert refused.status_code == 422 and "co-signature" in refused.content.decode()
    client_for(nurse).post(f"/notes/{note.public_id}/sign/", {"section_plan": "Plan", "cosigner": str(prescriber.public_id)})
    assert _today(prescriber)["unsigned"] == [note]
    today = render_to_string("notes/_today.html", _today(prescriber))
    assert "Notes to sign" in today and "co-signature asked of you" in today
    client_for(prescriber).post(f"/notes/{note.public_id}/cosign/")
    note.refresh_from_db()
    assert note.status == NoteStatus.SIGNED and note.cosigner == prescriber


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _today(user):
    return sections.today_context(_request(user))


def _chart(user, patient):
    return render_to_string("notes/_chart_section.html", sections.chart_context(_request(user), patient))


def test_the_chart_card_shows_notes_to_roles_that_see_them(nurse, front_desk, clinic_admin, outsider, patient):
    note = services.start_note(ctx_for(nurse), patient, "progress")
    services.sign_note(ctx_for(nurse), note, {"section_plan": "CHART-SECRET"})
    services.add_addendum(ctx_for(nurse), note, "Later")
    desk = _chart(front_desk, patient)
    assert "Progress note (SOAP)" in desk and "CHART-SECRET" not in desk and f"/notes/{note.public_id}/" not in desk
    nurse_card = _chart(nurse, patient)
    assert f"/notes/{note.public_id}/" in nurse_card and "1 addendum" in nurse_card and "write a note" in nurse_card
    assert sections.chart_context(_request(clinic_admin), patient) == {"visible": False}
    assert sections.chart_context(_request(outsider), patient) == {"visible": False}
    assert "Notes" not in _chart(outsider, patient)  # the registry's wrapper only, no card
