"""The chart wins: chart facts merged into an evaluation, and the safety facts a decision rests on."""

import dataclasses

import pytest

from ketamine_clinic.clinical.eligibility import (
    AntidepressantTrial,
    Evaluation,
    Indication,
    MedicationClass,
    Outcome,
    PresentingIndication,
    Status,
    TrialOutcome,
    evaluate_eligibility,
)
from ketamine_clinic.clinical.eligibility.chart import (
    ChartAllergy,
    ChartDiagnosis,
    ChartFacts,
    ChartMedication,
    ChartTrial,
    apply_chart,
    code_matches,
    new_safety_facts,
    safety_facts,
)
from ketamine_clinic.clinical.routes import Route

TRD = Evaluation(indications=(PresentingIndication(Indication.TREATMENT_RESISTANT_DEPRESSION, ("F33.2",)),),
                 weight_kg=70.0, ride_home_arranged=True)
FAILED = [AntidepressantTrial(drug, 150, 8, True, TrialOutcome.NO_RESPONSE, True) for drug in ("sertraline", "venlafaxine")]


def dx(code, display="x"):
    return ChartFacts(diagnoses=(ChartDiagnosis("dx-1", code, display),))


# (chart, evaluation field that must be set, outcome on (route) afterwards)
CASES = [
    pytest.param(ChartFacts(medications=(ChartMedication("med-1", "phenelzine", MedicationClass.MAOI),)),
                 lambda e: MedicationClass.MAOI in e.interacting_medications, Route.IV, Outcome.ELIGIBLE_WITH_CAUTIONS,
                 id="maoi-on-chart"),
    pytest.param(dx("I67.1", "Cerebral aneurysm, nonruptured"), lambda e: e.medical_history.aneurysmal_vascular_disease_or_avm,
                 Route.ESKETAMINE_NASAL, Outcome.CONTRAINDICATED, id="aneurysm-diagnosis"),
    pytest.param(dx("I61.9"), lambda e: e.medical_history.intracerebral_hemorrhage_history, Route.ESKETAMINE_NASAL,
                 Outcome.CONTRAINDICATED, id="ich-diagnosis"),
    pytest.param(dx("Z33.1", "Pregnant state, incidental"), lambda e: e.medical_history.pregnant, Route.IV,
                 Outcome.NEEDS_PRESCRIBER_REVIEW, id="pregnancy-diagnosis"),
    pytest.param(dx("I10"), lambda e: e.medical_history.hypertension and e.medical_history.hypertension_controlled is False,
                 Route.IV, Outcome.NEEDS_PRESCRIBER_REVIEW, id="hypertension-counts-uncontrolled"),
    pytest.param(dx("F20.9"), lambda e: e.psychiatric_history.psychosis is Status.ACTIVE, Route.ESKETAMINE_NASAL,
                 Outcome.NEEDS_PRESCRIBER_REVIEW, id="schizophrenia-diagnosis"),
    pytest.param(ChartFacts(allergies=(ChartAllergy("al-1", "Ketamine (Ketalar)"),)),
                 lambda e: e.medical_history.hypersensitivity_to_ketamine_or_esketamine, Route.IV, Outcome.CONTRAINDICATED,
                 id="ketamine-allergy"),
]


def test_age_comes_from_the_chart_and_a_contradicting_body_is_reported():
    merged, fixes = apply_chart(TRD, ChartFacts(age_years=16, patient_id="p-1"))
    assert merged.age_years == 16 and fixes == ()  # the body gave no age: filled in
    assert evaluate_eligibility(merged)[Route.IV].outcome is Outcome.NEEDS_PRESCRIBER_REVIEW
    merged, fixes = apply_chart(dataclasses.replace(TRD, age_years=30), ChartFacts(age_years=16, patient_id="p-1"))
    assert merged.age_years == 16 and [f.record_id for f in fixes] == ["p-1"] and "said 30" in fixes[0].message


@pytest.mark.parametrize("chart, is_set, route, outcome", CASES)
def test_a_chart_fact_the_evaluation_left_out_is_used_and_reported(chart, is_set, route, outcome):
    merged, fixes = apply_chart(TRD, chart)
    assert is_set(merged)
    assert evaluate_eligibility(merged)[route].outcome is outcome
    assert len(fixes) == 1 and fixes[0].record_id in {"med-1", "dx-1", "al-1"}


@pytest.mark.parametrize("chart", [
    ChartFacts(diagnoses=(ChartDiagnosis("dx-1", "F41.1", "Generalized anxiety disorder"),)),  # no fact of its own
    ChartFacts(medications=(ChartMedication("med-1", "sertraline", MedicationClass.SSRI),)),
    ChartFacts(allergies=(ChartAllergy("al-1", "Penicillin"),)),
    ChartFacts(diagnoses=(ChartDiagnosis("dx-1", "I70.0", "Atherosclerosis of aorta"),)),
], ids=["anxiety", "ssri", "penicillin", "neighbouring-code"])
def test_a_chart_fact_that_matters_not_leaves_eligibility_alone(chart):
    merged, _ = apply_chart(TRD, chart)
    assert evaluate_eligibility(merged)[Route.IV].outcome is evaluate_eligibility(TRD)[Route.IV].outcome


