"""Population view: seeded, ordered bands, published variability, labelled assumptions."""

import numpy as np
import pytest

from ketamine_clinic.clinical.pk import Dose, population, predict
from ketamine_clinic.clinical.pk.models import MODELS
from ketamine_clinic.clinical.pk.population import omega

TIMES = np.arange(0, 721, 5.0)


def test_same_seed_gives_the_same_band_and_other_seeds_differ():
    doses = [Dose("esketamine_nasal", 56, 0)]
    a = population("perez-ruixo-2021", 70, 40, "male", doses, TIMES, n=200, seed=7)
    b = population("perez-ruixo-2021", 70, 40, "male", doses, TIMES, n=200, seed=7)
    c = population("perez-ruixo-2021", 70, 40, "male", doses, TIMES, n=200, seed=8)
    assert np.array_equal(a.median_ng_ml, b.median_ng_ml)
    assert not np.array_equal(a.median_ng_ml, c.median_ng_ml)


@pytest.mark.parametrize("model, doses", [
    ("perez-ruixo-2021", [Dose("esketamine_nasal", 84, 0)]),
    ("clements-1981", [Dose("iv", 35, 0, 40)]),
    ("domino-1984", [Dose("im", 35, 0)]),
])
def test_band_is_ordered_and_brackets_the_typical_patient(model, doses):
    pop = population(model, 70, 40, "male", doses, TIMES, n=1000, seed=0)
    typical = predict(model, 70, 40, "male", doses, TIMES).concentration_ng_ml
    assert np.all(pop.p5_ng_ml <= pop.median_ng_ml) and np.all(pop.median_ng_ml <= pop.p95_ng_ml)
    after = TIMES > 0
    assert np.all(pop.p5_ng_ml[after] <= typical[after]) and np.all(typical[after] <= pop.p95_ng_ml[after])
    if MODELS[model].has_metabolite:
        assert np.all(pop.metabolite_p5_ng_ml <= pop.metabolite_p95_ng_ml)


def test_omega_from_cv_percent():
    assert omega(0) == 0
    assert omega(40) == pytest.approx(np.sqrt(np.log(1 + 0.16)))


def test_racemic_band_uses_assumed_variability_and_says_so():
    pop = population("clements-1981", 70, 40, "male", [Dose("iv", 35, 0, 40)], TIMES, n=500)
    assert any("clinic policy" in w for w in pop.warnings)
    assert all(v["source"] == "clinic-policy" for v in pop.variability)
    narrow = population("clements-1981", 70, 40, "male", [Dose("iv", 35, 0, 40)], TIMES, n=500,
                        assumed_cv_percent=10)
    i = 8  # 40 min
    assert narrow.p95_ng_ml[i] - narrow.p5_ng_ml[i] < pop.p95_ng_ml[i] - pop.p5_ng_ml[i]


def test_esketamine_band_uses_the_published_variability_without_an_assumption_warning():
    pop = population("perez-ruixo-2021", 70, 40, "male", [Dose("iv", 28, 0, 40)], TIMES, n=300)
    assert {v["source"] for v in pop.variability} == {"perez-ruixo-2021"}
    assert not any("clinic policy" in w for w in pop.warnings)
    peak = int(np.argmax(pop.median_ng_ml))
    spread = pop.p95_ng_ml[peak] / pop.p5_ng_ml[peak]
    assert 1.3 < spread < 4.0  # Vc CV 27.5% dominates at the end of an IV infusion


def test_single_virtual_patient_with_zero_variability_equals_the_typical_patient():
    pop = population("clements-1981", 70, 40, "male", [Dose("iv", 35, 0, 40)], TIMES, n=1, assumed_cv_percent=0)
    typical = predict("clements-1981", 70, 40, "male", [Dose("iv", 35, 0, 40)], TIMES)
    assert np.allclose(pop.median_ng_ml, typical.concentration_ng_ml, rtol=1e-12)
