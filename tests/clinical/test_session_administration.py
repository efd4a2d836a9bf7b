"""Administration record: mg delivered by pump segments, esketamine device log."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.session import (
    AdministrationInputError, DeviceGiven, RateSegment, check_device_log, infusion_total, next_device_allowed_at,
    total_given_mg,
)

T0 = datetime(2025, 3, 10, 14, 0, tzinfo=timezone.utc)


def at(minutes) -> datetime:
    return T0 + timedelta(minutes=minutes)


def seg(start, stop, rate, conc="0.35"):
    return RateSegment(at(start), at(stop), D(str(rate)), D(conc))


@pytest.mark.parametrize(
    "segments, mg",
    [
        # 150 mL/h x 40 min of 0.35 mg/mL (35 mg in 100 mL) = 100 mL = 35 mg
        ([seg(0, 40, 150)], "35"),
        # paused 10 min in the middle by a gap
        ([seg(0, 20, 150), seg(30, 50, 150)], "35"),
        # paused by a zero-rate segment
        ([seg(0, 20, 150), seg(20, 30, 0), seg(30, 50, 150)], "35"),
        # rate slowed for nausea: 20 min at 150 + 40 min at 75
        ([seg(0, 20, 150), seg(20, 60, 75)], "35"),
        # given out of order: sorted by start
        ([seg(20, 40, 150), seg(0, 20, 150)], "35"),
        ([], "0"),
    ],
)
def test_total_given_mg_with_pauses_and_rate_changes(segments, mg):
    assert total_given_mg(segments) == D(mg)


def test_infusion_total_reports_volume_and_running_time():
    total = infusion_total([seg(0, 20, 150), seg(20, 30, 0), seg(30, 50, 150)])
    assert total.volume_ml == D(100)
    assert total.running_minutes == D(40)


@pytest.mark.parametrize(
    "segments, field, words",
    [
        ([seg(40, 0, 150)], "segments[0].stop", "after the start"),
        ([seg(10, 10, 150)], "segments[0].stop", "after the start"),
        ([seg(0, 30, 150), seg(20, 40, 150)], "segments[1].start", "overlaps"),
        ([seg(0, 30, -150)], "segments[0].rate_ml_per_h", "negative"),
        ([seg(0, 30, "nan")], "segments[0].rate_ml_per_h", "finite"),
        ([seg(0, 30, 150000)], "segments[0].rate_ml_per_h", "beyond any infusion pump"),
        ([seg(0, 30, 150, conc="0")], "segments[0].concentration_mg_per_ml", "greater than zero"),
        ([RateSegment(datetime(2025, 3, 10, 14), datetime(2025, 3, 10, 15), D(1), D(1))], "segments[0].start",
         "time zone"),
        (["not a segment"], "segments[0]", "RateSegment"),
        (None, "segments", "list"),
    ],
)
def test_bad_segments_refused_with_message(segments, field, words):
    with pytest.raises(AdministrationInputError) as err:
        total_given_mg(segments)
    assert err.value.field == field
    assert words in err.value.message


@given(st.lists(st.tuples(st.integers(1, 120), st.integers(0, 30), st.integers(0, 300)), max_size=6),
       st.sampled_from(["0.35", "0.5", "1", "10"]))
def test_property_total_is_sum_of_rate_times_time_times_concentration(parts, conc):
    segments, t, expected = [], 0, D(0)
    for length, gap, rate in parts:
        t += gap
        segments.append(seg(t, t + length, rate, conc))
        expected += D(rate) * D(length) / 60 * D(conc)
        t += length
    assert abs(total_given_mg(segments) - expected) < D("1e-20")


def dev(minute, lot="LOT1"):
    return DeviceGiven(at(minute), lot)


@pytest.mark.parametrize(
    "minutes, total, spacing_ok",
    [
        ([0], 28, True),
        ([0, 5], 56, True),
        ([0, 5, 10], 84, True),
        ([0, 4], 56, False),
        ([0, 5, 9], 84, False),
        ([0, 10, 16], 84, True),
    ],
)
def test_device_log_total_and_five_minute_spacing(minutes, total, spacing_ok):
    log = check_device_log([dev(m) for m in minutes])
    assert log.total_mg == total
    assert log.device_count == len(minutes)
    assert log.spacing_ok is spacing_ok
    assert log.first_device_at == at(min(minutes))


def test_device_spacing_problem_says_which_device_and_gap():
    log = check_device_log([dev(0), DeviceGiven(at(4) + timedelta(seconds=30), "LOT2")])
    assert log.spacing_problems == ("Device 2 given 4 min 30 s after device 1; the label asks for 5 min between "
                                    "devices",)
    assert log.lot_numbers == ("LOT1", "LOT2")


def test_next_device_allowed_five_minutes_after_last():
    assert next_device_allowed_at([dev(0), dev(6)]) == at(11)
    assert next_device_allowed_at([dev(0), dev(5), dev(10)]) is None


@pytest.mark.parametrize(
    "devices, field",
    [
        ([], "devices"),
        ([dev(0), dev(5), dev(10), dev(15)], "devices"),
        ([dev(0, lot=" ")], "devices[0].lot_number"),
        ([DeviceGiven(datetime(2025, 3, 10, 14), "LOT")], "devices[0].given_at"),
    ],
)
def test_bad_device_log_refused(devices, field):
    with pytest.raises(AdministrationInputError) as err:
        check_device_log(devices)
    assert err.value.field == field
