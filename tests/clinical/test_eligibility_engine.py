"""Per-route outcomes for representative patients, and the engine's handling of policy and input."""

import dataclasses

import pytest

from ketamine_clinic.clinical.eligibility import (
    AntidepressantTrial,
    BaselineVitals,
    EligibilityInputError,
    Evaluation,
    EvaluationInvalid,
    Indication,
    Level,
    LiverDisease,
    MedicalHistory,
    Outcome,
    PolicyInvalid,
    PresentingIndication,
    PriorTreatments,
    PsychiatricHistory,
    TrialOutcome,
    evaluate_eligibility,
)
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.sources import CLINIC_POLICY

IV, IM, ESK, ORAL = Route.IV, Route.IM, Route.ESKETAMINE_NASAL, Route.ORAL_SUBLINGUAL
CONTRA, REVIEW = Outcome.CONTRAINDICATED, Outcome.NEEDS_PRESCRIBER_REVIEW
CAUTIONS, ELIGIBLE = Outcome.ELIGIBLE_WITH_CAUTIONS, Outcome.ELIGIBLE


def patient(**changes) -> Evaluation:
    base = Evaluation(
        indications=(PresentingIndication(Indication.TREATMENT_RESISTANT_DEPRESSION, ("F33.2",)),),
        prior_treatments=PriorTreatments(antidepressant_trials=(
            AntidepressantTrial("escitalopram", 20, 8, True, TrialOutcome.NO_RESPONSE, True),
            AntidepressantTrial("bupropion", 300, 10, True, TrialOutcome.PARTIAL_RESPONSE, True),
        )),
        baseline_vitals=BaselineVitals(122, 78, 68),
        weight_kg=80.0,
        ride_home_arranged=True,
        phq9_item9_baseline=0,
    )
    return dataclasses.replace(base, **changes)


def outcomes(result) -> dict[Route, Outcome]:
    return {route: result.outcome(route) for route in Route}


def test_documented_trd_patient_is_eligible_for_every_route():
    assert outcomes(evaluate_eligibility(patient())) == {IV: ELIGIBLE, IM: ELIGIBLE, ORAL: ELIGIBLE, ESK: ELIGIBLE}


def test_uncontrolled_hypertension_needs_review_for_iv_with_the_reason():
    result = evaluate_eligibility(patient(medical_history=MedicalHistory(hypertension=True, hypertension_controlled=False)))
    assert result.outcome(IV) is REVIEW
    (reason,) = result[IV].review_reasons
    assert reason.rule_id == "uncontrolled-hypertension-or-cardiovascular-disease"
    assert reason.level is Level.RELATIVE and reason.source == "asra-2018"
    assert "blood pressure" in reason.explanation
    assert result.outcome(ESK) is CAUTIONS
    assert [r.rule_id for r in result[IV].prerequisites] == ["ecg-if-cardiovascular-risk"]


def test_aneurysm_contraindicates_esketamine_and_needs_review_for_iv():
    result = evaluate_eligibility(patient(medical_history=MedicalHistory(aneurysmal_vascular_disease_or_avm=True)))
    assert outcomes(result) == {ESK: CONTRA, IV: REVIEW, IM: REVIEW, ORAL: REVIEW}
    (reason,) = result[ESK].contraindications
    assert (reason.rule_id, reason.source) == ("aneurysmal-vascular-disease-or-avm", "spravato-pi")
    assert "esketamine label" in reason.explanation


def test_hypersensitivity_contraindicates_every_route():
    result = evaluate_eligibility(patient(medical_history=MedicalHistory(hypersensitivity_to_ketamine_or_esketamine=True)))
    assert set(outcomes(result).values()) == {CONTRA}


def test_severe_liver_disease_contraindicates_racemic_and_needs_review_for_esketamine():
    result = evaluate_eligibility(patient(medical_history=MedicalHistory(liver_disease=LiverDisease.SEVERE)))
    assert outcomes(result) == {IV: CONTRA, IM: CONTRA, ORAL: CONTRA, ESK: REVIEW}
    assert "liver-tests-if-hepatic-dysfunction" in result[IV].rule_ids


