"""The portal patient downloads their own whole record (issue 18 §6): a FHIR ``collection`` Bundle built
from each compartment type's ``of_patient`` (no staff role needed, none faked), with the same exclusions
as the staff search: signed notes only, submitted responses only, never a psychotherapy note. Only
for themselves; staff and anonymous visitors are refused; audited as ``$everything``."""

import base64
import datetime as dt
import json

import pytest
from django.utils import timezone

from ketamine_clinic.assessments import services as assessment_services
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.fhir.operations.compartment import NOT_IN_OWN_RECORD, compartment_types, own_record_types
from ketamine_clinic.notes import services as note_services
from ketamine_clinic.patients import services as patient_services
from ketamine_clinic.plans.models import Appointment, AppointmentKind, AppointmentStatus
from ketamine_clinic.treatments import services as treatment_services
from tests.support.assessments import phq9
from tests.support.factories import PatientFactory, PortalUserFactory
from tests.support.people import ctx_for
from tests.support.treatments import ago, lot

from .support import fhir, ok, resources, valid

pytestmark = pytest.mark.django_db

URL = "/portal/my-record.json"
SECRET = "Dreamt of the lighthouse again; private material 7Q2X"
DRAFT_WORDS = "Draft words only, never sent 5K1M"
OTHERS = "Other patient's diagnosis text 9Z"


@pytest.fixture
def record(patient, prescriber, therapist, nurse, location, dosing_ready):
    """A full chart: entries, a dose given (session, vitals, consent), an appointment, a PHQ-9 and a draft,
    a signed note and a draft note, a psychotherapy note."""
    ctx = ctx_for(nurse)
    patient_services.add_subrecord(ctx, patient, "diagnosis", {"icd10_code": "F33.2"})
    patient_services.add_subrecord(ctx, patient, "allergy", {"substance": "Penicillin", "severity": "moderate"})
    patient_services.add_subrecord(ctx, patient, "medication", {"name": "Sertraline"})
    session = treatment_services.start_dosing(ctx, dosing_ready("iv"), lot(started_at=ago(60)))
    treatment_services.stop_dosing(ctx, session, {"stopped_at": ago(20)})
    start = timezone.now() + dt.timedelta(days=3)
    Appointment.objects.create(organization=patient.organization, location=location, patient=patient, kind=AppointmentKind.DOSING,
                               start_at=start, end_at=start + dt.timedelta(minutes=90), status=AppointmentStatus.BOOKED, created_by=nurse)
    submitted = assessment_services.submit_response(ctx, patient, "phq9", phq9(total=12), mode="staff_paper")
    draft_response = assessment_services.save_draft(ctx, patient, "phq9", {"phq9-1": 2}, mode="staff_paper")
    signed = note_services.start_note(ctx_for(prescriber), patient, "progress")
    signed = note_services.sign_note(ctx_for(prescriber), signed, {"section_subjective": "Feels calmer."})
    draft_note = note_services.start_note(ctx_for(prescriber), patient, "intake")
    note_services.save_draft(ctx_for(prescriber), draft_note, {"section_hpi": DRAFT_WORDS})
    pnote = note_services.write_psychotherapy_note(ctx_for(therapist), patient, SECRET)
    note_services.sign_psychotherapy_note(ctx_for(therapist), pnote)
    return {"submitted": submitted, "draft_response": draft_response, "signed": signed, "draft_note": draft_note, "pnote": pnote}


@pytest.fixture
def other_patient(front_desk, nurse):
    """Another patient of the same clinic, with a chart entry and a portal account of their own."""
    other = PatientFactory(registered_by=front_desk, given_name="Otto", family_name="Else", mrn="KC-OTHER-1")
    patient_services.add_subrecord(ctx_for(nurse), other, "diagnosis", {"icd10_code": "F41.1", "display": OTHERS})
    return other


def _download(client, user):
    client.force_login(user)
    return client.get(URL)


def test_every_compartment_type_gives_the_patients_own_rows_or_is_excluded_with_a_reason():
    for rtype in compartment_types():
        assert rtype.of_patient is not None or NOT_IN_OWN_RECORD.get(rtype.name), f"{rtype.name}: no of_patient and no reason to leave it out"
    assert {t.name for t in own_record_types()} == {t.name for t in compartment_types()} - set(NOT_IN_OWN_RECORD)


