"""Booking by hand, conflicts explained, reschedule / cancel / no-show with reasons, no deletes."""

import datetime as dt

import pytest

from ketamine_clinic.accounts.permissions import PermissionDenied
from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed
from ketamine_clinic.plans import scheduling, services
from ketamine_clinic.plans.models import Appointment, AppointmentChange

from tests.support.factories import PatientFactory
from tests.support.people import ctx_for
from tests.support.plans import NOW, local


def book(user, patient, clinic, start="2030-03-04T10:00", chair="Chair 1", **extra):
    data = {"location": str(clinic.public_id), "start": start, "kind": "dosing",
            "resource": str(clinic.resources.get(name=chair).public_id), **extra}
    return scheduling.book_appointment(ctx_for(user), patient, data, now=NOW)


@pytest.fixture
def second_patient(front_desk):
    return PatientFactory(registered_by=front_desk, given_name="Sam", family_name="Lee")


def test_booking_stores_utc_and_shows_local_time(front_desk, patient, clinic):
    appt = book(front_desk, patient, clinic, start="2030-03-11T10:00")  # the day after the DST change
    assert appt.start_at == dt.datetime(2030, 3, 11, 14, 0, tzinfo=dt.UTC)
    assert local(appt).strftime("%H:%M") == "10:00" and appt.status == "booked"
    assert appt.changes.get().action == "booked"
    assert AuditEvent.objects.filter(action="appointment.book", object_id=str(appt.public_id)).exists()


def test_an_overlapping_appointment_is_refused_with_an_explanation(front_desk, patient, second_patient, clinic):
    book(front_desk, patient, clinic)
    with pytest.raises(Conflict) as exc:
        book(front_desk, second_patient, clinic, start="2030-03-04T10:30")
    assert exc.value.errors["start"] == ["Chair 1 is already booked Mon 2030-03-04 10:00 to 11:00."]
    with pytest.raises(Conflict) as exc:  # the same patient in the other chair
        book(front_desk, patient, clinic, start="2030-03-04T10:30", chair="Chair 2")
    assert "The patient already has an appointment" in exc.value.errors["start"][0]
    assert Appointment.objects.count() == 1


def test_a_date_in_the_past_and_closed_hours_are_refused(front_desk, patient, clinic):
    for start, text in (("2030-02-25T10:00", "in the past"), ("2030-03-04T17:30", "outside opening hours"),
                        ("2030-03-09T10:00", "outside opening hours")):
        with pytest.raises(ValidationFailed) as exc:
            book(front_desk, patient, clinic, start=start)
        assert text in exc.value.errors["start"][0]
    with pytest.raises(ValidationFailed) as exc:
        book(front_desk, patient, clinic, start="2030-03-10T02:30")  # does not exist: clocks go forward
    assert "does not exist" in exc.value.errors["start"][0]
    with pytest.raises(ValidationFailed) as exc:
        book(front_desk, patient, clinic, start="not a date")
    assert "start" in exc.value.errors
    assert Appointment.objects.count() == 0 and AppointmentChange.objects.count() == 0


def test_spacing_of_the_plan_is_checked_for_dosing_sessions(prescriber, front_desk, patient, clinic, draft, ready):
    ready("iv")
    plan, _ = services.activate_plan(ctx_for(prescriber), draft(), now=NOW)
    with pytest.raises(Conflict) as exc:
        book(front_desk, patient, clinic, start="2030-03-05T13:00", chair="Chair 2", plan=str(plan.public_id))
    assert any("needs at least 2 day(s) between sessions" in m for m in exc.value.errors["start"])


