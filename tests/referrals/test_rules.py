"""The pure rules: the status flow and the parsing of the lists a referrer types."""

import pytest

from ketamine_clinic.referrals import rules


@pytest.mark.parametrize("start, to, allowed", [
    ("new", "contacted", True), ("new", "scheduled", True), ("new", "declined", True),
    ("contacted", "scheduled", True), ("scheduled", "contacted", True), ("scheduled", "declined", True),
    ("new", "registered", False), ("contacted", "new", False), ("registered", "declined", False),
    ("declined", "contacted", False),
])
def test_status_flow(start, to, allowed):
    assert rules.may_move(start, to) is allowed


@pytest.mark.parametrize("text, codes, problems", [
    ("F33.1 Major depressive disorder", ["F33.1"], 0),
    ("f331, recurrent", ["F33.1"], 0),
    ("F41.1\n\nF43.10 PTSD", ["F41.1", "F43.10"], 0),
    ("depression", [], 1),
    ("F3 too short", [], 1),
])
def test_diagnoses_need_an_icd10cm_code_first(text, codes, problems):
    found, errors = rules.parse_diagnoses(text)
    assert [d["code"] for d in found] == codes and len(errors) == problems


def test_a_trial_line_is_drug_dose_weeks_outcome():
    found, errors = rules.parse_trials("escitalopram, 20 mg, 8, No response\nsertraline, 150, 10, partial")
    assert errors == []
    assert found[0] == {"drug": "escitalopram", "dose_mg_per_day": "20", "weeks": 8, "outcome": "no_response"}
    assert found[1]["outcome"] == "partial"


@pytest.mark.parametrize("line", ["escitalopram 20 8 none", "escitalopram, lots, 8, none", "escitalopram, 20, ten, none",
                                  "escitalopram, 20, 8, cured", "escitalopram, 0, 8, none"])
def test_a_bad_trial_line_is_refused_with_its_line_number(line):
    found, errors = rules.parse_trials(line)
    assert found == [] and errors[0].startswith("Line 1:")


def test_lists_are_capped():
    _, errors = rules.parse_medications("\n".join(f"drug{i} 1 mg" for i in range(rules.MAX_LINES + 1)))
    assert errors == [f"At most {rules.MAX_LINES} medications, one per line."]
