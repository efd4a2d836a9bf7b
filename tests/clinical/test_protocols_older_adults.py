"""The older-adult esketamine dose rule: a 28 mg first dose and floor from the clinic's age (clinic policy)."""

from decimal import Decimal

import pytest

from ketamine_clinic.clinical.protocols import PROTOCOLS, for_patient_age, validate_dose
from ketamine_clinic.clinical.protocols.older_adults import AGE_KEY, FIRST_DOSE_KEY, SETTINGS
from ketamine_clinic.clinical.sources import CLINIC_POLICY

TRD = PROTOCOLS["esketamine-trd"]
ASI = PROTOCOLS["esketamine-mdd-suicidal-ideation"]


@pytest.mark.parametrize("age", [None, 18, 45, 64])
def test_younger_adults_keep_the_label_rule(age):
    assert for_patient_age(TRD, age) is TRD
    assert validate_dose(TRD, 1, session_number=1) is not None  # 28 mg refused on day 1 under 65


@pytest.mark.parametrize("age", [65, 66, 80, 99])
def test_from_65_the_trd_first_dose_and_floor_are_one_device(age):
    older = for_patient_age(TRD, age)
    rule = older.dose_rule
    assert (rule.first_session_dose, rule.minimum, rule.maximum) == (Decimal(1), Decimal(1), Decimal(3))
    assert validate_dose(older, 1, session_number=1) is None
    assert validate_dose(older, 2, session_number=1) is not None  # day 1 is fixed at the older-adult dose
    assert validate_dose(older, 3) is None and validate_dose(older, 4) is not None
    assert TRD.dose_rule.minimum == Decimal(2)  # the shipped protocol itself is untouched


def test_the_suicidal_ideation_protocol_keeps_84_mg_default_but_allows_28():
    older = for_patient_age(ASI, 70)
    assert older.dose_rule.default == Decimal(3) and older.dose_rule.first_session_dose is None
    assert validate_dose(older, 1) is None and validate_dose(ASI, 1) is not None


@pytest.mark.parametrize("key", ["iv-racemic-induction", "im-series", "oral-sublingual-in-clinic"])
def test_other_routes_are_never_changed(key):
    assert for_patient_age(PROTOCOLS[key], 90) is PROTOCOLS[key]


def test_the_clinic_sets_the_age_and_the_first_dose():
    assert for_patient_age(TRD, 68, {AGE_KEY: 70}) is TRD
    two = for_patient_age(TRD, 72, {AGE_KEY: 70, FIRST_DOSE_KEY: 2})
    assert (two.dose_rule.first_session_dose, two.dose_rule.minimum) == (Decimal(2), Decimal(2))


def test_both_settings_are_labelled_clinic_policy_until_verified():
    assert {s.key for s in SETTINGS} == {AGE_KEY, FIRST_DOSE_KEY}
    assert all(s.source == CLINIC_POLICY and "verify" in s.description for s in SETTINGS)
