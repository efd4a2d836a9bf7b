import pytest

from ketamine_clinic.accounts.permissions import Role
from ketamine_clinic.patients.models import Patient

from tests.support.people import PATIENT_DATA


def test_front_desk_registers_through_the_form_and_lands_on_the_chart(client_for, front_desk):
    response = client_for(front_desk).post("/patients/new/", dict(PATIENT_DATA, weight_kg="81.5", height_cm="180"))
    patient = Patient.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/patients/{patient.public_id}/"


def test_bad_form_input_shows_field_errors_and_writes_nothing(client_for, front_desk):
    response = client_for(front_desk).post("/patients/new/", dict(PATIENT_DATA, date_of_birth="1990-13-45", weight_kg="700"))
    body = response.content.decode()
    assert response.status_code == 422
    assert "Enter a valid date" in body and "less than or equal to 400" in body
    assert Patient.objects.count() == 0


def test_duplicate_mrn_in_form_is_a_409_with_message(client_for, front_desk, patient):
    response = client_for(front_desk).post("/patients/new/", dict(PATIENT_DATA, mrn=patient.mrn))
    assert response.status_code == 409 and "already in use" in response.content.decode()


def test_chart_shows_summary_sections_and_timeline(client_for, prescriber, patient):
    from ketamine_clinic.patients.services import add_subrecord

    from tests.support.people import ctx_for

    add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": "F33.2"})
    add_subrecord(ctx_for(prescriber), patient, "allergy", {"substance": "Penicillin", "severity": "moderate"})
    body = client_for(prescriber).get(f"/patients/{patient.public_id}/").content.decode()
    for text in ("Avery, Jordan", "TC100001", "70.0 kg", "BMI 24.2", "F33.2", "Penicillin", "Antidepressant trials", "Timeline", "Registered"):
        assert text in body, text


def test_outsider_gets_404_for_our_chart(client_for, outsider, patient):
    assert client_for(outsider).get(f"/patients/{patient.public_id}/").status_code == 404


def test_patient_list_is_scoped_to_the_organization(client_for, outsider, patient, outsider_patient):
    body = client_for(outsider).get("/patients/").content.decode()
    assert "Other" in body and "Avery" not in body


def test_portal_patient_cannot_open_staff_pages(client_for, portal_user, patient):
    client = client_for(portal_user)
    assert client.get(f"/patients/{patient.public_id}/").status_code == 403
    assert client.get("/").status_code == 302
    portal = client.get("/portal/")
    assert portal.status_code == 200 and "TC100001" in portal.content.decode() and "988" in portal.content.decode()


def test_therapist_sees_chart_but_not_the_register_button(client_for, therapist, patient):
    client = client_for(therapist)
    assert client.get(f"/patients/{patient.public_id}/").status_code == 200
    assert "Register a patient" not in client.get("/patients/").content.decode()
    assert client.get("/patients/new/").status_code == 403


def test_history_page_lists_every_version(client_for, nurse, front_desk, patient):
    from ketamine_clinic.patients.services import update_patient

    from tests.support.people import ctx_for

    update_patient(ctx_for(front_desk), patient, {"phone": "(555) 000-1111"}, reason="Moved")
    body = client_for(nurse).get(f"/patients/{patient.public_id}/history/").content.decode()
    assert "(555) 123-4567" in body and "(555) 000-1111" in body and "Moved" in body


def test_edit_form_with_stale_version_is_refused(client_for, front_desk, patient):
    data = dict(PATIENT_DATA, version="0", city="Troy")
    response = client_for(front_desk).post(f"/patients/{patient.public_id}/edit/", data)
    assert response.status_code == 409
    patient.refresh_from_db()
    assert patient.city == ""


def test_marking_entered_in_error_through_the_chart(client_for, nurse, patient):
    from ketamine_clinic.patients.services import add_subrecord

    from tests.support.people import ctx_for

    med = add_subrecord(ctx_for(nurse), patient, "medication", {"name": "Clonazepam", "drug_class": "benzodiazepine"})
    client = client_for(nurse)
    response = client.post(f"/patients/{patient.public_id}/medication/{med.public_id}/status/", {"status": "entered-in-error", "reason": "duplicate"})
    assert response.status_code == 302
    med.refresh_from_db()
    assert med.status == "entered-in-error"


def test_unknown_subrecord_kind_is_404(client_for, nurse, patient):
    assert client_for(nurse).get(f"/patients/{patient.public_id}/spaceship/new/").status_code == 404


def test_healthz_checks_the_database(db, client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


def test_nav_links_the_sections_the_user_may_open_and_hides_the_rest(client_for, nurse, front_desk):
    body = client_for(nurse).get("/").content.decode()
    assert '<a href="/plans/schedule/"' in body and '<a href="/assessments/outcomes/"' in body
    assert '<a href="/assessments/outcomes/"' not in client_for(front_desk).get("/").content.decode()


def test_care_team_is_edited_from_the_chart_with_staff_of_this_clinic_only(client_for, front_desk, prescriber, nurse, outsider, patient):
    client = client_for(front_desk)
    assert client.get(f"/patients/{patient.public_id}/care-team/").status_code == 200
    client.post(f"/patients/{patient.public_id}/care-team/", {"members": [str(prescriber.public_id), str(nurse.public_id)]})
    assert set(patient.care_team.all()) == {prescriber, nurse}
    response = client.post(f"/patients/{patient.public_id}/care-team/", {"members": [str(outsider.public_id)]})
    assert response.status_code == 422 and set(patient.care_team.all()) == {prescriber, nurse}
    response = client.post(f"/patients/{patient.public_id}/care-team/", {"members": ["not-a-uuid"]})
    assert response.status_code == 422


def test_therapist_cannot_edit_the_care_team(client_for, therapist, patient):
    assert client_for(therapist).get(f"/patients/{patient.public_id}/care-team/").status_code == 403
