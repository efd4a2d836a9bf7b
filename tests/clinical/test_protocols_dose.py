"""Doses outside a protocol's allowed range are refused with a message naming the field."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketamine_clinic.clinical.protocols import (
    PROTOCOLS,
    DoseUnit,
    ProtocolError,
    esketamine_dose_mg,
    get_protocol,
    validate_dose,
)
from ketamine_clinic.clinical.sources import SOURCES

IV = get_protocol("iv-racemic-induction")
ESK = get_protocol("esketamine-trd")
PAIN = get_protocol("iv-chronic-pain")
KAP = get_protocol("ketamine-assisted-psychotherapy")


@pytest.mark.parametrize("dose, allowed", [
    (Decimal("0.5"), True), (0.5, True), ("0.75", True), (Decimal("0.1"), True), (1, False),
    (Decimal("0.76"), False), (0.05, False), (0, False), (-0.5, False),
])
def test_iv_induction_dose_range_is_enforced(dose, allowed):
    refusal = validate_dose(IV, dose)
    assert (refusal is None) is allowed
    if refusal:
        assert refusal.field == "dose" and refusal.message


@pytest.mark.parametrize("dose", [None, float("nan"), float("inf"), "abc", True, [0.5], object()])
def test_non_numeric_dose_is_refused_not_crashing(dose):
    refusal = validate_dose(IV, dose)
    assert refusal is not None and refusal.field == "dose"


def test_refusal_message_names_the_allowed_range_and_cites_the_source():
    refusal = validate_dose(IV, "1.0")
    assert "0.1 mg/kg" in refusal.message and "0.75 mg/kg" in refusal.message
    assert refusal.source == "apa-2017"


@pytest.mark.parametrize("devices, session_number, allowed", [
    (2, 1, True), (3, 1, False), (2, 2, True), (3, 2, True), (1, 2, False), (4, 2, False), (Decimal("2.5"), 2, False),
])
def test_esketamine_doses_are_whole_devices_56_or_84_mg_with_56_on_day_one(devices, session_number, allowed):
    refusal = validate_dose(ESK, devices, session_number=session_number)
    assert (refusal is None) is allowed


def test_esketamine_refusal_shows_milligrams():
    assert "112 mg" in validate_dose(ESK, 4).message
    assert "56 mg" in validate_dose(ESK, 3, session_number=1).message


@pytest.mark.parametrize("devices, mg", [(1, 28), (2, 56), (3, 84)])
def test_esketamine_dose_mg_is_devices_times_28(devices, mg):
    assert esketamine_dose_mg(devices) == mg


@pytest.mark.parametrize("devices", [0, -1, 2.0, None, True])
def test_esketamine_dose_mg_refuses_non_device_counts(devices):
    with pytest.raises(ProtocolError) as exc:
        esketamine_dose_mg(devices)
    assert exc.value.field == "devices"


@pytest.mark.parametrize("rate, weight_kg, duration_min, field", [
    ("0.5", 70, 150, None),      # 87.5 mg over 2.5 h
    ("2", 70, 121, None),
    ("2.5", 70, 150, "dose"),    # above 2 mg/kg/h
    ("0.4", 70, 150, "dose"),    # below 0.5 mg/kg/h
    ("0.5", 60, 150, "dose"),    # 75 mg total < 80 mg
    ("1", 70, 120, "infusion_duration_min"),  # must run MORE than 2 h
    ("1", 0, 150, "weight_kg"),
    ("1", 70, float("nan"), "infusion_duration_min"),
])
def test_chronic_pain_rate_total_and_duration_follow_asra(rate, weight_kg, duration_min, field):
    refusal = validate_dose(PAIN, rate, weight_kg=weight_kg, infusion_duration_min=duration_min)
    assert (refusal.field if refusal else None) == field


@pytest.mark.parametrize("bolus, allowed", [("0.35", True), ("0.2", True), ("0.36", False), (0, False)])
def test_chronic_pain_bolus_is_up_to_035_mg_per_kg(bolus, allowed):
    assert (validate_dose(PAIN, "1", bolus_mg_per_kg=bolus) is None) is allowed


@pytest.mark.parametrize("protocol, top_up, allowed", [
    (KAP, 20, True), (KAP, 40, True), (KAP, 50, False), (KAP, 10, False), (IV, 20, False),
])
def test_top_up_only_where_the_protocol_has_one_and_within_20_to_40_mg(protocol, top_up, allowed):
    refusal = validate_dose(protocol, "0.5", top_up_mg=top_up)
    assert (refusal is None) is allowed
    if refusal:
        assert refusal.field == "top_up_mg"


CONTINUOUS = [p for p in PROTOCOLS.values() if p.dose_rule.unit is not DoseUnit.DEVICES]


@given(protocol=st.sampled_from(CONTINUOUS), fraction=st.fractions(min_value=0, max_value=1))
def test_any_dose_within_the_range_is_accepted(protocol, fraction):
    rule = protocol.dose_rule
    dose = rule.minimum + (rule.maximum - rule.minimum) * Decimal(fraction.numerator) / Decimal(fraction.denominator)
    assert validate_dose(protocol, dose) is None


@given(protocol=st.sampled_from(CONTINUOUS), excess=st.decimals(min_value=Decimal("0.001"), max_value=1000, places=3))
def test_any_dose_above_the_maximum_is_refused(protocol, excess):
    refusal = validate_dose(protocol, protocol.dose_rule.maximum + excess)
    assert refusal is not None and refusal.field == "dose"
    assert refusal.source in SOURCES
