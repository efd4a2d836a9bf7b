"""Schedule generation: spacing, opening hours in local time, resources, and daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_clinic.clinical.protocols import (
    PROTOCOLS,
    Phase,
    SchedulingError,
    Spacing,
    generate_schedule,
    get_protocol,
    propose_linked_sessions,
)

NY = "America/New_York"
NY_ZONE = ZoneInfo(NY)
WEEKDAYS_8_TO_18 = {d: [(time(8), time(18))] for d in range(5)}
CHAIRS = ["chair-1", "chair-2"]


def local(a):
    return a.start_utc.astimezone(NY_ZONE)


def schedule(phase, start, count=None, *, preferred=time(9), hours=WEEKDAYS_8_TO_18, closed=(), busy=None,
             duration=120, resources=CHAIRS, **kw):
    return generate_schedule(phase, start, count, preferred, NY, hours, closed, busy or {}, duration, resources, **kw)


def assert_spacing_respected(appointments, spacing):
    days = [local(a).date() for a in appointments]
    assert days == sorted(days)
    for earlier, later in zip(days, days[1:]):
        assert (later - earlier).days >= spacing.min_days_between
        if spacing.interval_days:
            assert (later - earlier).days >= spacing.interval_days
    if spacing.sessions_per_week:
        for d in days:
            assert sum(1 for x in days if d <= x < d + timedelta(days=7)) <= spacing.sessions_per_week
    if spacing.max_span_days:
        assert (days[-1] - days[0]).days < spacing.max_span_days


PHASES = [(p, ph) for p in sorted(PROTOCOLS.values(), key=lambda p: p.key) for ph in p.phases]


@pytest.mark.parametrize("protocol, phase", PHASES, ids=[f"{p.key}:{ph.name}" for p, ph in PHASES])
def test_every_protocol_phase_schedules_at_local_nine_within_its_spacing(protocol, phase):
    count = phase.session_count or 4
    appointments = schedule(phase, date(2026, 10, 5), count)
    assert len(appointments) == count
    assert [a.session_number for a in appointments] == list(range(1, count + 1))
    assert all(local(a).time() == time(9) and local(a).weekday() < 5 for a in appointments)
    assert all(a.end_utc - a.start_utc == timedelta(minutes=120) for a in appointments)
    assert all(a.start_utc.tzinfo is not None and a.start_utc.utcoffset() == timedelta(0) for a in appointments)
    assert_spacing_respected(appointments, phase.spacing)


def test_iv_induction_three_per_week_from_monday_is_mon_wed_fri_twice():
    phase = get_protocol("iv-racemic-induction").phase("induction")
    days = [local(a).date() for a in schedule(phase, date(2026, 10, 26))]
    assert days == [date(2026, 10, 26), date(2026, 10, 28), date(2026, 10, 30),
                    date(2026, 11, 2), date(2026, 11, 4), date(2026, 11, 6)]


def test_nine_am_local_stays_nine_am_across_the_november_fall_back():
    phase = get_protocol("iv-racemic-induction").phase("induction")
    appointments = schedule(phase, date(2026, 10, 26))
    assert all(local(a).time() == time(9) for a in appointments)
    utc_hours = [a.start_utc.hour for a in appointments]
    assert utc_hours == [13, 13, 13, 14, 14, 14]  # EDT (UTC-4) until 2026-11-01, then EST (UTC-5)


def test_esketamine_induction_twice_weekly_across_the_march_spring_forward():
    phase = get_protocol("esketamine-trd").phase("induction")
    appointments = schedule(phase, date(2026, 3, 2))
    assert [local(a).date() for a in appointments] == [
        date(2026, 3, 2), date(2026, 3, 5), date(2026, 3, 9), date(2026, 3, 12),
        date(2026, 3, 16), date(2026, 3, 19), date(2026, 3, 23), date(2026, 3, 26)]
    assert all(local(a).time() == time(9) for a in appointments)
    assert [a.start_utc.hour for a in appointments[:3]] == [14, 14, 13]  # EST, EST, then EDT from 2026-03-08


def test_weekly_maintenance_keeps_the_same_local_hour_and_weekday_over_both_changes():
    phase = get_protocol("iv-racemic-maintenance").phase("maintenance-monthly")
    appointments = schedule(phase, date(2026, 10, 5), preferred=time(15, 30))
    assert [local(a).date() for a in appointments] == [date(2026, 10, 5), date(2026, 11, 2), date(2026, 11, 30)]
    assert all(local(a).time() == time(15, 30) for a in appointments)


def test_nonexistent_local_time_on_spring_forward_night_moves_to_a_real_time():
    phase = Phase("test", 1, Spacing(min_days_between=1, source="clinic-policy"))
    open_all_sunday = {6: [(time(0), time(23, 59))]}
    (appointment,) = schedule(phase, date(2026, 3, 8), preferred=time(2, 30), hours=open_all_sunday, duration=60)
    start = local(appointment)
    assert start.time() == time(3, 0)
    assert appointment.start_utc == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)


def test_ambiguous_local_time_on_fall_back_night_takes_the_first_occurrence():
    phase = Phase("test", 1, Spacing(min_days_between=1, source="clinic-policy"))
    open_all_sunday = {6: [(time(0), time(23, 59))]}
    (appointment,) = schedule(phase, date(2026, 11, 1), preferred=time(1, 30), hours=open_all_sunday, duration=30)
    assert appointment.start_utc == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT


def _ny(y, m, d, h, mi=0):
    return datetime(y, m, d, h, mi, tzinfo=NY_ZONE).astimezone(UTC)


def test_busy_first_chair_books_the_second_chair_at_the_same_time():
    phase = get_protocol("iv-racemic-induction").phase("induction")
    busy = {"chair-1": [(_ny(2026, 10, 26, 8), _ny(2026, 10, 26, 12))]}
    first = schedule(phase, date(2026, 10, 26), 1, busy=busy)[0]
    assert (first.resource_id, local(first).time()) == ("chair-2", time(9))


def test_all_chairs_busy_at_nine_picks_the_nearest_free_time_that_day():
    phase = get_protocol("iv-racemic-induction").phase("induction")
    block = [(_ny(2026, 10, 26, 8), _ny(2026, 10, 26, 11))]
    first = schedule(phase, date(2026, 10, 26), 1, busy={"chair-1": block, "chair-2": block})[0]
    assert local(first).date() == date(2026, 10, 26) and local(first).time() == time(11)


def test_a_day_with_no_free_chair_moves_the_session_and_keeps_later_spacing():
    phase = get_protocol("iv-racemic-induction").phase("induction")
    whole_day = [(_ny(2026, 10, 28, 0), _ny(2026, 10, 29, 0))]
    appointments = schedule(phase, date(2026, 10, 26), busy={"chair-1": whole_day, "chair-2": whole_day})
    days = [local(a).date() for a in appointments]
    assert date(2026, 10, 28) not in days and days[1] == date(2026, 10, 29)
    assert_spacing_respected(appointments, phase.spacing)


def test_closed_dates_and_the_patients_own_appointments_are_avoided():
    phase = get_protocol("iv-racemic-maintenance").phase("maintenance-weekly")
    patient_busy = [(_ny(2026, 12, 4, 8), _ny(2026, 12, 4, 18))]
    appointments = schedule(phase, date(2026, 11, 19), closed=[date(2026, 11, 26)], patient_busy=patient_busy)
    assert [local(a).date() for a in appointments] == [
        date(2026, 11, 19), date(2026, 11, 27), date(2026, 12, 7), date(2026, 12, 14)]


def test_previous_sessions_carry_the_spacing_into_a_new_schedule():
    phase = get_protocol("iv-racemic-induction").phase("induction")
    previous = [_ny(2026, 10, 26, 9), _ny(2026, 10, 28, 9), _ny(2026, 10, 30, 9)]
    appointments = schedule(phase, date(2026, 10, 27), 3, previous_sessions_utc=previous)
    assert [local(a).date() for a in appointments] == [date(2026, 11, 2), date(2026, 11, 4), date(2026, 11, 6)]


def test_aware_start_after_the_preferred_time_books_the_nearest_later_slot_that_day():
    phase = get_protocol("iv-racemic-induction").phase("induction")
    first = schedule(phase, _ny(2026, 10, 26, 10), 1)[0]
    assert local(first).date() == date(2026, 10, 26) and local(first).time() == time(10)


def test_induction_that_cannot_fit_its_span_is_refused_with_a_reason():
    phase = get_protocol("iv-racemic-induction").phase("induction")
    with pytest.raises(SchedulingError) as exc:
        schedule(phase, date(2026, 10, 26), hours={0: [(time(8), time(18))]})  # open Mondays only
    assert exc.value.field == "count" and "21 days" in exc.value.message


@pytest.mark.parametrize("kwargs, field", [
    ({"start": datetime(2026, 10, 26, 9)}, "start"),
    ({"start": "2026-10-26"}, "start"),
    ({"tz": "Mars/Olympus"}, "tz"),
    ({"tz": None}, "tz"),
    ({"count": 7}, "count"),
    ({"count": 0}, "count"),
    ({"count": 2.5}, "count"),
    ({"preferred_time": "09:00"}, "preferred_time"),
    ({"opening_hours": {0: [(time(18), time(8))]}}, "opening_hours"),
    ({"opening_hours": {7: [(time(8), time(18))]}}, "opening_hours"),
    ({"opening_hours": None}, "opening_hours"),
    ({"duration_min": 0}, "duration_min"),
    ({"duration_min": float("nan")}, "duration_min"),
    ({"resources": []}, "resources"),
    ({"busy": {"chair-1": [(datetime(2026, 10, 26, 9), datetime(2026, 10, 26, 10))]}}, "busy[chair-1][0]"),
    ({"closed_dates": ["2026-10-26"]}, "closed_dates"),
])
def test_bad_scheduling_input_is_refused_naming_the_field(kwargs, field):
    args = dict(protocol_phase=get_protocol("iv-racemic-induction").phase("induction"), start=date(2026, 10, 26),
                count=None, preferred_time=time(9), tz=NY, opening_hours=WEEKDAYS_8_TO_18, closed_dates=(),
                busy={}, duration_min=60, resources=["chair-1"])
    args.update(kwargs)
    with pytest.raises(SchedulingError) as exc:
        generate_schedule(**args)
    assert exc.value.field == field
    assert isinstance(exc.value, ValueError)


def test_open_ended_phase_needs_a_count():
    phase = get_protocol("sublingual-lozenges-at-home").phase("dosing")
    with pytest.raises(SchedulingError) as exc:
        schedule(phase, date(2026, 10, 26))
    assert exc.value.field == "count"


def test_kap_therapy_sessions_are_placed_around_dosing_dates():
    kap = get_protocol("ketamine-assisted-psychotherapy")
    dosing = [date(2026, 10, 26), date(2026, 11, 2)]
    due = propose_linked_sessions(kap, dosing)
    preparation = [d for d in due if d.kind == "preparation"]
    integration = [d for d in due if d.kind == "integration"]
    assert len(preparation) == 1 and preparation[0].latest == date(2026, 10, 26)
    assert preparation[0].earliest < preparation[0].latest
    # Integration from the day after each dosing date, within the window (72 h: three days).
    assert [(d.dosing_session_number, d.earliest, d.latest) for d in integration] == [
        (1, date(2026, 10, 27), date(2026, 10, 29)), (2, date(2026, 11, 3), date(2026, 11, 5))]


@settings(max_examples=60, deadline=None)
@given(
    phase=st.sampled_from([ph for _, ph in PHASES]),
    start=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    hour=st.integers(min_value=8, max_value=15),
    zone=st.sampled_from(["America/New_York", "Europe/London", "Australia/Sydney", "America/Phoenix"]),
)
def test_generated_schedules_keep_local_time_and_spacing_anywhere(phase, start, hour, zone):
    count = phase.session_count or 5
    appointments = generate_schedule(phase, start, count, time(hour), zone, WEEKDAYS_8_TO_18, (), {}, 60, ["room"])
    tz = ZoneInfo(zone)
    assert len(appointments) == count
    assert all(a.start_utc.astimezone(tz).time() == time(hour) for a in appointments)
    days = [a.start_utc.astimezone(tz).date() for a in appointments]
    assert days[0] >= start
    assert all((b - a).days >= phase.spacing.min_days_between for a, b in zip(days, days[1:]))
    if phase.spacing.sessions_per_week:
        assert all(sum(1 for x in days if d <= x < d + timedelta(days=7)) <= phase.spacing.sessions_per_week for d in days)
    if phase.spacing.max_span_days:
        assert (days[-1] - days[0]).days < phase.spacing.max_span_days


def test_a_preferred_time_too_close_to_closing_moves_earlier_so_the_visit_ends_by_closing():
    phase = get_protocol("iv-racemic-induction").phase("induction")
    first = schedule(phase, date(2026, 10, 26), 1, preferred=time(17), duration=120)[0]
    assert local(first).time() == time(16)
    assert first.end_utc.astimezone(NY_ZONE).time() == time(18)
