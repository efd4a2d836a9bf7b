"""PUT of Condition, AllergyIntolerance, MedicationStatement and a body-weight Observation: the chart
services' versioned corrections and status changes; stale meta.versionId -> 409, another clinic's or
an unknown id -> 404 (updateCreate false); also as PUT entries of a transaction Bundle, all or nothing."""

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.patients import services as patient_services
from ketamine_clinic.patients.models import Allergy, BodyMeasurement, Diagnosis, Medication, RecordStatus, Revision
from tests.support.people import ctx_for

from .samples import allergy_resource, condition_resource
from .support import fhir, ok, refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def chart(nurse, patient):
    ctx = ctx_for(nurse)
    return {
        "Condition": patient_services.add_subrecord(ctx, patient, "diagnosis", {"icd10_code": "F33.2"}),
        "AllergyIntolerance": patient_services.add_subrecord(ctx, patient, "allergy", {"substance": "Latex", "reaction": "Rash", "severity": "mild"}),
        "MedicationStatement": patient_services.add_subrecord(ctx, patient, "medication", {"name": "Sertraline", "dose": "50 mg daily"}),
    }


def _current(user, rtype, obj_id):
    return ok(fhir(user, "get", f"/{rtype}/{obj_id}"))


def test_put_condition_corrects_the_code_as_a_new_version(nurse, chart):
    diagnosis = chart["Condition"]
    resource = _current(nurse, "Condition", diagnosis.public_id)
    resource["code"] = {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F32.2"}]}
    updated = ok(fhir(nurse, "put", f"/Condition/{diagnosis.public_id}", resource))
    assert updated["code"]["coding"][0]["code"] == "F32.2" and updated["meta"]["versionId"] == "2"
    diagnosis.refresh_from_db()
    assert diagnosis.icd10_code == "F32.2" and diagnosis.version == 2
    assert Revision.objects.get(record_id=diagnosis.public_id, record_type="diagnosis", version=2).reason == "Updated through the FHIR API"
    assert AuditEvent.objects.filter(action="patient.diagnosis.update", object_id=str(diagnosis.public_id)).exists()
    refused(fhir(nurse, "put", f"/Condition/{diagnosis.public_id}", resource), 409)  # versionId 1 is stale now
    diagnosis.refresh_from_db()
    assert diagnosis.version == 2


def test_put_of_the_same_values_changes_nothing(nurse, chart):
    allergy = chart["AllergyIntolerance"]
    resource = _current(nurse, "AllergyIntolerance", allergy.public_id)
    assert ok(fhir(nurse, "put", f"/AllergyIntolerance/{allergy.public_id}", resource))["meta"]["versionId"] == "1"
    allergy.refresh_from_db()
    assert allergy.version == 1


def test_put_moves_the_status_and_never_back(nurse, chart):
    allergy, medication, diagnosis = chart["AllergyIntolerance"], chart["MedicationStatement"], chart["Condition"]
    resource = _current(nurse, "AllergyIntolerance", allergy.public_id)
    resource["clinicalStatus"]["coding"][0]["code"] = "inactive"
    resource["reaction"][0]["manifestation"] = [{"text": "Hives"}]
    body = ok(fhir(nurse, "put", f"/AllergyIntolerance/{allergy.public_id}", resource))
    assert body["clinicalStatus"]["coding"][0]["code"] == "inactive" and body["reaction"][0]["manifestation"][0]["text"] == "Hives"
    allergy.refresh_from_db()
    assert (allergy.status, allergy.reaction, allergy.version) == (RecordStatus.INACTIVE, "Hives", 3)
    body["clinicalStatus"]["coding"][0]["code"] = "active"
    refused(fhir(nurse, "put", f"/AllergyIntolerance/{allergy.public_id}", body), 422)

    statement = _current(nurse, "MedicationStatement", medication.public_id)
    statement["status"] = "stopped"
    assert ok(fhir(nurse, "put", f"/MedicationStatement/{medication.public_id}", statement))["status"] == "stopped"
    medication.refresh_from_db()
    assert medication.status == RecordStatus.INACTIVE and medication.drug_class == "ssri"  # the class stays

    condition = _current(nurse, "Condition", diagnosis.public_id)
    condition.pop("clinicalStatus")
    condition["verificationStatus"]["coding"][0]["code"] = "entered-in-error"
    assert ok(fhir(nurse, "put", f"/Condition/{diagnosis.public_id}", condition))["verificationStatus"]["coding"][0]["code"] == "entered-in-error"
    diagnosis.refresh_from_db()
    assert diagnosis.status == RecordStatus.ENTERED_IN_ERROR


def test_put_body_weight_observation(nurse, patient):
    measurement = patient.measurements.get()
    resource = _current(nurse, "Observation", f"wt-{measurement.public_id}")
    assert resource["meta"]["versionId"] == "1"
    resource["valueQuantity"]["value"] = 71.5
    updated = ok(fhir(nurse, "put", f"/Observation/wt-{measurement.public_id}", resource))
    assert updated["valueQuantity"]["value"] == 71.5 and updated["meta"]["versionId"] == "2"
    measurement.refresh_from_db()
    assert float(measurement.weight_kg) == 71.5 and float(measurement.height_cm) == 170  # the height stays
    refused(fhir(nurse, "put", f"/Observation/wt-{measurement.public_id}", resource), 409)
    height = _current(nurse, "Observation", f"ht-{measurement.public_id}")
    refused(fhir(nurse, "put", f"/Observation/ht-{measurement.public_id}", height), 404)


def test_put_refusals_write_nothing(nurse, front_desk, chart, patient, outsider, outsider_patient):
    diagnosis = chart["Condition"]
    resource = _current(nurse, "Condition", diagnosis.public_id)
    resource["code"]["coding"][0]["code"] = "F32.2"
    refused(fhir(outsider, "put", f"/Condition/{diagnosis.public_id}", resource), 404)  # another clinic's id
    refused(fhir(front_desk, "put", f"/Condition/{diagnosis.public_id}", resource), 403)  # no patient.edit_clinical
    unknown = dict(resource, id="00000000-0000-4000-8000-000000000000")
    refused(fhir(nurse, "put", "/Condition/00000000-0000-4000-8000-000000000000", unknown), 404)  # updateCreate false
    refused(fhir(nurse, "put", f"/Condition/{diagnosis.public_id}", dict(resource, subject={"reference": f"Patient/{outsider_patient.public_id}"})), 422)
    refused(fhir(nurse, "put", f"/Condition/{diagnosis.public_id}", dict(resource, id="other")), 400)
    diagnosis.refresh_from_db()
    assert (diagnosis.icd10_code, diagnosis.version) == ("F33.2", 1)


def test_transaction_put_entries_all_or_nothing(nurse, chart, patient):
    diagnosis, allergy = chart["Condition"], chart["AllergyIntolerance"]
    condition = _current(nurse, "Condition", diagnosis.public_id)
    condition["code"]["coding"][0]["code"] = "F32.2"
    put = {"resource": condition, "request": {"method": "PUT", "url": f"Condition/{diagnosis.public_id}"}}
    new_allergy = {"fullUrl": "urn:uuid:a1", "resource": allergy_resource(f"Patient/{patient.public_id}"), "request": {"method": "POST", "url": "AllergyIntolerance"}}
    stale = _current(nurse, "AllergyIntolerance", allergy.public_id)
    stale["meta"]["versionId"] = "7"
    bad = {"resource": stale, "request": {"method": "PUT", "url": f"AllergyIntolerance/{allergy.public_id}"}}
    before = (Diagnosis.objects.get(pk=diagnosis.pk).version, Allergy.objects.count())
    refused(fhir(nurse, "post", "", {"resourceType": "Bundle", "type": "transaction", "entry": [put, new_allergy, bad]}), 409)
    assert (Diagnosis.objects.get(pk=diagnosis.pk).version, Allergy.objects.count()) == before
    body = ok(fhir(nurse, "post", "", {"resourceType": "Bundle", "type": "transaction", "entry": [put, new_allergy]}))
    assert [e["response"]["status"] for e in body["entry"]] == ["200 OK", "201 Created"]
    assert Diagnosis.objects.get(pk=diagnosis.pk).icd10_code == "F32.2" and Allergy.objects.count() == before[1] + 1


def test_capability_lists_update_without_update_create():
    body = ok(fhir(None, "get", "/metadata"))
    for entry in body["rest"][0]["resource"]:
        if entry["type"] in ("Condition", "AllergyIntolerance", "MedicationStatement", "Observation"):
            assert "update" in {i["code"] for i in entry["interaction"]} and entry["updateCreate"] is False, entry["type"]


def test_unused_sample_builders_still_post(nurse, patient):
    assert ok(fhir(nurse, "post", "/Condition", condition_resource(f"Patient/{patient.public_id}", code="F41.1")), 201)
    assert Medication.objects.count() == 0 and BodyMeasurement.objects.filter(patient=patient).count() == 1
