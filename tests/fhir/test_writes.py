"""Writes other systems send: POST/PUT through the patients services (audited, validated), and the
transaction Bundle, all or nothing. Every refusal is a 4xx OperationOutcome and writes nothing."""

import json

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.patients.models import Allergy, BodyMeasurement, Diagnosis, Medication, Patient

from .samples import allergy_resource, condition_resource, medication_resource, patient_resource, weight_resource
from .support import fhir, ok, refused

pytestmark = pytest.mark.django_db


def counts():
    return [m.objects.count() for m in (Patient, Diagnosis, Allergy, Medication, BodyMeasurement)]


def test_post_patient_registers_through_the_service_and_reads_back(front_desk, org):
    response = fhir(front_desk, "post", "/Patient", patient_resource())
    created = ok(response, 201)
    assert response["Location"].endswith(f"/fhir/r4/Patient/{created['id']}")
    patient = Patient.objects.get(public_id=created["id"])
    assert (patient.organization, patient.mrn, patient.family_name, patient.city, patient.sex_at_birth) == (org, "EXT-1", "Rivera", "Springfield", "female")
    assert AuditEvent.objects.filter(action="patient.create", object_id=created["id"]).exists()
    back = ok(fhir(front_desk, "get", f"/Patient/{created['id']}"))
    assert (back["name"][0], back["birthDate"], back["telecom"][1]["value"]) == ({"use": "official", "family": "Rivera", "given": ["Sam"]}, "1985-02-03", "sam@example.org")


@pytest.mark.parametrize("body, status", [
    ({**patient_resource(), "name": [{"family": "x" * 101, "given": ["Sam"]}]}, 422),  # over-long: a field error, never cut
    ({**patient_resource(), "birthDate": "1985-13-40"}, 400),
    ({**patient_resource(), "gender": "other"}, 422),
    ({**patient_resource(), "shoeSize": 42}, 400),
    ({**patient_resource(), "resourceType": "Condition"}, 400),
    ({k: v for k, v in patient_resource().items() if k != "name"}, 422),
    ([1, 2], 400),
])
def test_bad_patients_are_refused_and_nothing_is_written(front_desk, body, status):
    before = counts()
    refused(fhir(front_desk, "post", "/Patient", body), status)
    assert counts() == before


def test_malformed_json_and_duplicate_mrn(front_desk, patient):
    refused(fhir(front_desk, "post", "/Patient", raw="{not json"), 400)
    refused(fhir(front_desk, "post", "/Patient", patient_resource(mrn=patient.mrn)), 409)
    assert Patient.objects.count() == 1


def test_put_patient_updates_with_version_check(front_desk, patient):
    current = ok(fhir(front_desk, "get", f"/Patient/{patient.public_id}"))
    current["telecom"] = [{"system": "phone", "value": "555-010-9999"}]
    updated = ok(fhir(front_desk, "put", f"/Patient/{patient.public_id}", current))
    assert updated["meta"]["versionId"] == "2" and updated["telecom"][0]["value"] == "555-010-9999"
    refused(fhir(front_desk, "put", f"/Patient/{patient.public_id}", current), 409)  # versionId 1 is stale now
    refused(fhir(front_desk, "put", f"/Patient/{patient.public_id}", {**updated, "id": "other"}), 400)
    patient.refresh_from_db()
    assert patient.version == 2 and patient.phone == "555-010-9999"


def test_clinical_posts_go_through_the_chart_services(nurse, patient):
    ref = f"Patient/{patient.public_id}"
    condition = ok(fhir(nurse, "post", "/Condition", condition_resource(ref)), 201)
    assert condition["code"]["coding"][0]["display"]  # the ICD-10-CM description, filled by the service
    ok(fhir(nurse, "post", "/AllergyIntolerance", allergy_resource(ref)), 201)
    ok(fhir(nurse, "post", "/MedicationStatement", medication_resource(ref)), 201)
    weight = ok(fhir(nurse, "post", "/Observation", weight_resource(ref)), 201)
    assert weight["valueQuantity"]["value"] == 72.5
    assert patient.allergies.get().substance == "Latex" and patient.medications.get().name == "Sertraline"
    assert AuditEvent.objects.filter(action="patient.diagnosis.create").count() == 1


