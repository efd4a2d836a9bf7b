"""Intake evaluation: from_dict/to_dict, per-field errors, ICD-10-CM codes."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.eligibility import (
    SCHEMA_VERSION,
    SUGGESTED_CODES,
    TRD_SNOMED_CT,
    AntidepressantTrial,
    BaselineVitals,
    Evaluation,
    EvaluationInvalid,
    Indication,
    LiverDisease,
    MedicalHistory,
    MedicationClass,
    PresentingIndication,
    PriorTreatments,
    PsychiatricHistory,
    Status,
    SubstanceUse,
    TrialOutcome,
    is_valid_icd10cm_code,
    normalize_icd10cm_code,
)
from ketamine_clinic.clinical.sources import SOURCES


def full_evaluation() -> Evaluation:
    return Evaluation(
        indications=(
            PresentingIndication(Indication.TREATMENT_RESISTANT_DEPRESSION, ("F33.2",)),
            PresentingIndication(Indication.PTSD, ("F43.12",)),
        ),
        prior_treatments=PriorTreatments(
            antidepressant_trials=(
                AntidepressantTrial("sertraline", 150, 8, True, TrialOutcome.NO_RESPONSE, True),
                AntidepressantTrial("venlafaxine", 225, 10.5, True, TrialOutcome.PARTIAL_RESPONSE, True),
            ),
            psychotherapy=True, ect=False, tms=True,
        ),
        psychiatric_history=PsychiatricHistory(psychosis=Status.NONE, mania=Status.HISTORY),
        substance_use=SubstanceUse(Status.HISTORY, Status.NONE, regular_alcohol_use=True),
        medical_history=MedicalHistory(hypertension=True, hypertension_controlled=True,
                                       liver_disease=LiverDisease.MILD, sleep_apnea=True),
        interacting_medications=(MedicationClass.SSRI, MedicationClass.BENZODIAZEPINE),
        baseline_vitals=BaselineVitals(128, 82, 74),
        weight_kg=72.5,
        ride_home_arranged=True,
        phq9_item9_baseline=1,
        episode_duration_weeks=40,
    )


def valid_dict() -> dict:
    return full_evaluation().to_dict()


def errors_of(data) -> dict[str, list[str]]:
    with pytest.raises(EvaluationInvalid) as caught:
        Evaluation.from_dict(data)
    return caught.value.errors


# -- round trip ---------------------------------------------------------------------------------

def test_to_dict_then_from_dict_gives_the_same_evaluation():
    evaluation = full_evaluation()
    assert Evaluation.from_dict(evaluation.to_dict()) == evaluation


def test_to_dict_is_plain_json_with_schema_version():
    data = valid_dict()
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["indications"][0] == {"indication": "treatment_resistant_depression", "icd10cm_codes": ["F33.2"]}
    assert data["interacting_medications"] == ["ssri", "benzodiazepine"]
    assert data["baseline_vitals"] == {"systolic_mmhg": 128, "diastolic_mmhg": 82, "heart_rate_per_min": 74}


def test_optional_fields_may_be_absent_and_read_as_none():
    data = valid_dict()
    for key in ("baseline_vitals", "weight_kg", "ride_home_arranged", "phq9_item9_baseline",
                "episode_duration_weeks", "schema_version"):
        del data[key]
    evaluation = Evaluation.from_dict(data)
    assert evaluation.baseline_vitals is None and evaluation.weight_kg is None
    assert evaluation.ride_home_arranged is None and evaluation.phq9_item9_baseline is None
    assert evaluation.schema_version == SCHEMA_VERSION


def test_icd_codes_are_normalized_to_dotted_upper_case():
    data = valid_dict()
    data["indications"][0]["icd10cm_codes"] = ["f3340", " F32.a "]
    evaluation = Evaluation.from_dict(data)
    assert evaluation.indications[0].icd10cm_codes == ("F33.40", "F32.A")


@given(weight_kg=st.floats(min_value=20, max_value=400), weeks=st.floats(min_value=0.01, max_value=520),
       systolic=st.integers(100, 300), diastolic=st.integers(20, 99))
def test_round_trip_holds_for_any_plausible_numbers(weight_kg, weeks, systolic, diastolic):
    data = valid_dict()
    data["weight_kg"] = weight_kg
    data["prior_treatments"]["antidepressant_trials"][0]["weeks"] = weeks
    data["baseline_vitals"].update(systolic_mmhg=systolic, diastolic_mmhg=diastolic)
    evaluation = Evaluation.from_dict(data)
    assert evaluation.weight_kg == weight_kg
    assert Evaluation.from_dict(evaluation.to_dict()) == evaluation


# -- errors -------------------------------------------------------------------------------------

def test_all_field_errors_are_collected_in_one_exception():
    data = valid_dict()
    data["weight_kg"] = 700
    data["baseline_vitals"]["systolic_mmhg"] = 400
    data["indications"][0]["indication"] = "insomnia"
    data["indications"][1]["icd10cm_codes"] = ["F43-12"]
    data["medical_history"]["pregnant"] = "no"
    del data["psychiatric_history"]["mania"]
    errors = errors_of(data)
    assert set(errors) == {
        "weight_kg", "baseline_vitals.systolic_mmhg", "indications[0].indication",
        "indications[1].icd10cm_codes[0]", "medical_history.pregnant", "psychiatric_history.mania",
    }
    assert "got 700" in errors["weight_kg"][0]
    assert "got 400" in errors["baseline_vitals.systolic_mmhg"][0]
    assert "'insomnia'" in errors["indications[0].indication"][0]
    assert "ICD-10-CM" in errors["indications[1].icd10cm_codes[0]"][0]
    assert "true or false" in errors["medical_history.pregnant"][0]
    assert errors["psychiatric_history.mania"] == ["this field is required"]


def set_path(data: dict, path: tuple, value) -> dict:
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


def delete_path(data: dict, path: tuple) -> dict:
    target = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


BAD_VALUES = [
    # (path in the dict, bad value, field reported, words expected in the message)
    (("weight_kg",), 0, "weight_kg", "from 20 to 400 kg"),
    (("weight_kg",), 700, "weight_kg", "got 700"),
    (("weight_kg",), -5, "weight_kg", "got -5"),
    (("weight_kg",), math.nan, "weight_kg", "finite"),
    (("weight_kg",), math.inf, "weight_kg", "finite"),
    (("weight_kg",), "72", "weight_kg", "must be a number, got text"),
    (("weight_kg",), True, "weight_kg", "must be a number, got a boolean"),
    (("baseline_vitals", "systolic_mmhg"), 400, "baseline_vitals.systolic_mmhg", "got 400"),
    (("baseline_vitals", "systolic_mmhg"), 120.5, "baseline_vitals.systolic_mmhg", "whole number"),
    (("baseline_vitals", "diastolic_mmhg"), 130, "baseline_vitals.diastolic_mmhg", "lower than the systolic"),
    (("baseline_vitals", "heart_rate_per_min"), 0, "baseline_vitals.heart_rate_per_min", "from 20 to 250"),
    (("baseline_vitals",), "120/80", "baseline_vitals", "must be an object"),
    (("phq9_item9_baseline",), 4, "phq9_item9_baseline", "from 0 to 3"),
    (("phq9_item9_baseline",), 1.5, "phq9_item9_baseline", "whole number"),
    (("episode_duration_weeks",), -1, "episode_duration_weeks", "from 0"),
    (("ride_home_arranged",), "yes", "ride_home_arranged", "true or false"),
    (("indications",), [], "indications", "at least one"),
    (("indications",), "tRD", "indications", "must be a list"),
    (("indications", 0, "indication"), "insomnia", "indications[0].indication", "unknown value 'insomnia'"),
    (("indications", 0, "indication"), 3, "indications[0].indication", "must be one of"),
    (("indications", 0, "icd10cm_codes"), ["33.2"], "indications[0].icd10cm_codes[0]", "not an ICD-10-CM code"),
    (("indications", 0, "icd10cm_codes"), ["F33.2", "f33.2"], "indications[0].icd10cm_codes[1]", "more than once"),
    (("indications", 1, "indication"), "treatment_resistant_depression", "indications[1].indication", "more than once"),
    (("interacting_medications",), ["ssri", "ketamine"], "interacting_medications[1]", "unknown value"),
    (("interacting_medications",), ["ssri", "ssri"], "interacting_medications[1]", "more than once"),
    (("prior_treatments", "antidepressant_trials", 0, "weeks"), 0, "prior_treatments.antidepressant_trials[0].weeks", "above 0"),
    (("prior_treatments", "antidepressant_trials", 0, "dose_mg_per_day"), None,
     "prior_treatments.antidepressant_trials[0].dose_mg_per_day", "must not be null"),
    (("prior_treatments", "antidepressant_trials", 0, "drug"), "  ", "prior_treatments.antidepressant_trials[0].drug", "empty"),
    (("prior_treatments", "antidepressant_trials", 0, "outcome"), "better", "prior_treatments.antidepressant_trials[0].outcome", "unknown value"),
    (("prior_treatments", "antidepressant_trials", 0, "adequate"), 1, "prior_treatments.antidepressant_trials[0].adequate", "true or false"),
    (("prior_treatments", "antidepressant_trials", 0, "side_effects"), "nausea",
     "prior_treatments.antidepressant_trials[0].side_effects", "unknown field"),
    (("medical_history", "liver_disease"), "bad", "medical_history.liver_disease", "none, mild, moderate, severe"),
    (("medical_history", "hypertension_controlled"), None, "medical_history.hypertension_controlled", "required"),
    (("psychiatric_history", "psychosis"), "yes", "psychiatric_history.psychosis", "none, history, active"),
    (("substance_use",), None, "substance_use", "must be an object, got null"),
    (("schema_version",), 99, "schema_version", "unsupported schema version 99"),
    (("favourite_colour",), "blue", "favourite_colour", "unknown field"),
]


@pytest.mark.parametrize("path, value, field, words", BAD_VALUES, ids=[f"{c[2]}={c[1]!r}" for c in BAD_VALUES])
def test_bad_value_is_reported_on_its_field(path, value, field, words):
    errors = errors_of(set_path(valid_dict(), path, value))
    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]


REQUIRED = [
    ("indications",), ("prior_treatments",), ("psychiatric_history",), ("substance_use",),
    ("medical_history",), ("interacting_medications",), ("medical_history", "pregnant"),
    ("medical_history", "liver_disease"), ("prior_treatments", "antidepressant_trials"),
    ("prior_treatments", "antidepressant_trials", 0, "in_current_episode"),
    ("baseline_vitals", "heart_rate_per_min"), ("indications", 0, "indication"),
]


@pytest.mark.parametrize("path", REQUIRED, ids=[".".join(map(str, p)) for p in REQUIRED])
def test_missing_required_field_is_reported(path):
    errors = errors_of(delete_path(valid_dict(), path))
    field = ".".join(str(p) for p in path).replace(".0.", "[0].").replace(".0", "[0]")
    assert errors[field] == ["this field is required"]


def test_follow_up_answer_must_be_null_when_condition_absent():
    data = valid_dict()
    data["medical_history"]["cardiovascular_disease_poorly_controlled"] = True
    errors = errors_of(data)
    assert errors == {"medical_history.cardiovascular_disease_poorly_controlled":
                      ["must be null when cardiovascular_disease is false"]}


@pytest.mark.parametrize("data", [None, [], "evaluation", 42])
def test_non_object_input_gives_one_clear_error(data):
    errors = errors_of(data)
    assert list(errors) == ["(evaluation)"]
    assert "must be an object" in errors["(evaluation)"][0]


def test_evaluation_invalid_is_a_value_error_with_first_field_and_message():
    data = valid_dict()
    data["weight_kg"] = 0
    with pytest.raises(ValueError) as caught:
        Evaluation.from_dict(data)
    assert caught.value.field == "weight_kg"
    assert "from 20 to 400 kg" in caught.value.message


def test_validate_rejects_an_evaluation_built_in_code_with_bad_values():
    bad = Evaluation(indications=(PresentingIndication(Indication.GAD),), weight_kg=0.0)
    with pytest.raises(EvaluationInvalid) as caught:
        bad.validate()
    assert list(caught.value.errors) == ["weight_kg"]


def test_validate_rejects_hypertension_without_control_status():
    bad = Evaluation(indications=(PresentingIndication(Indication.GAD),),
                     medical_history=MedicalHistory(hypertension=True))
    with pytest.raises(EvaluationInvalid) as caught:
        bad.validate()
    assert "medical_history.hypertension_controlled" in caught.value.errors


# -- ICD-10-CM ----------------------------------------------------------------------------------

@pytest.mark.parametrize("code, normalized", [
    ("F33.2", "F33.2"), ("F32.A", "F32.A"), ("R45.851", "R45.851"), ("F41.1", "F41.1"),
    ("A00", "A00"), ("Z99", "Z99"), ("f3340", "F33.40"), ("S72.001A", "S72.001A"), ("M1A.0710", "M1A.0710"),
])
def test_well_formed_icd10cm_codes_are_accepted(code, normalized):
    assert is_valid_icd10cm_code(code)
    assert normalize_icd10cm_code(code) == normalized


@pytest.mark.parametrize("code", ["", "F3", "33.2", "F33.", "F33.12345", "FF3.2", "F3.32", "F33-2", "F33 2",
                                  "F33.2.1", None, 332, ["F33.2"]])
def test_malformed_icd10cm_codes_are_rejected(code):
    assert not is_valid_icd10cm_code(code)
    assert normalize_icd10cm_code(code) is None


def test_every_indication_has_an_entry_in_the_suggested_codes_table():
    assert set(SUGGESTED_CODES) == set(Indication)


@pytest.mark.parametrize("indication", list(Indication))
def test_suggested_codes_are_well_formed_and_cite_a_known_source(indication):
    for coding in SUGGESTED_CODES[indication]:
        assert normalize_icd10cm_code(coding.code) == coding.code
        assert coding.source in SOURCES
        assert coding.display


@pytest.mark.parametrize("indication, expected", [
    (Indication.MDD_WITH_SUICIDAL_IDEATION, {"R45.851", "F32.2", "F33.9"}),
    (Indication.BIPOLAR_DEPRESSION, {"F31.30", "F31.31", "F31.32", "F31.4", "F31.5", "F31.81"}),
    (Indication.PTSD, {"F43.10", "F43.11", "F43.12"}),
    (Indication.GAD, {"F41.1"}),
    (Indication.SOCIAL_ANXIETY, {"F40.10", "F40.11"}),
    (Indication.OCD, {"F42.2", "F42.9"}),
    (Indication.CHRONIC_PAIN, {"G89.21", "G89.29", "G89.4"}),
    (Indication.TREATMENT_RESISTANT_DEPRESSION, {"F32.0", "F32.A", "F33.40", "F33.42", "F33.8"}),
])
def test_suggested_codes_include_those_listed_in_clinical_reference(indication, expected):
    assert expected <= {c.code for c in SUGGESTED_CODES[indication]}


def test_chronic_pain_codes_are_flagged_for_verification_and_others_are_not():
    assert all(c.verify for c in SUGGESTED_CODES[Indication.CHRONIC_PAIN])
    assert not any(c.verify for c in SUGGESTED_CODES[Indication.PTSD])


def test_trd_has_no_icd_code_of_its_own_but_a_snomed_concept():
    assert "R45.851" not in {c.code for c in SUGGESTED_CODES[Indication.TREATMENT_RESISTANT_DEPRESSION]}
    assert TRD_SNOMED_CT.code == "1153570009" and TRD_SNOMED_CT.source in SOURCES
    assert SUGGESTED_CODES[Indication.OTHER] == ()
