"""Booking a dosing session past a prior authorization's units or end date needs a reason (audited),
and the plan page warns. Plans asks billing through plans.booking_checks (filled by billing's apps.py)."""

import datetime as dt

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.billing import services
from ketamine_clinic.billing.services.prior_auth import plan_warnings
from ketamine_clinic.core.errors import ValidationFailed
from ketamine_clinic.plans import scheduling
from ketamine_clinic.plans.models import Appointment

from tests.support.api import assert_error
from tests.support.concurrency import race
from tests.support.people import ctx_for
from tests.support.plans import NOW


@pytest.fixture
def authorized(biller, patient):
    """2 units from Friday 2030-03-01 to Friday 2030-03-15."""
    return services.add_prior_authorization(ctx_for(biller), patient, {
        "payer_name": "Aetna", "number": "PA-7", "codes": "96365, J3490", "units_approved": "2",
        "start_on": "2030-03-01", "end_on": "2030-03-15"})


def book(user, patient, clinic, start, chair="Chair 1", **extra):
    data = {"location": str(clinic.public_id), "start": start, "kind": "dosing",
            "resource": str(clinic.resources.get(name=chair).public_id), **extra}
    return scheduling.book_appointment(ctx_for(user), patient, data, now=NOW)


def test_the_session_past_the_units_needs_a_reason_which_is_audited(front_desk, patient, clinic, authorized):
    book(front_desk, patient, clinic, "2030-03-04T10:00")
    book(front_desk, patient, clinic, "2030-03-06T10:00")
    with pytest.raises(ValidationFailed) as exc:
        book(front_desk, patient, clinic, "2030-03-08T10:00")
    assert "Authorization PA-7: no unit left" in exc.value.errors["reason"][0]
    assert Appointment.objects.filter(patient=patient).count() == 2
    appt = book(front_desk, patient, clinic, "2030-03-08T10:00", reason="Payer renewal requested, call ref 55")
    event = AuditEvent.objects.get(action="appointment.book", object_id=str(appt.public_id))
    assert event.detail["overridden"]["reason"] == "Payer renewal requested, call ref 55"
    assert "no unit left" in event.detail["overridden"]["checks"][0]
    assert appt.changes.get().reason == "Payer renewal requested, call ref 55"


def test_a_session_after_the_end_date_needs_a_reason(front_desk, patient, clinic, authorized):
    with pytest.raises(ValidationFailed) as exc:
        book(front_desk, patient, clinic, "2030-03-18T10:00")
    assert exc.value.errors["reason"][0] == "No prior authorization covers 2030-03-18: PA-7 runs 2030-03-01 to 2030-03-15."
    assert not Appointment.objects.filter(patient=patient).exists()


def test_therapy_visits_and_patients_without_authorizations_are_not_checked(front_desk, patient, clinic, therapist,
                                                                            outsider_patient):
    book(front_desk, patient, clinic, "2030-03-18T10:00")  # no authorization recorded: not checked
    services.add_prior_authorization(ctx_for(front_desk), patient, {
        "payer_name": "Aetna", "number": "PA-8", "codes": "J3490", "units_approved": "1",
        "start_on": "2030-03-01", "end_on": "2030-03-15"})
    therapy = scheduling.book_appointment(ctx_for(front_desk), patient, {
        "location": str(clinic.public_id), "start": "2030-03-20T14:00", "kind": "integration",
        "staff": str(therapist.public_id)}, now=NOW)
    assert therapy.kind == "integration"


def test_the_plan_page_warns_of_sessions_past_the_authorization(front_desk, nurse, patient, clinic, authorized, draft,
                                                                client_for, outsider):
    plan = draft()
    book(front_desk, patient, clinic, "2030-03-04T10:00", plan=str(plan.public_id))
    book(front_desk, patient, clinic, "2030-03-25T10:00", plan=str(plan.public_id), reason="Renewal pending")
    warnings = plan_warnings(nurse, plan, dt.date(2030, 3, 5))
    assert "1 booked session(s) fall after the last authorization ends (2030-03-15)." in warnings
    assert any("ends in 10 days" in w for w in warnings)
    assert plan_warnings(outsider, plan, dt.date(2030, 3, 5)) == []
    page = client_for(nurse).get(f"/plans/{plan.public_id}/")
    assert page.status_code == 200
    assert "fall after the last authorization ends (2030-03-15)" in page.content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_bookings_of_the_last_unit_at_once_need_a_reason_for_one(front_desk, nurse, patient, clinic, authorized):
    """Real concurrent transactions on PostgreSQL (the patient row is locked while booking); SQLite
    runs the workers one after another."""
    book(front_desk, patient, clinic, "2030-03-04T10:00")  # 1 unit left
    outcomes = race(lambda: book(front_desk, patient, clinic, "2030-03-06T10:00"),
                    lambda: book(nurse, patient, clinic, "2030-03-08T10:00"), expect=(ValidationFailed,))
    assert sorted("needs reason" if isinstance(o, ValidationFailed) and "reason" in o.errors
                  else "booked" if not isinstance(o, ValidationFailed) else repr(o) for o in outcomes) == ["booked", "needs reason"]
    assert Appointment.objects.filter(patient=patient).count() == 2


def test_the_api_answers_422_naming_the_reason_then_books_with_one(api, front_desk, patient, clinic, authorized):
    data = {"patient": str(patient.public_id), "location": str(clinic.public_id), "start": "2030-03-18T10:00",
            "kind": "dosing", "resource": str(clinic.resources.get(name="Chair 1").public_id)}
    refused = api(front_desk, "post", "/appointments", data)
    assert_error(refused, 422, "reason")
    assert not Appointment.objects.filter(patient=patient).exists()
    booked = api(front_desk, "post", "/appointments", {**data, "reason": "Renewal submitted"})
    assert booked.status_code == 201
    assert AuditEvent.objects.get(action="appointment.book").detail["overridden"]["reason"] == "Renewal submitted"
