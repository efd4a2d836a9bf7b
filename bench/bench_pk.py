"""Benchmark of the PK engine against opentiva, before (main) and after (this tree), in one run.

Prints figures; never asserts on time. Three problems, Domino 1984, 70 kg, 45 years:

- TCI: plasma target 200 ng/mL held 40 min, 10-s updates (opentiva: ``Pump.add_target`` plasma
  targeting with 10-s maintenance infusions, then ``run``);
- one prediction: 35 mg IV over 40 min, plasma every second for 24 h (86,401 points; opentiva:
  ``cp_over_time``);
- 1,000 virtual patients x 24 h, plasma every minute (1,441 points). opentiva has no population
  view: it is looped over 1,000 patients (weights 50-110 kg) with ``calculate_cp`` per minute; a
  sample of patients is timed and scaled to 1,000.

"cold": our decomposition cache cleared before each call, opentiva's model and pump built for each
call; "warm": caches and pump kept. Both are medians of repeated calls after one warm-up call (the
very first call of a process also pays imports and garbage collection, for both libraries). opentiva (MIT, C extension) is not a dependency of the project: give
the Python of a throwaway venv where it is installed. "before" runs the engine of another source
tree (default: ``git archive main``) in a subprocess.

Run:
    python3 -m venv /tmp/otv && /tmp/otv/bin/pip install "cython<3.1" setuptools numpy scipy
    /tmp/otv/bin/pip install --no-build-isolation --no-binary opentiva opentiva
    .venv/bin/python bench/bench_pk.py --opentiva-python /tmp/otv/bin/python [--before-ref main]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WEIGHT_KG, AGE_YEARS, TARGET_NG_ML, TCI_MIN = 70.0, 45.0, 200.0, 40.0
INFUSION_MG, INFUSION_MIN = 35.0, 40.0
DAY_S = 24 * 3600
PATIENTS = 1000
PROBLEMS = ("tci", "single", "population")
LABELS = {"tci": "TCI 200 ng/mL, 40 min, 10-s updates",
          "single": "one prediction, 24 h every second",
          "population": "1,000 patients x 24 h every minute"}


def timed(fn, repeats: int) -> dict:
    """Median ms of ``repeats`` calls with cold caches and of ``repeats`` with warm ones (after a warm-up)."""
    fn(cold=True)
    figures = {}
    for phase in ("cold", "warm"):
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            fn(cold=phase == "cold")
            runs.append((time.perf_counter() - start) * 1e3)
        figures[phase] = statistics.median(runs)
    return figures


# --- workers: each prints {problem: {"cold": ms, "warm": ms}, "checks": {...}} as JSON ---------------


def ours_worker() -> dict:
    from ketamine_clinic.clinical.pk import Dose, engine, population, predict, tci

    seconds = np.arange(DAY_S + 1) / 60.0
    minutes = np.arange(24 * 60 + 1, dtype=float)
    doses = [Dose("iv", INFUSION_MG, 0.0, INFUSION_MIN)]

    def clear(cold):
        if cold:
            engine._typical.cache_clear()

    def run_tci(cold):
        clear(cold)
        return tci("domino-1984", WEIGHT_KG, TARGET_NG_ML, TCI_MIN, age_years=AGE_YEARS, sex="male")

    def run_single(cold):
        clear(cold)
        return predict("domino-1984", WEIGHT_KG, AGE_YEARS, "male", doses, seconds)

    def run_population(cold):
        clear(cold)
        return population("domino-1984", WEIGHT_KG, AGE_YEARS, "male", doses, minutes, n=PATIENTS)

    figures = {"tci": timed(run_tci, 50), "single": timed(run_single, 30), "population": timed(run_population, 7)}
    schedule = run_tci(False)
    replay = predict("domino-1984", WEIGHT_KG, AGE_YEARS, "male", schedule.as_doses(), seconds[60:int(TCI_MIN * 60) + 1])
    figures["checks"] = {
        "tci_plasma_1_40_min": [float(replay.concentration_ng_ml.min()), float(replay.concentration_ng_ml.max())],
        "single_curve": run_single(False).concentration_ng_ml[:DAY_S:600].tolist(),  # opentiva stops at 86,399 s
    }
    return figures


def opentiva_worker() -> dict:
    import opentiva.ketamine as ketamine
    import opentiva.pump as pump

    def model(weight_kg=WEIGHT_KG):
        return ketamine.Domino(sex=1, age=AGE_YEARS, weight=weight_kg, height=170)

    pumps = {}

    def run_tci(cold):
        p = pump.Pump(model=model(), drug_concentration=1, end_time=int(TCI_MIN * 60),
                      maintenance_infusion_duration=10, max_infusion_rate=1200, bolus_time=20)
        p.add_target(start=0, target=TARGET_NG_ML / 1000.0, duration=10, effect=False)  # ug/mL
        return p.run()

    def single_pump():
        p = pump.Pump(model=model(), drug_concentration=1, end_time=DAY_S)
        p.add_infusion(start=0, dose=INFUSION_MG / (INFUSION_MIN * 60), duration=int(INFUSION_MIN * 60))
        p.generate_infusions()
        return p

    def run_single(cold):
        if cold or "single" not in pumps:
            pumps["single"] = single_pump()
        p = pumps["single"]
        return p.pkpd_model.cp_over_time(p.infusion_list, 0, DAY_S)

    weights = np.linspace(50.0, 110.0, PATIENTS)
    sample = 25

    def run_population(cold):
        start = time.perf_counter()
        for w in weights[:sample]:
            p = pump.Pump(model=model(float(w)), drug_concentration=1, end_time=DAY_S)
            p.add_infusion(start=0, dose=INFUSION_MG / (INFUSION_MIN * 60), duration=int(INFUSION_MIN * 60))
            p.generate_infusions()
            [p.pkpd_model.calculate_cp(p.infusion_list, t) for t in range(0, DAY_S + 1, 60)]
        # the sample, scaled to 1,000 patients
        run_population.scaled_ms = (time.perf_counter() - start) * 1e3 * PATIENTS / sample

    figures = {"tci": timed(run_tci, 50), "single": timed(run_single, 10)}
    scaled = []
    for _ in range(3):  # every patient's model and pump is built: cold and warm are the same
        run_population(True)
        scaled.append(run_population.scaled_ms)
    figures["population"] = {"cold": statistics.median(scaled), "warm": statistics.median(scaled), "sampled": sample}
    plasma = run_tci(False)
    minute_on = plasma[(plasma[:, 0] >= 60) & (plasma[:, 0] <= TCI_MIN * 60), 1] * 1000.0
    figures["checks"] = {
        "tci_plasma_1_40_min": [float(minute_on.min()), float(minute_on.max())],
        "single_curve": (run_single(False)[::600, 1] * 1000.0).tolist(),
    }
    return figures


# --- driver -----------------------------------------------------------------------------------------


def in_subprocess(python: str, worker: str, src: Path | None) -> dict:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    out = subprocess.run([python, __file__, "--worker", worker], capture_output=True, text=True, env=env,
                         timeout=900)
    if out.returncode:
        raise SystemExit(f"{worker} worker failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def source_of(ref: str, into: Path) -> Path:
    """``src/`` of a git ref, extracted (no checkout, no worktree)."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "src"], capture_output=True, check=True).stdout
    path = into / "archive.tar"
    path.write_bytes(archive)
    with tarfile.open(path) as tar:
        tar.extractall(into, filter="data")
    return into / "src"


