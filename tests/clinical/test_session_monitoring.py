"""Monitoring: vitals cadence and what is due, CADSS / MOAA/S, side effects, adverse events."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.session import (
    AdverseEvent, MonitoringInputError, SideEffect, SideEffectReport, scale_schedule, validate_cadss_total,
    validate_moaas, vitals_due, vitals_schedule,
)
from ketamine_clinic.clinical.session.monitoring import SETTINGS
from ketamine_clinic.clinical.sources import SOURCES

T0 = datetime(2025, 3, 10, 14, 0, tzinfo=timezone.utc)


def at(minutes) -> datetime:
    return T0 + timedelta(minutes=minutes)


def offsets(schedule):
    return [int((c.due_at - T0).total_seconds() // 60) for c in schedule.checks]


def test_iv_every_10_min_during_and_15_after():
    schedule = vitals_schedule(Route.IV, at(0), at(40), at(100))
    assert offsets(schedule) == [0, 10, 20, 30, 40, 55, 70, 85, 100]
    assert schedule.checks[1].source == "emory-practice"
    assert schedule.checks[-1].label == "Before discharge"


def test_esketamine_before_40_min_and_before_discharge():
    schedule = vitals_schedule(Route.ESKETAMINE_NASAL, at(0), at(10), at(120))
    assert offsets(schedule) == [0, 40, 120]
    assert {c.source for c in schedule.checks} == {"spravato-pi"}


def test_im_uses_clinic_interval():
    schedule = vitals_schedule(Route.IM, at(0), at(0), at(60), policy={"session.vitals.im.after_interval_min": 20})
    assert offsets(schedule) == [0, 20, 40, 60]
    assert schedule.checks[1].source == "clinic-policy"


def test_schedule_across_daylight_saving_change_keeps_real_minutes():
    ny = ZoneInfo("America/New_York")  # clocks jump 02:00 -> 03:00 on 2025-03-09
    start = datetime(2025, 3, 9, 1, 30, tzinfo=ny)
    schedule = vitals_schedule(Route.IV, start, start + timedelta(minutes=40), start + timedelta(minutes=70))
    gaps = [(b.due_at - a.due_at) for a, b in zip(schedule.checks, schedule.checks[1:])]
    assert gaps == [timedelta(minutes=10)] * 4 + [timedelta(minutes=15)] * 2


@pytest.mark.parametrize(
    "args, field",
    [
        ((at(40), at(0), at(100)), "dose_end"),
        ((at(0), at(40), at(30)), "observation_end"),
        ((datetime(2025, 3, 10, 14), at(40), at(100)), "dose_start"),
    ],
)
def test_schedule_times_out_of_order_refused(args, field):
    with pytest.raises(MonitoringInputError) as err:
        vitals_schedule(Route.IV, *args)
    assert err.value.field == field


ESKE = vitals_schedule(Route.ESKETAMINE_NASAL, at(0), at(10), at(120))


@pytest.mark.parametrize(
    "taken, now, next_due, overdue",
    [
        ([], -10, 0, []),
        ([-3], 20, 40, []),  # a reading 3 min before the check counts (5-min window)
        ([-3], 46, 120, [40]),  # 40-min check missed by more than 5 min
        ([-3, 43], 60, 120, []),
        ([-3, 43], 130, None, [120]),
        ([-20], 30, 40, [0]),  # too early to count for the pre-dose check
        ([-3, 1, 2], 30, 40, []),  # extra readings before the next window count for nothing
    ],
)
def test_vitals_due_and_overdue(taken, now, next_due, overdue):
    due = vitals_due(ESKE, [at(m) for m in taken], at(now))
    assert (None if due.next_due is None else int((due.next_due.due_at - T0).total_seconds() // 60)) == next_due
    assert [int((c.due_at - T0).total_seconds() // 60) for c in due.overdue] == overdue


def test_vitals_due_refuses_naive_now():
    with pytest.raises(MonitoringInputError) as err:
        vitals_due(ESKE, [], datetime(2025, 3, 10, 14))
    assert err.value.field == "now"


@pytest.mark.parametrize("total, ok", [(0, True), (92, True), (93, False), (-1, False), (4.5, False), (None, False)])
def test_cadss_total_range(total, ok):
    if ok:
        assert validate_cadss_total(total) == total
    else:
        with pytest.raises(MonitoringInputError) as err:
            validate_cadss_total(total)
        assert err.value.field == "cadss_total"


@pytest.mark.parametrize("score, ok", [(0, True), (5, True), (6, False), (-1, False), ("3", False)])
def test_moaas_range(score, ok):
    if ok:
        assert validate_moaas(score) == score
    else:
        with pytest.raises(MonitoringInputError):
            validate_moaas(score)


def test_scale_schedule_defaults_and_policy():
    checks = scale_schedule(at(0))
    assert [(c.label, int((c.due_at - T0).total_seconds() // 60)) for c in checks] == [
        ("MOAA/S", 15), ("MOAA/S", 30), ("CADSS", 40), ("MOAA/S", 45), ("MOAA/S", 60)]
    with pytest.raises(MonitoringInputError) as err:
        scale_schedule(at(0), policy={"session.cadss.times_min": "forty"})
    assert err.value.field == "session.cadss.times_min"


def test_side_effect_report_validates_and_flags_severe():
    report = SideEffectReport("nausea", "severe", at(30))
    assert report.effect is SideEffect.NAUSEA and report.needs_prescriber_now
    assert SideEffectReport("respiratory_depression", "mild", at(30)).needs_prescriber_now
    assert not SideEffectReport("headache", "moderate", at(30)).needs_prescriber_now
    with pytest.raises(MonitoringInputError) as err:
        SideEffectReport("hiccups", "mild", at(30))
    assert err.value.field == "effect"
    with pytest.raises(MonitoringInputError) as err:
        SideEffectReport("nausea", "awful", at(30))
    assert err.value.field == "severity"


def test_side_effect_list_covers_the_brief():
    assert {e.value for e in SideEffect} == {
        "nausea", "vomiting", "dizziness", "confusion", "hallucinations", "anxiety", "headache",
        "raised_blood_pressure", "raised_heart_rate", "respiratory_depression"}


def test_adverse_event_seriousness():
    assert not AdverseEvent("transient hypertension", at(40)).is_serious
    assert AdverseEvent("ED transfer for chest pain", at(40), frozenset({"hospitalization"})).is_serious
    with pytest.raises(MonitoringInputError) as err:
        AdverseEvent("x", at(40), frozenset({"bad day"}))
    assert err.value.field == "criteria"
    with pytest.raises(MonitoringInputError) as err:
        AdverseEvent(" ", at(40))
    assert err.value.field == "description"


def test_monitoring_settings_cite_sources():
    for s in SETTINGS:
        assert s.source in SOURCES
        if s.is_clinic_policy:
            assert "clinic policy" in s.description.lower()
