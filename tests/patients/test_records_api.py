"""/api/v1/patients/{id}/records/{kind}: list, add, correct and withdraw a chart's entries."""

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.patients import services
from ketamine_clinic.patients.models import Medication, Revision

from tests.support.factories import PatientFactory
from tests.support.people import ctx_for

SERTRALINE = {"name": "Sertraline", "drug_class": "ssri", "dose": "50 mg daily", "started_on": "2024-01-10"}


@pytest.fixture
def med(nurse, patient):
    return services.add_subrecord(ctx_for(nurse), patient, "medication", SERTRALINE)


def records(patient, kind="medication"):
    return f"/patients/{patient.public_id}/records/{kind}"


def test_add_list_correct_and_withdraw_round_trip(api, nurse, patient):
    created = api(nurse, "post", records(patient), {"data": SERTRALINE})
    assert created.status_code == 201
    entry = created.json()
    assert entry["status"] == "active" and entry["version"] == 1 and entry["data"]["dose"] == "50 mg daily"
    path = f"{records(patient)}/{entry['id']}"

    corrected = api(nurse, "patch", path, {"data": {"dose": "25 mg daily"}, "reason": "Misread", "expected_version": 1})
    assert corrected.status_code == 200
    assert corrected.json()["version"] == 2 and corrected.json()["data"] == {**SERTRALINE, "dose": "25 mg daily"}

    withdrawn = api(nurse, "post", f"{path}/status", {"status": "inactive", "reason": "Stopped by GP"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "inactive" and withdrawn.json()["version"] == 3

    listed = api(nurse, "get", records(patient)).json()
    assert [(r["id"], r["status"], r["version"], r["data"]["dose"]) for r in listed] == [(entry["id"], "inactive", 3, "25 mg daily")]
    versions = Revision.objects.filter(record_id=entry["id"]).order_by("version")
    assert [r.data["dose"] for r in versions] == ["50 mg daily", "25 mg daily", "25 mg daily"]
    assert versions[1].reason == "Misread"
    assert AuditEvent.objects.filter(action="patient.medication.update", object_id=entry["id"], actor=nurse).exists()


def test_list_includes_withdrawn_entries_with_their_status(api, therapist, nurse, patient, med):
    services.set_subrecord_status(ctx_for(nurse), patient, "medication", med.public_id, "entered-in-error", "Wrong chart")
    response = api(therapist, "get", records(patient))
    assert response.status_code == 200
    assert [(r["status"], r["version"]) for r in response.json()] == [("entered-in-error", 2)]


def test_trial_values_come_back_as_json_types(api, prescriber, patient):
    trial = {"drug": "Sertraline", "dose_mg_per_day": 150, "weeks": 8, "adequate": True, "outcome": "no_response", "current_episode": False}
    body = api(prescriber, "post", records(patient, "trial"), {"data": trial}).json()
    assert body["data"]["adequate"] is True and body["data"]["current_episode"] is False and body["data"]["weeks"] == 8
    corrected = api(prescriber, "patch", f"{records(patient, 'trial')}/{body['id']}", {"data": {"adequate": False}, "reason": "Too short", "expected_version": 1})
    assert corrected.json()["data"]["adequate"] is False


def test_stale_version_is_409_and_changes_nothing(api, nurse, patient, med):
    services.correct_subrecord(ctx_for(nurse), patient, "medication", med.public_id, {"dose": "75 mg daily"}, "Titrated")
    response = api(nurse, "patch", f"{records(patient)}/{med.public_id}", {"data": {"dose": "1 mg"}, "reason": "x", "expected_version": 1})
    assert response.status_code == 409 and "reload" in response.json()["detail"]
    med.refresh_from_db()
    assert med.dose == "75 mg daily" and med.version == 2


def test_withdrawn_entry_cannot_be_corrected_or_withdrawn_again(api, nurse, patient, med):
    path = f"{records(patient)}/{med.public_id}"
    assert api(nurse, "post", f"{path}/status", {"status": "entered-in-error", "reason": "Duplicate"}).status_code == 200
    assert api(nurse, "patch", path, {"data": {"dose": "1 mg"}, "reason": "x", "expected_version": 2}).status_code == 409
    assert api(nurse, "post", f"{path}/status", {"status": "inactive", "reason": "x"}).status_code == 409


@pytest.mark.parametrize(
    "method,suffix,body",
    [
        ("get", "", None),
        ("post", "", {"data": SERTRALINE}),
        ("patch", "/{id}", {"data": {"dose": "1 mg"}, "reason": "x", "expected_version": 1}),
        ("post", "/{id}/status", {"status": "inactive", "reason": "x"}),
    ],
)
def test_unknown_kind_is_404(api, nurse, patient, med, method, suffix, body):
    path = records(patient, "spaceship") + suffix.format(id=med.public_id)
    assert api(nurse, method, path, body).status_code == 404


@pytest.mark.parametrize(
    "method,suffix,body",
    [
        ("post", "", {"data": SERTRALINE}),
        ("patch", "/{id}", {"data": {"dose": "1 mg"}, "reason": "x", "expected_version": 1}),
        ("post", "/{id}/status", {"status": "entered-in-error", "reason": "x"}),
    ],
)
@pytest.mark.parametrize("role", ["front_desk", "therapist"])
def test_staff_without_clinical_edit_rights_get_403(api, request, patient, med, method, suffix, body, role):
    response = api(request.getfixturevalue(role), method, records(patient) + suffix.format(id=med.public_id), body)
    assert response.status_code == 403
    assert Medication.objects.count() == 1 and Medication.objects.get().version == 1


@pytest.mark.parametrize(
    "method,suffix,body",
    [
        ("get", "", None),
        ("post", "", {"data": SERTRALINE}),
        ("patch", "/{id}", {"data": {"dose": "1 mg"}, "reason": "x", "expected_version": 1}),
        ("post", "/{id}/status", {"status": "entered-in-error", "reason": "x"}),
    ],
)
def test_outsider_gets_404_and_changes_nothing(api, outsider, patient, med, method, suffix, body):
    assert api(outsider, method, records(patient) + suffix.format(id=med.public_id), body).status_code == 404
    assert Medication.objects.count() == 1 and Medication.objects.get().version == 1


def test_entry_of_another_patient_is_404(api, nurse, front_desk, patient, med):
    other = PatientFactory(registered_by=front_desk, given_name="Sam")
    response = api(nurse, "patch", f"{records(other)}/{med.public_id}", {"data": {"dose": "1 mg"}, "reason": "x", "expected_version": 1})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "kind,data,field",
    [
        ("medication", {"name": "", "drug_class": "ssri"}, "name"),
        ("medication", {"name": "X", "drug_class": "aspirin"}, "drug_class"),
        ("medication", {"name": "x" * 5000, "drug_class": "ssri"}, "name"),
        ("medication", {"name": "X", "drug_class": "ssri", "dosage": "1 mg"}, "dosage"),
        ("medication", {"name": ["X"], "drug_class": "ssri"}, "name"),
        ("medication", {"name": {"a": 1}, "drug_class": "ssri"}, "name"),
        ("medication", {"name": "X", "drug_class": "ssri", "started_on": "2024-02-30"}, "started_on"),
        ("measurement", {"measured_on": "2024-01-01", "weight_kg": "heavy"}, "weight_kg"),
        ("measurement", {"measured_on": "2024-01-01", "weight_kg": 700}, "weight_kg"),
        ("measurement", {"measured_on": "2024-01-01", "weight_kg": "1e999999"}, "weight_kg"),
        ("measurement", {"measured_on": "9" * 5000, "weight_kg": 70}, "measured_on"),
        ("measurement", {"measured_on": True, "weight_kg": 70}, "measured_on"),
        ("measurement", {"measured_on": 20240101, "weight_kg": 70}, "measured_on"),
        ("allergy", {"substance": 12345}, "substance"),
        ("trial", {"drug": "X", "dose_mg_per_day": 10, "weeks": "9" * 5000, "adequate": True, "outcome": "partial"}, "weeks"),
        ("trial", {"drug": "X", "dose_mg_per_day": 10, "weeks": 1e300, "adequate": True, "outcome": "partial"}, "weeks"),
        ("trial", {"drug": "X", "dose_mg_per_day": 10, "weeks": 8, "adequate": "maybe", "outcome": "partial"}, "adequate"),
        ("diagnosis", {"icd10_code": "not a code"}, "icd10_code"),
    ],
)
def test_bad_fields_are_422_with_field_errors_and_nothing_is_saved(api, nurse, patient, kind, data, field):
    before = Revision.objects.count()
    response = api(nurse, "post", records(patient, kind), {"data": data})
    assert response.status_code == 422
    assert any(key.startswith(field) for key in response.json()["errors"]), response.json()
    assert Revision.objects.count() == before


@pytest.mark.parametrize(
    "body,field",
    [
        ({"data": {"dose": "x" * 101}, "reason": "Typo", "expected_version": 1}, "dose"),
        ({"data": {"dose": "1 mg"}, "reason": "", "expected_version": 1}, "reason"),
        ({"data": {"dose": "1 mg"}, "reason": "x" * 5000, "expected_version": 1}, "reason"),
        ({"data": {"dose": "1 mg"}, "reason": 12, "expected_version": 1}, "reason"),
        ({"data": {"dose": "1 mg"}, "reason": "Typo"}, "expected_version"),
        ({"data": {"dose": "1 mg"}, "reason": "Typo", "expected_version": "one"}, "expected_version"),
        ({"data": "dose=1 mg", "reason": "Typo", "expected_version": 1}, "body"),  # the API names the body itself "body"
        ({"data": {"dose": "50 mg daily"}, "reason": "Typo", "expected_version": 1}, "data"),
    ],
)
def test_bad_corrections_are_422_and_change_nothing(api, nurse, patient, med, body, field):
    response = api(nurse, "patch", f"{records(patient)}/{med.public_id}", body)
    assert response.status_code == 422
    assert any(key.startswith(field) for key in response.json()["errors"]), response.json()
    med.refresh_from_db()
    assert med.version == 1 and med.dose == "50 mg daily"


@pytest.mark.parametrize("body", [{"status": "deleted", "reason": "x"}, {"status": "inactive", "reason": " "}, {"status": "inactive"}, {"status": None, "reason": "x"}])
def test_bad_status_changes_are_422(api, nurse, patient, med, body):
    assert api(nurse, "post", f"{records(patient)}/{med.public_id}/status", body).status_code == 422
    med.refresh_from_db()
    assert med.status == "active"


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', '{"data": {"weight_kg": NaN, "measured_on": "2024-01-01"}}'])
def test_malformed_bodies_are_4xx_never_500(api, nurse, patient, raw):
    assert api(nurse, "post", records(patient, "measurement"), raw=raw).status_code in (400, 422)


@pytest.mark.parametrize(
    "path",
    [
        "/patients/not-a-uuid/records/medication",
        "/patients/{patient}/records/medication/not-a-uuid",
        "/patients/{patient}/records/medication/not-a-uuid/status",
    ],
)
def test_malformed_ids_are_422_or_404_never_500(api, nurse, patient, path):
    for method, body in (("get", None), ("post", {"data": {}}), ("patch", {"data": {}})):
        assert api(nurse, method, path.format(patient=patient.public_id), body).status_code in (404, 405, 422)


def test_openapi_declares_every_error_status(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    listing = paths["/api/v1/patients/{patient_id}/records/{kind}"]
    entry = paths["/api/v1/patients/{patient_id}/records/{kind}/{record_id}"]
    status = paths["/api/v1/patients/{patient_id}/records/{kind}/{record_id}/status"]
    assert {"200", "401", "403", "404", "422"} <= set(listing["get"]["responses"])
    assert {"201", "400", "401", "403", "404", "422"} <= set(listing["post"]["responses"])
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(entry["patch"]["responses"])
    assert {"200", "400", "401", "403", "404", "409", "422"} <= set(status["post"]["responses"])