def test_breastfeeding_needs_review_for_esketamine_and_is_a_caution_for_iv():
    result = evaluate_eligibility(patient(medical_history=MedicalHistory(breastfeeding=True)))
    assert outcomes(result) == {ESK: REVIEW, IV: CAUTIONS, IM: CAUTIONS, ORAL: CAUTIONS}


def test_worst_level_wins_and_reasons_are_listed_most_severe_first():
    result = evaluate_eligibility(patient(
        medical_history=MedicalHistory(aneurysmal_vascular_disease_or_avm=True, sleep_apnea=True),
        ride_home_arranged=None))
    assert result.outcome(ESK) is CONTRA
    levels = [r.level for r in result[ESK].reasons]
    assert levels == [Level.ABSOLUTE, Level.CAUTION, Level.PREREQUISITE, Level.PREREQUISITE]


def test_prerequisites_do_not_change_the_outcome():
    result = evaluate_eligibility(patient(baseline_vitals=None, weight_kg=None, ride_home_arranged=None))
    assert result.outcome(IV) is ELIGIBLE
    assert [r.rule_id for r in result[IV].prerequisites] == ["ride-home-arranged", "baseline-bp-recorded", "weight-recorded"]


def test_gad_patient_needs_review_for_esketamine_as_off_label_only():
    result = evaluate_eligibility(patient(indications=(PresentingIndication(Indication.GAD, ("F41.1",)),)))
    assert result.outcome(IV) is ELIGIBLE
    assert result.outcome(ESK) is REVIEW
    assert [r.rule_id for r in result[ESK].review_reasons] == ["esketamine-outside-labelled-indication"]


def test_trd_without_enough_trials_is_flagged_with_the_count():
    one_trial = PriorTreatments(antidepressant_trials=(
        AntidepressantTrial("escitalopram", 20, 8, True, TrialOutcome.NO_RESPONSE, True),))
    result = evaluate_eligibility(patient(prior_treatments=one_trial))
    assert not result.treatment_resistance.is_resistant
    (prerequisite,) = [r for r in result[IV].prerequisites if r.rule_id == "treatment-resistance-not-documented"]
    assert "1 adequate failed trial(s)" in prerequisite.detail and "2 needed" in prerequisite.detail


# -- blood pressure, clinic policy ----------------------------------------------------------------

@pytest.mark.parametrize("systolic, diastolic, expected", [
    (140, 90, ELIGIBLE),
    (141, 90, CAUTIONS),
    (139, 91, CAUTIONS),
    (180, 100, CAUTIONS),
    (181, 85, REVIEW),
    (170, 101, REVIEW),
])
def test_baseline_blood_pressure_against_default_clinic_thresholds(systolic, diastolic, expected):
    result = evaluate_eligibility(patient(baseline_vitals=BaselineVitals(systolic, diastolic, 70)))
    assert {result.outcome(route) for route in Route} == {expected}


def test_blood_pressure_reason_is_labelled_clinic_policy_and_shows_the_reading():
    result = evaluate_eligibility(patient(baseline_vitals=BaselineVitals(150, 95, 70)))
    (reason,) = result[IV].cautions
    assert reason.source == CLINIC_POLICY
    assert reason.explanation.startswith("Clinic policy")
    assert "150/95" in reason.detail and "140/90" in reason.detail


def test_clinic_can_raise_its_blood_pressure_thresholds():
    policy = {"eligibility.bp_caution_systolic_mmhg": 160, "eligibility.bp_caution_diastolic_mmhg": 100,
              "eligibility.bp_review_systolic_mmhg": 200, "eligibility.bp_review_diastolic_mmhg": 110}
    result = evaluate_eligibility(patient(baseline_vitals=BaselineVitals(185, 95, 70)), policy)
    assert result.outcome(IV) is CAUTIONS
    assert "above 160/100" in result[IV].cautions[0].detail
    assert result.policy.bp_review_systolic_mmhg == 200


