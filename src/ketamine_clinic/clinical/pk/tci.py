"""Target-controlled infusion: the pump-rate schedule that brings plasma to a target and holds it.

Every ``update_s`` seconds the rate is chosen so that the model's plasma concentration at the end
of the interval equals the target (the plasma-targeting algorithm of TCI pumps), clipped to
[0, max pump rate]. The state is advanced exactly in the eigenbasis (see ``solver.py``). The
rates are not found step by step: with the closed-form response of one step, plasma at every
update is a lower triangular Toeplitz system in the rates, solved a block at a time (``_schedule``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.signal

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
    rates, states = _rates_and_states(lam, into_central, weights[0], lengths_min, target, max_rate)
    after_lengths = _after_lengths(after, step_s)
    after_times = np.cumsum(after_lengths)
    # after the infusion every mode decays freely: z(t) = z(end) exp(lambda t)
    states = np.concatenate([states, states[-1] * np.exp(np.outer(after_times, lam))])
    times = np.concatenate([[0.0], np.cumsum(lengths_min), duration + after_times])
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


def _after_lengths(after_min: float, step_s: int) -> np.ndarray:
    """Minutes between the points of the curve after the infusion stops (one per update interval)."""
    count = int(np.ceil(after_min * 60.0 / step_s - 1e-9))
    lengths = np.full(count, step_s / 60.0)
    if count:
        lengths[-1] = after_min - (count - 1) * step_s / 60.0
    return lengths


def _rates_and_states(lam: np.ndarray, into_central: np.ndarray, parent: np.ndarray, lengths_min: np.ndarray,
                      target: float, max_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Rates (mg/min) of every step and the modes (steps + 1, K) at every step boundary.

    All steps are ``lengths_min[0]`` long except perhaps the last (the duration is not a multiple
    of the update interval): that one is solved on its own with the same rule.
    """
    full = int(np.sum(np.isclose(lengths_min, lengths_min[0], rtol=0.0, atol=1e-12)))
    step = _StepResponse.build(lam, into_central, parent, float(lengths_min[0]), full)
    rates = _schedule(step, target, max_rate, full)
    states = np.zeros((lengths_min.size + 1, lam.size))
    for k in range(lam.size):  # z_k[i + 1] = decay_k z_k[i] + gain_k rate[i]: a first-order recursion
        states[1:full + 1, k] = scipy.signal.lfilter([step.gain[k]], [1.0, -step.decay[k]], rates)
    if full < lengths_min.size:
        last = _StepResponse.build(lam, into_central, parent, float(lengths_min[-1]), 1)
        free = parent @ (states[full] * last.decay)
        rate = min(max((target - free) / (parent @ last.gain), 0.0), max_rate)
        rates = np.append(rates, rate)
        states[-1] = last.advance(states[full], rates[-1:])
    return rates, states


_BLOCK_STEPS = 512  # steps solved at once: a (B, B) triangular system, ~2 MB at most


@dataclass(frozen=True)
class _StepResponse:
    """One update interval of length L in the eigenbasis: z' = d * z + gain * rate (rate in mg/min)."""

    decay: np.ndarray  # (K,) exp(lambda L)
    gain: np.ndarray  # (K,) mode response to 1 mg/min over L
    parent: np.ndarray  # (K,) plasma ng/mL per unit mode
    powers: np.ndarray  # (K, B) decay ** m, m = 0 .. B-1

    @classmethod
    def build(cls, lam: np.ndarray, into_central: np.ndarray, parent: np.ndarray, length_min: float,
              steps: int) -> "_StepResponse":
        decay = np.exp(lam * length_min)
        gain = into_central * (np.expm1(lam * length_min) / lam)
        powers = decay[:, None] ** np.arange(max(1, min(steps, _BLOCK_STEPS)))[None, :]
        return cls(decay, gain, parent, powers)

    def advance(self, z: np.ndarray, rates: np.ndarray) -> np.ndarray:
        """The state after ``rates.size`` consecutive steps at these rates (closed form)."""
        s = rates.size
        return self.powers[:, s - 1] * self.decay * z + self.gain * (self.powers[:, s - 1::-1] @ rates)


def _schedule(step: _StepResponse, target: float, max_rate: float, n: int) -> np.ndarray:
    """Plasma-targeting rates (mg/min) of ``n`` equal steps from an empty body.

    The rate of each step makes plasma at the end of the step equal the target, clipped to
    [0, max_rate] -- the same rule as a loop over the steps, but solved a block at a time: plasma at
    the end of step i is sum_j h[i - j] rate[j] plus the free decay of the earlier state, h being
    the closed-form response to one step of 1 mg/min, so the unclipped rates solve one lower
    triangular Toeplitz system. Runs of clipped steps (pump at maximum, or off) are found in one
    vectorised comparison each.
    """
    a = step.parent * step.gain  # plasma per mg/min, mode by mode
    h = a @ step.powers  # (B,) plasma at the end of step m after 1 mg/min during step 0
    response = scipy.linalg.toeplitz(h, np.zeros_like(h))
    after_step = step.powers * step.decay[:, None]  # decay ** (m + 1)
    cumulative = np.cumsum(h)
    rates = np.empty(n)
    z = np.zeros(step.decay.size)
    i = 0
    while i < n:
        b = min(h.size, n - i)
        free = (z * step.parent) @ after_step[:, :b]  # plasma at the end of each step with no infusion
        block = _block_rates(free, cumulative[:b], response[:b, :b], target, max_rate)
        rates[i:i + block.size] = block
        z = step.advance(z, block)
        i += block.size
    return rates


def _block_rates(free: np.ndarray, cumulative: np.ndarray, response: np.ndarray, target: float,
                 max_rate: float) -> np.ndarray:
    """The leading run of rates from this state: at the pump's maximum, off, or exactly on target."""
    # pump at maximum while even max_rate on every step so far does not exceed the target
    saturated = _leading_true(free + max_rate * cumulative <= target)
    if saturated:
        return np.full(saturated, max_rate)
    off = _leading_true(free >= target)  # the body alone holds plasma above the target
    if off:
        return np.zeros(off)
    rates = scipy.linalg.solve_triangular(response, target - free, lower=True, check_finite=False)
    clipped = np.flatnonzero((rates < 0.0) | (rates > max_rate))
    if not clipped.size:
        return rates
    return np.clip(rates[:max(1, int(clipped[0]))], 0.0, max_rate)  # round-off guard: at least one step


def _leading_true(flags: np.ndarray) -> int:
    """How many of the first flags are True."""
    return int(flags.size if flags.all() else np.argmin(flags))
