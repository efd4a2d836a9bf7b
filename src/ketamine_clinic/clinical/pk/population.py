"""Population view: n virtual patients drawn with the model's between-subject variability.

Each varied parameter is log-normal, P_i = P * exp(eta_i), eta_i ~ N(0, omega^2) with
omega^2 = ln(1 + CV^2) (CV as a fraction). The etas are independent (no correlations are given in
the sources). Racemic models publish no variability in the clinic's sources: they use an assumed
CV (clinic policy, ``pk.population.assumed_racemic_cv_percent``) and say so in the warnings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np

from .engine import (
    Dose, check_bioavailability, check_doses, check_patient, check_times, inputs_for, route_notes,
)
from .errors import PKInputError, require_int, require_number
from .models import PKModel
from .solver import Decomposition, solve
from ..sources import CLINIC_POLICY
from .structure import build_system, depots_for, parameter_values

MAX_PATIENTS = 10_000
MAX_CELLS = 20_000_000  # patients x time points, to bound memory (~160 MB per array)
PERCENTILES = (5.0, 50.0, 95.0)


def omega(cv_percent: float) -> float:
    """Standard deviation of eta for a log-normal parameter with coefficient of variation CV%."""
    return float(np.sqrt(np.log1p((cv_percent / 100.0) ** 2)))


@dataclass(frozen=True, eq=False)
class PopulationResult:
    model: str
    n: int
    seed: int
    times_min: np.ndarray
    median_ng_ml: np.ndarray
    p5_ng_ml: np.ndarray
    p95_ng_ml: np.ndarray
    metabolite_name: str | None
    metabolite_median_ng_ml: np.ndarray | None
    metabolite_p5_ng_ml: np.ndarray | None
    metabolite_p95_ng_ml: np.ndarray | None
    variability: list[dict]  # what was varied: parameters, cv_percent, source
    warnings: list[str] = field(default_factory=list)
    ceiling_ng_ml: float | None = None
    share_above_ceiling: float | None = None  # fraction of virtual patients whose parent level passes the ceiling

    def to_dict(self) -> dict:
        def listed(a):
            return None if a is None else a.tolist()
        return {
            "model": self.model, "n": self.n, "seed": self.seed,
            "times_min": self.times_min.tolist(),
            "median_ng_ml": self.median_ng_ml.tolist(),
            "p5_ng_ml": self.p5_ng_ml.tolist(), "p95_ng_ml": self.p95_ng_ml.tolist(),
            "metabolite_name": self.metabolite_name,
            "metabolite_median_ng_ml": listed(self.metabolite_median_ng_ml),
            "metabolite_p5_ng_ml": listed(self.metabolite_p5_ng_ml),
            "metabolite_p95_ng_ml": listed(self.metabolite_p95_ng_ml),
            "variability": self.variability,
            "warnings": list(self.warnings),
            **({"ceiling_ng_ml": self.ceiling_ng_ml, "share_above_ceiling": self.share_above_ceiling}
               if self.ceiling_ng_ml is not None else {}),
        }


def percentiles(y: np.ndarray, qs: Sequence[float]) -> np.ndarray:
    """Percentiles over axis 0 (linear interpolation, as numpy's default), by one in-place partition."""
    n = y.shape[0]
    by_patient = np.ascontiguousarray(np.moveaxis(y, 0, -1))  # patients on the contiguous last axis
    positions = [(n - 1) * q / 100.0 for q in qs]
    kth = sorted({int(np.floor(p)) for p in positions} | {min(n - 1, int(np.floor(p)) + 1) for p in positions})
    by_patient.partition(kth, axis=-1)
    out = []
    for p in positions:
        low = int(np.floor(p))
        high = min(n - 1, low + 1)
        fraction = p - low
        out.append(by_patient[..., low] + (by_patient[..., high] - by_patient[..., low]) * fraction)
    return np.stack(out)


def draw_etas(model: PKModel, n: int, rng: np.random.Generator,
              assumed_cv_percent: float | None = None) -> tuple[dict[str, np.ndarray], list[dict]]:
    etas, used = {}, []
    for v in model.variability:
        cv = assumed_cv_percent if (assumed_cv_percent is not None and v.source == CLINIC_POLICY) else v.cv_percent
        eta = rng.normal(0.0, omega(cv), n)
        for name in v.parameters:
            etas[name] = eta
        used.append({**v.to_dict(), "cv_percent": cv})
    return etas, used


def population(model: str, weight_kg: float, age_years: float, sex: str, doses: Sequence[Dose | Mapping],
               times_min: Iterable[float], n: int = 1000, seed: int = 0, *,
               bioavailability: Mapping[str, float] | None = None,
               assumed_cv_percent: float | None = None, ceiling_ng_ml: float | None = None) -> PopulationResult:
    """Median and 5-95% band of ``n`` virtual patients (seeded, reproducible). With ``ceiling_ng_ml``,
    also the share of them whose parent level goes above it at any time point: the typical patient
    can stay below a ceiling that the upper band crosses."""
    patient = check_patient(model, weight_kg, age_years, sex)
    m = patient.model
    checked, dose_warnings = check_doses(m, doses)
    times = check_times(times_min)
    overrides = check_bioavailability(m, bioavailability)
    count = require_int(n, "n", minimum=1, maximum=MAX_PATIENTS)
    seed_value = require_int(seed, "seed", minimum=0, maximum=2**63 - 1)
    if assumed_cv_percent is not None:
        assumed_cv_percent = require_number(assumed_cv_percent, "assumed_cv_percent", minimum=0.0, maximum=200.0)
    if ceiling_ng_ml is not None:
        ceiling_ng_ml = require_number(ceiling_ng_ml, "ceiling_ng_ml", minimum=0.0, maximum=100000.0)
    if count * times.size > MAX_CELLS:
        raise PKInputError("times_min", f"n x time points must be at most {MAX_CELLS:,}; use fewer points")

    inputs = inputs_for(m, checked, overrides)
    etas, used = draw_etas(m, count, np.random.default_rng(seed_value), assumed_cv_percent)
    values = parameter_values(m, count, etas=etas, overrides=overrides)
    system = build_system(m, patient.weight_kg, patient.age_years, depots_for(m, inputs), values)
    y = solve(system, inputs, times, Decomposition(system))  # (n, O, m)
    bands = percentiles(y, PERCENTILES)  # (3, O, m)

    warnings = [*patient.warnings, *dose_warnings, *route_notes(m, checked)]
    if any(v["source"] == CLINIC_POLICY for v in used):
        cv = ", ".join(sorted({f"{v['cv_percent']:g}%" for v in used}))
        warnings.append(f"{m.title}: no published between-subject variability in the clinic's sources; "
                        f"the band assumes a CV of {cv} on {', '.join(n for v in used for n in v['parameters'])} "
                        "(clinic policy).")
    metabolite = m.has_metabolite
    return PopulationResult(
        model=m.key, n=count, seed=seed_value, times_min=times,
        median_ng_ml=bands[1, 0], p5_ng_ml=bands[0, 0], p95_ng_ml=bands[2, 0],
        metabolite_name=m.metabolite_name,
        metabolite_median_ng_ml=bands[1, 1] if metabolite else None,
        metabolite_p5_ng_ml=bands[0, 1] if metabolite else None,
        metabolite_p95_ng_ml=bands[2, 1] if metabolite else None,
        variability=used, warnings=warnings, ceiling_ng_ml=ceiling_ng_ml,
        share_above_ceiling=None if ceiling_ng_ml is None else float(np.mean(y[:, 0, :].max(axis=1) > ceiling_ng_ml)),
    )
