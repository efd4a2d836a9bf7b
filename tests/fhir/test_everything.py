"""Patient $everything: the patient and every registry type with a patient search parameter, paged,
scoped to the clinic, audited, and never a psychotherapy note."""

import json

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.fhir.operations.compartment import compartment_types
from ketamine_clinic.notes.services.psychotherapy import write_psychotherapy_note
from ketamine_clinic.patients import services as patient_services
from tests.support.people import ctx_for

from .support import fhir, ok, refused, resources

pytestmark = pytest.mark.django_db

SECRET = "Dream content the therapist keeps apart from the record"


@pytest.fixture
def chart(patient, nurse, therapist):
    ctx = ctx_for(nurse)
    patient_services.add_subrecord(ctx, patient, "diagnosis", {"icd10_code": "F33.2"})
    patient_services.add_subrecord(ctx, patient, "allergy", {"substance": "Penicillin", "severity": "moderate"})
    patient_services.add_subrecord(ctx, patient, "medication", {"name": "Sertraline"})
    write_psychotherapy_note(ctx_for(therapist), patient, SECRET)
    return patient


def _all_pages(user, url):
    seen = []
    while url:
        bundle = ok(fhir(user, "get", url))
        seen += resources(bundle)
        url = next((link["url"].split("/fhir/r4", 1)[1] for link in bundle["link"] if link["relation"] == "next"), None)
    return seen, bundle["total"]


def test_everything_holds_the_patient_and_each_compartment_type(prescriber, chart):
    body = ok(fhir(prescriber, "get", f"/Patient/{chart.public_id}/$everything"))
    kinds = {r["resourceType"] for r in resources(body)}
    assert {"Patient", "Condition", "AllergyIntolerance", "MedicationStatement", "Observation"} <= kinds
    assert all(r["subject" if "subject" in r else "patient"]["reference"] == f"Patient/{chart.public_id}"
               for r in resources(body) if r["resourceType"] not in ("Patient", "OperationOutcome"))
    assert {t.name for t in compartment_types()} >= {"Condition", "Observation", "Encounter", "MedicationAdministration"}
    assert AuditEvent.objects.filter(action="fhir.everything", patient_id=str(chart.public_id)).exists()


def test_everything_pages_with_count_and_sees_each_resource_once(prescriber, chart):
    whole = resources(ok(fhir(prescriber, "get", f"/Patient/{chart.public_id}/$everything?_count=100")))
    paged, total = _all_pages(prescriber, f"/Patient/{chart.public_id}/$everything?_count=2")
    assert total == len(whole) >= 5
    assert [r["id"] for r in paged] == [r["id"] for r in whole]


def test_psychotherapy_notes_are_never_in_everything(prescriber, therapist, chart):
    for user in (prescriber, therapist):
        response = fhir(user, "get", f"/Patient/{chart.public_id}/$everything?_count=100")
        assert response.status_code == 200
        assert SECRET not in response.content.decode()


def test_a_role_that_may_not_read_a_type_gets_the_rest_and_an_outcome_naming_it(front_desk, chart):
    body = ok(fhir(front_desk, "get", f"/Patient/{chart.public_id}/$everything?_count=100"))
    outcomes = [e for e in body["entry"] if e["search"]["mode"] == "outcome"]
    kinds = {r["resourceType"] for r in resources(body)}
    assert "Patient" in kinds and "Encounter" not in kinds
    # front desk may not see treatment sessions (session.view): those types are named, never silently dropped
    (named,) = outcomes
    assert "Left out: Encounter" in json.dumps(named) and "Left out: MedicationAdministration" in json.dumps(named)


def test_everything_refuses_other_clinics_unknown_ids_and_other_parameters(outsider, prescriber, chart):
    refused(fhir(outsider, "get", f"/Patient/{chart.public_id}/$everything"), 404)
    refused(fhir(prescriber, "get", "/Patient/not-an-id/$everything"), 404)
    refused(fhir(prescriber, "get", f"/Patient/{chart.public_id}/$everything?_type=Condition"), 400)
    refused(fhir(None, "get", f"/Patient/{chart.public_id}/$everything"), 401)


def test_the_statement_declares_everything_and_export():
    statement = ok(fhir(None, "get", "/metadata"))
    patient = next(e for e in statement["rest"][0]["resource"] if e["type"] == "Patient")
    assert {o["name"] for o in patient["operation"]} == {"everything", "export"}
    assert [o["name"] for o in statement["rest"][0]["operation"]] == ["export"]
    group = next(e for e in statement["rest"][0]["resource"] if e["type"] == "Group")
    assert [o["name"] for o in group["operation"]] == ["export"] and "interaction" not in group
