"""The PK models against the published measurements in shared/CLINICAL.md s.6.

Tolerance: a typical-patient prediction must lie within a factor of 2 of a published mean.
CLINICAL.md expects 30-60% between-subject variability; for a log-normal with CV 40% (the middle
of that range) 95% of patients lie within exp(1.96 * 0.385) = 2.1x of the typical value, and the
study patients' weights are not in the sources (70 kg assumed). Where a model misses a point by
more than that, the miss is a documented caveat (models.ROUTE_CAVEATS), and the engine warns.
"""

import math

import numpy as np
import pytest

from ketamine_clinic.clinical.pk import Dose, predict, tci
from ketamine_clinic.clinical.pk.models import (
    MEASURED_POINTS, MODELS, ROUTE_CAVEATS, TMAX_IM_MIN, TMAX_ORAL_MIN, TMAX_SUBLINGUAL_MIN,
    VALIDATION_FACTOR, VALIDATION_WEIGHT_KG,
)
from ketamine_clinic.clinical.sources import SOURCES

RACEMIC_IV_MODELS = ("domino-1984", "clements-1981", "hijazi-2003")
TIMES = np.arange(0.0, 12 * 60.0 + 0.05, 0.1)


def predicted(model: str, point) -> float:
    mg = point.dose_mg if point.dose_mg is not None else point.dose_mg_per_kg * VALIDATION_WEIGHT_KG
    p = predict(model, VALIDATION_WEIGHT_KG, 40, "unknown", [Dose(point.route, mg, 0.0, point.infusion_min)], TIMES)
    if point.measure == "end_of_infusion":
        return float(np.interp(point.infusion_min, p.times_min, p.concentration_ng_ml))
    return p.peak()[1]


def within_factor(ratio: float) -> bool:
    return 1 / VALIDATION_FACTOR <= ratio <= VALIDATION_FACTOR


@pytest.mark.parametrize("model", RACEMIC_IV_MODELS)
def test_iv_half_mg_per_kg_over_40_min_ends_near_185_ng_ml(model):
    point = next(p for p in MEASURED_POINTS if p.key == "iv-0.5mgkg-40min")
    assert within_factor(predicted(model, point) / 185.0)


@pytest.mark.parametrize("model", RACEMIC_IV_MODELS)
def test_iv_end_of_infusion_lies_in_the_dissociation_range_100_to_250(model):
    point = next(p for p in MEASURED_POINTS if p.key == "iv-0.5mgkg-40min")
    assert 100.0 <= predicted(model, point) <= 250.0


@pytest.mark.parametrize("model", RACEMIC_IV_MODELS)
@pytest.mark.parametrize("point", MEASURED_POINTS, ids=lambda p: p.key)
def test_route_caveat_listed_exactly_when_a_model_misses_a_published_point_by_2x(model, point):
    misses = [not within_factor(predicted(model, p) / p.measured_ng_ml)
              for p in MEASURED_POINTS if p.route == point.route]
    assert ((model, point.route) in ROUTE_CAVEATS) == any(misses)


def test_clements_reproduces_im_half_mg_per_kg_peak_147_within_20_percent():
    # Clements is the racemic model the clinic should use for IM: it lands on the 0.5 mg/kg point.
    point = next(p for p in MEASURED_POINTS if p.key == "im-0.5mgkg")
    assert predicted("clements-1981", point) == pytest.approx(147.0, rel=0.2)


def test_im_peak_doubles_with_dose_in_the_linear_model_while_published_more_than_triples():
    low, high = (next(p for p in MEASURED_POINTS if p.key == k) for k in ("im-0.5mgkg", "im-1.0mgkg"))
    ratio = predicted("clements-1981", high) / predicted("clements-1981", low)
    assert ratio == pytest.approx(2.0, rel=1e-9)
    assert high.measured_ng_ml / low.measured_ng_ml > 3  # the data are not dose-linear: a known limit


@pytest.mark.parametrize("model", RACEMIC_IV_MODELS)
@pytest.mark.parametrize("route, tmax_min", [("im", TMAX_IM_MIN), ("oral", TMAX_ORAL_MIN),
                                             ("sublingual", TMAX_SUBLINGUAL_MIN)])
def test_derived_absorption_rate_reproduces_the_published_tmax_within_1_min(model, route, tmax_min):
    p = predict(model, 70, 40, "unknown", [Dose(route, 25.0, 0.0)], np.arange(0, 240, 0.05))
    assert p.peak()[0] == pytest.approx(tmax_min, abs=1.0)


def _esketamine(route: str, mg: float, times) -> np.ndarray:
    return predict("perez-ruixo-2021", 70, 40, "unknown", [Dose(route, mg, 0.0)], times).concentration_ng_ml


@pytest.mark.parametrize("mg, paper_f", [(56, 0.54), (84, 0.51)])
def test_esketamine_nasal_bioavailability_matches_label_48_percent(mg, paper_f):
    # Label "~48%" (spravato-pi); the model's own paper reports 54% / 51% (perez-ruixo-2021).
    # Tolerance 0.10 absolute: the label rounds across studies and patients.
    times = np.arange(0.0, 96 * 60.0, 1.0)
    f = np.trapezoid(_esketamine("esketamine_nasal", mg, times), times) / np.trapezoid(
        _esketamine("iv", mg, times), times)
    assert abs(f - 0.48) <= 0.10
    assert f == pytest.approx(paper_f, abs=0.01)


@pytest.mark.parametrize("mg", [56, 84])
def test_esketamine_nasal_tmax_is_20_to_40_min_after_the_last_device(mg):
    times = np.arange(0.0, 240.0, 0.25)
    last_device_min = 5.0 * (mg // 28 - 1)  # spravato-pi: devices 5 min apart
    tmax = times[np.argmax(_esketamine("esketamine_nasal", mg, times))] - last_device_min
    assert 20.0 <= tmax <= 40.0


def test_esketamine_half_life_is_7_to_12_hours_in_the_terminal_phase():
    times = np.array([24 * 60.0, 30 * 60.0])
    c = _esketamine("esketamine_nasal", 84, times)
    half_life_h = (times[1] - times[0]) / 60.0 * math.log(2) / math.log(c[0] / c[1])
    assert 7.0 <= half_life_h <= 12.0  # spravato-pi


@pytest.mark.parametrize("model", RACEMIC_IV_MODELS)
def test_tci_200_ng_ml_for_40_min_needs_about_half_a_mg_per_kg(model):
    # 0.5 mg/kg over 40 min gives ~185 ng/mL (zanos-2018), so holding 200 ng/mL for 40 min needs
    # about 0.5 mg/kg; +-50% covers the models' spread (their 40-min predictions differ by 35%).
    result = tci(model, 70, 200, 40, age_years=40, sex="unknown")
    assert 0.25 <= result.mg_per_kg <= 0.75


def test_measured_points_and_model_parameters_cite_existing_sources():
    for point in MEASURED_POINTS:
        assert point.source in SOURCES
    for model in MODELS.values():
        assert all(key in SOURCES for key in model.sources)
        assert model.range_source in SOURCES
        assert all(p.source in SOURCES for p in model.parameters)
        assert all(v.source in SOURCES for v in model.variability)
