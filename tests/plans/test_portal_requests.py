"""The portal lists upcoming appointments with their instructions; a patient asks to reschedule or
cancel (a request staff see and mark handled; the appointment itself is not changed)."""

import random

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.plans import services
from ketamine_clinic.plans.models import Appointment, AppointmentKind, AppointmentRequest

from tests.support.factories import PatientFactory
from tests.support.people import ctx_for, make_user
from tests.support.plans import NOW


@pytest.fixture
def booked(prescriber, ready, draft, portal_user):
    ready("iv")
    plan = services.activate_plan(ctx_for(prescriber), draft(), "Start", now=NOW)[0]
    return plan.appointments.filter(kind=AppointmentKind.DOSING).order_by("start_at").first()


def _ask(client, appt, kind="reschedule", note="Thursdays are better"):
    return client.post(f"/portal/appointments/{appt.public_id}/request/", {"kind": kind, "note": note})


def test_portal_shows_upcoming_appointments_with_instructions_and_a_tap_to_call_crisis_line(client_for, portal_user, booked):
    html = client_for(portal_user).get("/portal/").content.decode()
    assert "Hello, Jordan" in html
    section = html[html.index('data-testid="portal-appointments"'):html.index('data-testid="crisis"')]
    assert section.count("<article") == 6 and "Before and after your visit" in section
    assert "drive" in section  # the route's visit instructions (no driving after the session)
    crisis = html[html.index('data-testid="crisis"'):]
    assert '<a href="tel:988"><strong>988</strong></a> (Suicide &amp; Crisis Lifeline)' in crisis
    assert "call or text 988)" not in crisis


def test_greeting_uses_the_whole_given_name_and_demo_nicknames_are_real_names():
    from ketamine_clinic.demo.seed import NICKNAMES, _patient_data

    from types import SimpleNamespace

    somewhere = SimpleNamespace(city="Albany", region="NY", postal_code="12207", pk=1, public_id="x")
    for seed in range(300):
        data = _patient_data(random.Random(seed), seed, somewhere)
        assert data["preferred_name"] in ("", NICKNAMES.get(data["given_name"]))


def test_patient_asks_to_reschedule_and_staff_see_it_without_the_appointment_changing(
        client_for, portal_user, booked, front_desk, patient):
    start = booked.start_at
    response = _ask(client_for(portal_user), booked)
    assert response.status_code == 302
    req = AppointmentRequest.objects.get()
    assert (req.kind, req.note, req.status, req.appointment) == ("reschedule", "Thursdays are better", "open", booked)
    booked.refresh_from_db()
    assert booked.status == "booked" and booked.start_at == start
    assert AuditEvent.objects.filter(action="appointment.request").exists()
    assert "You asked to reschedule" in client_for(portal_user).get("/portal/").content.decode()

    staff = client_for(front_desk)
    assert "Thursdays are better" in staff.get("/").content.decode()
    assert "Requests from the patient" in staff.get(f"/plans/appointments/{booked.public_id}/").content.decode()
    assert staff.post(f"/plans/requests/{req.public_id}/handled/", {"note": "Moved by phone"}).status_code == 302
    req.refresh_from_db()
    assert req.status == "handled" and req.handled_by == front_desk and req.handled_note == "Moved by phone"


def test_a_second_request_for_the_same_appointment_is_refused(client_for, portal_user, booked):
    _ask(client_for(portal_user), booked)
    response = _ask(client_for(portal_user), booked, kind="cancel")
    assert response.status_code == 409
    assert AppointmentRequest.objects.count() == 1


@pytest.mark.parametrize("kind, note", [("", "x"), ("delete", "x"), ("cancel", "x" * 501)])
def test_bad_request_input_is_a_4xx_and_writes_nothing(client_for, portal_user, booked, kind, note):
    response = _ask(client_for(portal_user), booked, kind=kind, note=note)
    assert response.status_code == 422
    assert not AppointmentRequest.objects.exists()


def test_a_patient_cannot_ask_about_another_patients_appointment(client_for, org, booked, outsider, front_desk):
    other = PatientFactory(registered_by=front_desk, given_name="Robin")
    other.portal_user = make_user(org, "robin", kind="patient")
    other.save(update_fields=["portal_user"])
    assert _ask(client_for(other.portal_user), booked).status_code == 404
    assert _ask(client_for(outsider), booked).status_code == 302  # staff are sent to their own home page
    assert not AppointmentRequest.objects.exists()


def test_only_roles_that_manage_the_schedule_mark_requests_handled(client_for, portal_user, booked, therapist, outsider):
    _ask(client_for(portal_user), booked)
    req = AppointmentRequest.objects.get()
    assert client_for(therapist).post(f"/plans/requests/{req.public_id}/handled/").status_code == 403
    assert client_for(outsider).post(f"/plans/requests/{req.public_id}/handled/").status_code == 404
    req.refresh_from_db()
    assert req.status == "open" and Appointment.objects.filter(status="booked").count() == 6
