"""Editing demographics needs the version the editor read, on the API and on the page: without it a
concurrent edit would silently overwrite the first writer's change."""

import json

import pytest

from ketamine_clinic.accounts.services import create_token

from tests.support.people import PATIENT_DATA


def patch(client, user, patient, body):
    return client.patch(f"/api/v1/patients/{patient.public_id}", data=json.dumps(body), content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {create_token(None, user)}")


@pytest.mark.parametrize("version", [None, "", "one"])
def test_api_patch_without_a_version_is_422_and_changes_nothing(client, front_desk, patient, version):
    body = {"city": "Troy"} if version is None else {"version": version, "city": "Troy"}
    response = patch(client, front_desk, patient, body)
    assert response.status_code == 422 and "version" in response.json()["errors"]
    patient.refresh_from_db()
    assert patient.city == "" and patient.version == 1


def test_api_patch_with_version_0_is_stale_not_absent(client, front_desk, patient):
    response = patch(client, front_desk, patient, {"version": 0, "city": "Troy"})
    assert response.status_code == 409
    patient.refresh_from_db()
    assert patient.city == ""


def test_the_second_of_two_edits_from_the_same_read_is_refused(client, front_desk, nurse, patient):
    assert patch(client, front_desk, patient, {"version": 1, "city": "Troy"}).status_code == 200
    assert patch(client, nurse, patient, {"version": 1, "city": "Albany"}).status_code == 409
    patient.refresh_from_db()
    assert patient.city == "Troy" and patient.version == 2


@pytest.mark.parametrize("version", [None, "", "x"])
def test_edit_page_without_a_version_is_422_and_changes_nothing(client_for, front_desk, patient, version):
    data = dict(PATIENT_DATA, city="Troy", **({} if version is None else {"version": version}))
    response = client_for(front_desk).post(f"/patients/{patient.public_id}/edit/", data)
    assert response.status_code == 422 and "Send the version you read" in response.content.decode()
    patient.refresh_from_db()
    assert patient.city == "" and patient.version == 1


def test_edit_page_with_its_version_saves(client_for, front_desk, patient):
    response = client_for(front_desk).post(f"/patients/{patient.public_id}/edit/", dict(PATIENT_DATA, city="Troy", version="1"))
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.city == "Troy" and patient.version == 2
