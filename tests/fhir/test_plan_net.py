"""The public Plan-Net export: published clinics only, as a collection Bundle of Organization,
Location, HealthcareService, Practitioner and PractitionerRole with the Plan-Net profiles; no token;
nothing the finder does not show (no nurse, no front desk, no patient, no DEA or licence)."""

import pytest
from django.test import Client

from ketamine_clinic.directory.models import ClinicListing, ProviderProfile

from .support import valid

pytestmark = pytest.mark.django_db

PLAN_NET = "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/plannet-"


@pytest.fixture
def published(org, location, prescriber, nurse, patient, outsider_org):
    location.postal_code, location.phone = "12207", "518-555-0100"
    location.save()
    ClinicListing.objects.create(organization=org, published=True, display_name="Test Clinic", phone="518-555-0199",
                                 website="https://clinic.example.org", routes=["iv", "esketamine_nasal"], languages=["English", "Spanish"])
    ProviderProfile.objects.create(organization=org, user=prescriber, npi="1234567893", primary_taxonomy="2084P0800X",
                                   taxonomy_codes=["2084P0800X"], dea_number="AB1234563")
    ProviderProfile.objects.create(organization=org, user=nurse, npi="1245319599")
    ClinicListing.objects.create(organization=outsider_org, published=False, display_name="Unlisted Elsewhere")
    return org


def test_published_clinics_as_a_plan_net_collection(published, location, prescriber, nurse, patient):
    response = Client().get("/fhir/r4/plan-net")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/fhir+json")
    bundle = valid(response.json())
    assert bundle["type"] == "collection"
    by_type = {}
    for entry in bundle["entry"]:
        resource = entry["resource"]
        by_type.setdefault(resource["resourceType"], []).append(resource)
        assert resource["meta"]["profile"] == [PLAN_NET + resource["resourceType"]] and resource["meta"]["lastUpdated"]
        assert entry["fullUrl"].endswith(f"/{resource['resourceType']}/{resource['id']}")
    assert sorted(by_type) == ["HealthcareService", "Location", "Organization", "Practitioner", "PractitionerRole"]
    assert [o["name"] for o in by_type["Organization"]] == ["Test Clinic"]
    assert by_type["Location"][0]["position"]["latitude"] and by_type["Location"][0]["id"] == str(location.public_id)
    service = by_type["HealthcareService"][0]
    assert service["category"][0]["coding"][0]["code"] == "behav" and len(service["type"]) == 2
    assert [p["id"] for p in by_type["Practitioner"]] == [str(prescriber.public_id)]  # the finder lists no nurse
    assert by_type["Practitioner"][0]["identifier"] == [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893"}]
    role = by_type["PractitionerRole"][0]
    assert role["specialty"][0]["coding"][0]["code"] == "2084P0800X"
    assert role["healthcareService"] == [{"reference": f"HealthcareService/{service['id']}"}]
    assert role["location"][0]["reference"] == f"Location/{location.public_id}"
    text = response.content.decode()
    for private in ("AB1234563", patient.mrn, patient.family_name, str(nurse.public_id), "Unlisted Elsewhere"):
        assert private not in text


def test_nothing_when_nothing_is_published_and_no_writes(org):
    ClinicListing.objects.create(organization=org, published=False, display_name="Draft listing")
    body = valid(Client().get("/fhir/r4/plan-net").json())
    assert body.get("entry", []) == []
    response = Client().post("/fhir/r4/plan-net", {})
    assert response.status_code == 405 and response.json()["resourceType"] == "OperationOutcome"
