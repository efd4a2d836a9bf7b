"""Dose arithmetic: mg/kg x weight, volume to draw, pump rate, esketamine devices."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.session import DoseInputError, DoseOrder, Product, compute_dose
from ketamine_clinic.clinical.session.dosing import DoseBasis

VIAL_10 = Product("Ketamine 10 mg/mL", D(10))
VIAL_50 = Product("Ketamine 50 mg/mL", D(50))


@pytest.mark.parametrize(
    "mg_per_kg, weight, minutes, bag_ml, product, dose_mg, draw_ml, rate_ml_h",
    [
        # 0.5 mg/kg over 40 min (apa-2017) in 100 mL: 100 mL / (40/60) h = 150 mL/h
        ("0.5", "70", 40, "100", VIAL_10, "35.0", "3.5", "150.0"),
        ("0.5", "72.5", 40, "100", VIAL_10, "36.3", "3.63", "150.0"),
        ("0.75", "80", 40, "100", VIAL_50, "60.0", "1.2", "150.0"),
        ("0.5", "68.3", 40, "50", VIAL_10, "34.2", "3.42", "75.0"),
        # 0.5 mg/kg in a 60 mL syringe over 45 min: 80.0 mL/h
        ("0.5", "90", 45, "60", VIAL_10, "45.0", "4.5", "80.0"),
        # 100 mL over 35 min = 171.428... -> 171.4 mL/h
        ("0.5", "70", 35, "100", VIAL_10, "35.0", "3.5", "171.4"),
    ],
)
def test_iv_mg_per_kg_dose_volume_and_pump_rate(mg_per_kg, weight, minutes, bag_ml, product, dose_mg, draw_ml, rate_ml_h):
    rule = DoseOrder(Route.IV, mg_per_kg=D(mg_per_kg), infusion_minutes=minutes, infusion_volume_ml=D(bag_ml),
                    source="apa-2017")
    plan = compute_dose(rule, D(weight), product)
    assert plan.dose_mg == D(dose_mg)
    assert plan.draw_volume_ml == D(draw_ml)
    assert plan.pump_rate_ml_per_h == D(rate_ml_h)
    assert plan.infusion_volume_ml == D(bag_ml)
    assert any("0.1 mL" in r and "clinic policy" in r for r in plan.rounding)
    assert any("0.1 mL/h" in r for r in plan.rounding)


def test_iv_without_bag_volume_pumps_the_drawn_volume():
    rule = DoseOrder(Route.IV, mg_per_kg=D("0.5"), infusion_minutes=40)
    plan = compute_dose(rule, D(70), VIAL_10)  # 35 mg = 3.5 mL over 40 min
    assert plan.infusion_volume_ml == D("3.5")
    assert plan.pump_rate_ml_per_h == D("5.3")  # 3.5 / (2/3) = 5.25 -> half up 5.3


def test_chronic_pain_rate_order_gives_total_dose_and_rate():
    # 1 mg/kg/h for 2 h at 70 kg = 140 mg (asra-2018 range 0.5-2 mg/kg/h)
    rule = DoseOrder(Route.IV, mg_per_kg_per_h=D(1), infusion_minutes=120, infusion_volume_ml=D(250), source="asra-2018")
    plan = compute_dose(rule, D(70), VIAL_50)
    assert plan.basis is DoseBasis.MG_PER_KG_PER_H
    assert plan.dose_mg == D("140.0")
    assert plan.draw_volume_ml == D("2.8")
    assert plan.pump_rate_ml_per_h == D("125.0")
    assert plan.rate_mg_per_kg_per_h == D(1)
    assert plan.rate_mg_per_h == D("70.0")


def test_im_dose_gives_volume_only():
    plan = compute_dose(DoseOrder(Route.IM, mg_per_kg=D("0.75"), source="kap-feasibility"), D(64), VIAL_50)
    assert plan.dose_mg == D("48.0")
    assert plan.draw_volume_ml == D("0.96")  # a 1 mL syringe's 0.01 mL steps hold 48 mg exactly
    assert plan.drawn_dose_mg == D("48.0") and not plan.drawn_differs
    assert plan.pump_rate_ml_per_h is None


def test_oral_fixed_dose_without_product_is_mg_only():
    plan = compute_dose(DoseOrder(Route.ORAL_SUBLINGUAL, fixed_mg=D(100), source="andrade-2019"), None, None)
    assert plan.dose_mg == D("100.0") and plan.draw_volume_ml is None


@pytest.mark.parametrize("mg, devices", [(28, 1), (56, 2), (84, 3)])
def test_esketamine_dose_is_whole_28_mg_devices(mg, devices):
    plan = compute_dose(DoseOrder(Route.ESKETAMINE_NASAL, fixed_mg=mg, source="spravato-pi"), None, None)
    assert plan.device_count == devices
    assert plan.dose_mg == D(mg)
    assert plan.device_spacing_min == 5
    assert "spravato-pi" in plan.sources


@pytest.mark.parametrize("mg", [30, 42, 112])
def test_esketamine_dose_not_whole_devices_or_over_three_refused(mg):
    with pytest.raises(DoseInputError) as err:
        compute_dose(DoseOrder(Route.ESKETAMINE_NASAL, fixed_mg=mg), None, None)
    assert err.value.field == "fixed_mg"
    assert "28" in err.value.message


def test_esketamine_per_kg_refused():
    with pytest.raises(DoseInputError) as err:
        DoseOrder(Route.ESKETAMINE_NASAL, mg_per_kg=D("0.5"))
    assert err.value.field == "fixed_mg"


@pytest.mark.parametrize(
    "kwargs, field",
    [
        (dict(mg_per_kg=D("-0.5"), infusion_minutes=40), "mg_per_kg"),
        (dict(mg_per_kg=D(0), infusion_minutes=40), "mg_per_kg"),
        (dict(mg_per_kg=float("nan"), infusion_minutes=40), "mg_per_kg"),
        (dict(mg_per_kg=float("inf"), infusion_minutes=40), "mg_per_kg"),
        (dict(mg_per_kg="half", infusion_minutes=40), "mg_per_kg"),
        (dict(mg_per_kg=True, infusion_minutes=40), "mg_per_kg"),
        (dict(mg_per_kg=D("1e300"), infusion_minutes=40), "mg_per_kg"),
        (dict(mg_per_kg=D("0.5"), infusion_minutes=40, infusion_volume_ml=D("1e50")), "infusion_volume_ml"),
        (dict(mg_per_kg=D("0.5")), "infusion_minutes"),
        (dict(mg_per_kg=D("0.5"), infusion_minutes=0), "infusion_minutes"),
        (dict(mg_per_kg=D("0.5"), infusion_minutes=40.5), "infusion_minutes"),
        (dict(mg_per_kg=D("0.5"), fixed_mg=D(35), infusion_minutes=40), "dose"),
        (dict(infusion_minutes=40), "dose"),
        (dict(mg_per_kg=D("0.5"), infusion_minutes=40, source="made-up"), "source"),
    ],
)
def test_bad_dose_rule_refused_with_field(kwargs, field):
    with pytest.raises(DoseInputError) as err:
        DoseOrder(Route.IV, **kwargs)
    assert err.value.field == field
    assert err.value.message


@pytest.mark.parametrize("weight", [None, -70, 0, float("nan"), "seventy", 1, 500])
def test_bad_weight_for_mg_per_kg_refused(weight):
    rule = DoseOrder(Route.IV, mg_per_kg=D("0.5"), infusion_minutes=40)
    with pytest.raises(DoseInputError) as err:
        compute_dose(rule, weight, VIAL_10)
    assert err.value.field == "weight_kg"


@pytest.mark.parametrize("conc", [0, -10, 250, None, D("1e-88"), "abc"])
def test_bad_concentration_refused(conc):
    with pytest.raises(DoseInputError) as err:
        Product("bad", conc)
    assert err.value.field == "concentration_mg_per_ml"


def test_bag_smaller_than_drawn_volume_refused():
    rule = DoseOrder(Route.IV, mg_per_kg=D("0.5"), infusion_minutes=40, infusion_volume_ml=D(2))
    with pytest.raises(DoseInputError) as err:
        compute_dose(rule, D(70), VIAL_10)  # 3.5 mL to draw
    assert err.value.field == "infusion_volume_ml"


def test_too_strong_product_for_a_small_dose_refused():
    # with a 0.1 mL syringe, 0.15 mL of 100 mg/mL rounds to 0.2 mL = 20 mg for a 15 mg dose: 33% off
    with pytest.raises(DoseInputError) as err:
        compute_dose(DoseOrder(Route.IM, mg_per_kg=D("0.25")), D(60), Product("100 mg/mL", D(100)), TENTH_ML_SYRINGE)
    assert err.value.field == "product"
    assert "weaker concentration" in err.value.message


def test_iv_without_product_refused():
    with pytest.raises(DoseInputError) as err:
        compute_dose(DoseOrder(Route.IV, mg_per_kg=D("0.5"), infusion_minutes=40), D(70), None)
    assert err.value.field == "product"


TENTH_ML_SYRINGE = {"session.dose.volume_increment_ml": D("0.1")}


def test_clinic_rounding_policy_applies():
    rule = DoseOrder(Route.IM, mg_per_kg=D("0.5"))
    plan = compute_dose(rule, D("72.5"), VIAL_10, policy={"session.dose.volume_increment_ml": D("0.05")})
    assert plan.draw_volume_ml == D("3.65")  # 36.3 mg / 10 = 3.63 -> 3.65


weights = st.decimals(min_value=D(30), max_value=D(250), places=1)
mg_per_kg = st.decimals(min_value=D("0.1"), max_value=D("1.0"), places=2)
concentrations = st.sampled_from([D(1), D(2), D(10), D(50), D(100)])
minutes = st.integers(min_value=10, max_value=240)
bag_volumes = st.sampled_from([D(50), D(100), D(250), D(500)])


@settings(max_examples=300)
@given(weights, mg_per_kg, concentrations)
def test_property_volume_times_concentration_is_dose_within_rounding(weight, per_kg, conc):
    try:
        plan = compute_dose(DoseOrder(Route.IM, mg_per_kg=per_kg), weight, Product("p", conc), TENTH_ML_SYRINGE)
    except DoseInputError as err:  # refused only when 0.1 mL steps miss the dose by more than 5%
        assert err.field == "product"
        dose = (per_kg * weight).quantize(D("0.1"), rounding="ROUND_HALF_UP")
        drawn = (dose / conc).quantize(D("0.1"), rounding="ROUND_HALF_UP") * conc
        assert abs(drawn - dose) / dose > D("0.05")
        return
    assert abs(plan.drawn_dose_mg - plan.dose_mg) <= plan.dose_mg * D("0.05")
    assert abs(plan.dose_mg - per_kg * weight) <= D("0.05")  # dose rounded to 0.1 mg
    assert plan.drawn_dose_mg == plan.draw_volume_ml * conc
    assert abs(plan.drawn_dose_mg - plan.dose_mg) <= conc * D("0.05")  # volume rounded to 0.1 mL
    assert plan.draw_volume_ml == plan.draw_volume_ml.quantize(D("0.1"))


@settings(max_examples=300)
@given(st.decimals(min_value=D(40), max_value=D(250), places=1), st.decimals(min_value=D("0.3"), max_value=D(1), places=2),
       minutes, bag_volumes)
def test_property_rate_times_duration_is_bag_volume_within_rounding(weight, per_kg, mins, bag):
    rule = DoseOrder(Route.IV, mg_per_kg=per_kg, infusion_minutes=mins, infusion_volume_ml=bag)
    plan = compute_dose(rule, weight, VIAL_10)
    hours = D(mins) / 60
    assert abs(plan.pump_rate_ml_per_h * hours - bag) <= D("0.05") * hours + D("1e-9")  # rate to 0.1 mL/h
    assert plan.pump_rate_ml_per_h == plan.pump_rate_ml_per_h.quantize(D("0.1"))
    assert plan.draw_volume_ml <= bag


@given(st.integers(min_value=1, max_value=3))
def test_property_esketamine_total_is_devices_times_28(devices):
    plan = compute_dose(DoseOrder(Route.ESKETAMINE_NASAL, fixed_mg=28 * devices), None, None)
    assert plan.device_count * 28 == plan.dose_mg


junk = st.one_of(st.none(), st.booleans(), st.text(max_size=5), st.integers(-1000, 1000),
                 st.floats(allow_nan=True, allow_infinity=True), st.decimals(allow_nan=True, allow_infinity=True))


@settings(max_examples=500)
@given(junk, junk)
def test_property_any_weight_or_concentration_gives_a_plan_or_a_field_error(weight, conc):
    try:
        product = Product("p", conc)
        plan = compute_dose(DoseOrder(Route.IM, mg_per_kg=D("0.5")), weight, product)
    except DoseInputError as err:
        assert err.field in {"weight_kg", "concentration_mg_per_ml", "product"} and err.message
    else:
        assert plan.draw_volume_ml > 0
