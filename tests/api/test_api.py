import json

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.patients.models import Patient

from tests.support.people import PATIENT_DATA


def test_me_reports_roles_and_permissions(api, nurse):
    body = api(nurse, "get", "/me").json()
    assert body["username"] == nurse.username and body["roles"] == ["nurse"]
    assert "patient.edit_clinical" in body["permissions"] and "audit.view" not in body["permissions"]


def test_no_token_is_401_and_bad_token_is_401(db, api, client):
    assert api(None, "get", "/me").status_code == 401
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer kc_nonsense")
    assert response.status_code == 401 and "detail" in response.json()


def test_session_auth_works_for_the_browser(client_for, nurse):
    assert client_for(nurse).get("/api/v1/me").json()["username"] == nurse.username


def test_create_then_read_then_patch(api, front_desk, nurse):
    created = api(front_desk, "post", "/patients", dict(PATIENT_DATA, weight_kg=72.5))
    assert created.status_code == 201
    patient_id = created.json()["id"]
    assert created.json()["measurement"]["weight_kg"] == "72.5"
    read = api(nurse, "get", f"/patients/{patient_id}")
    assert read.status_code == 200 and read.json()["mrn"] == "TC100001" and read.json()["version"] == 1
    patched = api(front_desk, "patch", f"/patients/{patient_id}", {"version": 1, "pronouns": "they/them"})
    assert patched.status_code == 200 and patched.json()["pronouns"] == "they/them" and patched.json()["version"] == 2
    stale = api(front_desk, "patch", f"/patients/{patient_id}", {"version": 1, "pronouns": "she/her"})
    assert stale.status_code == 409


def test_search_is_paginated_and_scoped(api, nurse, patient, outsider, outsider_patient):
    body = api(nurse, "get", "/patients?q=avery&page_size=10").json()
    assert body["count"] == 1 and body["items"][0]["id"] == str(patient.public_id)
    assert api(outsider, "get", "/patients?q=avery").json()["count"] == 0


def test_outsider_gets_404_not_403_for_our_patient(api, outsider, patient):
    assert api(outsider, "get", f"/patients/{patient.public_id}").status_code == 404
    assert api(outsider, "patch", f"/patients/{patient.public_id}", {"version": 1, "city": "X"}).status_code == 404


def test_therapist_cannot_register_through_the_api(api, therapist):
    response = api(therapist, "post", "/patients", PATIENT_DATA)
    assert response.status_code == 403 and Patient.objects.count() == 0


@pytest.mark.parametrize(
    "change,status,field",
    [
        ({"date_of_birth": "2023-02-30"}, 422, "date_of_birth"),
        ({"weight_kg": 0}, 422, "weight_kg"),
        ({"weight_kg": 700}, 422, "weight_kg"),
        ({"given_name": 12345}, 422, "given_name"),
        ({"given_name": "x" * 5000}, 422, "given_name"),
        ({"weight_kg": "heavy"}, 422, "weight_kg"),
        ({"sex_at_birth": None}, 422, "sex_at_birth"),
        ({"referring_provider_npi": "12"}, 422, "referring_provider_npi"),
    ],
)
def test_bad_api_input_gets_field_errors_and_writes_nothing(api, front_desk, change, status, field):
    events = AuditEvent.objects.count()
    response = api(front_desk, "post", "/patients", dict(PATIENT_DATA, **change))
    assert response.status_code == status
    body = response.json()
    assert body["detail"] and field in body["errors"]
    assert Patient.objects.count() == 0 and AuditEvent.objects.count() == events + 1  # only the token's own event


def test_duplicate_mrn_is_409(api, front_desk, patient):
    response = api(front_desk, "post", "/patients", dict(PATIENT_DATA, mrn=patient.mrn))
    assert response.status_code == 409 and "mrn" in response.json()["errors"]


def test_malformed_json_is_400(api, front_desk):
    response = api(front_desk, "post", "/patients", raw="{not json")
    assert response.status_code == 400 and response.json()["detail"]


def test_json_array_instead_of_object_is_422(api, front_desk):
    assert api(front_desk, "post", "/patients", raw="[1, 2]").status_code == 422


def test_malformed_patient_id_is_422_or_404_never_500(api, nurse):
    assert api(nurse, "get", "/patients/not-a-uuid").status_code in (404, 422)


def test_page_size_out_of_range_is_422(api, nurse):
    assert api(nurse, "get", "/patients?page_size=1000").status_code == 422


def test_openapi_declares_every_error_status(client):
    schema = client.get("/api/v1/openapi.json").json()
    post = schema["paths"]["/api/v1/patients"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409", "422"} <= set(post)
    patch = schema["paths"]["/api/v1/patients/{patient_id}"]["patch"]["responses"]
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(patch)
    assert "BearerToken" in json.dumps(schema["components"]["securitySchemes"])
