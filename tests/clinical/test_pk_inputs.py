"""Bad input to the PK engine gives a PKInputError naming the field, never a crash."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketamine_clinic.clinical.pk import Dose, PKInputError, population, predict, tci

GOOD = dict(model="clements-1981", weight_kg=70, age_years=40, sex="female",
            doses=[Dose("iv", 35, 0, 40)], times_min=[0, 40, 60])


def call(**changes):
    return predict(**{**GOOD, **changes})


@pytest.mark.parametrize("changes, field", [
    ({"model": "marsh"}, "model"),
    ({"model": None}, "model"),
    ({"weight_kg": 0}, "weight_kg"),
    ({"weight_kg": -70}, "weight_kg"),
    ({"weight_kg": 1e-300}, "weight_kg"),
    ({"weight_kg": 401}, "weight_kg"),
    ({"weight_kg": math.nan}, "weight_kg"),
    ({"weight_kg": math.inf}, "weight_kg"),
    ({"weight_kg": None}, "weight_kg"),
    ({"weight_kg": "70"}, "weight_kg"),
    ({"weight_kg": True}, "weight_kg"),
    ({"age_years": -1}, "age_years"),
    ({"age_years": 121}, "age_years"),
    ({"sex": "F"}, "sex"),
    ({"doses": "iv"}, "doses"),
    ({"doses": [Dose("rectal", 10, 0)]}, "doses[0].route"),
    ({"doses": [Dose("iv", 10, 0), Dose("esketamine_nasal", 28, 0)]}, "doses[1].route"),
    ({"doses": [Dose("iv", -5, 0)]}, "doses[0].mg"),
    ({"doses": [Dose("iv", math.nan, 0)]}, "doses[0].mg"),
    ({"doses": [Dose("iv", 1e300, 0)]}, "doses[0].mg"),
    ({"doses": [Dose("iv", 5, math.inf)]}, "doses[0].start_min"),
    ({"doses": [Dose("iv", 5, 0, -1)]}, "doses[0].duration_min"),
    ({"doses": [Dose("im", 5, 0, 10)]}, "doses[0].duration_min"),
    ({"doses": [{"route": "iv", "start_min": 0}]}, "doses[0].mg"),
    ({"doses": [42]}, "doses[0]"),
    ({"times_min": []}, "times_min"),
    ({"times_min": [0, math.nan]}, "times_min"),
    ({"times_min": [0, math.inf]}, "times_min"),
    ({"times_min": "0,1"}, "times_min"),
    ({"times_min": [[0, 1]]}, "times_min"),
    ({"times_min": [0, "x"]}, "times_min"),
])
def test_bad_input_names_the_field(changes, field):
    with pytest.raises(PKInputError) as error:
        call(**changes)
    assert error.value.field == field
    assert error.value.message and isinstance(error.value, ValueError)


@pytest.mark.parametrize("mg", [20, 30, 0])
def test_esketamine_nasal_dose_must_be_whole_devices(mg):
    with pytest.raises(PKInputError) as error:
        predict("perez-ruixo-2021", 70, 40, "male", [Dose("esketamine_nasal", mg, 0)], [0, 60])
    assert error.value.field == "doses[0].mg"


def test_esketamine_above_label_84_mg_warns():
    p = predict("perez-ruixo-2021", 70, 40, "male", [Dose("esketamine_nasal", 112, 0)], [0, 60])
    assert any("84 mg" in w for w in p.warnings)


@pytest.mark.parametrize("weight_kg, age_years, expected", [
    (70, 40, 0), (30, 40, 1), (130, 40, 1), (70, 10, 1), (70, 70, 1), (30, 70, 2),
])
def test_weight_or_age_outside_validated_range_warns_but_predicts(weight_kg, age_years, expected):
    p = call(weight_kg=weight_kg, age_years=age_years)
    assert sum("validated" in w for w in p.warnings) == expected
    assert np.all(np.isfinite(p.concentration_ng_ml))


def test_dose_dicts_from_json_are_accepted():
    p = call(doses=[{"route": "iv", "mg": 35, "start_min": 0, "duration_min": 40}])
    assert p.peak()[0] == 40


def test_bioavailability_override_must_be_a_fraction_of_a_known_route():
    with pytest.raises(PKInputError) as error:
        call(doses=[Dose("oral", 25, 0)], bioavailability={"oral": 1.5})
    assert error.value.field == "bioavailability.oral"
    with pytest.raises(PKInputError) as error:
        call(bioavailability={"rectal": 0.3})
    assert error.value.field == "bioavailability.rectal"
    low = call(doses=[Dose("oral", 25, 0)], bioavailability={"oral": 0.1}).concentration_ng_ml
    high = call(doses=[Dose("oral", 25, 0)], bioavailability={"oral": 0.2}).concentration_ng_ml
    assert np.allclose(high, 2 * low)


@pytest.mark.parametrize("changes, field", [
    ({"target_ng_ml": 0}, "target_ng_ml"),
    ({"target_ng_ml": math.nan}, "target_ng_ml"),
    ({"duration_min": -1}, "duration_min"),
    ({"duration_min": math.inf}, "duration_min"),
    ({"max_rate_mg_per_min": 0}, "max_rate_mg_per_min"),
    ({"update_s": 0}, "update_s"),
    ({"update_s": 2.5}, "update_s"),
    ({"weight_kg": 0}, "weight_kg"),
])
def test_bad_tci_input_names_the_field(changes, field):
    args = {"model": "domino-1984", "weight_kg": 70, "target_ng_ml": 200, "duration_min": 40,
            "age_years": 40, "sex": "male", **changes}
    with pytest.raises(PKInputError) as error:
        tci(**args)
    assert error.value.field == field


@pytest.mark.parametrize("changes, field", [({"n": 0}, "n"), ({"n": 10**6}, "n"), ({"seed": -1}, "seed"),
                                            ({"n": 10_000, "times_min": np.arange(5000.0)}, "times_min")])
def test_bad_population_input_names_the_field(changes, field):
    with pytest.raises(PKInputError) as error:
        population(**{**GOOD, **changes})
    assert error.value.field == field


@settings(max_examples=200, deadline=None)
@given(weight=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none(), st.text(max_size=3)),
       mg=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10**6)),
       times=st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=5),
       start=st.floats(allow_nan=True, allow_infinity=True, width=32))
def test_arbitrary_input_either_predicts_finite_values_or_raises_pk_input_error(weight, mg, start, times):
    try:
        p = call(weight_kg=weight, doses=[Dose("iv", mg, start, 1.0)], times_min=times)
    except PKInputError:
        return
    assert np.all(np.isfinite(p.concentration_ng_ml)) and np.all(p.concentration_ng_ml >= 0)
