"""PractitionerRole: the clinic's clinicians with their NUCC specialties, searched by practitioner and
specialty, with ``_include`` of the practitioner (and organization, location); outsider sees nothing."""

import pytest

from ketamine_clinic.directory.models import ProviderProfile

from .support import fhir, ok, refused, resources

pytestmark = pytest.mark.django_db

NUCC = "http://nucc.org/provider-taxonomy"
PROFILE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-practitionerrole|6.1.0"


@pytest.fixture
def psychiatrist(prescriber, location):
    location.phone = "555-0100"
    location.save()
    ProviderProfile.objects.create(organization=prescriber.organization, user=prescriber, primary_taxonomy="2084P0800X",
                                   taxonomy_codes=["2084P0800X", "207L00000X"])
    return prescriber


def test_role_of_a_clinician_with_specialties_location_and_us_core_profile(nurse, psychiatrist, location):
    role = ok(fhir(nurse, "get", f"/PractitionerRole/{psychiatrist.public_id}"))
    assert role["meta"]["profile"] == [PROFILE]
    assert role["practitioner"]["reference"] == f"Practitioner/{psychiatrist.public_id}"
    assert role["organization"]["reference"] == f"Organization/{psychiatrist.organization.public_id}"
    assert [s["coding"][0]["code"] for s in role["specialty"]] == ["2084P0800X", "207L00000X"]
    assert role["specialty"][0]["coding"][0]["system"] == NUCC
    assert role["location"] == [{"reference": f"Location/{location.public_id}", "display": location.name}]
    assert role["telecom"][0]["value"] == "555-0100"
    assert role["code"] == [{"text": "Prescriber"}]


def test_only_clinicians_have_roles(nurse, front_desk, psychiatrist, therapist):
    ids = {r["id"] for r in resources(ok(fhir(nurse, "get", "/PractitionerRole?_count=100")))}
    assert {str(psychiatrist.public_id), str(nurse.public_id), str(therapist.public_id)} <= ids
    assert str(front_desk.public_id) not in ids
    refused(fhir(nurse, "get", f"/PractitionerRole/{front_desk.public_id}"), 404)


def test_search_by_specialty_and_practitioner(nurse, psychiatrist):
    for query in (f"specialty={NUCC}|2084P0800X", "specialty=207L00000X", "specialty=nope,207l00000x",
                  f"practitioner=Practitioner/{psychiatrist.public_id}", f"practitioner={psychiatrist.public_id}"):
        assert [r["id"] for r in resources(ok(fhir(nurse, "get", f"/PractitionerRole?{query}")))] == [str(psychiatrist.public_id)], query
    assert ok(fhir(nurse, "get", "/PractitionerRole?specialty=http://other|2084P0800X"))["total"] == 0
    assert ok(fhir(nurse, "get", f"/PractitionerRole?practitioner=Patient/{psychiatrist.public_id}"))["total"] == 0


def test_include_practitioner_adds_them_once_in_include_mode(nurse, psychiatrist, location):
    bundle = ok(fhir(nurse, "get", f"/PractitionerRole?_id={psychiatrist.public_id}&_include=PractitionerRole:practitioner"
                                   "&_include=PractitionerRole:organization&_include=PractitionerRole:location"))
    modes = [(e["resource"]["resourceType"], e["search"]["mode"]) for e in bundle["entry"]]
    assert modes == [("PractitionerRole", "match"), ("Practitioner", "include"), ("Organization", "include"), ("Location", "include")]
    assert bundle["entry"][1]["resource"]["id"] == str(psychiatrist.public_id)
    assert bundle["total"] == 1  # total counts the matches only
    assert "_include=PractitionerRole%3Apractitioner" in bundle["link"][0]["url"]


def test_unsupported_include_is_a_400(nurse, psychiatrist):
    refused(fhir(nurse, "get", "/PractitionerRole?_include=PractitionerRole:endpoint"), 400)
    refused(fhir(nurse, "get", "/Patient?_include=Patient:general-practitioner"), 400)
    refused(fhir(nurse, "get", "/PractitionerRole?_include="), 400)


def test_capability_statement_declares_the_includes():
    from django.test import Client
    body = Client().get("/fhir/r4/metadata").json()
    entry = next(r for r in body["rest"][0]["resource"] if r["type"] == "PractitionerRole")
    assert "PractitionerRole:practitioner" in entry["searchInclude"]
    assert {p["name"] for p in entry["searchParam"]} == {"_id", "practitioner", "specialty"}
    assert all("searchInclude" not in r for r in body["rest"][0]["resource"] if r["type"] == "Patient")


def test_outsider_sees_no_role(outsider, psychiatrist):
    refused(fhir(outsider, "get", f"/PractitionerRole/{psychiatrist.public_id}"), 404)
    found = {r["id"] for r in resources(ok(fhir(outsider, "get", "/PractitionerRole?specialty=2084P0800X")))}
    assert found == set()
    bundle = ok(fhir(outsider, "get", f"/PractitionerRole?practitioner={psychiatrist.public_id}&_include=PractitionerRole:practitioner"))
    assert bundle.get("entry", []) == []
