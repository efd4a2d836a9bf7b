"""The CapabilityStatement is truthful: every resource, interaction and search parameter it lists
works, and what it does not list is refused."""

import pytest

from ketamine_clinic.directory.models import ProviderProfile
from ketamine_clinic.assessments import services as assessment_services
from ketamine_clinic.notes import services as note_services
from ketamine_clinic.patients import services as patient_services
from ketamine_clinic.plans.models import Appointment
from ketamine_clinic.screening.models import Consent
from ketamine_clinic.treatments import services as treatment_services
from tests.support.assessments import phq9
from tests.support.people import ctx_for
from tests.support.treatments import ago, lot

from .samples import CREATES, patient_resource
from .support import fhir, ok, refused

pytestmark = pytest.mark.django_db

# A value for each search parameter the statement may list, by (type, parameter); the patient's
# values are filled in from the chart below. A parameter listed without a sample fails the test.
SAMPLES = {
    ("Patient", "_id"): "{patient_id}", ("Patient", "identifier"): "{mrn}", ("Patient", "name"): "{given}",
    ("Patient", "family"): "{family}", ("Patient", "given"): "{given}", ("Patient", "birthdate"): "{dob}",
    ("Patient", "gender"): "{gender}",
    ("Condition", "_id"): "{condition_id}", ("Condition", "patient"): "Patient/{patient_id}",
    ("Condition", "code"): "F33.2", ("Condition", "clinical-status"): "active",
    ("AllergyIntolerance", "_id"): "{allergy_id}", ("AllergyIntolerance", "patient"): "{patient_id}",
    ("AllergyIntolerance", "clinical-status"): "active",
    ("MedicationStatement", "_id"): "{medication_id}", ("MedicationStatement", "patient"): "{patient_id}",
    ("MedicationStatement", "status"): "active",
    ("Observation", "patient"): "{patient_id}", ("Observation", "category"): "vital-signs",
    ("Observation", "code"): "29463-7", ("Observation", "date"): "ge2000-01-01",
    ("Questionnaire", "_id"): "phq9",
    ("Practitioner", "_id"): "{practitioner_id}", ("Practitioner", "name"): "{practitioner_name}",
    ("Organization", "_id"): "{organization_id}", ("Organization", "name"): "{organization_name}",
    ("Location", "_id"): "{location_id}", ("Location", "name"): "{location_name}",
    ("Encounter", "_id"): "{encounter_id}", ("Encounter", "patient"): "{patient_id}", ("Encounter", "status"): "in-progress",
    ("Encounter", "date"): "ge2000-01-01",
    ("MedicationAdministration", "_id"): "{administration_id}", ("MedicationAdministration", "patient"): "{patient_id}",
    ("PractitionerRole", "_id"): "{practitioner_id}", ("PractitionerRole", "practitioner"): "Practitioner/{practitioner_id}",
    ("PractitionerRole", "specialty"): "http://nucc.org/provider-taxonomy|363LP0808X",
    ("Appointment", "_id"): "{appointment_id}", ("Appointment", "patient"): "{patient_id}", ("Appointment", "date"): "ge2000-01-01",
    ("Appointment", "status"): "booked",
    ("Consent", "_id"): "{consent_id}", ("Consent", "patient"): "{patient_id}", ("Consent", "status"): "active",
    ("QuestionnaireResponse", "_id"): "{response_id}", ("QuestionnaireResponse", "patient"): "{patient_id}",
    ("QuestionnaireResponse", "questionnaire"): "phq9", ("QuestionnaireResponse", "authored"): "ge2000-01-01",
    ("DocumentReference", "_id"): "{document_id}", ("DocumentReference", "patient"): "{patient_id}",
    ("DocumentReference", "type"): "http://loinc.org|11506-3", ("DocumentReference", "category"): "clinical-note",
    ("DocumentReference", "date"): "ge2000-01-01",
}


