"""Spravato REMS Patient Monitoring Form: versioned schema, values from the session, missing fields."""

from datetime import date, datetime, timedelta, timezone

import pytest

from ketamine_clinic.clinical.session import (
    CURRENT_SCHEMA, SCHEMAS, FieldType, RemsFormInputError, RemsSessionFacts, VitalSigns, build_rems_form,
    rems_form_due_date,
)
from ketamine_clinic.clinical.sources import SOURCES

FIRST_DEVICE = datetime(2025, 3, 10, 14, 0, tzinfo=timezone.utc)


def complete_facts(**changes) -> RemsSessionFacts:
    base = dict(
        patient_name="Ada Patient", patient_dob=date(1980, 5, 17), patient_sex="female",
        first_treatment=False, patient_enrolled=True,
        concomitant={"benzodiazepines": False, "non_benzodiazepine_sedative_hypnotics": False,
                     "psychostimulants": True, "maois": False, "opioids": False},
        clinician_name="Nurse Bea", clinician_phone="+1 555 0100", clinician_email="bea@clinic.example",
        setting_name="Clinic Downtown", setting_address="1 Main St, Springfield",
        treatment_date=date(2025, 3, 10), dose_mg=84, lot_numbers=("A123", "A124"),
        first_device_at=FIRST_DEVICE, monitoring_end_at=FIRST_DEVICE + timedelta(minutes=125),
        ready_without_minimum_min=90, vitals_acceptable_before_dosing=True, vitals_acceptable_before_completion=True,
        bp_before_dosing=VitalSigns(systolic_mmhg=128, diastolic_mmhg=80),
        bp_at_40_min=VitalSigns(systolic_mmhg=142, diastolic_mmhg=88),
        bp_before_completion=VitalSigns(systolic_mmhg=130, diastolic_mmhg=82),
        sedation=True, dissociation=True, respiratory_depression=False, serious_adverse_events=False,
    )
    return RemsSessionFacts(**{**base, **changes})


def test_complete_session_fills_every_required_field():
    draft = build_rems_form(complete_facts())
    assert draft.complete and draft.missing_required == []
    assert draft.problems == []
    assert draft.schema_version == CURRENT_SCHEMA.version
    assert draft.values["dose"] == "84"
    assert draft.values["total_monitoring_min"] == 125
    assert draft.values["bp_at_40_min"] == "142/88"
    assert draft.values["concomitant_psychostimulants"] == "yes"
    assert draft.values["lot_numbers"] == "A123, A124"
    assert draft.values["treatment_date"] == "2025-03-10"


def test_due_date_is_treatment_date_plus_seven_days():
    assert build_rems_form(complete_facts()).due_date == date(2025, 3, 17)
    assert rems_form_due_date(date(2025, 12, 28)) == date(2026, 1, 4)


@pytest.mark.parametrize(
    "changes, missing",
    [
        (dict(patient_name=None), ["patient_name"]),
        (dict(patient_name="  "), ["patient_name"]),
        (dict(bp_at_40_min=None, sedation=None), ["bp_at_40_min", "sedation"]),
        (dict(concomitant={}), ["concomitant_benzodiazepines", "concomitant_non_benzodiazepine_sedative_hypnotics",
                                "concomitant_psychostimulants", "concomitant_maois", "concomitant_opioids"]),
        (dict(monitoring_end_at=None), ["total_monitoring_min"]),
        (dict(dose_mg=None), ["dose"]),
        (dict(serious_adverse_events=True), ["serious_adverse_event_description"]),
    ],
)
def test_missing_required_fields_listed(changes, missing):
    draft = build_rems_form(complete_facts(**changes))
    assert draft.missing_required == missing
    assert not draft.complete


def test_other_dose_needs_its_mg():
    draft = build_rems_form(complete_facts(dose_mg=28))
    assert draft.values["dose"] == "other" and draft.values["dose_other_mg"] == 28
    assert draft.complete


def test_monitoring_under_120_min_is_a_problem():
    draft = build_rems_form(complete_facts(monitoring_end_at=FIRST_DEVICE + timedelta(minutes=119)))
    assert draft.values["total_monitoring_min"] == 119
    assert any("120" in p for p in draft.problems)


def test_older_schema_has_no_opioid_question():
    v1 = SCHEMAS["pmf_v1"]
    facts = complete_facts(concomitant={"benzodiazepines": False, "non_benzodiazepine_sedative_hypnotics": False,
                                        "psychostimulants": False, "maois": False})
    draft = build_rems_form(facts, v1)
    assert draft.complete and "concomitant_opioids" not in draft.values
    with pytest.raises(RemsFormInputError) as err:
        build_rems_form(complete_facts(), v1)  # opioids answer has no field in pmf_v1
    assert err.value.field == "concomitant"


def test_schema_covers_every_clinical_md_field():
    keys = {f.key for f in CURRENT_SCHEMA.fields}
    assert {
        "patient_name", "patient_dob", "patient_sex", "first_treatment", "patient_enrolled",
        "concomitant_benzodiazepines", "concomitant_non_benzodiazepine_sedative_hypnotics",
        "concomitant_psychostimulants", "concomitant_maois", "concomitant_opioids",
        "clinician_name", "clinician_phone", "clinician_email", "setting_name", "setting_address",
        "treatment_date", "dose", "dose_other_mg", "lot_numbers", "total_monitoring_min",
        "ready_without_minimum_min", "vitals_acceptable_before_dosing", "vitals_acceptable_before_completion",
        "bp_before_dosing", "bp_at_40_min", "bp_before_completion", "sedation", "dissociation",
        "respiratory_depression", "serious_adverse_events",
    } <= keys
    assert CURRENT_SCHEMA.source in SOURCES
    for f in CURRENT_SCHEMA.fields:
        assert f.label and isinstance(f.type, FieldType)
        if f.type is FieldType.YES_NO:
            assert f.allowed_values == ("yes", "no")
    assert CURRENT_SCHEMA.field("dose").allowed_values == ("56", "84", "other")


@pytest.mark.parametrize(
    "changes, field",
    [
        (dict(first_treatment="yes"), "first_treatment"),
        (dict(patient_dob="1980-05-17"), "patient_dob"),
        (dict(dose_mg=-56), "dose_mg"),
        (dict(monitoring_end_at=FIRST_DEVICE - timedelta(minutes=1)), "monitoring_end_at"),
        (dict(bp_before_dosing="128/80"), "bp_before_dosing"),
        (dict(concomitant={"cannabis": True}), "concomitant"),
    ],
)
def test_wrong_types_refused(changes, field):
    with pytest.raises(RemsFormInputError) as err:
        build_rems_form(complete_facts(**changes))
    assert err.value.field == field
