"""Predict plasma concentration (and the metabolite where the model has one) for any regimen.

    predict("domino-1984", weight_kg=70, age_years=40, sex="female",
            doses=[Dose("iv", mg=35, start_min=0, duration_min=40)], times_min=range(0, 121))

Input is validated here (``PKInputError`` with ``field`` and ``message``); the arithmetic is the
exact linear solution in ``solver.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

import numpy as np

from .errors import PKInputError, require_number
from .models import (
    ALL_ROUTES, ESKETAMINE_NASAL, INTRANASAL, IV, LOW_CONFIDENCE_ROUTES, MEASURED_PEAKS, MODELS, ORAL,
    PHYSICAL_AGE_YEARS, PHYSICAL_MAX_DOSE_MG, PHYSICAL_WEIGHT_KG, RACEMIC, ROUTE_CAVEATS, SEXES, SUBLINGUAL,
    PKModel,
)
from ..sources import short_citation
from .solver import Decomposition, solve
from .structure import Input, build_system, depots_for, expand_dose, parameter_values

MAX_TIME_POINTS = 1_000_000
MAX_DOSES = 2_000
ESKETAMINE_LABEL_MAX_MG = 84.0  # spravato-pi: 1, 2 or 3 devices (28 / 56 / 84 mg)


@dataclass(frozen=True)
class Dose:
    """One administration. IV: ``duration_min`` 0 is a bolus, > 0 an infusion at mg / duration."""

    route: str  # "iv", "im", "intranasal", "esketamine_nasal", "oral", "sublingual"
    mg: float
    start_min: float
    duration_min: float = 0.0

    @classmethod
    def from_dict(cls, data: Mapping, index: int = 0) -> "Dose":
        if not isinstance(data, Mapping):
            raise PKInputError(f"doses[{index}]", "must be an object with route, mg, start_min")
        for key in ("route", "mg", "start_min"):
            if key not in data:
                raise PKInputError(f"doses[{index}].{key}", "is required")
        return cls(data["route"], data["mg"], data["start_min"], data.get("duration_min", 0.0))

    def to_dict(self) -> dict:
        return {"route": self.route, "mg": self.mg, "start_min": self.start_min,
                "duration_min": self.duration_min}


@dataclass(frozen=True, eq=False)
class Prediction:
    model: str
    times_min: np.ndarray  # sorted ascending
    concentration_ng_ml: np.ndarray
    metabolite_ng_ml: np.ndarray | None
    metabolite_name: str | None
    warnings: list[str] = field(default_factory=list)
    # routes predicted with low confidence, each with a measured peak beside it (see low_confidence())
    low_confidence: list[dict] = field(default_factory=list)

    def peak(self) -> tuple[float, float]:
        """(time_min, ng/mL) of the highest predicted concentration on the time grid."""
        i = int(np.argmax(self.concentration_ng_ml))
        return float(self.times_min[i]), float(self.concentration_ng_ml[i])

    def time_above_min(self, threshold_ng_ml: float) -> float:
        """Minutes the concentration spends at or above a threshold (linear between grid points)."""
        threshold = require_number(threshold_ng_ml, "threshold_ng_ml", minimum=0.0)
        return time_above(self.times_min, self.concentration_ng_ml, threshold)

    def to_dict(self) -> dict:
        peak_min, peak_ng_ml = self.peak()
        return {
            "model": self.model,
            "times_min": self.times_min.tolist(),
            "concentration_ng_ml": self.concentration_ng_ml.tolist(),
            "metabolite_name": self.metabolite_name,
            "metabolite_ng_ml": None if self.metabolite_ng_ml is None else self.metabolite_ng_ml.tolist(),
            "peak": {"time_min": peak_min, "concentration_ng_ml": peak_ng_ml},
            "warnings": list(self.warnings),
            "low_confidence": list(self.low_confidence),
        }


def time_above(times_min: np.ndarray, c: np.ndarray, threshold: float) -> float:
    if times_min.size < 2:
        return 0.0
    t0, t1, c0, c1 = times_min[:-1], times_min[1:], c[:-1], c[1:]
    dt = t1 - t0
    above0, above1 = c0 >= threshold, c1 >= threshold
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = np.where(c1 != c0, (threshold - c0) / (c1 - c0), 0.0)
    total = np.where(above0 & above1, dt, 0.0)
    total += np.where(above0 & ~above1, crossing * dt, 0.0)
    total += np.where(~above0 & above1, (1.0 - crossing) * dt, 0.0)
    return float(total.sum())


# --- validation ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Patient:
    model: PKModel
    weight_kg: float
    age_years: float
    warnings: tuple[str, ...]


def check_patient(model: object, weight_kg: object, age_years: object, sex: object) -> Patient:
    if not isinstance(model, str) or model not in MODELS:
        raise PKInputError("model", f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    m = MODELS[model]
    weight = require_number(weight_kg, "weight_kg", minimum=PHYSICAL_WEIGHT_KG[0], maximum=PHYSICAL_WEIGHT_KG[1])
    age = require_number(age_years, "age_years", minimum=PHYSICAL_AGE_YEARS[0], maximum=PHYSICAL_AGE_YEARS[1])
    if not isinstance(sex, str) or sex not in SEXES:
        raise PKInputError("sex", f"must be one of {', '.join(SEXES)}")
    warnings = []
    low, high = m.weight_range_kg
    if not low <= weight <= high:
        warnings.append(f"Weight {weight:g} kg is outside the range this model is validated for "
                        f"({low:g}-{high:g} kg): the prediction is an extrapolation.")
    low, high = m.age_range_years
    if not low <= age <= high:
        warnings.append(f"Age {age:g} years is outside the range this model is validated for "
                        f"({low:g}-{high:g} years): the prediction is an extrapolation.")
    return Patient(m, weight, age, tuple(warnings))


def check_doses(model: PKModel, doses: object) -> tuple[list[Dose], list[str]]:
    if isinstance(doses, (str, bytes, Mapping)) or not isinstance(doses, Iterable):
        raise PKInputError("doses", "must be a list of doses")
    doses = list(doses)
    if len(doses) > MAX_DOSES:
        raise PKInputError("doses", f"at most {MAX_DOSES} doses")
    checked, warnings = [], []
    for i, dose in enumerate(doses):
        if isinstance(dose, Mapping):
            dose = Dose.from_dict(dose, i)
        if not isinstance(dose, Dose):
            raise PKInputError(f"doses[{i}]", "must be a dose with route, mg, start_min")
        f = f"doses[{i}]"
        if not isinstance(dose.route, str) or dose.route not in ALL_ROUTES:
            raise PKInputError(f"{f}.route", f"unknown route {dose.route!r}; one of {', '.join(ALL_ROUTES)}")
        if dose.route not in model.routes:
            raise PKInputError(f"{f}.route", f"{model.title} does not model the {dose.route} route; "
                                             f"it models {', '.join(model.routes)}")
        mg = require_number(dose.mg, f"{f}.mg", minimum=0.0, maximum=PHYSICAL_MAX_DOSE_MG)
        start = require_number(dose.start_min, f"{f}.start_min")
        duration = require_number(dose.duration_min, f"{f}.duration_min", minimum=0.0)
        if duration > 0 and dose.route != IV:
            raise PKInputError(f"{f}.duration_min", "only IV doses have a duration (an infusion); use 0")
        if dose.route == ESKETAMINE_NASAL:
            devices = mg / 28.0  # spravato-pi: one device = 28 mg
            if mg == 0 or abs(devices - round(devices)) > 1e-9:
                raise PKInputError(f"{f}.mg", "esketamine nasal doses are whole devices of 28 mg (28, 56, 84)")
            if mg > ESKETAMINE_LABEL_MAX_MG:
                warnings.append(f"{f}: {mg:g} mg is more than the label's 84 mg (3 devices).")
        checked.append(Dose(dose.route, mg, start, duration))
    return checked, warnings


def check_times(times_min: object, field_name: str = "times_min") -> np.ndarray:
    if isinstance(times_min, (str, bytes, Mapping)):
        raise PKInputError(field_name, "must be a list of numbers (minutes)")
    try:
        times = np.array(times_min if not isinstance(times_min, range) else list(times_min), dtype=float)
    except (TypeError, ValueError):
        raise PKInputError(field_name, "must be a list of numbers (minutes)") from None
    if times.ndim != 1 or times.size == 0:
        raise PKInputError(field_name, "must be a non-empty list of numbers (minutes)")
    if times.size > MAX_TIME_POINTS:
        raise PKInputError(field_name, f"at most {MAX_TIME_POINTS:,} time points")
    if not np.all(np.isfinite(times)):
        raise PKInputError(field_name, "every time must be a finite number")
    if times.size > 1 and np.any(times[1:] < times[:-1]):
        times = np.sort(times)
    return times


def check_bioavailability(model: PKModel, bioavailability: Mapping | None) -> dict[str, float]:
    """Clinic overrides of racemic route bioavailability: {"oral": 0.2, ...} -> {"f_oral": 0.2}."""
    if not bioavailability:
        return {}
    if not isinstance(bioavailability, Mapping):
        raise PKInputError("bioavailability", "must map a route to a fraction")
    overrides = {}
    for route, fraction in bioavailability.items():
        name = f"f_{route}"
        if not any(p.name == name for p in model.parameters):
            raise PKInputError(f"bioavailability.{route}", f"{model.title} has no bioavailability for {route!r}")
        overrides[name] = require_number(fraction, f"bioavailability.{route}", minimum=0.0,
                                         exclusive_minimum=True, maximum=1.0)
    return overrides


def route_notes(model: PKModel, doses: Sequence[Dose]) -> list[str]:
    routes = {d.route for d in doses}
    notes = []
    if not model.has_metabolite and routes & {ORAL, SUBLINGUAL}:
        notes.append("After oral or sublingual ketamine, norketamine exceeds ketamine; no source in the "
                     "clinic's reference gives norketamine parameters for this model, so it is not predicted.")
    for route in sorted(routes):
        caveat = ROUTE_CAVEATS.get((model.key, route))
        if caveat:
            notes.append(caveat + " Treat this route's prediction as rough; prefer a model without this caveat.")
    if INTRANASAL in routes:
        notes.append("Intranasal racemic ketamine: bioavailability depends on the formulation (published "
                     "45% and 11-17%) and the absorption rate is borrowed from esketamine: verify.")
    return notes


# --- prediction --------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _typical(model_key: str, weight_kg: float, age_years: float, depots: tuple[str, ...],
             overrides: tuple[tuple[str, float], ...]) -> Decomposition:
    model = MODELS[model_key]
    values = parameter_values(model, 1, overrides=dict(overrides))
    return Decomposition(build_system(model, weight_kg, age_years, depots, values))


def typical_decomposition(model: PKModel, weight_kg: float, age_years: float, inputs: Sequence[Input],
                          overrides: Mapping[str, float]) -> Decomposition:
    return _typical(model.key, weight_kg, age_years, depots_for(model, inputs), tuple(sorted(overrides.items())))


def inputs_for(model: PKModel, doses: Sequence[Dose], overrides: Mapping[str, float]) -> list[Input]:
    values = parameter_values(model, 1, overrides=overrides)
    inputs = []
    for d in doses:
        if d.mg > 0:
            inputs.extend(expand_dose(model, d.route, d.mg, d.start_min, d.duration_min, values))
    return inputs


def predict(model: str, weight_kg: float, age_years: float, sex: str, doses: Sequence[Dose | Mapping],
            times_min: Iterable[float], *, bioavailability: Mapping[str, float] | None = None) -> Prediction:
    """Typical-patient concentrations (ng/mL) of ``model`` for ``doses`` at ``times_min`` (sorted).

    ``bioavailability`` overrides racemic route fractions (clinic settings), e.g. {"oral": 0.2}.
    Raises ``PKInputError`` for bad input; out-of-range weight or age gives warnings instead.
    """
    patient = check_patient(model, weight_kg, age_years, sex)
    m = patient.model
    checked, dose_warnings = check_doses(m, doses)
    times = check_times(times_min)
    overrides = check_bioavailability(m, bioavailability)
    inputs = inputs_for(m, checked, overrides)
    decomposition = typical_decomposition(m, patient.weight_kg, patient.age_years, inputs, overrides)
    y = solve(decomposition.system, inputs, times, decomposition)[0]
    doubts = low_confidence(patient, checked, overrides)
    return Prediction(
        model=m.key,
        times_min=times,
        concentration_ng_ml=y[0],
        metabolite_ng_ml=y[1] if m.has_metabolite else None,
        metabolite_name=m.metabolite_name,
        warnings=[*patient.warnings, *dose_warnings, *route_notes(m, checked), *map(_doubt_text, doubts)],
        low_confidence=doubts,
    )


_PEAK_GRID_MIN = np.arange(0.0, 12 * 60.0 + 1)  # a single oral/sublingual dose peaks within hours


def low_confidence(patient: Patient, doses: Sequence[Dose], overrides: Mapping[str, float]) -> list[dict]:
    """For racemic oral/sublingual doses: each measured peak beside this model's own prediction of it.

    ``scaled_range_ng_ml`` is the measured mean +/- SD scaled linearly to the largest dose of the
    route here (linear kinetics assumed): a range to read instead of the model's single number.
    """
    m = patient.model
    if m.drug != RACEMIC:
        return []
    doubts = []
    for route in LOW_CONFIDENCE_ROUTES:
        largest_mg = max((d.mg for d in doses if d.route == route), default=0.0)
        if largest_mg <= 0:
            continue
        for peak in (p for p in MEASURED_PEAKS if p.route == route):
            measured_mg = peak.dose_for(patient.weight_kg)
            inputs = inputs_for(m, [Dose(route, measured_mg, 0.0)], overrides)
            d = typical_decomposition(m, patient.weight_kg, patient.age_years, inputs, overrides)
            model_peak = float(solve(d.system, inputs, _PEAK_GRID_MIN, d)[0, 0].max())
            scale = largest_mg / measured_mg
            doubts.append({
                "route": route, "source": peak.source, "measured_dose": peak.dose_label(),
                "measured_dose_mg": measured_mg, "measured_cmax_ng_ml": peak.cmax_ng_ml,
                "measured_sd_ng_ml": peak.sd_ng_ml, "note": peak.note, "citation": short_citation(peak.source),
                "model_cmax_ng_ml": model_peak, "measured_over_model": peak.cmax_ng_ml / model_peak,
                "dose_mg": largest_mg,
                "scaled_range_ng_ml": [max(0.0, (peak.cmax_ng_ml - peak.sd_ng_ml) * scale),
                                       (peak.cmax_ng_ml + peak.sd_ng_ml) * scale],
            })
    return doubts


def _doubt_text(doubt: Mapping) -> str:
    low, high = doubt["scaled_range_ng_ml"]
    return (f"Low confidence ({doubt['route']}): for {doubt['measured_dose']} this model predicts a peak of "
            f"{doubt['model_cmax_ng_ml']:.1f} ng/mL, but {doubt['measured_cmax_ng_ml']:g} \u00b1 "
            f"{doubt['measured_sd_ng_ml']:g} ng/mL was measured ({short_citation(doubt['source'])}); "
            f"scaled linearly to {doubt['dose_mg']:g} mg that is {low:.0f}-{high:.0f} ng/mL.")