@pytest.fixture
def world(patient, nurse, org, location, dosing_ready):
    ctx = ctx_for(nurse)
    ProviderProfile.objects.create(organization=org, user=nurse, taxonomy_codes=["363LP0808X"])
    session = treatment_services.start_dosing(ctx, dosing_ready("iv"), lot(started_at=ago(30)))
    condition = patient_services.add_subrecord(ctx, patient, "diagnosis", {"icd10_code": "F33.2"})
    allergy = patient_services.add_subrecord(ctx, patient, "allergy", {"substance": "Latex", "severity": "unknown"})
    medication = patient_services.add_subrecord(ctx, patient, "medication", {"name": "Sertraline"})
    appointment = Appointment.objects.create(organization=org, location=location, patient=patient, staff=nurse, start_at=ago(60), end_at=ago(0))
    consent = Consent.objects.filter(patient=patient).first()
    response = assessment_services.submit_response(ctx, patient, "phq9", phq9(total=12), mode="staff_paper")
    note = note_services.sign_note(ctx, note_services.start_note(ctx, patient, "progress"), {"section_plan": "Friday."})
    ids = {"Patient": str(patient.public_id), "Condition": str(condition.public_id), "AllergyIntolerance": str(allergy.public_id),
           "MedicationStatement": str(medication.public_id), "Observation": f"wt-{patient.measurements.first().public_id}",
           "Questionnaire": "phq9", "Practitioner": str(nurse.public_id), "Organization": str(org.public_id),
           "Location": str(location.public_id), "Encounter": str(session.public_id),
           "MedicationAdministration": str(session.administration.public_id), "PractitionerRole": str(nurse.public_id),
           "Appointment": str(appointment.public_id), "Consent": str(consent.public_id),
           "QuestionnaireResponse": str(response.public_id), "DocumentReference": str(note.public_id)}
    values = {"patient_id": ids["Patient"], "condition_id": ids["Condition"], "allergy_id": ids["AllergyIntolerance"],
              "medication_id": ids["MedicationStatement"], "mrn": patient.mrn, "given": patient.given_name,
              "family": patient.family_name, "dob": patient.date_of_birth.isoformat(), "gender": "female" if patient.sex_at_birth == "female" else "male",
              "practitioner_id": str(nurse.public_id), "practitioner_name": nurse.first_name, "organization_id": str(org.public_id),
              "organization_name": org.name, "location_id": str(location.public_id), "location_name": location.name,
              "encounter_id": str(session.public_id), "administration_id": str(session.administration.public_id),
              "appointment_id": ids["Appointment"], "consent_id": ids["Consent"],
              "response_id": ids["QuestionnaireResponse"], "document_id": ids["DocumentReference"]}
    return ids, values


def test_the_statement_validates_and_is_public():
    body = ok(fhir(None, "get", "/metadata"))
    assert body["fhirVersion"] == "4.0.1" and body["rest"][0]["mode"] == "server"


def test_every_listed_interaction_and_search_parameter_works(prescriber, world):
    ids, values = world
    statement = ok(fhir(None, "get", "/metadata"))
    listed = [e for e in statement["rest"][0]["resource"] if e.get("interaction")]  # Group: only its $export (test_bulk_export)
    for entry in listed:
        rtype, interactions = entry["type"], {i["code"] for i in entry["interaction"]}
        assert {"read", "search-type"} <= interactions
        assert ok(fhir(prescriber, "get", f"/{rtype}/{ids[rtype]}"))["id"] == ids[rtype]
        scope = f"patient={values['patient_id']}&" if rtype == "Observation" else ""
        for param in entry["searchParam"]:
            value = SAMPLES[(rtype, param["name"])].format(**values)
            query = f"{param['name']}={value}" if param["name"] == "patient" else f"{scope}{param['name']}={value}"
            bundle = ok(fhir(prescriber, "get", f"/{rtype}?{query}"))
            assert bundle["total"] >= 1, (rtype, param["name"])
        refused(fhir(prescriber, "get", f"/{rtype}?{scope}not-a-param=1"), 400)
        for include in entry.get("searchInclude", []):
            bundle = ok(fhir(prescriber, "get", f"/{rtype}?_id={ids[rtype]}&_include={include}"))
            assert [e for e in bundle["entry"] if e["search"]["mode"] == "include"], (rtype, include)
        refused(fhir(prescriber, "get", f"/{rtype}?{scope}_include={rtype}:not-an-include"), 400)
        if "create" in interactions:
            ok(fhir(prescriber, "post", f"/{rtype}", CREATES[rtype](f"Patient/{values['patient_id']}")), 201)
        else:
            assert fhir(prescriber, "post", f"/{rtype}", {"resourceType": rtype}).status_code in (400, 405)
        if "update" in interactions:
            current = ok(fhir(prescriber, "get", f"/{rtype}/{ids[rtype]}"))
            ok(fhir(prescriber, "put", f"/{rtype}/{ids[rtype]}", current))
        else:
            refused(fhir(prescriber, "put", f"/{rtype}/{ids[rtype]}", {"resourceType": rtype, "id": ids[rtype]}), 405)
    assert {e["type"] for e in listed} == {"Patient", "Condition", "AllergyIntolerance", "MedicationStatement", "Observation", "Questionnaire",
                                          "Practitioner", "Organization", "Location", "Encounter",
                                          "MedicationAdministration", "PractitionerRole", "Appointment", "Consent",
                                          "QuestionnaireResponse", "DocumentReference"}
    for unlisted in ("Claim", "MedicationRequest", "Binary"):
        refused(fhir(prescriber, "get", f"/{unlisted}"), 404)
    assert {i["code"] for i in statement["rest"][0]["interaction"]} == {"transaction"}
    ok(fhir(prescriber, "post", "", {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:1", "resource": patient_resource(mrn="EXT-TX"), "request": {"method": "POST", "url": "Patient"}}]}))