def test_the_portal_patient_downloads_their_whole_record(client, portal_user, patient, record, other_patient, outsider_patient):
    response = _download(client, portal_user)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response["Content-Disposition"] == 'attachment; filename="my-record.json"'
    bundle = valid(response.json())  # the Bundle and every entry's resource, by the R4B models
    assert bundle["type"] == "collection" and "link" not in bundle
    found = resources(bundle)
    kinds = {r["resourceType"] for r in found}
    assert kinds == {"Patient", "Condition", "AllergyIntolerance", "MedicationStatement", "Observation", "Encounter",
                     "MedicationAdministration", "Appointment", "Consent", "QuestionnaireResponse", "DocumentReference"}
    assert [r["id"] for r in found if r["resourceType"] == "Patient"] == [str(patient.public_id)]
    ids = {r["id"] for r in found}
    assert str(record["signed"].public_id) in ids and str(record["submitted"].public_id) in ids
    assert {"44261-6", "29463-7", "85354-9"} <= {c["code"] for r in found if r["resourceType"] == "Observation" for c in r["code"].get("coding", [])}
    for entry in bundle["entry"]:
        assert entry["fullUrl"].endswith(f"/fhir/r4/{entry['resource']['resourceType']}/{entry['resource']['id']}")
    subject = f"Patient/{patient.public_id}"
    for r in found:
        if r["resourceType"] == "Consent":
            assert r["patient"]["reference"] == subject
        elif r["resourceType"] == "Appointment":
            assert subject in [p["actor"]["reference"] for p in r["participant"] if "actor" in p]
        elif r["resourceType"] != "Patient":
            assert r.get("subject", r.get("patient"))["reference"] == subject


def test_never_another_patient_a_draft_or_a_psychotherapy_note(client, portal_user, record, other_patient, outsider_patient):
    body = _download(client, portal_user).content.decode()
    texts = [base64.b64decode(r["content"][0]["attachment"]["data"]).decode()
             for r in resources(json.loads(body)) if r["resourceType"] == "DocumentReference"]
    assert texts and "Feels calmer." in texts[0]
    for absent in (SECRET, DRAFT_WORDS, OTHERS, str(other_patient.public_id), str(outsider_patient.public_id),
                   str(record["draft_note"].public_id), str(record["pnote"].public_id), str(record["draft_response"].public_id)):
        assert absent not in body and all(absent not in text for text in texts)


def test_the_download_holds_exactly_what_staff_everything_serves(client, portal_user, patient, prescriber, record):
    """Same rows, same exclusions: the prescriber (who may read every type) sees the same resources."""
    staff = ok(fhir(prescriber, "get", f"/Patient/{patient.public_id}/$everything?_count=100"))
    assert all(e["search"]["mode"] == "match" for e in staff["entry"])  # no type left out for the prescriber
    assert staff["total"] < 100  # one page holds it all
    own = _download(client, portal_user).json()
    assert sorted((r["resourceType"], r["id"]) for r in resources(own)) == sorted((r["resourceType"], r["id"]) for r in resources(staff))


def test_the_other_patient_gets_only_their_own(client, portal_user, patient, record, other_patient, org):
    other_user = PortalUserFactory(organization=org, username="portal_other", patient=other_patient)
    found = resources(valid(_download(client, other_user).json()))
    assert {r["resourceType"] for r in found} == {"Patient", "Condition"}
    assert str(patient.public_id) not in json.dumps(found) and OTHERS in json.dumps(found)


def test_the_download_is_audited_with_the_patient(client, portal_user, patient, record):
    _download(client, portal_user)
    event = AuditEvent.objects.get(action=Action.FHIR_EVERYTHING, patient_id=str(patient.public_id))
    assert event.detail["download"] == "portal" and event.detail["resources"] > 10


def test_staff_outsider_and_anonymous_are_refused(client, prescriber, clinic_admin, outsider, record):
    for user in (prescriber, clinic_admin, outsider):
        response = _download(client, user)
        assert response.status_code == 403 and "Content-Disposition" not in response
    client.logout()
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not AuditEvent.objects.filter(action=Action.FHIR_EVERYTHING).exists()


def test_a_portal_account_with_no_linked_record_gets_404(client, org):
    unlinked = PortalUserFactory(organization=org, username="portal_unlinked")
    assert _download(client, unlinked).status_code == 404


def test_the_portal_home_links_to_the_download(client, portal_user):
    client.force_login(portal_user)
    assert URL in client.get("/portal/").content.decode()


def test_only_get(client, portal_user):
    client.force_login(portal_user)
    assert client.post(URL).status_code == 405
