"""Maintenance taper proposals and earlier boosters on relapse (ketect-pmc7265624)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from ketamine_clinic.clinical.protocols import (
    BoosterError,
    MaintenanceState,
    get_protocol,
    propose_earlier_booster,
    propose_maintenance,
)
from ketamine_clinic.clinical.sources import SOURCES

IV_MAINT = get_protocol("iv-racemic-maintenance")


def test_iv_maintenance_taper_is_weekly_then_fortnightly_then_monthly_from_induction_end():
    end = date(2026, 11, 6)
    visits = propose_maintenance(IV_MAINT, end)
    assert [v.interval_days for v in visits] == [7] * 4 + [14] * 4 + [28] * 3
    assert visits[0].due_date == date(2026, 11, 13)
    assert visits[4].due_date == date(2026, 12, 18)
    assert visits[-1].due_date == end + timedelta(days=4 * 7 + 4 * 14 + 3 * 28)
    assert [v.phase_name for v in visits][::4] == ["maintenance-weekly", "maintenance-every-2-weeks", "maintenance-monthly"]
    assert all(v.source == "ketect-pmc7265624" and v.source in SOURCES for v in visits)


def test_esketamine_maintenance_is_four_weekly_then_the_requested_open_ended_sessions():
    visits = propose_maintenance(get_protocol("esketamine-trd"), date(2026, 3, 27), open_ended_sessions=2)
    assert [v.phase_name for v in visits] == ["maintenance-weekly"] * 4 + ["maintenance-continuation"] * 2
    assert visits[0].due_date == date(2026, 4, 3)
    assert all(v.source == "spravato-pi" for v in visits)


def test_aware_induction_end_is_read_as_the_local_date():
    late_evening_new_york = datetime(2026, 11, 1, 3, 30, tzinfo=UTC)  # 2026-10-31 23:30 EDT
    visits = propose_maintenance(IV_MAINT, late_evening_new_york, "America/New_York")
    assert visits[0].due_date == date(2026, 11, 7)


@pytest.mark.parametrize("args, kwargs, field", [
    ((get_protocol("iv-racemic-induction"), date(2026, 11, 6)), {}, "protocol"),
    ((IV_MAINT, datetime(2026, 11, 6, 9, tzinfo=UTC)), {}, "tz"),
    ((IV_MAINT, datetime(2026, 11, 6, 9)), {"tz": "America/New_York"}, "induction_end_date"),
    ((IV_MAINT, "2026-11-06"), {}, "induction_end_date"),
    ((IV_MAINT, date(2026, 11, 6)), {"open_ended_sessions": -1}, "open_ended_sessions"),
    (("iv-racemic-maintenance", date(2026, 11, 6)), {}, "protocol"),
])
def test_bad_maintenance_input_is_refused_naming_the_field(args, kwargs, field):
    with pytest.raises(BoosterError) as exc:
        propose_maintenance(*args, **kwargs)
    assert exc.value.field == field


@pytest.mark.parametrize("phase, last, relapse, due, interval, new_phase", [
    # monthly: relapse two weeks after the last booster -> booster now, then every 2 weeks
    ("maintenance-monthly", date(2027, 3, 1), date(2027, 3, 15), date(2027, 3, 15), 14, "maintenance-every-2-weeks"),
    # relapse the day after a booster -> as soon as the minimum spacing allows
    ("maintenance-monthly", date(2027, 3, 1), date(2027, 3, 2), date(2027, 3, 3), 14, "maintenance-every-2-weeks"),
    # already weekly: stays weekly, booster brought forward
    ("maintenance-weekly", date(2026, 11, 13), date(2026, 11, 17), date(2026, 11, 17), 7, "maintenance-weekly"),
    # relapse signalled before the last session: counted from the last session
    ("maintenance-every-2-weeks", date(2027, 1, 1), date(2026, 12, 30), date(2027, 1, 3), 14, "maintenance-every-2-weeks"),
])
def test_relapse_brings_the_booster_forward_and_returns_to_the_shorter_interval(phase, last, relapse, due, interval, new_phase):
    proposal = propose_earlier_booster(MaintenanceState(IV_MAINT, phase), relapse, last)
    assert (proposal.due_date, proposal.interval_days, proposal.phase_name) == (due, interval, new_phase)
    assert proposal.source == "ketect-pmc7265624"
    assert due.isoformat() in proposal.reason


@pytest.mark.parametrize("state, relapse, last, field", [
    (MaintenanceState(get_protocol("esketamine-trd"), "maintenance-weekly"), date(2026, 5, 1), date(2026, 4, 28), "maintenance_state"),
    (MaintenanceState(IV_MAINT, "maintenance-yearly"), date(2026, 5, 1), date(2026, 4, 28), "maintenance_state"),
    ("monthly", date(2026, 5, 1), date(2026, 4, 28), "maintenance_state"),
    (MaintenanceState(IV_MAINT, "maintenance-monthly"), None, date(2026, 4, 28), "relapse_signal_date"),
    (MaintenanceState(IV_MAINT, "maintenance-monthly"), date(2026, 5, 1), datetime(2026, 4, 28, 9), "last_session_date"),
])
def test_bad_relapse_input_is_refused_naming_the_field(state, relapse, last, field):
    with pytest.raises(BoosterError) as exc:
        propose_earlier_booster(state, relapse, last)
    assert exc.value.field == field
