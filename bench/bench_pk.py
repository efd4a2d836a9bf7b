"""Benchmark of the PK engine (prints figures; never asserts on time).

Run: .venv/bin/python bench/bench_pk.py

Targets (issue 7): one patient, 24 h at 1-s resolution, multi-dose: < 2 ms; 1,000 virtual
patients x 24 h at 1-min resolution: < 100 ms; a 40-minute TCI: < 5 ms. Each is compared with
scipy.integrate.solve_ivp (Radau, rtol 1e-10, atol 1e-14) on the same problem.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ketamine_clinic.clinical.pk import Dose, population, predict, tci  # noqa: E402
from ketamine_clinic.clinical.pk import engine  # noqa: E402
from ketamine_clinic.clinical.pk.models import MODELS  # noqa: E402
from ketamine_clinic.clinical.pk.population import draw_etas  # noqa: E402
from ketamine_clinic.clinical.pk.reference import reference_predict, reference_solve  # noqa: E402
from ketamine_clinic.clinical.pk.structure import System, build_system, depots_for, parameter_values  # noqa: E402

WEIGHT_KG, AGE_YEARS, SEX = 70.0, 45.0, "female"
SECOND_GRID = np.arange(0, 24 * 3600 + 1) / 60.0  # 86,401 points
MINUTE_GRID = np.arange(0, 24 * 60 + 1, dtype=float)  # 1,441 points
RACEMIC_REGIMEN = [  # a day with an infusion, an IM top-up, a second infusion and oral/sublingual doses
    Dose("iv", 35, 0, 40), Dose("im", 35, 240), Dose("iv", 35, 480, 40),
    Dose("oral", 50, 720), Dose("oral", 50, 960), Dose("sublingual", 25, 1200),
]
ESKETAMINE_REGIMEN = [Dose("esketamine_nasal", 84, 0), Dose("esketamine_nasal", 56, 720), Dose("oral", 28, 1000)]


def timed(fn, repeats: int) -> tuple[float, float]:
    """(best, median) wall time in ms over ``repeats`` calls, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return min(times), statistics.median(times)


def once(fn) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1e3


def row(label: str, best: float, median: float, target: float | None, reference_ms: float | None) -> None:
    verdict = "" if target is None else ("meets" if median < target else "MISSES") + f" target {target:g} ms"
    ratio = "" if reference_ms is None else f"solve_ivp {reference_ms:9.1f} ms  ({reference_ms / median:,.0f}x faster)"
    print(f"{label:58s} best {best:7.2f} ms  median {median:7.2f} ms  {verdict:22s} {ratio}")


def single_patient() -> None:
    print("\n1. One patient, 24 h at 1-s resolution (86,401 points), multi-dose")
    for model, doses in (("domino-1984", RACEMIC_REGIMEN), ("clements-1981", RACEMIC_REGIMEN),
                         ("perez-ruixo-2021", ESKETAMINE_REGIMEN)):
        def run():
            return predict(model, WEIGHT_KG, AGE_YEARS, SEX, doses, SECOND_GRID)
        engine._typical.cache_clear()
        cold = once(run)
        best, median = timed(run, 50)
        reference = once(lambda: reference_predict(model, WEIGHT_KG, AGE_YEARS, SEX, doses, SECOND_GRID))
        row(f"  {model} ({len(doses)} doses)", best, median, 2.0, reference)
        print(f"    first call (eigen-decomposition not yet cached): {cold:.2f} ms")


def population_view() -> None:
    print("\n2. 1,000 virtual patients x 24 h at 1-min resolution (1,441 points), median + 5-95% band")
    for model, doses in (("clements-1981", [Dose("iv", 35, 0, 40)]), ("domino-1984", RACEMIC_REGIMEN),
                         ("perez-ruixo-2021", [Dose("esketamine_nasal", 84, 0)]),
                         ("perez-ruixo-2021", ESKETAMINE_REGIMEN)):
        best, median = timed(lambda: population(model, WEIGHT_KG, AGE_YEARS, SEX, doses, MINUTE_GRID, n=1000), 10)
        sampled = 5
        reference = once(lambda: _reference_population(model, doses, sampled)) * 1000 / sampled
        row(f"  {model} ({len(doses)} doses)", best, median, 100.0, reference)
    print(f"    solve_ivp figures: {5} virtual patients integrated, scaled to 1,000")


def _reference_population(model_key: str, doses, count: int) -> None:
    model = MODELS[model_key]
    inputs = engine.inputs_for(model, doses, {})
    etas, _ = draw_etas(model, count, np.random.default_rng(0))
    values = parameter_values(model, count, etas=etas)
    system = build_system(model, WEIGHT_KG, AGE_YEARS, depots_for(model, inputs), values)
    for p in range(count):
        one = System(system.compartments, tuple((a, b, k[p:p + 1]) for a, b, k in system.flows), system.central,
                     system.central_volume_l[p:p + 1], system.metabolite,
                     None if system.metabolite_volume_l is None else system.metabolite_volume_l[p:p + 1])
        reference_solve(one, inputs, MINUTE_GRID)


def tci_view() -> None:
    print("\n3. TCI: 200 ng/mL held for 40 min, 10-s updates (240 rate changes)")
    for model in ("domino-1984", "clements-1981", "hijazi-2003"):
        def run():
            return tci(model, WEIGHT_KG, 200, 40, age_years=AGE_YEARS, sex=SEX)
        best, median = timed(run, 50)
        reference = once(lambda: _reference_tci(model, 200, 40, run().max_rate_mg_per_min))
        result = run()
        row(f"  {model} ({result.mg_per_kg:.2f} mg/kg)", best, median, 5.0, reference)


def _reference_tci(model_key: str, target: float, duration_min: float, max_rate: float) -> float:
    """The same plasma-targeting TCI, with each 10-s step integrated by solve_ivp."""
    model = MODELS[model_key]
    system = build_system(model, WEIGHT_KG, AGE_YEARS, (), parameter_values(model, 1))
    flows = [(a, b, float(k[0])) for a, b, k in system.flows]
    size, central, volume = len(system.compartments), system.central, float(system.central_volume_l[0])

    def advance(state, rate, length):
        def rhs(_t, x):
            d = np.zeros(size)
            d[central] += rate
            for a, b, k in flows:
                d[a] -= k * x[a]
                if b is not None:
                    d[b] += k * x[a]
            return d
        return solve_ivp(rhs, (0.0, length), state, method="Radau", rtol=1e-10, atol=1e-14).y[:, -1]

    state, total, step = np.zeros(size), 0.0, 10.0 / 60.0
    for _ in range(int(round(duration_min / step))):
        free = advance(state, 0.0, step)
        unit = advance(np.zeros(size), 1.0, step)
        rate = min(max((target / 1000 * volume - free[central]) / unit[central], 0.0), max_rate)
        state, total = free + rate * unit, total + rate * step
    return total


def main() -> None:
    print(f"PK engine benchmark  (numpy {np.__version__}; Python {sys.version.split()[0]})")
    single_patient()
    population_view()
    tci_view()


if __name__ == "__main__":
    main()
