"""Target-controlled infusion: the pump-rate schedule that brings plasma to a target and holds it.

Every ``update_s`` seconds the rate is chosen so that the model's plasma concentration at the end
of the interval equals the target (the plasma-targeting algorithm of TCI pumps), clipped to
[0, max pump rate]. The state is advanced exactly in the eigenbasis (see ``solver.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .engine import Dose, Prediction, check_patient, route_notes, typical_decomposition
from .errors import PKInputError, require_int, require_number
from .models import DEFAULT_TCI_MAX_RATE_MG_PER_MIN, DEFAULT_TCI_UPDATE_S, IV
from .structure import Input

MAX_TCI_DURATION_MIN = 24 * 60.0
MAX_TARGET_NG_ML = 5000.0  # above anaesthetic concentrations (1,200-2,400 ng/mL, CLINICAL.md s.6)
_REACHED_FRACTION = 0.99


@dataclass(frozen=True, eq=False)
class TCIResult:
    model: str
    target_ng_ml: float
    duration_min: float
    update_s: int
    max_rate_mg_per_min: float
    schedule: list[tuple[float, float]]  # (start_s, rate_mg_per_h), one row per update
    total_mg: float
    mg_per_kg: float
    time_to_target_s: float | None  # first time the plasma reaches 99% of the target
    prediction: Prediction  # concentration at every update boundary (and after, if asked)
    warnings: list[str] = field(default_factory=list)

    def as_doses(self) -> list[Dose]:
        """The schedule as IV infusions (equal consecutive rates merged), e.g. to feed ``predict``."""
        doses, end_s = [], self.duration_min * 60.0
        rows = [(s, r) for i, (s, r) in enumerate(self.schedule) if i == 0 or r != self.schedule[i - 1][1]]
        for i, (start_s, rate_mg_per_h) in enumerate(rows):
            stop_s = rows[i + 1][0] if i + 1 < len(rows) else end_s
            if rate_mg_per_h > 0:
                minutes = (stop_s - start_s) / 60.0
                doses.append(Dose(IV, rate_mg_per_h / 60.0 * minutes, start_s / 60.0, minutes))
        return doses

    def to_dict(self) -> dict:
        return {
            "model": self.model,
            "target_ng_ml": self.target_ng_ml,
            "duration_min": self.duration_min,
            "update_s": self.update_s,
            "max_rate_mg_per_min": self.max_rate_mg_per_min,
            "schedule": [{"start_s": s, "rate_mg_per_h": r} for s, r in self.schedule],
            "total_mg": self.total_mg,
            "mg_per_kg": self.mg_per_kg,
            "time_to_target_s": self.time_to_target_s,
            "prediction": self.prediction.to_dict(),
            "warnings": list(self.warnings),
        }


def tci(model: str, weight_kg: float, target_ng_ml: float, duration_min: float, *, age_years: float,
        sex: str, max_rate_mg_per_min: float = DEFAULT_TCI_MAX_RATE_MG_PER_MIN,
        update_s: int = DEFAULT_TCI_UPDATE_S, after_min: float = 0.0) -> TCIResult:
    """IV rate schedule holding plasma at ``target_ng_ml`` for ``duration_min``; curve continues ``after_min``."""
    patient = check_patient(model, weight_kg, age_years, sex)
    m = patient.model
    if IV not in m.routes:
        raise PKInputError("model", f"{m.title} has no IV route")
    target = require_number(target_ng_ml, "target_ng_ml", minimum=0.0, exclusive_minimum=True,
                            maximum=MAX_TARGET_NG_ML)
    duration = require_number(duration_min, "duration_min", minimum=0.0, exclusive_minimum=True,
                              maximum=MAX_TCI_DURATION_MIN)
    max_rate = require_number(max_rate_mg_per_min, "max_rate_mg_per_min", minimum=0.0,
                              exclusive_minimum=True, maximum=1000.0)
    step_s = require_int(update_s, "update_s", minimum=1, maximum=600)
    after = require_number(after_min, "after_min", minimum=0.0, maximum=MAX_TCI_DURATION_MIN)

    d = typical_decomposition(m, patient.weight_kg, patient.age_years, [Input("central", 1.0, 0.0)], {})
    lam, inv, weights = d.lam[0], d.inv[0], d.weights[0]  # (K,), (K, K), (O, K)
    if not d.ok[0]:  # pragma: no cover - IV disposition matrices are never defective
        raise PKInputError("model", "this model's rate matrix cannot be diagonalised")
    into_central = inv[:, d.system.central]

    total_s = duration * 60.0
    starts_s = np.arange(0.0, total_s, step_s)
    lengths_min = (np.minimum(starts_s + step_s, total_s) - starts_s) / 60.0
    n_after = int(np.ceil(after * 60.0 / step_s - 1e-9))
    after_lengths = np.full(n_after, step_s / 60.0)
    if n_after:
        after_lengths[-1] = after - (n_after - 1) * step_s / 60.0
    all_lengths = np.concatenate([lengths_min, after_lengths])
    decay = np.exp(np.outer(all_lengths, lam))  # (steps, K)
    gain = into_central * (np.expm1(np.outer(all_lengths, lam)) / lam)  # mode response to 1 mg/min
    parent = weights[0]
    unit = gain @ parent  # ng/mL at the end of each step per mg/min

    z = np.zeros(lam.size)
    rates = np.zeros(starts_s.size)
    states = np.zeros((all_lengths.size + 1, lam.size))
    for i in range(all_lengths.size):
        free = z * decay[i]
        if i < starts_s.size:
            rate = (target - free @ parent) / unit[i]
            rate = min(max(rate, 0.0), max_rate)
            rates[i] = rate
            z = free + rate * gain[i]
        else:
            z = free
        states[i + 1] = z

    times = np.concatenate([[0.0], np.cumsum(all_lengths)])
    y = states @ weights.T  # (steps + 1, O)
    total_mg = float(rates @ lengths_min)
    reached = np.flatnonzero(y[:, 0] >= _REACHED_FRACTION * target)
    time_to_target_s = float(times[reached[0]] * 60.0) if reached.size else None
    warnings = list(patient.warnings)
    saturated = np.flatnonzero(rates >= max_rate)
    if saturated.size:
        warnings.append(f"The pump's maximum rate ({max_rate:g} mg/min) limited the infusion for "
                        f"{saturated.size * step_s} s; the target is reached later than it would be.")
    if time_to_target_s is None:
        warnings.append("The target was not reached within the duration at this maximum pump rate.")
    warnings += route_notes(m, [Dose(IV, 1.0, 0.0)])
    prediction = Prediction(
        model=m.key, times_min=times, concentration_ng_ml=y[:, 0],
        metabolite_ng_ml=y[:, 1] if m.has_metabolite else None, metabolite_name=m.metabolite_name,
        warnings=warnings,
    )
    return TCIResult(
        model=m.key, target_ng_ml=target, duration_min=duration, update_s=step_s,
        max_rate_mg_per_min=max_rate,
        schedule=[(float(s), float(r * 60.0)) for s, r in zip(starts_s, rates)],
        total_mg=total_mg, mg_per_kg=total_mg / patient.weight_kg, time_to_target_s=time_to_target_s,
        prediction=prediction, warnings=warnings,
    )
