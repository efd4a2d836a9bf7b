"""Who writes, reads and sees which notes: prescribers and nurses write medical notes, therapists
therapy notes, front desk sees that a note exists, the outsider clinic nothing; psychotherapy notes
are read by their author only and every access is audited."""

import pytest

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.notes import services
from ketamine_clinic.notes.models import Note
from tests.support.people import ctx_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_note(nurse, patient):
    note = services.start_note(ctx_for(nurse), patient, "administration")
    return services.sign_note(ctx_for(nurse), note, {"section_plan": "SECRET-PLAN-TEXT"})


@pytest.mark.parametrize("role, kind, allowed", [
    ("prescriber", "progress", True), ("nurse", "administration", True), ("therapist", "progress", False),
    ("therapist", "kap_integration", True), ("nurse", "kap_integration", False), ("prescriber", "therapy_progress", False),
    ("front_desk", "telephone", False), ("clinic_admin", "progress", False), ("therapist", "telephone", True),
])
def test_who_writes_which_kind(staff, patient, role, kind, allowed):
    from ketamine_clinic.accounts.permissions import Role

    user = staff[Role(role)]
    if allowed:
        assert services.start_note(ctx_for(user), patient, kind).discipline
    else:
        with pytest.raises(PermissionDenied):
            services.start_note(ctx_for(user), patient, kind)


def test_the_outsider_cannot_write_on_our_patient(outsider, patient):
    with pytest.raises(NotFound):
        services.start_note(ctx_for(outsider), patient, "progress")
    assert not Note.objects.exists()


def test_front_desk_sees_that_a_note_exists_not_its_text(client_for, front_desk, signed_note, patient):
    client = client_for(front_desk)
    listing = client.get(f"/notes/patient/{patient.public_id}/")
    assert listing.status_code == 200 and signed_note.title.encode() in listing.content
    assert b"SECRET-PLAN-TEXT" not in listing.content
    assert client.get(f"/notes/{signed_note.public_id}/").status_code == 403
    assert client.get(f"/notes/{signed_note.public_id}/pdf/").status_code == 403
    api = client.get(f"/api/v1/notes/{signed_note.public_id}")
    assert api.status_code == 403
    api_list = client.get(f"/api/v1/patients/{patient.public_id}/notes")
    assert api_list.status_code == 200 and b"SECRET-PLAN-TEXT" not in api_list.content
    assert client.get(f"/api/v1/patients/{patient.public_id}/notes?q=SECRET").status_code == 403


def test_the_outsider_sees_nothing(client_for, outsider, signed_note, patient):
    client = client_for(outsider)
    for url in (f"/notes/patient/{patient.public_id}/", f"/notes/{signed_note.public_id}/", f"/api/v1/notes/{signed_note.public_id}",
                f"/api/v1/patients/{patient.public_id}/notes"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"SECRET-PLAN-TEXT" not in response.content


def test_a_draft_is_read_by_its_author_only(client_for, nurse, prescriber, patient):
    note = services.start_note(ctx_for(nurse), patient, "progress")
    services.save_draft(ctx_for(nurse), note, {"section_plan": "draft words"})
    assert client_for(prescriber).get(f"/notes/{note.public_id}/").status_code == 409
    assert client_for(nurse).get(f"/notes/{note.public_id}/").status_code == 200


def test_reading_a_note_is_audited(client_for, prescriber, signed_note):
    client_for(prescriber).get(f"/notes/{signed_note.public_id}/")
    assert AuditEvent.objects.filter(action="note.view", object_id=str(signed_note.public_id), actor=prescriber).exists()


# --- psychotherapy notes ------------------------------------------------------------------------
@pytest.fixture
def pnote(therapist, patient):
    return services.write_psychotherapy_note(ctx_for(therapist), patient, "PROCESS-NOTE: transference themes")


def test_only_the_author_reads_a_psychotherapy_note(pnote, therapist, prescriber, nurse, front_desk, clinic_admin, outsider, org, location):
    from ketamine_clinic.accounts.permissions import Role
    from tests.support.people import make_user

    other_therapist = make_user(org, "other_therapist", [Role.THERAPIST], location=location)
    assert services.get_psychotherapy_note_for(ctx_for(therapist), pnote.public_id) == pnote
    with pytest.raises(NotFound):
        services.get_psychotherapy_note_for(ctx_for(other_therapist), pnote.public_id)
    for user in (prescriber, nurse, front_desk, clinic_admin, outsider):
        with pytest.raises((PermissionDenied, NotFound)):
            services.get_psychotherapy_note_for(ctx_for(user), pnote.public_id)


def test_every_psychotherapy_note_access_is_audited(pnote, therapist, patient):
    services.get_psychotherapy_note_for(ctx_for(therapist), pnote.public_id)
    list(services.own_psychotherapy_notes(ctx_for(therapist), patient))
    actions = set(AuditEvent.objects.filter(actor=therapist).values_list("action", flat=True))
    assert {"psychotherapy_note.create", "psychotherapy_note.view", "psychotherapy_note.list"} <= actions
    # the audit trail records the access, never the text
    assert not AuditEvent.objects.filter(detail__icontains="PROCESS-NOTE").exists()


def test_psychotherapy_notes_are_in_no_general_list_chart_or_api(client_for, pnote, therapist, prescriber, patient):
    for user in (therapist, prescriber):
        client = client_for(user)
        for url in (f"/patients/{patient.public_id}/", f"/notes/patient/{patient.public_id}/",
                    f"/api/v1/patients/{patient.public_id}/notes", f"/api/v1/patients/{patient.public_id}"):
            assert b"PROCESS-NOTE" not in client.get(url).content, url
    own = client_for(therapist).get(f"/api/v1/patients/{patient.public_id}/psychotherapy-notes")
    assert own.status_code == 200 and b"PROCESS-NOTE" in own.content
    assert client_for(prescriber).get(f"/api/v1/psychotherapy-notes/{pnote.public_id}").status_code == 403
    assert client_for(prescriber).get(f"/api/v1/patients/{patient.public_id}/psychotherapy-notes").status_code == 403


def test_a_signed_psychotherapy_note_is_locked(pnote, therapist):
    from ketamine_clinic.core.errors import Conflict

    services.sign_psychotherapy_note(ctx_for(therapist), pnote)
    with pytest.raises(Conflict):
        services.update_psychotherapy_note(ctx_for(therapist), pnote, "changed")
