"""Independent reference solution by numerical ODE integration (scipy.integrate.solve_ivp).

Used by the tests and the benchmark to check the exact solver. The right-hand side is written
from the flow list directly (no rate matrix, no eigenvectors); inputs are applied segment by
segment, boluses as jumps of the state.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy.integrate import solve_ivp

from .engine import Dose, check_doses, check_patient, check_times, inputs_for
from .solver import events
from .structure import NG_ML_PER_MG_L, Input, System, build_system, depots_for, parameter_values


def reference_solve(system: System, inputs: Sequence[Input], times_min: np.ndarray,
                    rtol: float = 1e-10, atol: float = 1e-14, method: str = "Radau") -> np.ndarray:
    """Concentrations (O, m) in ng/mL for patient 0 of ``system`` at sorted ``times_min``."""
    flows = [(src, dst, float(k[0])) for src, dst, k in system.flows]
    size = len(system.compartments)
    rows = system.outputs()
    y = np.zeros((len(rows), times_min.size))
    if not inputs:
        return y
    bounds, bolus, rate = events(system, inputs)
    x = np.zeros(size)
    for s, start in enumerate(bounds):
        x = x + bolus[s]
        end = bounds[s + 1] if s + 1 < bounds.size else max(float(times_min[-1]), start)
        r = rate[s]

        def rhs(_t, state, r=r):
            d = r.copy()
            for src, dst, k in flows:
                amount = k * state[src]
                d[src] -= amount
                if dst is not None:
                    d[dst] += amount
            return d

        last = s + 1 == bounds.size
        mask = (times_min >= start) & ((times_min <= end) if last else (times_min < end))
        if end > start:
            # t_eval ends with `end`: the end state starts the next segment
            wanted = times_min[mask]
            ends_at_end = wanted.size > 0 and wanted[-1] == end
            t_eval = wanted if ends_at_end else np.append(wanted, end)
            sol = solve_ivp(rhs, (start, end), x, method=method, rtol=rtol, atol=atol, t_eval=np.unique(t_eval))
            x = sol.y[:, -1]
            states = sol.y[:, np.searchsorted(np.unique(t_eval), wanted)]
        else:
            states = np.repeat(x[:, None], int(mask.sum()), axis=1)
        for o, (row, volume) in enumerate(rows):
            y[o, mask] = states[row] * NG_ML_PER_MG_L / float(volume[0])
    return y


def reference_predict(model: str, weight_kg: float, age_years: float, sex: str, doses: Sequence[Dose],
                      times_min, **solver_options) -> np.ndarray:
    """Like ``engine.predict`` (typical patient) but by ODE integration; returns (O, m) ng/mL."""
    patient = check_patient(model, weight_kg, age_years, sex)
    m = patient.model
    checked, _ = check_doses(m, doses)
    times = check_times(times_min)
    inputs = inputs_for(m, checked, {})
    values = parameter_values(m, 1)
    system = build_system(m, patient.weight_kg, patient.age_years, depots_for(m, inputs), values)
    return reference_solve(system, inputs, times, **solver_options)