def best_of(rounds: list[dict]) -> dict | None:
    """Each figure's lowest median over the rounds (the round least disturbed by other load)."""
    if not rounds:
        return None
    best = dict(rounds[0])
    for problem in PROBLEMS:
        best[problem] = {**rounds[0][problem],
                         **{phase: min(r[problem][phase] for r in rounds) for phase in ("cold", "warm")}}
    return best


def print_table(after: dict, before: dict | None, reference: dict | None) -> None:
    print(f"\n{'problem':38s} {'':5s} {'before':>10s} {'after':>10s} {'opentiva':>10s} "
          f"{'after vs before':>16s} {'after vs opentiva':>18s}")
    for problem in PROBLEMS:
        for phase in ("cold", "warm"):
            ours = after[problem][phase]
            old = before[problem][phase] if before else None
            ref = reference[problem][phase] if reference else None
            print(f"{LABELS[problem] if phase == 'cold' else '':38s} {phase:5s} "
                  f"{_ms(old):>10s} {_ms(ours):>10s} {_ms(ref):>10s} "
                  f"{_ratio(old, ours):>16s} {_ratio(ref, ours):>18s}")
    if reference:
        print(f"\nopentiva population figures: {reference['population']['sampled']} patients timed, scaled to {PATIENTS:,}.")


def print_checks(after: dict, reference: dict | None) -> None:
    low, high = after["checks"]["tci_plasma_1_40_min"]
    print(f"\nTCI plasma from 1 to 40 min (replayed every second): ours {low:.1f}-{high:.1f} ng/mL "
          f"({(low / TARGET_NG_ML - 1) * 100:+.2f}% / {(high / TARGET_NG_ML - 1) * 100:+.2f}%)", end="")
    if reference:
        low, high = reference["checks"]["tci_plasma_1_40_min"]
        print(f"; opentiva {low:.1f}-{high:.1f} ng/mL ({(low / TARGET_NG_ML - 1) * 100:+.1f}% / "
              f"{(high / TARGET_NG_ML - 1) * 100:+.1f}%)")
        ours = np.array(after["checks"]["single_curve"])
        theirs = np.array(reference["checks"]["single_curve"])
        rel = np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-300)) if ours.size == theirs.size else float("nan")
        print(f"One prediction, ours vs opentiva every 10 min over 24 h: max relative difference {rel:.1e}")
    else:
        print()


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f} ms"


def _ratio(slower: float | None, faster: float) -> str:
    return "-" if slower is None else f"{slower / faster:,.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", choices=("ours", "opentiva"))
    parser.add_argument("--opentiva-python", default=os.environ.get("OPENTIVA_PYTHON"),
                        help="Python of a venv with opentiva installed (or $OPENTIVA_PYTHON)")
    parser.add_argument("--before-ref", default="main", help="git ref for the 'before' column ('' to skip)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; each figure is the best round's")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(ours_worker() if args.worker == "ours" else opentiva_worker()))
        return
    print(f"PK engine benchmark  (numpy {np.__version__}; Python {sys.version.split()[0]}; "
          f"Domino 1984, {WEIGHT_KG:g} kg, {AGE_YEARS:g} years)")
    with tempfile.TemporaryDirectory() as tmp:
        before_src = source_of(args.before_ref, Path(tmp)) if args.before_ref else None
        runs = {"after": [], "before": [], "opentiva": []}
        for _ in range(args.rounds):  # interleaved: load on a shared machine hits every column alike
            runs["after"].append(in_subprocess(sys.executable, "ours", ROOT / "src"))
            if before_src:
                runs["before"].append(in_subprocess(sys.executable, "ours", before_src))
            if args.opentiva_python:
                runs["opentiva"].append(in_subprocess(args.opentiva_python, "opentiva", None))
    if not args.opentiva_python:
        print("(no --opentiva-python: the opentiva column is empty)")
    after, before, reference = (best_of(runs[k]) for k in ("after", "before", "opentiva"))
    print_table(after, before, reference)
    print_checks(after, reference)


if __name__ == "__main__":
    main()
