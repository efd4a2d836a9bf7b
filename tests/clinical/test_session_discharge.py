"""Discharge readiness: minimum observation, PADSS, BP trend, escort."""

from datetime import datetime, timedelta, timezone

import pytest

from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.session import (
    DischargeFacts, DischargeInputError, PadssScore, PolicyValueError, VitalSigns, bp_trending_down,
    discharge_readiness,
)
from ketamine_clinic.clinical.session.discharge import SETTINGS, BlockKey
from ketamine_clinic.clinical.sources import SOURCES

T0 = datetime(2025, 3, 10, 14, 0, tzinfo=timezone.utc)
FIT = PadssScore(2, 2, 2, 2, 2)


def bp(s, d):
    return VitalSigns(systolic_mmhg=s, diastolic_mmhg=d)


FALLING = (bp(128, 80), bp(150, 92), bp(136, 84))


def facts(**changes):
    base = dict(observation_from=T0, padss=FIT, bp_readings=FALLING, escort_present=True,
                clinician_judges_ready=True)
    return DischargeFacts(**{**base, **changes})


def keys(result):
    return {b.key for b in result.blocking_reasons}


@pytest.mark.parametrize("minutes, ready", [(119, False), (120, True), (121, True)])
def test_esketamine_observation_minimum_120_min_from_first_device(minutes, ready):
    result = discharge_readiness(Route.ESKETAMINE_NASAL, facts(), T0 + timedelta(minutes=minutes))
    assert result.ready is ready
    assert (BlockKey.OBSERVATION in keys(result)) is not ready
    assert result.earliest_discharge_at == T0 + timedelta(minutes=120)


def test_esketamine_observation_block_cites_label():
    result = discharge_readiness(Route.ESKETAMINE_NASAL, facts(), T0 + timedelta(minutes=119, seconds=59))
    block = next(b for b in result.blocking_reasons if b.key is BlockKey.OBSERVATION)
    assert block.source == "spravato-pi"
    assert "119 min" in block.message and "120" in block.message


def test_esketamine_minimum_cannot_be_shortened():
    with pytest.raises(PolicyValueError):
        discharge_readiness(Route.ESKETAMINE_NASAL, facts(), T0 + timedelta(minutes=120),
                            policy={"session.observation.esketamine_nasal_min": 90})


@pytest.mark.parametrize("minutes, ready", [(59, False), (60, True)])
def test_iv_observation_default_is_clinic_policy_60_min(minutes, ready):
    result = discharge_readiness(Route.IV, facts(), T0 + timedelta(minutes=minutes))
    assert result.ready is ready


def test_iv_observation_configurable_to_30_min():
    result = discharge_readiness(Route.IV, facts(), T0 + timedelta(minutes=30),
                                 policy={"session.observation.iv_min": 30})
    assert result.ready


@pytest.mark.parametrize(
    "scores, total, fit",
    [
        ((2, 2, 2, 2, 2), 10, True),
        ((2, 2, 2, 2, 1), 9, True),
        ((2, 2, 2, 1, 1), 8, False),
        ((0, 0, 0, 0, 0), 0, False),
    ],
)
def test_padss_total_and_fit_edge(scores, total, fit):
    score = PadssScore(*scores)
    assert score.total == total
    assert score.fit_for_discharge is fit


@pytest.mark.parametrize("bad, field", [(3, "vital_signs"), (-1, "vital_signs"), (1.5, "vital_signs"),
                                        (None, "vital_signs"), ("2", "vital_signs")])
def test_padss_item_out_of_range_refused(bad, field):
    with pytest.raises(DischargeInputError) as err:
        PadssScore(bad, 2, 2, 2, 2)
    assert err.value.field == field


def test_padss_below_nine_blocks_discharge():
    result = discharge_readiness(Route.IV, facts(padss=PadssScore(2, 1, 1, 2, 2)), T0 + timedelta(minutes=90))
    assert keys(result) == {BlockKey.PADSS}
    assert "8/10" in result.blocking_reasons[0].message


def test_padss_missing_blocks_discharge():
    assert BlockKey.PADSS in keys(discharge_readiness(Route.IV, facts(padss=None), T0 + timedelta(minutes=90)))


