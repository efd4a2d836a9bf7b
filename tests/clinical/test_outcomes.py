"""Outcomes: percent change, response, remission, relapse, time to response."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.instruments import (
    OutcomeInputError,
    OutcomePolicy,
    ScoreSeries,
    meets_response,
    percent_change,
    summarize_outcomes,
)
from ketamine_clinic.clinical.instruments.outcomes import SETTINGS
from ketamine_clinic.clinical.instruments.scoring import bands_for
from ketamine_clinic.clinical.instruments.validation import get_instrument
from ketamine_clinic.clinical.sources import SOURCES

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def series(key, totals, step_days=3.5):
    return ScoreSeries.from_points(key, [(T0 + timedelta(days=step_days * i), t) for i, t in enumerate(totals)])


def test_percent_change_is_relative_to_baseline():
    assert percent_change(20, 10) == -50.0
    assert percent_change(20, 25) == 25.0
    assert percent_change(0, 3) is None


@pytest.mark.parametrize(
    "baseline, total, responds",
    [(20, 10, True), (20, 11, False), (21, 10, True), (21, 11, False), (3, 1, True), (3, 2, False), (0, 0, False)],
)
def test_response_is_at_least_50_percent_reduction_inclusive(baseline, total, responds):
    assert meets_response(baseline, total, 50) is responds


def test_response_exactly_50_percent_counts_in_summary():
    summary = summarize_outcomes(series("phq9", [20, 14, 10]))
    assert summary.first_response_at == T0 + timedelta(days=7)
    assert summary.days_to_first_response == 7.0
    assert summary.points[-1].percent_change == -50.0
    assert summary.status == "responding"


def test_response_threshold_is_configurable():
    settings = {"outcomes.response_min_reduction_percent": 30}
    summary = summarize_outcomes(series("phq9", [20, 14]), settings=settings)
    assert summary.points[0].meets_response is True


@pytest.mark.parametrize(
    "key, total, remits",
    [("phq9", 4, True), ("phq9", 5, False), ("gad7", 4, True), ("gad7", 5, False),
     ("madrs", 10, True), ("madrs", 11, False), ("qids_sr16", 5, True), ("qids_sr16", 6, False),
     ("pcl5", 32, True), ("pcl5", 33, False), ("ybocs", 7, True), ("ybocs", 8, False)],
)
def test_remission_edges(key, total, remits):
    summary = summarize_outcomes(series(key, [20, total]))
    assert summary.points[0].meets_remission is remits
    assert summary.in_remission_now is remits


def test_madrs_remission_can_be_set_to_12():
    settings = {"outcomes.remission.madrs_max_total": 12}
    assert summarize_outcomes(series("madrs", [30, 12]), settings=settings).in_remission_now is True
    assert summarize_outcomes(series("madrs", [30, 12])).in_remission_now is False


@pytest.mark.parametrize("cutpoint, remission_setting", [(31, None), (32, None), (33, None), (31, 40), (33, 80), (33, 20)])
def test_a_pcl5_total_never_reads_both_probable_ptsd_and_remission(cutpoint, remission_setting):
    settings = {"instruments.pcl5.probable_ptsd_min_total": cutpoint}
    if remission_setting is not None:
        settings["outcomes.remission.pcl5_max_total"] = remission_setting
    bands = bands_for(get_instrument("pcl5"), settings)
    for total in range(0, 81):
        probable = next(b for b in bands if b.minimum <= total <= b.maximum).key == "probable_ptsd"
        remits = summarize_outcomes(series("pcl5", [60, total]), settings=settings).in_remission_now
        assert not (probable and remits), (total, settings)
        if remission_setting is None:  # the default follows the cut-point: below it is remission
            assert remits is (not probable), (total, settings)


def test_pain_has_no_remission_definition():
    summary = summarize_outcomes(series("pain_nrs", [8, 3]))
    assert summary.points[0].meets_remission is None
    assert summary.first_response_at is not None


def test_time_to_first_remission():
    summary = summarize_outcomes(series("phq9", [18, 12, 8, 4, 3], step_days=7))
    assert summary.days_to_first_remission == 21.0
    assert summary.days_to_first_response == 14.0


def test_relapse_after_two_consecutive_non_response_measures():
    # baseline 20 -> response at 10; 11 and 12 both miss response (< 50 %) -> relapse at the 2nd.
    summary = summarize_outcomes(series("phq9", [20, 10, 11, 12]))
    assert summary.first_relapse_at == T0 + timedelta(days=3.5 * 3)
    assert summary.status == "relapsed"
    assert [e.kind for e in summary.events] == ["response", "relapse"]


def test_one_non_response_measure_is_not_yet_relapse():
    summary = summarize_outcomes(series("phq9", [20, 10, 11, 9]))
    assert summary.first_relapse_at is None
    assert summary.status == "responding"


def test_relapse_on_single_score_at_75_percent_of_baseline():
    summary = summarize_outcomes(series("phq9", [20, 8, 15]))
    assert summary.first_relapse_at == T0 + timedelta(days=7)


def test_single_score_just_below_75_percent_of_baseline_is_not_relapse():
    summary = summarize_outcomes(series("phq9", [20, 8, 14]))
    assert summary.first_relapse_at is None


def test_no_relapse_without_prior_response():
    summary = summarize_outcomes(series("phq9", [20, 18, 19, 20]))
    assert summary.first_relapse_at is None and summary.status == "not_responded"


def test_response_after_relapse_is_recorded_again():
    summary = summarize_outcomes(series("phq9", [20, 10, 16, 9]))
    assert [e.kind for e in summary.events] == ["response", "relapse", "response"]
    assert summary.status == "responding"
    assert summary.first_response_at == T0 + timedelta(days=3.5)


def test_relapse_policy_is_configurable():
    policy = OutcomePolicy(50, 4, relapse_consecutive_non_response=1, relapse_min_fraction_of_baseline=1.0)
    summary = summarize_outcomes(series("phq9", [20, 10, 11]), policy)
    assert summary.first_relapse_at == T0 + timedelta(days=7)


def test_baseline_only_series_has_no_follow_up_status():
    summary = summarize_outcomes(series("phq9", [20]))
    assert summary.status == "no_follow_up" and summary.points == () and summary.latest_percent_change is None


def test_baseline_can_be_chosen_by_time():
    points = [(T0, 25), (T0 + timedelta(days=7), 20), (T0 + timedelta(days=14), 10)]
    s = ScoreSeries.from_points("phq9", points, baseline_at=T0 + timedelta(days=7))
    summary = summarize_outcomes(s)
    assert summary.baseline.total == 20
    assert summary.days_to_first_response == 7.0


@pytest.mark.parametrize(
    "points, field",
    [
        ([(T0, 20), (T0 - timedelta(days=1), 10)], "follow_up[0].at"),
        ([(datetime(2026, 3, 2), 20)], "baseline.at"),
        ([(T0, 28)], "baseline.total"),
        ([(T0, 20), (T0 + timedelta(days=1), float("nan"))], "follow_up[0].total"),
        ([(T0, 20), (T0 + timedelta(days=1), -1)], "follow_up[0].total"),
        ([(T0, None)], "baseline.total"),
    ],
)
def test_bad_series_is_rejected_with_field(points, field):
    with pytest.raises(OutcomeInputError) as exc:
        summarize_outcomes(ScoreSeries.from_points("phq9", points))
    assert exc.value.field == field


def test_cssrs_has_no_outcome_series():
    with pytest.raises(OutcomeInputError) as exc:
        summarize_outcomes(ScoreSeries.from_points("cssrs", [(T0, 0)]))
    assert exc.value.field == "instrument_key"


def test_empty_series_is_rejected():
    with pytest.raises(OutcomeInputError):
        ScoreSeries.from_points("phq9", [])


def test_outcome_settings_cite_existing_sources():
    assert all(s.source in SOURCES for s in SETTINGS)
    assert {s.key for s in SETTINGS} >= {
        "outcomes.response_min_reduction_percent", "outcomes.remission.phq9_max_total",
        "outcomes.remission.madrs_max_total", "outcomes.relapse.consecutive_non_response",
        "outcomes.relapse.min_fraction_of_baseline",
    }


@given(st.integers(min_value=1, max_value=27), st.integers(min_value=0, max_value=27))
def test_response_matches_percent_change(baseline, total):
    responded = meets_response(baseline, total, 50)
    assert responded is (total * 2 <= baseline)
    assert responded is (percent_change(baseline, total) <= -50 + 1e-9)


@given(st.lists(st.integers(min_value=0, max_value=27), min_size=1, max_size=12))
def test_events_alternate_response_and_relapse(totals):
    summary = summarize_outcomes(series("phq9", totals))
    kinds = [e.kind for e in summary.events if e.kind != "remission"]
    assert all(a != b for a, b in zip(kinds, kinds[1:]))
    assert not kinds or kinds[0] == "response"


def test_days_to_response_counts_real_time_across_dst_change():
    ny = ZoneInfo("America/New_York")  # clocks spring forward 2026-03-08
    points = [(datetime(2026, 3, 7, 9, 0, tzinfo=ny), 20), (datetime(2026, 3, 9, 9, 0, tzinfo=ny), 8)]
    summary = summarize_outcomes(ScoreSeries.from_points("phq9", points))
    assert summary.days_to_first_response == pytest.approx(2 - 1 / 24)
