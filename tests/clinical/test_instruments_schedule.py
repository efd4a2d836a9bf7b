"""Schedule of measures: due, overdue, done around window boundaries, across a DST change."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ketamine_clinic.clinical.instruments import (
    AfterEachSession,
    BeforeEachSession,
    DueStatus,
    Every,
    ScheduleInputError,
    WhenTriggered,
    measures_due,
)

NY = ZoneInfo("America/New_York")  # DST starts 2026-03-08 02:00
SESSION = datetime(2026, 3, 7, 10, 0, tzinfo=NY)  # Saturday, the day before the change


def only(result, key=None):
    matching = [d for d in result if key is None or d.instrument_key == key]
    assert len(matching) == 1
    return matching[0]


@pytest.mark.parametrize(
    "now, status",
    [
        (SESSION - timedelta(hours=25), DueStatus.UPCOMING),
        (SESSION - timedelta(hours=24), DueStatus.DUE),
        (SESSION, DueStatus.DUE),
        (SESSION + timedelta(seconds=1), DueStatus.OVERDUE),
    ],
)
def test_before_session_measure_status_around_the_window(now, status):
    due = only(measures_due([BeforeEachSession("phq9")], [SESSION], [], now))
    assert due.status is status
    assert due.due_at == due.window_end == SESSION


def test_before_session_measure_done_when_completed_in_window():
    completed = [("phq9", SESSION - timedelta(hours=2))]
    due = only(measures_due([BeforeEachSession("phq9")], [SESSION], completed, SESSION + timedelta(hours=1)))
    assert due.status is DueStatus.DONE and due.completed_at == SESSION - timedelta(hours=2)


def test_completion_of_another_instrument_does_not_count():
    completed = [("gad7", SESSION - timedelta(hours=2))]
    due = only(measures_due([BeforeEachSession("phq9")], [SESSION], completed, SESSION + timedelta(hours=1)))
    assert due.status is DueStatus.OVERDUE


def test_completion_too_early_does_not_count():
    completed = [("phq9", SESSION - timedelta(hours=30))]
    due = only(measures_due([BeforeEachSession("phq9")], [SESSION], completed, SESSION))
    assert due.status is DueStatus.DUE


def test_after_session_target_keeps_wall_clock_across_dst_change():
    due = only(measures_due([AfterEachSession("phq9")], [SESSION], [], SESSION))
    assert due.due_at == datetime(2026, 3, 8, 10, 0, tzinfo=NY)
    # the clock sprang forward overnight: 23 real hours
    assert due.due_at.astimezone(UTC) - SESSION.astimezone(UTC) == timedelta(hours=23)
    assert due.window_start == datetime(2026, 3, 8, 6, 0, tzinfo=NY)
    assert due.window_end == datetime(2026, 3, 9, 10, 0, tzinfo=NY)


@pytest.mark.parametrize(
    "now, status",
    [
        (datetime(2026, 3, 8, 5, 59, tzinfo=NY), DueStatus.UPCOMING),
        (datetime(2026, 3, 8, 6, 0, tzinfo=NY), DueStatus.DUE),
        (datetime(2026, 3, 9, 10, 0, tzinfo=NY), DueStatus.DUE),
        (datetime(2026, 3, 9, 10, 1, tzinfo=NY), DueStatus.OVERDUE),
    ],
)
def test_after_session_status_around_the_window(now, status):
    assert only(measures_due([AfterEachSession("phq9")], [SESSION], [], now)).status is status


def test_one_completion_satisfies_only_one_due_measure():
    # Sessions Saturday and Monday: Sunday's PHQ-9 is both "after Saturday" and "before Monday"
    # in time, but counts once: for the window that closes first.
    monday = datetime(2026, 3, 9, 10, 0, tzinfo=NY)
    rules = [AfterEachSession("phq9"), BeforeEachSession("phq9", window_before=timedelta(hours=48))]
    completed = [("phq9", datetime(2026, 3, 8, 11, 0, tzinfo=NY))]
    result = measures_due(rules, [SESSION, monday], completed, monday + timedelta(minutes=1))
    done = [d for d in result if d.status is DueStatus.DONE]
    assert len(done) == 1
    assert done[0].reason.startswith("after session 2026-03-07")
    before_monday = next(d for d in result if d.reason == "before session 2026-03-09 10:00")
    assert before_monday.status is DueStatus.OVERDUE


def test_weekly_measure_keeps_local_time_across_dst_and_stops_at_phase_end():
    start = datetime(2026, 3, 2, 9, 0, tzinfo=NY)
    rule = Every("phq9", interval=timedelta(days=7), starts_at=start, ends_at=datetime(2026, 3, 20, tzinfo=NY))
    result = measures_due([rule], [], [("phq9", datetime(2026, 3, 2, 12, 0, tzinfo=NY))], datetime(2026, 3, 13, 9, 0, tzinfo=NY))
    assert [d.due_at for d in result] == [start, datetime(2026, 3, 9, 9, 0, tzinfo=NY), datetime(2026, 3, 16, 9, 0, tzinfo=NY)]
    assert [d.status for d in result] == [DueStatus.DONE, DueStatus.OVERDUE, DueStatus.UPCOMING]


def test_weekly_measure_due_within_grace_period():
    start = datetime(2026, 3, 2, 9, 0, tzinfo=NY)
    rule = Every("phq9", interval=timedelta(days=7), starts_at=start)
    result = measures_due([rule], [], [], start + timedelta(days=3))
    assert result[0].status is DueStatus.DUE
    assert result[0].window_end == start + timedelta(days=3)


def test_cssrs_due_same_day_after_positive_item9():
    positive_at = datetime(2026, 3, 7, 10, 30, tzinfo=NY)
    rule = WhenTriggered("cssrs")
    result = measures_due([rule], [], [], datetime(2026, 3, 7, 23, 59, tzinfo=NY), triggers=[("phq9_item9_positive", positive_at)])
    due = only(result)
    assert due.status is DueStatus.DUE
    assert due.window_end == datetime(2026, 3, 8, 0, 0, tzinfo=NY)
    overdue = measures_due([rule], [], [], datetime(2026, 3, 8, 0, 1, tzinfo=NY), triggers=[("phq9_item9_positive", positive_at)])
    assert only(overdue).status is DueStatus.OVERDUE


def test_cssrs_before_the_trigger_does_not_count():
    positive_at = datetime(2026, 3, 7, 10, 30, tzinfo=NY)
    completed = [("cssrs", positive_at - timedelta(minutes=5))]
    due = only(measures_due([WhenTriggered("cssrs")], [], completed, positive_at + timedelta(hours=1),
                            triggers=[("phq9_item9_positive", positive_at)]))
    assert due.status is DueStatus.DUE


def test_no_trigger_no_cssrs_due():
    assert measures_due([WhenTriggered("cssrs")], [SESSION], [], SESSION) == []


def test_results_are_sorted_by_due_time():
    later = SESSION + timedelta(days=3)
    result = measures_due([AfterEachSession("phq9"), BeforeEachSession("phq9")], [later, SESSION], [], SESSION)
    assert [d.due_at for d in result] == sorted(d.due_at for d in result)
    assert len(result) == 4


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"now": datetime(2026, 3, 7, 10, 0)}, "now"),
        ({"sessions": [datetime(2026, 3, 7, 10, 0)]}, "sessions[0]"),
        ({"completed": [("phq9", "yesterday")]}, "completed[0]"),
        ({"completed": ["phq9"]}, "completed[0]"),
        ({"rules": [BeforeEachSession("beck")]}, "rules[0].instrument_key"),
        ({"rules": [BeforeEachSession("phq9", window_before=timedelta(hours=-1))]}, "rules[0].window_before"),
        ({"rules": ["PHQ-9 weekly"]}, "rules[0]"),
    ],
)
def test_bad_input_is_rejected_with_field(kwargs, field):
    args = {"rules": [BeforeEachSession("phq9")], "sessions": [SESSION], "completed": [], "now": SESSION}
    args.update(kwargs)
    with pytest.raises(ScheduleInputError) as exc:
        measures_due(args["rules"], args["sessions"], args["completed"], args["now"])
    assert exc.value.field == field


def test_completion_recorded_in_utc_matches_a_local_window():
    completed = [("phq9", (SESSION - timedelta(hours=1)).astimezone(UTC))]
    due = only(measures_due([BeforeEachSession("phq9")], [SESSION], completed, SESSION))
    assert due.status is DueStatus.DONE


def test_windows_compare_real_instants_in_the_repeated_fall_back_hour():
    # 2026-11-01 01:00-02:00 happens twice in New York. A session at the second 01:30 (EST)
    # with a 1 h window accepts a completion at the first 01:40 (EDT), which is 50 minutes earlier.
    session = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NY)
    completed = [("phq9", datetime(2026, 11, 1, 1, 40, fold=0, tzinfo=NY))]
    rule = BeforeEachSession("phq9", window_before=timedelta(hours=1))
    due = only(measures_due([rule], [session], completed, session))
    assert due.status is DueStatus.DONE