@pytest.mark.parametrize(
    "readings, trending",
    [
        ((bp(128, 80), bp(150, 92), bp(146, 90)), True),  # below peak
        ((bp(128, 80), bp(150, 92), bp(152, 92)), False),  # still rising and above 140/90
        ((bp(120, 80), bp(132, 84)), True),  # rising but within the clinic limit
        ((bp(150, 95),), False),  # one reading above the limit: no trend
        ((bp(138, 88),), True),
    ],
)
def test_bp_trending_down(readings, trending):
    assert bp_trending_down(list(readings)) is trending


def test_bp_not_falling_blocks_discharge():
    result = discharge_readiness(Route.ESKETAMINE_NASAL, facts(bp_readings=(bp(128, 80), bp(150, 92), bp(155, 95))),
                                 T0 + timedelta(minutes=130))
    assert keys(result) == {BlockKey.BLOOD_PRESSURE}


def test_bp_reading_without_pressure_refused():
    with pytest.raises(DischargeInputError) as err:
        bp_trending_down([bp(128, 80), VitalSigns(spo2_percent=97)])
    assert err.value.field == "bp_readings[1]"


def test_no_escort_and_no_clinician_judgement_block():
    result = discharge_readiness(Route.IM, facts(escort_present=False, clinician_judges_ready=False),
                                 T0 + timedelta(minutes=90))
    assert keys(result) == {BlockKey.ESCORT, BlockKey.CLINICIAN}
    assert not result.ready


def test_all_blocks_reported_at_once_with_sources():
    result = discharge_readiness(Route.ESKETAMINE_NASAL,
                                 facts(padss=None, bp_readings=(), escort_present=False, clinician_judges_ready=False),
                                 T0 + timedelta(minutes=10))
    assert keys(result) == set(BlockKey)
    assert all(b.source in SOURCES for b in result.blocking_reasons)


@pytest.mark.parametrize(
    "now, changes, field",
    [
        (T0 - timedelta(minutes=1), {}, "now"),
        (datetime(2025, 3, 10, 16), {}, "now"),
        (T0 + timedelta(minutes=90), dict(observation_from=datetime(2025, 3, 10, 14)), "observation_from"),
    ],
)
def test_bad_discharge_input_refused(now, changes, field):
    with pytest.raises(DischargeInputError) as err:
        discharge_readiness(Route.IV, facts(**changes), now)
    assert err.value.field == field


def test_discharge_settings_cite_sources():
    for s in SETTINGS:
        assert s.source in SOURCES
        if s.is_clinic_policy:
            assert "clinic policy" in s.description.lower()


@pytest.mark.parametrize("start_seconds, now, ready, earliest", [
    # The first device at 14:00:00: discharge at 16:00 sharp.
    (0, "16:00:00", True, "16:00"),
    (0, "15:59:59", False, "16:00"),
    # At 14:00:08 the screen shows the earliest discharge as 16:01, and 16:01:00 is when it is allowed:
    # never "16:00" shown and then refused at 16:00:05, and never less than the 120 minutes.
    (8, "16:00:05", False, "16:01"),
    (8, "16:01:00", True, "16:01"),
])
def test_the_earliest_discharge_shown_is_the_moment_discharge_is_allowed(start_seconds, now, ready, earliest):
    start = T0 + timedelta(seconds=start_seconds)
    at = datetime.combine(T0.date(), datetime.strptime(now, "%H:%M:%S").time(), tzinfo=timezone.utc)
    result = discharge_readiness(Route.ESKETAMINE_NASAL, facts(observation_from=start), at)
    assert result.ready is ready
    assert result.earliest_discharge_at.strftime("%H:%M:%S") == earliest + ":00"
    assert result.earliest_discharge_at - start >= timedelta(minutes=120)
    if not ready:  # the message and the clock agree: fewer than 120 whole minutes observed
        assert result.observed_minutes < 120


@pytest.mark.parametrize("last, expected", [
    (bp(155, 88), "BP 155/88 mmHg: systolic is above the clinic discharge limit of 140 mmHg, and it is not falling"),
    (bp(138, 96), "BP 138/96 mmHg: diastolic is above the clinic discharge limit of 90 mmHg, and it is not falling"),
])
def test_a_bp_discharge_block_names_the_value_over_its_limit(last, expected):
    readings = (bp(120, 80), bp(128, 84), last) if last.systolic_mmhg < 140 else (bp(120, 80), bp(150, 86), last)
    result = discharge_readiness(Route.IV, facts(bp_readings=readings), T0 + timedelta(minutes=90))
    assert [b.message for b in result.blocking_reasons] == [expected]
