"""Baseline rating scales required at intake, by indication and PHQ-9 item 9."""

import pytest

from ketamine_clinic.clinical.eligibility import (
    INSTRUMENT_KEYS,
    EligibilityInputError,
    Indication,
    baseline_measures_required,
)
from ketamine_clinic.clinical.eligibility.baseline import REQUIREMENT_SOURCES
from ketamine_clinic.clinical.sources import SOURCES

I = Indication


def keys(indications, phq9_item9=None):
    return [key for key, _ in baseline_measures_required(indications, phq9_item9)]


@pytest.mark.parametrize("indications, expected", [
    ([I.TREATMENT_RESISTANT_DEPRESSION], ["phq9"]),
    ([I.BIPOLAR_DEPRESSION], ["phq9"]),
    ([I.MDD_WITH_SUICIDAL_IDEATION], ["phq9", "cssrs"]),
    ([I.GAD], ["gad7"]),
    ([I.SOCIAL_ANXIETY], ["gad7"]),
    ([I.GAD, I.SOCIAL_ANXIETY], ["gad7"]),
    ([I.PTSD], ["pcl5"]),
    ([I.CHRONIC_PAIN], ["pain_nrs"]),
    ([I.OCD], ["ybocs"]),
    ([I.OTHER], []),
    ([], []),
    ([I.OCD, I.PTSD, I.TREATMENT_RESISTANT_DEPRESSION, I.CHRONIC_PAIN], ["phq9", "pcl5", "pain_nrs", "ybocs"]),
    (["ptsd", "gad"], ["gad7", "pcl5"]),
])
def test_instruments_follow_the_indications(indications, expected):
    assert keys(indications) == expected


@pytest.mark.parametrize("item9, wants_cssrs", [(None, False), (0, False), (1, True), (2, True), (3, True)])
def test_phq9_item9_of_one_or_more_requires_cssrs(item9, wants_cssrs):
    assert ("cssrs" in keys([I.PTSD], item9)) is wants_cssrs


def test_cssrs_is_listed_once_with_both_reasons():
    measures = baseline_measures_required([I.MDD_WITH_SUICIDAL_IDEATION], 2)
    (cssrs,) = [m for m in measures if m.instrument_key == "cssrs"]
    assert "PHQ-9 item 9 is 2" in cssrs.reason and "suicidal ideation" in cssrs.reason


def test_measures_are_key_and_reason_pairs():
    (measure,) = baseline_measures_required([I.TREATMENT_RESISTANT_DEPRESSION])
    key, reason = measure
    assert key == "phq9" and "treatment-resistant depression" in reason


@pytest.mark.parametrize("indications, item9, field", [
    (["insomnia"], None, "indications[0]"),
    ("ptsd", None, "indications"),
    (None, None, "indications"),
    ([I.PTSD], 4, "phq9_item9"),
    ([I.PTSD], -1, "phq9_item9"),
    ([I.PTSD], True, "phq9_item9"),
    ([I.PTSD], "1", "phq9_item9"),
    ([I.PTSD], 1.0, "phq9_item9"),
])
def test_bad_input_raises_a_field_error(indications, item9, field):
    with pytest.raises(EligibilityInputError) as caught:
        baseline_measures_required(indications, item9)
    assert caught.value.field == field


def test_every_required_instrument_has_a_known_key_and_source():
    assert set(REQUIREMENT_SOURCES) <= set(INSTRUMENT_KEYS)
    assert all(source in SOURCES for source in REQUIREMENT_SOURCES.values())
    everything = keys(list(Indication), 3)
    assert set(everything) == set(REQUIREMENT_SOURCES)
