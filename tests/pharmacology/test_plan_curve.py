"""The plan screen shows the predicted curve for the prescribed dose (issue 7, item 4)."""

from decimal import Decimal

import pytest

from ketamine_clinic.clinic_settings import change_setting
from ketamine_clinic.pharmacology.curves import dose_mg, predicted_curve

from tests.support.people import ctx_for


def test_plan_page_shows_peak_and_time_above_the_clinic_ceiling(client_for, prescriber, draft):
    body = client_for(prescriber).get(f"/plans/{draft().public_id}/").content.decode()
    assert "Predicted plasma level" in body and "<svg" in body
    assert "Expected peak" in body and "at 40 min" in body  # 0.5 mg/kg over 40 min peaks at the end of the infusion
    assert "35.0 mg" in body  # 0.5 mg/kg x 70 kg


def test_the_ceiling_is_the_clinics_setting(org, clinic_admin, patient):
    change_setting(ctx_for(clinic_admin), "pk.display.ceiling_ng_ml", 100, "local policy")
    curve = predicted_curve(org, route="iv", unit="mg/kg", amount=Decimal("0.5"), duration_min=40, weight_kg=70, age_years=40, sex="female")
    assert curve.ceiling_ng_ml == 100 and curve.minutes_above > 30


def test_front_desk_sees_the_plan_but_not_the_curve(client_for, front_desk, draft):
    body = client_for(front_desk).get(f"/plans/{draft().public_id}/").content.decode()
    assert "Predicted plasma level" not in body


@pytest.mark.parametrize(
    "unit,amount,weight,duration,expected",
    [("mg", "25", None, None, 25.0), ("devices", "2", None, None, 56.0), ("mg/kg", "0.5", 80, 40, 40.0),
     ("mg/kg", "0.5", None, 40, None), ("mg/kg/h", "1", 60, 120, 120.0)],
)
def test_dose_in_mg_for_each_dose_unit(unit, amount, weight, duration, expected):
    assert dose_mg(unit, Decimal(amount), weight, duration) == expected


def test_no_weight_means_no_curve_but_a_clear_message(org):
    curve = predicted_curve(org, route="im", unit="mg/kg", amount=Decimal("0.5"), duration_min=None, weight_kg=None, age_years=40, sex="male")
    assert curve.svg == "" and "weight" in curve.problem


def test_an_oral_sublingual_plan_curve_carries_the_measured_peak_beside_the_model(org):
    curve = predicted_curve(org, route="oral_sublingual", unit="mg", amount=Decimal("25"), duration_min=None, weight_kg=70, age_years=40, sex="male")
    assert [d["source"] for d in curve.low_confidence] == ["chong-2006"]
    assert curve.low_confidence[0]["scaled_range_ng_ml"] == pytest.approx([22.0, 35.2])
