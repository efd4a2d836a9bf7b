"""Registration and intake: choosing the home location, ICD-10-CM and drug-class look-ups, and
"no known allergies" as an explicit finding (issue 11, item 11)."""

import pytest

from ketamine_clinic.accounts.models import Location
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, PermissionDenied, ValidationFailed
from ketamine_clinic.patients import services
from ketamine_clinic.patients.models import Patient

from tests.support.people import PATIENT_DATA, ctx_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_location(org):
    return Location.objects.create(organization=org, name="Uptown", city="Troy", region="NY", time_zone="America/New_York")


def test_registration_offers_the_clinics_locations_with_the_users_own_first(client_for, front_desk, location, second_location, outsider):
    Location.objects.create(organization=outsider.organization, name="Elsewhere Site", time_zone="UTC")
    page = client_for(front_desk).get("/patients/new/").content.decode()
    assert '<select name="home_location"' in page and "Uptown" in page and "Elsewhere Site" not in page
    assert f'<option value="{location.public_id}" selected>' in page


def test_registration_saves_the_chosen_home_location(client_for, front_desk, second_location):
    data = dict(PATIENT_DATA, home_location=str(second_location.public_id))
    response = client_for(front_desk).post("/patients/new/", data)
    assert response.status_code == 302
    assert Patient.objects.get(given_name=PATIENT_DATA["given_name"]).home_location == second_location


def test_another_clinics_location_is_refused_and_nothing_is_registered(client_for, front_desk, outsider):
    theirs = Location.objects.create(organization=outsider.organization, name="Theirs", time_zone="UTC")
    response = client_for(front_desk).post("/patients/new/", dict(PATIENT_DATA, home_location=str(theirs.public_id)))
    assert response.status_code == 422 and "No such location in this clinic" in response.content.decode()
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    ("query", "first_code"),
    [("F33", "F33.0"), ("f331", "F33.1"), ("bipolar depressed", "F31.30"), ("essential hypertension", "I10")],
)
def test_icd10cm_lookup_by_code_or_description(client_for, nurse, query, first_code):
    body = client_for(nurse).get("/patients/lookup/icd10cm/", {"q": query}).content.decode()
    assert f'<option value="{first_code}">' in body.split("\n")[0]


def test_icd10cm_lookup_needs_staff_and_caps_the_query(client, client_for, portal_user, front_desk):
    assert client.get("/patients/lookup/icd10cm/", {"q": "F33"}).status_code == 302  # to sign-in
    assert client_for(portal_user).get("/patients/lookup/icd10cm/", {"q": "F33"}).status_code == 403
    assert client_for(front_desk).get("/patients/lookup/icd10cm/", {"q": "x" * 10_000}).status_code == 200


@pytest.mark.parametrize("code", ["F33.7", "Z99.999", "F33.5"])
def test_a_well_formed_code_that_is_not_in_icd10cm_is_refused(prescriber, patient, code):
    with pytest.raises(ValidationFailed) as exc:
        services.add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": code})
    assert "not in ICD-10-CM" in exc.value.errors["icd10_code"][0]
    assert not patient.diagnoses.exists()


def test_any_icd10cm_code_gets_its_description(prescriber, patient):
    dx = services.add_subrecord(ctx_for(prescriber), patient, "diagnosis", {"icd10_code": "I10"})
    assert dx.display == "Essential (primary) hypertension"


@pytest.mark.parametrize(
    ("name", "chosen", "stored", "error"),
    [
        ("Phenelzine", "", "maoi", None),
        ("sertraline 100 mg", "", "ssri", None),
        ("Nardil", "", "maoi", None),
        ("Phenelzine", "other", None, "Phenelzine belongs to the class MAOI, not Other"),
        ("Sertraline", "snri", None, "Sertraline belongs to the class SSRI, not SNRI"),
        ("Sertraline", "ssri", "ssri", None),
        ("Herbal tea", "", None, "Choose the drug class"),
        ("Herbal tea", "other", "other", None),
    ],
)
def test_medication_class_follows_a_recognised_name(nurse, patient, name, chosen, stored, error):
    data = {"name": name, "drug_class": chosen}
    if error:
        with pytest.raises(ValidationFailed) as exc:
            services.add_subrecord(ctx_for(nurse), patient, "medication", data)
        assert error in exc.value.errors["drug_class"][0]
        assert not patient.medications.exists()
    else:
        assert services.add_subrecord(ctx_for(nurse), patient, "medication", data).drug_class == stored


def test_drug_class_hint_as_you_type(client_for, nurse):
    client = client_for(nurse)
    assert "Tranylcypromine: MAOI" in client.get("/patients/lookup/drug-class/", {"name": "Tranylcypromine"}).content.decode()
    assert client.get("/patients/lookup/drug-class/", {"name": "unknown thing"}).content.decode() == '<span id="drug-class-hint"></span>'


def test_no_known_allergies_is_an_explicit_audited_finding_cleared_by_an_allergy(client_for, nurse, patient):
    client = client_for(nurse)
    assert "Allergies: none recorded" in client.get(f"/patients/{patient.public_id}/").content.decode()
    assert client.post(f"/patients/{patient.public_id}/no-known-allergies/").status_code == 302
    chart = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert "No known allergies" in chart and "Allergies: none recorded" not in chart
    assert AuditEvent.objects.filter(action="patient.no_known_allergies", patient_id=str(patient.public_id)).count() == 1
    services.add_subrecord(ctx_for(nurse), patient, "allergy", {"substance": "Penicillin", "severity": "moderate"})
    patient.refresh_from_db()
    assert patient.no_known_allergies_at is None
    with pytest.raises(Conflict):
        services.record_no_known_allergies(ctx_for(nurse), patient)


def test_only_clinical_staff_record_no_known_allergies(client_for, front_desk, outsider, patient):
    with pytest.raises(PermissionDenied):
        services.record_no_known_allergies(ctx_for(front_desk), patient)
    assert client_for(front_desk).post(f"/patients/{patient.public_id}/no-known-allergies/").status_code == 403
    assert client_for(outsider).post(f"/patients/{patient.public_id}/no-known-allergies/").status_code == 404
    patient.refresh_from_db()
    assert patient.no_known_allergies_at is None


def test_login_page_does_not_invite_sign_up(client):
    page = client.get("/accounts/login/").content.decode()
    assert "sign up" not in page.lower().replace("no self sign-up", "") and "/accounts/signup/" not in page
