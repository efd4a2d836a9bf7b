"""Appointment (the schedule) and Consent (signed treatment consents): read, search by each declared
parameter, the status mappings, validated with the R4B models; another clinic sees none of it."""

import datetime as dt

import pytest
from django.utils import timezone

from ketamine_clinic.plans.models import Appointment, AppointmentKind, AppointmentStatus
from ketamine_clinic.screening import services as screening_services
from tests.support.people import ctx_for
from tests.support.screening import consent_in_clinic

from .support import fhir, ok, refused, resources

pytestmark = pytest.mark.django_db

START = timezone.make_aware(dt.datetime(2030, 3, 4, 9, 0))


@pytest.fixture
def appointments(patient, location, nurse):
    def make(status, days, kind=AppointmentKind.DOSING, staff=None):
        start = START + dt.timedelta(days=days)
        return Appointment.objects.create(organization=patient.organization, location=location, patient=patient, kind=kind, staff=staff,
                                          start_at=start, end_at=start + dt.timedelta(minutes=90), status=status, created_by=nurse)
    return [make(AppointmentStatus.BOOKED, 0, staff=nurse), make(AppointmentStatus.DONE, 1), make(AppointmentStatus.CANCELLED, 2),
            make(AppointmentStatus.NO_SHOW, 3, AppointmentKind.INTEGRATION), make(AppointmentStatus.CHECKED_IN, 4)]


def test_appointment_read_maps_status_participants_and_times(front_desk, appointments, patient, nurse, location):
    body = ok(fhir(front_desk, "get", f"/Appointment/{appointments[0].public_id}"))
    assert body["status"] == "booked" and body["minutesDuration"] == 90
    assert dt.datetime.fromisoformat(body["start"]) == START
    actors = [p["actor"]["reference"] for p in body["participant"]]
    assert actors == [f"Patient/{patient.public_id}", f"Practitioner/{nurse.public_id}", f"Location/{location.public_id}"]
    statuses = [ok(fhir(front_desk, "get", f"/Appointment/{a.public_id}"))["status"] for a in appointments]
    assert statuses == ["booked", "fulfilled", "cancelled", "noshow", "checked-in"]


def test_appointment_search_by_patient_date_status(front_desk, appointments, patient, outsider_patient):
    def ids(query):
        return [r["id"] for r in resources(ok(fhir(front_desk, "get", f"/Appointment?{query}")))]
    every = [str(a.public_id) for a in appointments]
    assert ids(f"patient=Patient/{patient.public_id}") == every
    assert ids(f"patient={outsider_patient.public_id}") == []
    assert ids("date=2030-03-05") == [every[1]]
    assert ids("date=ge2030-03-07") == [every[3], every[4]]
    assert ids("status=cancelled,noshow") == [every[2], every[3]]
    assert ids("status=fulfilled&date=2030-03") == [every[1]]


def test_outsider_sees_no_appointment(outsider, appointments):
    refused(fhir(outsider, "get", f"/Appointment/{appointments[0].public_id}"), 404)
    assert ok(fhir(outsider, "get", "/Appointment?date=2030-03"))["total"] == 0


@pytest.fixture
def consents(nurse, patient):
    witnessed = consent_in_clinic(nurse, patient, "iv")
    revoked = consent_in_clinic(nurse, patient, "im")
    screening_services.revoke_consent(ctx_for(nurse), patient, revoked.public_id, {"reason": "Changed her mind"})
    return witnessed, revoked


def test_consent_read_and_status(prescriber, consents, patient):
    witnessed, revoked = consents
    body = ok(fhir(prescriber, "get", f"/Consent/{witnessed.public_id}"))
    assert body["status"] == "active" and body["patient"]["reference"] == f"Patient/{patient.public_id}"
    assert body["scope"]["coding"][0]["code"] == "treatment"
    assert body["policy"][0]["uri"].endswith(f"{witnessed.document.public_id}|{witnessed.document.version}")
    assert body["verification"][0]["verified"] is True
    gone = ok(fhir(prescriber, "get", f"/Consent/{revoked.public_id}"))
    assert gone["status"] == "inactive" and "end" in gone["provision"]["period"]


def test_consent_search_by_patient_and_status(prescriber, consents, patient):
    witnessed, revoked = consents
    def ids(query):
        return {r["id"] for r in resources(ok(fhir(prescriber, "get", f"/Consent?{query}")))}
    assert ids(f"patient={patient.public_id}") == {str(witnessed.public_id), str(revoked.public_id)}
    assert ids(f"patient=Patient/{patient.public_id}&status=active") == {str(witnessed.public_id)}
    assert ids("status=inactive") == {str(revoked.public_id)}
    assert ok(fhir(prescriber, "get", "/Consent?status=inactive"))["total"] == 1


def test_consent_needs_a_reader_role_and_outsider_sees_none(front_desk, consents, outsider, staff):
    from ketamine_clinic.accounts.permissions import Role
    refused(fhir(staff[Role.BILLER], "get", "/Consent"), 403)
    refused(fhir(outsider, "get", f"/Consent/{consents[0].public_id}"), 404)
    assert ok(fhir(outsider, "get", "/Consent"))["total"] == 0


def test_appointment_includes_patient_practitioner_location_once(front_desk, appointments, patient, nurse, location):
    bundle = ok(fhir(front_desk, "get", f"/Appointment?patient={patient.public_id}&_include=Appointment:patient"
                                        "&_include=Appointment:practitioner&_include=Appointment:location"))
    included = [(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"] if e["search"]["mode"] == "include"]
    assert included == [("Patient", str(patient.public_id)), ("Practitioner", str(nurse.public_id)), ("Location", str(location.public_id))]
    assert bundle["total"] == len(appointments)
    refused(fhir(front_desk, "get", "/Appointment?_include=Appointment:slot"), 400)
