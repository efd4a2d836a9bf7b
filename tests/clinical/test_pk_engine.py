"""The exact PK solver: agreement with an independent ODE solution, linearity, dose expansion."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_clinic.clinical.pk import Dose, predict
from ketamine_clinic.clinical.pk.reference import reference_predict
from ketamine_clinic.clinical.pk.solver import solve
from ketamine_clinic.clinical.pk.structure import Input, System

REGIMENS = {
    "domino-1984": [Dose("iv", 10, 0), Dose("iv", 35, 5, 40), Dose("im", 20, 100), Dose("oral", 50, 200),
                    Dose("sublingual", 25, 300), Dose("intranasal", 30, 400)],
    "clements-1981": [Dose("iv", 20, 0, 10), Dose("iv", 15, 10, 30), Dose("iv", 5, 40, 20), Dose("im", 35, 180)],
    "hijazi-2003": [Dose("iv", 35, 0, 40), Dose("im", 30, 60), Dose("sublingual", 25, 60)],
    "herd-2007": [Dose("iv", 10, 0), Dose("iv", 20, 0, 10)],
    "perez-ruixo-2021": [Dose("esketamine_nasal", 84, 0), Dose("iv", 10, 100, 40), Dose("oral", 30, 300)],
}


def relative_error(exact: np.ndarray, reference: np.ndarray) -> float:
    floor = 1e-9 * np.abs(reference).max()  # below a billionth of the peak, compare absolutely
    return float((np.abs(exact - reference) / np.maximum(np.abs(reference), floor)).max())


@pytest.mark.parametrize("model", REGIMENS)
def test_exact_solution_agrees_with_solve_ivp_to_1e_6_relative(model):
    times = np.arange(0.0, 24 * 60.0 + 1, 2.0)
    weight = 25 if model == "herd-2007" else 70
    age = 8 if model == "herd-2007" else 70  # 70: exercises the esketamine hepatic-flow age covariate
    exact = predict(model, weight, age, "female", REGIMENS[model], times)
    reference = reference_predict(model, weight, age, "female", REGIMENS[model], times, rtol=1e-10, atol=1e-14)
    assert relative_error(exact.concentration_ng_ml, reference[0]) < 1e-6
    if exact.metabolite_ng_ml is not None:
        assert relative_error(exact.metabolite_ng_ml, reference[1]) < 1e-6


def test_uniform_and_irregular_time_grids_give_the_same_values():
    doses = REGIMENS["domino-1984"]
    uniform = np.arange(0.0, 600.0, 0.5)
    irregular = np.sort(np.concatenate([uniform, [0.123, 33.3, 599.9]]))
    a = predict("domino-1984", 70, 40, "male", doses, uniform).concentration_ng_ml
    b = predict("domino-1984", 70, 40, "male", doses, irregular).concentration_ng_ml
    assert np.allclose(a, b[np.isin(irregular, uniform)], rtol=1e-10, atol=0)


@settings(max_examples=30, deadline=None)
@given(mg_a=st.floats(0.1, 200), mg_b=st.floats(0.1, 200), start_b=st.floats(0, 300),
       duration_b=st.floats(0, 120))
def test_concentrations_superpose_linearly(mg_a, mg_b, start_b, duration_b):
    times = np.linspace(0, 600, 301)
    a = [Dose("iv", mg_a, 0.0, 40.0)]
    b = [Dose("iv", mg_b, start_b, duration_b)]
    ca = predict("clements-1981", 70, 40, "male", a, times).concentration_ng_ml
    cb = predict("clements-1981", 70, 40, "male", b, times).concentration_ng_ml
    both = predict("clements-1981", 70, 40, "male", a + b, times).concentration_ng_ml
    assert np.allclose(both, ca + cb, rtol=1e-9, atol=1e-9 * both.max())


@settings(max_examples=30, deadline=None)
@given(mg=st.floats(0.5, 500), weight=st.floats(30, 150))
def test_concentration_is_proportional_to_dose_and_non_negative(mg, weight):
    times = np.linspace(0, 1440, 145)
    one = predict("hijazi-2003", weight, 40, "male", [Dose("im", 1.0, 0.0)], times).concentration_ng_ml
    many = predict("hijazi-2003", weight, 40, "male", [Dose("im", mg, 0.0)], times).concentration_ng_ml
    assert np.all(many >= 0)
    assert np.allclose(many, mg * one, rtol=1e-9, atol=1e-12 * many.max())


def test_vanishingly_short_infusion_is_treated_as_a_bolus_not_an_infinite_rate():
    times = np.arange(0.0, 60.0, 1.0)
    tiny = predict("clements-1981", 70, 40, "male", [Dose("iv", 35, 0, 5e-324)], times).concentration_ng_ml
    bolus = predict("clements-1981", 70, 40, "male", [Dose("iv", 35, 0)], times).concentration_ng_ml
    assert np.all(np.isfinite(tiny)) and np.allclose(tiny, bolus, rtol=1e-9)


def test_short_infusion_approaches_the_bolus():
    times = np.arange(1.0, 120.0, 1.0)
    bolus = predict("clements-1981", 70, 40, "male", [Dose("iv", 35, 0)], times).concentration_ng_ml
    short = predict("clements-1981", 70, 40, "male", [Dose("iv", 35, 0, 1e-4)], times).concentration_ng_ml
    assert np.allclose(short, bolus, rtol=1e-4)


def test_bolus_into_central_compartment_gives_dose_over_v1_at_time_zero():
    p = predict("clements-1981", 70, 40, "male", [Dose("iv", 35, 10)], [0, 10])
    assert p.concentration_ng_ml[0] == 0.0
    assert p.concentration_ng_ml[1] == pytest.approx(35 / (1.7522 * 70) * 1000, rel=1e-12)


def test_times_are_returned_sorted_and_before_the_first_dose_are_zero():
    p = predict("domino-1984", 70, 40, "male", [Dose("iv", 35, 0, 40)], [60, -5, 0, 20])
    assert p.times_min.tolist() == [-5, 0, 20, 60]
    assert p.concentration_ng_ml[0] == 0.0 and p.concentration_ng_ml[1] == 0.0


def test_esketamine_devices_are_given_5_min_apart_with_later_devices_absorbing_less():
    times = np.arange(0, 15.01, 0.01)
    one = predict("perez-ruixo-2021", 70, 40, "male", [Dose("esketamine_nasal", 28, 0)], times)
    two = predict("perez-ruixo-2021", 70, 40, "male", [Dose("esketamine_nasal", 56, 0)], times)
    assert np.allclose(one.concentration_ng_ml[times < 5], two.concentration_ng_ml[times < 5], rtol=1e-12, atol=1e-12)
    later = predict("perez-ruixo-2021", 70, 40, "male", [Dose("esketamine_nasal", 28, 0),
                                                         Dose("esketamine_nasal", 28, 5)], times)
    assert np.all(two.concentration_ng_ml[times > 6] < later.concentration_ng_ml[times > 6])


def test_esketamine_has_noresketamine_and_racemic_models_have_no_metabolite():
    times = np.arange(0, 600, 5.0)
    esk = predict("perez-ruixo-2021", 70, 40, "male", [Dose("oral", 84, 0)], times)
    assert esk.metabolite_name == "noresketamine"
    assert esk.metabolite_ng_ml.max() > esk.concentration_ng_ml.max()  # first-pass formation
    racemic = predict("clements-1981", 70, 40, "male", [Dose("oral", 25, 0)], times)
    assert racemic.metabolite_ng_ml is None and racemic.metabolite_name is None
    assert any("norketamine" in w for w in racemic.warnings)


def test_older_patients_get_higher_esketamine_exposure_through_lower_hepatic_flow():
    times = np.arange(0, 1440, 10.0)
    young = predict("perez-ruixo-2021", 70, 50, "male", [Dose("iv", 28, 0, 40)], times).concentration_ng_ml
    old = predict("perez-ruixo-2021", 70, 80, "male", [Dose("iv", 28, 0, 40)], times).concentration_ng_ml
    assert np.trapezoid(old, times) > np.trapezoid(young, times)


def test_peak_and_time_above_threshold():
    times = np.array([0.0, 10.0, 20.0, 30.0])
    from ketamine_clinic.clinical.pk.engine import Prediction
    p = Prediction("x", times, np.array([0.0, 100.0, 200.0, 0.0]), None, None)
    assert p.peak() == (20.0, 200.0)
    assert p.time_above_min(100.0) == pytest.approx(10.0 + 5.0)
    assert p.time_above_min(300.0) == 0.0


def test_defective_rate_matrix_falls_back_to_the_matrix_exponential():
    # absorption rate equal to elimination rate: A is defective, C(t) = D k t exp(-k t) / V
    k, volume, dose = 0.05, 10.0, 5.0
    rate = np.array([k])
    system = System(("central", "depot"), ((0, None, rate), (1, 0, rate)), 0, np.array([volume]))
    times = np.linspace(0, 200, 81)
    y = solve(system, [Input("depot", dose, 0.0)], times)[0, 0]
    expected = dose * k * times * np.exp(-k * times) / volume * 1000
    assert np.allclose(y, expected, rtol=1e-9, atol=1e-12)


def test_to_dict_is_plain_json_values():
    import json
    p = predict("perez-ruixo-2021", 70, 40, "male", [Dose("esketamine_nasal", 56, 0)], range(0, 121, 10))
    data = json.loads(json.dumps(p.to_dict()))
    assert data["metabolite_name"] == "noresketamine"
    assert len(data["concentration_ng_ml"]) == 13
    assert math.isclose(data["peak"]["concentration_ng_ml"], p.peak()[1])
