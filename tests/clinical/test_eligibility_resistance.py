"""Treatment-resistant depression: adequate failed trials in the current episode."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.eligibility import (
    AntidepressantTrial,
    EligibilityInputError,
    PolicyInvalid,
    TrialOutcome,
    assess_treatment_resistance,
)
from ketamine_clinic.clinical.sources import SOURCES

NO, PARTIAL = TrialOutcome.NO_RESPONSE, TrialOutcome.PARTIAL_RESPONSE


def trial(drug="sertraline", weeks=8.0, adequate=True, outcome=NO, current=True, dose=150.0):
    return AntidepressantTrial(drug, dose, weeks, adequate, outcome, current)


def test_exactly_two_adequate_failed_trials_is_resistant():
    result = assess_treatment_resistance([trial("sertraline"), trial("venlafaxine", outcome=PARTIAL)])
    assert result.is_resistant and result.adequate_failed_count == 2 and result.required_count == 2
    assert result.source in SOURCES


def test_one_adequate_trial_and_one_too_short_is_not_resistant():
    result = assess_treatment_resistance([trial("sertraline"), trial("venlafaxine", weeks=5)])
    assert not result.is_resistant and result.adequate_failed_count == 1
    assert "shorter than 6 weeks" in result.reasons[1]


def test_exactly_six_weeks_counts_as_adequate():
    assert assess_treatment_resistance([trial("a", weeks=6), trial("b", weeks=6)]).is_resistant


def test_trials_outside_the_current_episode_do_not_count():
    result = assess_treatment_resistance([trial("sertraline"), trial("venlafaxine", current=False),
                                          trial("mirtazapine", current=False)])
    assert result.adequate_failed_count == 1 and not result.is_resistant
    assert "outside the current episode" in result.reasons[1]


def test_trial_not_marked_adequate_counts_only_when_the_clinic_does_not_require_the_flag():
    trials = [trial("sertraline"), trial("venlafaxine", adequate=False)]
    assert not assess_treatment_resistance(trials).is_resistant
    relaxed = {"eligibility.trd.require_clinician_adequate_flag": False}
    assert assess_treatment_resistance(trials, relaxed).is_resistant


@pytest.mark.parametrize("outcome", [TrialOutcome.RESPONSE, TrialOutcome.REMISSION, TrialOutcome.NOT_TOLERATED,
                                     TrialOutcome.ONGOING, TrialOutcome.UNKNOWN])
def test_trials_that_did_not_fail_do_not_count(outcome):
    result = assess_treatment_resistance([trial("sertraline"), trial("venlafaxine", outcome=outcome)])
    assert result.adequate_failed_count == 1
    assert "is not a failed trial" in result.reasons[1]


def test_two_failed_trials_of_the_same_drug_count_once():
    result = assess_treatment_resistance([trial("Sertraline", dose=100), trial("sertraline ", dose=200)])
    assert result.adequate_failed_count == 1 and not result.is_resistant
    assert "same drug" in result.reasons[1]


def test_clinic_can_require_more_trials_and_longer_trials():
    trials = [trial("a", weeks=8), trial("b", weeks=8), trial("c", weeks=7)]
    assert assess_treatment_resistance(trials, {"eligibility.trd.min_failed_adequate_trials": 3}).is_resistant
    stricter = {"eligibility.trd.min_failed_adequate_trials": 3, "eligibility.trd.min_trial_weeks": 8}
    assert not assess_treatment_resistance(trials, stricter).is_resistant


def test_no_trials_is_not_resistant_and_says_why():
    result = assess_treatment_resistance([])
    assert not result.is_resistant and result.adequate_failed_count == 0
    assert result.reasons == ("0 adequate failed trial(s) in the current episode; 2 needed: "
                              "not treatment-resistant by the clinic's definition",)


def test_each_trial_gets_a_reason_line_then_a_conclusion():
    result = assess_treatment_resistance([trial("sertraline", weeks=8, dose=150)])
    assert result.reasons[0] == ("sertraline 150 mg/day for 8 weeks: counts "
                                 "(adequate, no response, current episode)")
    assert len(result.reasons) == 2


@pytest.mark.parametrize("trials, field", [(None, "antidepressant_trials"), ("sertraline", "antidepressant_trials"),
                                           ([{"drug": "sertraline"}], "antidepressant_trials[0]")])
def test_bad_trial_input_raises_a_field_error(trials, field):
    with pytest.raises(EligibilityInputError) as caught:
        assess_treatment_resistance(trials)
    assert caught.value.field == field


def test_bad_policy_raises_policy_invalid():
    with pytest.raises(PolicyInvalid):
        assess_treatment_resistance([], {"eligibility.trd.min_trial_weeks": -1})


trials_strategy = st.lists(st.builds(
    trial, drug=st.sampled_from(["a", "b", "c", "d"]), weeks=st.floats(0.5, 30),
    adequate=st.booleans(), outcome=st.sampled_from(list(TrialOutcome)), current=st.booleans()), max_size=8)


@given(trials_strategy, st.integers(1, 4))
def test_resistance_is_exactly_count_at_least_required(trials, required):
    result = assess_treatment_resistance(trials, {"eligibility.trd.min_failed_adequate_trials": required})
    assert result.is_resistant == (result.adequate_failed_count >= required)
    assert 0 <= result.adequate_failed_count <= len({t.drug for t in trials})
    assert len(result.reasons) == len(trials) + 1


@given(trials_strategy, trials_strategy)
def test_trials_outside_the_current_episode_never_change_the_count(trials, extra):
    past = [AntidepressantTrial(t.drug + "-old", t.dose_mg_per_day, t.weeks, t.adequate, t.outcome, False)
            for t in extra]
    assert (assess_treatment_resistance(trials + past).adequate_failed_count
            == assess_treatment_resistance(trials).adequate_failed_count)
