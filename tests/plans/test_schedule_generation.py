"""Schedule generation for every shipped protocol through the plans service: dates, spacing,
resources, time zones and a daylight-saving change."""

import datetime as dt
from collections import Counter

import pytest

from ketamine_clinic.audit.models import AuditEvent
from ketamine_clinic.clinical import protocols as cp
from ketamine_clinic.plans import scheduling, services
from ketamine_clinic.plans.models import Appointment, AppointmentKind

from tests.support.factories import PatientFactory
from tests.support.people import ctx_for
from tests.support.plans import MONDAY, NOW, local, plan_data
from tests.support.screening import make_ready


def _activate(prescriber, plan):
    plan, warnings = services.activate_plan(ctx_for(prescriber), plan, "Start", now=NOW)
    return plan, warnings


def _dosing(plan):
    return list(plan.appointments.filter(kind=AppointmentKind.DOSING).order_by("start_at").select_related("location"))


def _check_spacing(days: list[dt.date], spacing: cp.Spacing):
    gaps = [(b - a).days for a, b in zip(days, days[1:])]
    assert all(g >= spacing.min_days_between for g in gaps), gaps
    if spacing.sessions_per_week:
        assert all(g >= 7 // spacing.sessions_per_week for g in gaps), gaps
        for d in days:
            assert sum(1 for x in days if d <= x <= d + dt.timedelta(days=6)) <= spacing.sessions_per_week
    if spacing.interval_days:
        assert all(g >= spacing.interval_days for g in gaps), gaps
    if spacing.max_span_days and days:
        assert (days[-1] - days[0]).days < spacing.max_span_days


@pytest.mark.parametrize("key", sorted(cp.PROTOCOLS))
def test_every_shipped_protocol_schedules_through_the_service(key, prescriber, nurse, therapist, patient, clinic):
    protocol = cp.PROTOCOLS[key]
    make_ready(prescriber, nurse, patient, protocol.route)
    phase = protocol.phases[0]
    count = phase.session_count or 4
    extra = {"protocol": key, "session_count": str(count)}
    if protocol.linked_sessions:
        extra["therapist"] = str(therapist.public_id)
    plan = services.create_plan(ctx_for(nurse), patient, plan_data(clinic, **extra), now=NOW)
    plan, warnings = _activate(prescriber, plan)
    dosing = _dosing(plan)
    # Every booked appointment, dosing or therapy, has its own audit event.
    booked_events = Counter(AuditEvent.objects.filter(action="appointment.book").values_list("object_id", flat=True))
    assert booked_events == Counter(str(a.public_id) for a in plan.appointments.all())
    if protocol.at_home:
        assert dosing == []  # doses are taken at home: nothing to book in clinic
        return
    assert len(dosing) == count
    days = [local(a).date() for a in dosing]
    assert days[0] == MONDAY and all(d.weekday() < 5 for d in days)  # opening hours: Mon-Fri
    assert all(local(a).time() == dt.time(9, 0) for a in dosing)  # 9:00 local, before and after the DST change
    assert [a.session_number for a in dosing] == list(range(1, count + 1))
    _check_spacing(days, phase.spacing)
    assert all(a.resource.name == "Chair 1" for a in dosing)
    if protocol.linked_sessions:
        therapy = plan.appointments.exclude(kind=AppointmentKind.DOSING)
        kinds = Counter(therapy.values_list("kind", flat=True))
        assert kinds == {"preparation": 1, "integration": count} and not warnings
        assert all(a.staff_id == therapist.pk for a in therapy)
        first_dose = dosing[0].start_at
        prep = therapy.get(kind="preparation")
        assert prep.end_at <= first_dose


def test_iv_induction_keeps_local_time_across_spring_forward(prescriber, nurse, patient, clinic, draft, ready):
    ready("iv")
    plan, _ = _activate(prescriber, draft())
    dosing = _dosing(plan)
    assert [local(a).date().isoformat() for a in dosing] == [
        "2030-03-04", "2030-03-06", "2030-03-08", "2030-03-11", "2030-03-13", "2030-03-15"]
    # 09:00 EST is 14:00 UTC; after the change 09:00 EDT is 13:00 UTC.
    assert [a.start_at.astimezone(dt.UTC).hour for a in dosing] == [14, 14, 14, 13, 13, 13]
    assert all(a.end_at - a.start_at == dt.timedelta(minutes=120) for a in dosing)


def test_fall_back_and_another_time_zone(prescriber, nurse, patient, org, clinic_admin, ready):
    from ketamine_clinic.accounts.models import Location

    west = Location.objects.create(organization=org, name="West", time_zone="America/Los_Angeles")
    ctx = ctx_for(clinic_admin)
    scheduling.set_opening_hours(ctx, west, {"monday": "07:00-19:00", "wednesday": "07:00-19:00", "friday": "07:00-19:00"})
    scheduling.add_resource(ctx, west, {"name": "Room A", "kind": "room"})
    ready("iv")
    data = plan_data(west, start_date="2030-10-28", preferred_time="08:30")
    plan = services.create_plan(ctx_for(nurse), patient, data, now=NOW)
    plan, _ = _activate(prescriber, plan)
    dosing = _dosing(plan)
    assert [local(a).strftime("%m-%d %H:%M") for a in dosing] == [
        "10-28 08:30", "10-30 08:30", "11-01 08:30", "11-04 08:30", "11-06 08:30", "11-08 08:30"]
    # PDT is UTC-7, PST (after 3 November) UTC-8.
    assert [a.start_at.astimezone(dt.UTC).hour for a in dosing] == [15, 15, 15, 16, 16, 16]


def _other_patient(front_desk, given):
    return PatientFactory(registered_by=front_desk, given_name=given, family_name="Busy")


def _occupy(front_desk, clinic, chair, who, start="2030-03-04T09:00"):
    return scheduling.book_appointment(ctx_for(front_desk), who, {
        "location": str(clinic.public_id), "start": start, "kind": "psychotherapy",
        "resource": str(clinic.resources.get(name=chair).public_id), "duration_min": "120"}, now=NOW)


def test_a_busy_chair_moves_the_session_to_the_next_chair(prescriber, clinic, draft, ready, front_desk):
    _occupy(front_desk, clinic, "Chair 1", _other_patient(front_desk, "Sam"))
    ready("iv")
    plan, _ = _activate(prescriber, draft())
    first = _dosing(plan)[0]
    assert local(first).strftime("%Y-%m-%d %H:%M") == "2030-03-04 09:00" and first.resource.name == "Chair 2"


def test_both_chairs_taken_moves_to_the_nearest_free_time(prescriber, clinic, draft, ready, front_desk):
    ready("iv")
    for i, chair in enumerate(("Chair 1", "Chair 2")):
        _occupy(front_desk, clinic, chair, _other_patient(front_desk, f"P{i}"))
    plan, _ = _activate(prescriber, draft())
    first = _dosing(plan)[0]
    assert local(first).date() == MONDAY and local(first).time() == dt.time(11, 0)  # nearest free start


def test_preview_shows_the_dates_before_activation_and_writes_nothing(draft):
    plan = draft()
    proposals, problem = services.preview_schedule(plan, now=NOW)
    assert problem == "" and len(proposals) == 6
    assert Appointment.objects.count() == 0


def test_no_chairs_gives_a_clear_error_and_books_nothing(prescriber, nurse, patient, location, clinic_admin, ready):
    scheduling.set_opening_hours(ctx_for(clinic_admin), location, {"monday": "08:00-18:00"})
    ready("iv")
    plan = services.create_plan(ctx_for(nurse), patient, plan_data(location), now=NOW)
    from ketamine_clinic.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as exc:
        services.activate_plan(ctx_for(prescriber), plan, now=NOW)
    assert "no active chair or room" in exc.value.errors["location"][0]
    plan.refresh_from_db()
    assert plan.status == "draft" and Appointment.objects.count() == 0
