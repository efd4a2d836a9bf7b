"""Read and search: Patient, Condition, AllergyIntolerance, MedicationStatement, Observation and
Questionnaire, scoped to the token's clinic; every response validated with the R4B models."""

import pytest
from django.utils import timezone

from ketamine_clinic.assessments import services as assessment_services
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.patients import services as patient_services
from ketamine_clinic.treatments import services as treatment_services
from tests.support.assessments import phq9
from tests.support.factories import PatientFactory
from tests.support.people import ctx_for
from tests.support.treatments import NORMAL_VITALS, ago, lot

from .support import fhir, ok, refused, resources

pytestmark = pytest.mark.django_db

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"


@pytest.fixture
def chart(patient, nurse):
    ctx = ctx_for(nurse)
    patient_services.add_subrecord(ctx, patient, "diagnosis", {"icd10_code": "F33.2"})
    patient_services.add_subrecord(ctx, patient, "allergy", {"substance": "Penicillin", "reaction": "Hives", "severity": "moderate"})
    patient_services.add_subrecord(ctx, patient, "medication", {"name": "Sertraline", "dose": "100 mg daily"})
    return patient


def test_patient_read_is_us_core_and_audited(prescriber, patient):
    body = ok(fhir(prescriber, "get", f"/Patient/{patient.public_id}"))
    assert body["meta"]["profile"] == [US_CORE + "us-core-patient|6.1.0"]
    assert body["identifier"][0]["value"] == patient.mrn
    assert body["name"][0]["family"] == patient.family_name
    assert body["birthDate"] == patient.date_of_birth.isoformat()
    assert AuditEvent.objects.filter(action="fhir.read", object_id=str(patient.public_id)).exists()


def test_patient_search_by_each_parameter(prescriber, patient):
    PatientFactory(registered_by=prescriber, given_name="Zed", family_name="Other", mrn="TC-OTHER", date_of_birth="1950-01-01")
    for query in (f"identifier={patient.mrn}", f"identifier=urn:ketamine-clinic:mrn|{patient.mrn}",
                  f"name={patient.given_name[:3]}", f"family={patient.family_name}", f"given={patient.given_name}",
                  f"birthdate={patient.date_of_birth.isoformat()}", f"birthdate=ge{patient.date_of_birth.year}",
                  f"_id={patient.public_id}"):
        bundle = ok(fhir(prescriber, "get", f"/Patient?{query}"))
        assert [r["id"] for r in resources(bundle)] == [str(patient.public_id)], query
    assert ok(fhir(prescriber, "get", "/Patient?identifier=nope"))["total"] == 0
    genders = {r["gender"] for r in resources(ok(fhir(prescriber, "get", f"/Patient?gender={ok(fhir(prescriber, 'get', f'/Patient/{patient.public_id}'))['gender']}")))}
    assert len(genders) == 1


def test_paging_follows_next_links_to_every_patient_once(prescriber):
    for n in range(5):
        PatientFactory(registered_by=prescriber, given_name=f"Page{n}", family_name="Pager", mrn=f"TC-P{n}")
    seen, url = [], "/Patient?family=Pager&_count=2"
    while url:
        bundle = ok(fhir(prescriber, "get", url))
        assert bundle["total"] == 5
        seen += [r["name"][0]["given"][0] for r in resources(bundle)]
        nxt = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        url = nxt[0].split("/fhir/r4", 1)[1] if nxt else None
    assert sorted(seen) == [f"Page{n}" for n in range(5)]


