"""Answer validation: per-item errors for missing, unknown, wrong type, out of range, skip logic."""

import pytest

from ketamine_clinic.clinical.instruments import AnswerValidationError, validate_answers


def phq9(**overrides):
    answers = {f"phq9-{n}": 0 for n in range(1, 10)}
    answers.update({k.replace("_", "-"): v for k, v in overrides.items()})
    return answers


def errors_of(key, answers, partial=False):
    with pytest.raises(AnswerValidationError) as exc:
        validate_answers(key, answers, partial=partial)
    assert isinstance(exc.value, ValueError)
    return exc.value.errors


def test_valid_complete_answers_are_returned_in_item_order():
    answers = dict(reversed(list(phq9().items())))
    assert list(validate_answers("phq9", answers)) == [f"phq9-{n}" for n in range(1, 10)]


def test_missing_item_is_reported_per_link_id():
    answers = phq9()
    del answers["phq9-4"]
    assert errors_of("phq9", answers) == {"phq9-4": ["Missing answer."]}


def test_blank_value_counts_as_missing():
    assert "phq9-4" in errors_of("phq9", phq9(phq9_4=None))


def test_partial_accepts_missing_answers():
    assert validate_answers("phq9", {"phq9-1": 2}, partial=True) == {"phq9-1": 2}


def test_partial_still_rejects_out_of_range():
    assert "phq9-1" in errors_of("phq9", {"phq9-1": 4}, partial=True)


@pytest.mark.parametrize("value", [4, -1, 27])
def test_out_of_range_value(value):
    errs = errors_of("phq9", phq9(phq9_3=value))
    assert list(errs) == ["phq9-3"]
    assert "Out of range" in errs["phq9-3"][0] and "0 to 3" in errs["phq9-3"][0]


@pytest.mark.parametrize("value", ["2", 2.0, 1.5, True, float("nan"), [1]])
def test_wrong_type_value(value):
    errs = errors_of("phq9", phq9(phq9_3=value))
    assert list(errs) == ["phq9-3"]
    assert "whole number" in errs["phq9-3"][0]


def test_unknown_item_is_reported():
    answers = phq9()
    answers["phq9-11"] = 1
    assert errors_of("phq9", answers) == {"phq9-11": ["Unknown item for Patient Health Questionnaire-9 (PHQ-9)."]}


def test_several_errors_are_reported_together():
    answers = phq9(phq9_1=9, phq9_2="x")
    del answers["phq9-9"]
    assert set(errors_of("phq9", answers)) == {"phq9-1", "phq9-2", "phq9-9"}


def test_answers_must_be_a_mapping():
    assert "answers" in errors_of("phq9", [("phq9-1", 1)])


def test_madrs_item_accepts_0_to_6_only():
    answers = {f"madrs-{n}": 6 for n in range(1, 11)}
    assert validate_answers("madrs", answers)["madrs-10"] == 6
    answers["madrs-10"] = 7
    assert "0 to 6" in errors_of("madrs", answers)["madrs-10"][0]


def test_cssrs_needs_booleans():
    errs = errors_of("cssrs", {"cssrs-1": 1, "cssrs-2": False, "cssrs-6": False})
    assert "yes or no" in errs["cssrs-1"][0]


def test_cssrs_q3_to_q5_must_be_blank_when_q2_is_no():
    errs = errors_of("cssrs", {"cssrs-1": True, "cssrs-2": False, "cssrs-3": False, "cssrs-6": False})
    assert list(errs) == ["cssrs-3"]
    assert "left blank" in errs["cssrs-3"][0]


def test_cssrs_q3_to_q5_required_when_q2_is_yes():
    errs = errors_of("cssrs", {"cssrs-1": True, "cssrs-2": True, "cssrs-6": False})
    assert set(errs) == {"cssrs-3", "cssrs-4", "cssrs-5"}
    assert "Required because cssrs-2 is Yes" in errs["cssrs-4"][0]


def test_cssrs_q3_to_q5_may_be_pending_in_a_partial_form():
    assert validate_answers("cssrs", {"cssrs-1": True, "cssrs-2": True}, partial=True) == {"cssrs-1": True, "cssrs-2": True}


def test_cssrs_q4_answered_before_q2_is_a_violation_even_in_partial():
    errs = errors_of("cssrs", {"cssrs-4": True}, partial=True)
    assert "before its gating question cssrs-2" in errs["cssrs-4"][0]


def test_cssrs_past_3_months_follow_up_required_only_when_q6_yes():
    assert "cssrs-6a" in errors_of("cssrs", {"cssrs-1": False, "cssrs-2": False, "cssrs-6": True})
    errs = errors_of("cssrs", {"cssrs-1": False, "cssrs-2": False, "cssrs-6": False, "cssrs-6a": True})
    assert "left blank" in errs["cssrs-6a"][0]


def test_cssrs_q2_no_with_q6_answered_is_complete():
    answers = {"cssrs-1": True, "cssrs-2": False, "cssrs-6": False}
    assert validate_answers("cssrs", answers) == answers


def test_error_carries_first_field_and_message():
    with pytest.raises(AnswerValidationError) as exc:
        validate_answers("gad7", {"gad7-1": 9}, partial=True)
    assert exc.value.field == "gad7-1"
    assert "Out of range" in exc.value.message