def test_reschedule_cancel_and_no_show_keep_the_record(front_desk, nurse, patient, second_patient, clinic):
    appt = book(front_desk, patient, clinic)
    other = book(front_desk, second_patient, clinic, start="2030-03-05T10:00")
    with pytest.raises(ValidationFailed):
        scheduling.reschedule_appointment(ctx_for(front_desk), appt, {"start": "2030-03-06T10:00", "reason": ""}, now=NOW)
    with pytest.raises(Conflict):
        scheduling.reschedule_appointment(ctx_for(front_desk), appt, {"start": "2030-03-05T10:30", "reason": "Asked", "version": 1}, now=NOW)
    moved = scheduling.reschedule_appointment(ctx_for(front_desk), appt, {"start": "2030-03-06T10:00", "reason": "Asked", "version": 1}, now=NOW)
    assert local(moved).strftime("%m-%d %H:%M") == "03-06 10:00" and moved.version == 2
    with pytest.raises(ValidationFailed):
        scheduling.cancel_appointment(ctx_for(front_desk), moved, " ")
    cancelled = scheduling.cancel_appointment(ctx_for(front_desk), moved, "Patient unwell", now=NOW)
    assert cancelled.status == "cancelled" and cancelled.status_reason == "Patient unwell"
    with pytest.raises(Conflict):
        scheduling.cancel_appointment(ctx_for(front_desk), cancelled, "Again", now=NOW)
    with pytest.raises(Conflict):  # not started yet
        scheduling.mark_no_show(ctx_for(nurse), other, "Did not come", now=NOW)
    later = dt.datetime(2030, 3, 5, 16, 0, tzinfo=dt.UTC)
    assert scheduling.mark_no_show(ctx_for(nurse), other, "Did not come", now=later).status == "no_show"
    assert Appointment.objects.count() == 2
    assert [c.action for c in appt.changes.all()] == ["booked", "rescheduled", "cancelled"]
    assert {e.action for e in AuditEvent.objects.filter(action__startswith="appointment.")} == {
        "appointment.book", "appointment.reschedule", "appointment.cancel", "appointment.no_show"}


def test_the_session_module_moves_status_along(nurse, front_desk, patient, clinic):
    appt = book(front_desk, patient, clinic)
    for status in ("checked_in", "in_session", "done"):
        appt = scheduling.set_appointment_status(ctx_for(nurse), appt, status)
    assert appt.status == "done"
    with pytest.raises(Conflict):
        scheduling.set_appointment_status(ctx_for(nurse), appt, "booked")


def test_permissions_and_the_outsider(therapist, front_desk, outsider, patient, clinic):
    with pytest.raises(PermissionDenied):
        book(therapist, patient, clinic)
    appt = book(front_desk, patient, clinic)
    with pytest.raises(NotFound):
        scheduling.get_appointment_for(ctx_for(outsider), appt.public_id)
    assert scheduling.appointments_for(ctx_for(outsider), None, dt.date(2030, 3, 4)) == []
    with pytest.raises(NotFound):
        scheduling.get_location_for(ctx_for(outsider), clinic.public_id)
    with pytest.raises(PermissionDenied):
        scheduling.add_resource(ctx_for(front_desk), clinic, {"name": "Chair 3", "kind": "chair"})


def test_day_and_week_reads_use_the_locations_days(front_desk, patient, second_patient, clinic):
    book(front_desk, patient, clinic, start="2030-03-04T09:00")
    book(front_desk, second_patient, clinic, start="2030-03-06T16:00")
    ctx = ctx_for(front_desk)
    assert len(scheduling.appointments_for(ctx, clinic, dt.date(2030, 3, 4))) == 1
    assert len(scheduling.appointments_for(ctx, clinic, dt.date(2030, 3, 4), days=7)) == 2
    assert scheduling.appointments_for(ctx, clinic, dt.date(2030, 3, 5)) == []


def test_opening_hours_input_is_checked(clinic_admin, clinic):
    with pytest.raises(ValidationFailed) as exc:
        scheduling.set_opening_hours(ctx_for(clinic_admin), clinic, {"monday": "18:00-08:00", "tuesday": "9-5"})
    assert set(exc.value.errors) == {"monday", "tuesday"}
    assert clinic.opening_hours.count() == 5  # unchanged


def test_demo_schedule_seed_is_idempotent(clinic_admin, location):
    from ketamine_clinic.plans.demo import seed_schedule

    seed_schedule(ctx_for(clinic_admin), [location])
    seed_schedule(ctx_for(clinic_admin), [location])
    assert location.resources.count() == 4 and location.opening_hours.count() == 5  # Monday to Friday
    assert not location.opening_hours.filter(weekday__gte=5).exists()  # closed at weekends: nothing booked then