def test_trd_policy_flows_through_the_engine():
    result = evaluate_eligibility(patient(), {"eligibility.trd.min_failed_adequate_trials": 3})
    assert result.treatment_resistance.required_count == 3
    assert result.outcome(ESK) is REVIEW


def test_policy_keys_of_other_modules_are_ignored():
    result = evaluate_eligibility(patient(), {"session.iv.hard_stop_systolic_mmhg": 180})
    assert result.outcome(IV) is ELIGIBLE


@pytest.mark.parametrize("policy, field", [
    ({"eligibility.bp_caution_systolic": 140}, "eligibility.bp_caution_systolic"),
    ({"eligibility.bp_caution_systolic_mmhg": "140"}, "eligibility.bp_caution_systolic_mmhg"),
    ({"eligibility.bp_caution_systolic_mmhg": True}, "eligibility.bp_caution_systolic_mmhg"),
    ({"eligibility.bp_caution_systolic_mmhg": float("nan")}, "eligibility.bp_caution_systolic_mmhg"),
    ({"eligibility.bp_caution_systolic_mmhg": 40}, "eligibility.bp_caution_systolic_mmhg"),
    ({"eligibility.bp_caution_systolic_mmhg": 140.5}, "eligibility.bp_caution_systolic_mmhg"),
    ({"eligibility.bp_review_systolic_mmhg": 130}, "eligibility.bp_review_systolic_mmhg"),
    ({"eligibility.bp_review_diastolic_mmhg": 90}, "eligibility.bp_review_diastolic_mmhg"),
    ({"eligibility.trd.require_clinician_adequate_flag": 1}, "eligibility.trd.require_clinician_adequate_flag"),
    ({"eligibility.trd.min_failed_adequate_trials": 0}, "eligibility.trd.min_failed_adequate_trials"),
    ([("eligibility.bp_caution_systolic_mmhg", 140)], "policy"),
])
def test_bad_policy_values_raise_policy_invalid_on_their_key(policy, field):
    with pytest.raises(PolicyInvalid) as caught:
        evaluate_eligibility(patient(), policy)
    assert caught.value.field == field
    assert isinstance(caught.value, ValueError)


# -- input --------------------------------------------------------------------------------------

def test_engine_rejects_an_inconsistent_evaluation_with_field_errors():
    with pytest.raises(EvaluationInvalid) as caught:
        evaluate_eligibility(patient(weight_kg=0.0, baseline_vitals=BaselineVitals(400, 80, 70)))
    assert set(caught.value.errors) == {"weight_kg", "baseline_vitals.systolic_mmhg"}


@pytest.mark.parametrize("bad", [None, {"indications": []}, "evaluation"])
def test_engine_rejects_something_that_is_not_an_evaluation(bad):
    with pytest.raises(EligibilityInputError) as caught:
        evaluate_eligibility(bad)
    assert caught.value.field == "evaluation"


def test_result_is_indexable_by_route_value_and_covers_every_route():
    result = evaluate_eligibility(patient())
    assert list(result.decisions) == list(Route)
    assert result["esketamine_nasal"].route is ESK
    assert Outcome.NEEDS_PRESCRIBER_REVIEW.label == "Needs prescriber review"


def test_engine_accepts_an_evaluation_read_from_a_dict():
    data = patient(medical_history=MedicalHistory(pregnant=True)).to_dict()
    result = evaluate_eligibility(Evaluation.from_dict(data))
    assert set(outcomes(result).values()) == {REVIEW}


def test_engine_normalizes_plain_strings_in_an_evaluation_built_in_code():
    built = patient(psychiatric_history=PsychiatricHistory(psychosis="active"),
                    indications=(PresentingIndication("treatment_resistant_depression", ("f33.2",)),))
    result = evaluate_eligibility(built)
    assert result.outcome(IV) is REVIEW
    assert "psychosis-active" in result[IV].rule_ids
