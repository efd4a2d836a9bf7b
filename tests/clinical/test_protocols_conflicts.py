"""find_conflicts explains why a proposed appointment cannot go ahead."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ketamine_clinic.clinical.protocols import (
    ConflictKind,
    ExistingAppointment,
    ProposedAppointment,
    SchedulingError,
    find_conflicts,
    get_protocol,
)

NY = "America/New_York"
HOURS = {d: [(time(8), time(18))] for d in range(5)}
NOW = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
SPACING = get_protocol("iv-racemic-induction").phase("induction").spacing  # >= 2 days, <= 3 per week


def at(y, m, d, h, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=ZoneInfo(NY)).astimezone(UTC)


def proposal(start, minutes=120, resource="chair-1"):
    return ProposedAppointment(1, start, start + timedelta(minutes=minutes), resource)


def kinds(proposed, existing=(), **kw):
    args = dict(patient_id="p1", now=NOW, tz=NY, opening_hours=HOURS, spacing=SPACING)
    args.update(kw)
    return [c.kind for c in find_conflicts(proposed, list(existing), **args)]


def test_a_free_slot_in_opening_hours_has_no_conflicts():
    assert kinds(proposal(at(2026, 10, 26, 9))) == []


def test_resource_double_booking_is_reported_with_local_times():
    other = ExistingAppointment(at(2026, 10, 26, 10), at(2026, 10, 26, 12), "chair-1", "p2")
    conflicts = find_conflicts(proposal(at(2026, 10, 26, 9)), [other], patient_id="p1", now=NOW, tz=NY)
    assert [c.kind for c in conflicts] == [ConflictKind.RESOURCE_DOUBLE_BOOKED]
    assert "10:00" in conflicts[0].message and "chair-1" in conflicts[0].message


def test_other_resource_at_the_same_time_is_not_a_conflict():
    other = ExistingAppointment(at(2026, 10, 26, 9), at(2026, 10, 26, 11), "chair-2", "p2")
    assert kinds(proposal(at(2026, 10, 26, 9)), [other]) == []


def test_back_to_back_appointments_do_not_overlap():
    other = ExistingAppointment(at(2026, 10, 26, 11), at(2026, 10, 26, 13), "chair-1", "p2")
    assert kinds(proposal(at(2026, 10, 26, 9)), [other]) == []


def test_patient_double_booking_is_reported():
    therapy = ExistingAppointment(at(2026, 10, 26, 10), at(2026, 10, 26, 11), "room-3", "p1", is_dosing_session=False)
    assert kinds(proposal(at(2026, 10, 26, 9)), [therapy]) == [ConflictKind.PATIENT_DOUBLE_BOOKED]


@pytest.mark.parametrize("start, closed, outside", [
    (at(2026, 10, 25, 9), (), True),             # Sunday
    (at(2026, 10, 26, 7), (), True),             # before opening
    (at(2026, 10, 26, 17), (), True),            # runs past 18:00
    (at(2026, 10, 26, 16), (), False),           # ends exactly at closing
    (at(2026, 11, 26, 9), (date(2026, 11, 26),), True),  # closed date
])
def test_opening_hours_and_closed_dates_are_checked_in_local_time(start, closed, outside):
    found = kinds(proposal(start), closed_dates=closed, spacing=None)
    assert (ConflictKind.OUTSIDE_OPENING_HOURS in found) is outside


@pytest.mark.parametrize("utc_start, outside", [
    (datetime(2026, 11, 2, 13, 0, tzinfo=UTC), False),   # 08:00 EST, after the fall-back
    (datetime(2026, 11, 2, 12, 30, tzinfo=UTC), True),   # 07:30 EST (would be 08:30 under EDT)
    (datetime(2026, 10, 30, 12, 30, tzinfo=UTC), False),  # 08:30 EDT, before the change
])
def test_opening_hours_follow_the_daylight_saving_change(utc_start, outside):
    assert (ConflictKind.OUTSIDE_OPENING_HOURS in kinds(proposal(utc_start, minutes=60), spacing=None)) is outside


def test_dosing_session_the_next_day_is_too_close_for_iv_induction():
    previous = ExistingAppointment(at(2026, 10, 26, 9), at(2026, 10, 26, 11), "chair-2", "p1")
    conflicts = find_conflicts(proposal(at(2026, 10, 27, 9)), [previous], patient_id="p1", now=NOW, tz=NY,
                               spacing=SPACING)
    assert [c.kind for c in conflicts] == [ConflictKind.TOO_CLOSE_TO_PREVIOUS]
    assert "2026-10-26" in conflicts[0].message and "2 day" in conflicts[0].message


def test_another_patients_session_does_not_count_for_spacing():
    other = ExistingAppointment(at(2026, 10, 26, 9), at(2026, 10, 26, 11), "chair-2", "p2")
    assert kinds(proposal(at(2026, 10, 27, 9)), [other]) == []


def test_a_fourth_session_in_seven_days_is_too_many_for_three_per_week():
    own = [ExistingAppointment(at(2026, 10, d, 9), at(2026, 10, d, 11), "chair-2", "p1") for d in (26, 28, 30)]
    assert kinds(proposal(at(2026, 11, 1, 9)), own, opening_hours=None) == [ConflictKind.TOO_MANY_IN_WEEK]
    assert kinds(proposal(at(2026, 11, 2, 9)), own) == []


def test_a_start_before_now_is_in_the_past():
    assert kinds(proposal(at(2026, 9, 30, 9))) == [ConflictKind.IN_THE_PAST]


def test_several_problems_are_all_reported():
    own = ExistingAppointment(at(2026, 9, 29, 9), at(2026, 9, 29, 11), "chair-1", "p1")
    found = kinds(proposal(at(2026, 9, 29, 10)), [own])
    assert set(found) == {ConflictKind.IN_THE_PAST, ConflictKind.RESOURCE_DOUBLE_BOOKED,
                          ConflictKind.PATIENT_DOUBLE_BOOKED, ConflictKind.TOO_CLOSE_TO_PREVIOUS}


@pytest.mark.parametrize("kw, field", [
    ({"now": datetime(2026, 10, 1, 12)}, "now"),
    ({"tz": "Nowhere/Town"}, "tz"),
])
def test_bad_conflict_input_is_refused_naming_the_field(kw, field):
    with pytest.raises(SchedulingError) as exc:
        kinds(proposal(at(2026, 10, 26, 9)), **kw)
    assert exc.value.field == field


def test_naive_proposed_time_is_refused():
    naive = ProposedAppointment(1, datetime(2026, 10, 26, 9), datetime(2026, 10, 26, 11), "chair-1")
    with pytest.raises(SchedulingError) as exc:
        kinds(naive)
    assert exc.value.field == "start_utc"