def test_condition_allergy_medication_read_and_search(prescriber, chart):
    p = f"patient=Patient/{chart.public_id}"
    condition = resources(ok(fhir(prescriber, "get", f"/Condition?{p}")))[0]
    assert condition["code"]["coding"][0] == {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F33.2", "display": condition["code"]["coding"][0]["display"]}
    assert condition["clinicalStatus"]["coding"][0]["code"] == "active"
    assert resources(ok(fhir(prescriber, "get", f"/Condition?{p}&code=F33.2&clinical-status=active")))[0]["id"] == condition["id"]
    assert ok(fhir(prescriber, "get", f"/Condition?{p}&code=F32.9"))["total"] == 0
    assert ok(fhir(prescriber, "get", f"/Condition/{condition['id']}"))["id"] == condition["id"]

    allergy = resources(ok(fhir(prescriber, "get", f"/AllergyIntolerance?{p}&clinical-status=active")))[0]
    assert allergy["code"]["text"] == "Penicillin" and allergy["reaction"][0]["severity"] == "moderate"
    assert allergy["meta"]["profile"] == [US_CORE + "us-core-allergyintolerance|6.1.0"]

    medication = resources(ok(fhir(prescriber, "get", f"/MedicationStatement?{p}&status=active")))[0]
    assert medication["medicationCodeableConcept"]["text"] == "Sertraline" and medication["dosage"][0]["text"] == "100 mg daily"


def test_observations_body_vitals_and_scores(prescriber, nurse, patient, new_session):
    session = new_session()
    treatment_services.record_vitals(ctx_for(nurse), session, dict(NORMAL_VITALS, observed_at=""))
    assessment_services.submit_response(ctx_for(nurse), patient, "phq9", phq9(total=12), mode="staff_paper")
    p = f"patient={patient.public_id}"
    everything = resources(ok(fhir(prescriber, "get", f"/Observation?{p}&_count=100")))
    by_code = {r["code"]["coding"][0]["code"]: r for r in everything if r["code"].get("coding")}
    assert by_code["29463-7"]["valueQuantity"] == {"value": 70.0, "unit": "kg", "system": "http://unitsofmeasure.org", "code": "kg"}
    assert by_code["39156-5"]["meta"]["profile"] == [US_CORE + "us-core-bmi|6.1.0"]
    bp = by_code["85354-9"]
    assert [c["valueQuantity"]["value"] for c in bp["component"]] == [122, 78]
    assert bp["category"][0]["coding"][0]["code"] == "vital-signs"
    assert by_code["8867-4"]["valueQuantity"]["code"] == "/min"
    assert by_code["44261-6"]["valueInteger"] == 12 and by_code["44261-6"]["category"][0]["coding"][0]["code"] == "survey"
    assert by_code["44261-6"]["derivedFrom"][0]["reference"].startswith("QuestionnaireResponse/")

    assert [r["code"]["coding"][0]["code"] for r in resources(ok(fhir(prescriber, "get", f"/Observation?{p}&code=http://loinc.org|44261-6")))] == ["44261-6"]
    assert {r["category"][0]["coding"][0]["code"] for r in resources(ok(fhir(prescriber, "get", f"/Observation?{p}&category=vital-signs&_count=100")))} == {"vital-signs"}
    today = timezone.localdate().isoformat()
    assert ok(fhir(prescriber, "get", f"/Observation?{p}&date=ge{today}"))["total"] == len(everything)
    assert ok(fhir(prescriber, "get", f"/Observation?{p}&date=lt{today}"))["total"] == 0
    assert ok(fhir(prescriber, "get", f"/Observation/{bp['id']}"))["id"] == bp["id"]


def test_front_desk_sees_no_session_vitals_or_scores(front_desk, nurse, patient, new_session):
    treatment_services.record_vitals(ctx_for(nurse), new_session(), dict(NORMAL_VITALS, observed_at=""))
    codes = {r["code"]["coding"][0]["code"] for r in resources(ok(fhir(front_desk, "get", f"/Observation?patient={patient.public_id}")))}
    assert codes == {"29463-7", "8302-2", "39156-5"}


def test_questionnaire_read_reuses_the_export(prescriber):
    body = ok(fhir(prescriber, "get", "/Questionnaire/phq9"))
    assert body["code"][0]["code"] == "44249-1"
    assert "phq9" in [r["id"] for r in resources(ok(fhir(prescriber, "get", "/Questionnaire?_count=100")))]


def test_outsider_clinic_sees_nothing(outsider, chart):
    for path in (f"/Patient/{chart.public_id}", f"/Condition/{chart.diagnoses.get().public_id}",
                 f"/AllergyIntolerance/{chart.allergies.get().public_id}", f"/Observation/wt-{chart.measurements.get().public_id}"):
        refused(fhir(outsider, "get", path), 404)
    for path in ("/Patient", f"/Condition?patient={chart.public_id}", f"/Observation?patient={chart.public_id}",
                 f"/MedicationStatement?patient={chart.public_id}", f"/Patient?identifier={chart.mrn}"):
        assert ok(fhir(outsider, "get", path))["total"] == 0, path


def test_auth_and_bad_searches_are_operation_outcomes(prescriber, portal_user, patient):
    refused(fhir(None, "get", "/Patient"), 401)
    assert fhir(None, "get", "/Patient", HTTP_AUTHORIZATION="Bearer kc_nonsense").status_code == 401
    refused(fhir(portal_user, "get", "/Patient"), 403)
    refused(fhir(prescriber, "get", "/Patient?foo=bar"), 400)
    refused(fhir(prescriber, "get", "/Patient?birthdate=yesterday"), 400)
    refused(fhir(prescriber, "get", "/Patient?_count=1000"), 400)
    refused(fhir(prescriber, "get", "/Observation"), 400)
    refused(fhir(prescriber, "get", "/Claim"), 404)
    refused(fhir(prescriber, "get", "/Patient/not-an-id"), 404)
    refused(fhir(prescriber, "delete", f"/Patient/{patient.public_id}"), 405)


def test_directory_practitioner_organization_location(nurse, org, location, outsider):
    practitioner = ok(fhir(nurse, "get", f"/Practitioner/{nurse.public_id}"))
    assert practitioner["name"][0]["given"] == [nurse.first_name] and practitioner["active"] is True
    assert [r["name"] for r in resources(ok(fhir(nurse, "get", "/Organization")))] == [org.name]
    assert resources(ok(fhir(nurse, "get", f"/Location?name={location.name}")))[0]["managingOrganization"]["reference"] == f"Organization/{org.public_id}"
    for path in (f"/Practitioner/{nurse.public_id}", f"/Organization/{org.public_id}", f"/Location/{location.public_id}"):
        refused(fhir(outsider, "get", path), 404)
    assert str(nurse.public_id) not in {r["id"] for r in resources(ok(fhir(outsider, "get", "/Practitioner?_count=100")))}
    assert [r["name"] for r in resources(ok(fhir(outsider, "get", "/Organization")))] == [outsider.organization.name]


def test_encounters_are_treatment_sessions(nurse, front_desk, outsider, patient, new_session, location):
    session = new_session()
    encounter = ok(fhir(nurse, "get", f"/Encounter/{session.public_id}"))
    assert (encounter["status"], encounter["class"]["code"], encounter["subject"]["reference"]) == ("arrived", "AMB", f"Patient/{patient.public_id}")
    assert encounter["location"][0]["location"]["reference"] == f"Location/{location.public_id}"
    today = timezone.localdate().isoformat()
    assert [r["id"] for r in resources(ok(fhir(nurse, "get", f"/Encounter?patient={patient.public_id}&date={today}&status=arrived")))] == [str(session.public_id)]
    assert ok(fhir(nurse, "get", f"/Encounter?patient={patient.public_id}&status=finished"))["total"] == 0
    refused(fhir(front_desk, "get", f"/Encounter/{session.public_id}"), 403)  # no session.view
    refused(fhir(outsider, "get", f"/Encounter/{session.public_id}"), 404)
    assert ok(fhir(outsider, "get", "/Encounter"))["total"] == 0


def test_medication_administration_is_the_dose_given(nurse, outsider, patient, dosing_ready):
    session = treatment_services.start_dosing(ctx_for(nurse), dosing_ready("iv"), lot(started_at=ago(60)))
    session = treatment_services.stop_dosing(ctx_for(nurse), session, {"stopped_at": ago(20)})
    admin = session.administration
    given = ok(fhir(nurse, "get", f"/MedicationAdministration/{admin.public_id}"))
    assert given["status"] == "completed" and given["contained"][0]["batch"]["lotNumber"] == "KX2231"
    assert given["contained"][0]["code"]["coding"][0]["code"] == "6130"
    assert given["dosage"]["dose"]["code"] == "mg" and given["dosage"]["dose"]["value"] > 0
    assert given["context"]["reference"] == f"Encounter/{session.public_id}"
    assert [r["id"] for r in resources(ok(fhir(nurse, "get", f"/MedicationAdministration?patient={patient.public_id}")))] == [str(admin.public_id)]
    refused(fhir(outsider, "get", f"/MedicationAdministration/{admin.public_id}"), 404)