def test_clinical_posts_refused(nurse, front_desk, patient, outsider_patient):
    before = counts()
    ref = f"Patient/{patient.public_id}"
    refused(fhir(nurse, "post", "/Condition", condition_resource(f"Patient/{outsider_patient.public_id}")), 422)
    refused(fhir(nurse, "post", "/Condition", condition_resource(ref, code="ZZZ")), 422)
    refused(fhir(front_desk, "post", "/Condition", condition_resource(ref)), 403)
    refused(fhir(nurse, "post", "/Observation", {**weight_resource(ref), "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]}}), 422)
    refused(fhir(nurse, "post", "/Questionnaire", {"resourceType": "Questionnaire", "status": "active"}), 405)
    refused(fhir(nurse, "post", "/Encounter", {"resourceType": "Encounter"}), 405)
    refused(fhir(nurse, "post", "/Consent", {"resourceType": "Consent"}), 405)  # served read-only
    refused(fhir(nurse, "post", "/Claim", {"resourceType": "Claim"}), 404)
    assert counts() == before


def _bundle(*entries):
    return {"resourceType": "Bundle", "type": "transaction", "entry": list(entries)}


def _post(full_url, resource):
    return {"fullUrl": full_url, "resource": resource, "request": {"method": "POST", "url": resource["resourceType"]}}


def test_transaction_bundle_creates_everything_with_internal_references(nurse):
    ref = "urn:uuid:5b1e2c1e-0000-4000-8000-000000000001"
    body = ok(fhir(nurse, "post", "", _bundle(  # the Patient comes last in the bundle but is created first
        _post("urn:uuid:c1", condition_resource(ref)), _post("urn:uuid:a1", allergy_resource(ref)),
        _post("urn:uuid:m1", medication_resource(ref)), _post("urn:uuid:o1", weight_resource(ref)),
        _post(ref, patient_resource(mrn="TX-1")),
    )))
    assert body["type"] == "transaction-response"
    assert [e["response"]["status"] for e in body["entry"]] == ["201 Created"] * 5
    patient = Patient.objects.get(mrn="TX-1")
    assert (patient.diagnoses.count(), patient.allergies.count(), patient.medications.count(), patient.measurements.count()) == (1, 1, 1, 1)
    assert AuditEvent.objects.filter(action="fhir.transaction").count() == 1


def test_a_bad_entry_rolls_the_whole_transaction_back(nurse, outsider_patient):
    ref = "urn:uuid:p1"
    before, audited = counts(), AuditEvent.objects.exclude(action="auth.token_create").count()
    body = refused(fhir(nurse, "post", "", _bundle(
        _post(ref, patient_resource(mrn="TX-2")), _post("urn:uuid:c1", condition_resource(ref)),
        _post("urn:uuid:c2", condition_resource(ref, code="NOPE")),
    )), 422)
    assert "Entry 2" in body["issue"][0]["diagnostics"]
    refused(fhir(nurse, "post", "", _bundle(  # another clinic's patient looks unknown
        _post(ref, patient_resource(mrn="TX-3")), _post("urn:uuid:c1", condition_resource(f"Patient/{outsider_patient.public_id}")))), 422)
    assert counts() == before and AuditEvent.objects.exclude(action="auth.token_create").count() == audited


def test_bundle_refusals(nurse, client_for):
    before = counts()
    refused(fhir(nurse, "post", "", {**_bundle(), "type": "batch"}), 400)
    refused(fhir(nurse, "post", "", _bundle(*[_post(f"urn:uuid:{n}", patient_resource(mrn=f"B{n}")) for n in range(501)])), 413)
    refused(fhir(nurse, "post", "", _bundle({"resource": patient_resource(), "request": {"method": "DELETE", "url": "Patient"}})), 400)
    refused(fhir(nurse, "post", "", _bundle({"resource": patient_resource(), "request": {"method": "POST", "url": "Condition"}})), 400)
    refused(fhir(nurse, "post", "", _bundle(_post("urn:uuid:x", {"resourceType": "Claim"}))), 400)
    refused(fhir(nurse, "post", "", raw="[]"), 400)
    session = client_for(nurse).post("/fhir/r4", json.dumps(_bundle(_post("urn:uuid:y", patient_resource()))), content_type="application/fhir+json")
    assert session.status_code == 403  # a browser session may read, not write
    assert counts() == before