def test_chart_trials_make_the_depression_treatment_resistant_when_the_body_left_them_out():
    chart = ChartFacts(trials=tuple(ChartTrial(f"t-{i}", t) for i, t in enumerate(FAILED)))
    assert not evaluate_eligibility(TRD).treatment_resistance.is_resistant
    merged, fixes = apply_chart(TRD, chart)
    assert evaluate_eligibility(merged).treatment_resistance.is_resistant
    assert [f.record_id for f in fixes] == ["t-0", "t-1"]


def test_a_trial_of_the_same_drug_follows_the_chart_and_other_body_trials_stay():
    said = dataclasses.replace(FAILED[0], outcome=TrialOutcome.RESPONSE)
    bupropion = AntidepressantTrial("bupropion", 300, 8, True, TrialOutcome.NO_RESPONSE, True)
    body = dataclasses.replace(TRD, prior_treatments=dataclasses.replace(TRD.prior_treatments, antidepressant_trials=(said, bupropion)))
    merged, fixes = apply_chart(body, ChartFacts(trials=(ChartTrial("t-0", FAILED[0]),)))
    assert merged.prior_treatments.antidepressant_trials == (FAILED[0], bupropion)
    assert "replaces" in fixes[0].message


def test_chart_weight_wins_over_the_body_and_says_so():
    merged, fixes = apply_chart(TRD, ChartFacts(weight_kg=82.5, weight_record_id="m-1"))
    assert merged.weight_kg == 82.5 and "70 kg" in fixes[0].message and fixes[0].record_id == "m-1"


def test_a_body_that_agrees_with_the_chart_gets_no_correction():
    body = dataclasses.replace(TRD, interacting_medications=(MedicationClass.MAOI,), age_years=40)
    chart = ChartFacts(medications=(ChartMedication("med-1", "phenelzine", MedicationClass.MAOI),), weight_kg=70.0, age_years=40)
    assert apply_chart(body, chart) == (body.validate(), ())


@pytest.mark.parametrize("code, prefix, matches", [
    ("I71.2", "I71", True), ("I71", "I71", True), ("I710", "I71", True), ("I17.1", "I71", False), ("G47.33", "G47.3", True),
    ("G47.4", "G47.3", False), ("z33.1", "Z33.1", True),
])
def test_code_prefixes_match_whole_categories(code, prefix, matches):
    assert code_matches(code, prefix) is matches


@pytest.mark.parametrize("before, after, new", [
    (dict(), dict(interacting_medications=(MedicationClass.BENZODIAZEPINE,)), ["medication:benzodiazepine"]),
    (dict(interacting_medications=(MedicationClass.OPIOID,)),
     dict(interacting_medications=(MedicationClass.OPIOID, MedicationClass.Z_DRUG)), ["medication:z_drug"]),
    (dict(), dict(interacting_medications=(MedicationClass.SSRI,)), []),  # not an interacting class of the rules
    (dict(), dict(age_years=17), ["age:under_adult"]),
    (dict(age_years=17), dict(age_years=18), []),
])
def test_new_safety_facts_are_those_not_signed_on(before, after, new):
    signed = safety_facts(dataclasses.replace(TRD, **before).validate())
    assert new_safety_facts(signed, safety_facts(dataclasses.replace(TRD, **after).validate())) == new


@pytest.mark.parametrize("chart, field", [
    (ChartFacts(trials=(ChartTrial("t-0", dataclasses.replace(FAILED[0], weeks=0)),)), "prior_treatments.antidepressant_trials"),
    (ChartFacts(trials=(ChartTrial("t-0", dataclasses.replace(FAILED[0], dose_mg_per_day=9000)),)),
     "prior_treatments.antidepressant_trials"),
    (ChartFacts(weight_kg=700.0, weight_record_id="m-1"), "weight_kg"),
], ids=["zero-week-trial", "implausible-dose", "implausible-weight"])
def test_an_implausible_chart_entry_is_not_used_and_is_reported_for_correction(chart, field):
    merged, fixes = apply_chart(TRD, chart)
    assert merged.prior_treatments.antidepressant_trials == () and merged.weight_kg == 70.0
    assert [f.field for f in fixes] == [field] and "correct it on the chart" in fixes[0].message


@pytest.mark.parametrize("name, drug_class, hypertension_recorded, suggested", [
    ("lisinopril 10 mg", "other", False, True),
    ("Losartan", "other", False, True),
    ("amlodipine", "other", False, True),
    ("propranolol", "antihypertensive", False, True),  # the chart's class says so
    ("lisinopril", "other", True, False),  # already recorded
    ("sertraline", "ssri", False, False),
    ("april", "other", False, True),  # by the -pril suffix: a suggestion only, never applied
])
def test_a_blood_pressure_medicine_suggests_hypertension_for_review(name, drug_class, hypertension_recorded, suggested):
    from ketamine_clinic.clinical.eligibility.chart import suggestions

    chart = ChartFacts(medications=(ChartMedication("med-1", name, MedicationClass.OTHER, drug_class),))
    evaluation = TRD
    if hypertension_recorded:
        evaluation = dataclasses.replace(TRD, medical_history=dataclasses.replace(
            TRD.medical_history, hypertension=True, hypertension_controlled=True))
    found = suggestions(evaluation, chart)
    assert bool(found) is suggested
    if found:
        assert found[0].field == "medical_history.hypertension" and found[0].record_id == "med-1"
    assert apply_chart(evaluation, chart)[0].medical_history.hypertension is hypertension_recorded  # never set by it
