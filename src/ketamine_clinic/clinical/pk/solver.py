"""Exact solution of dx/dt = A x + u(t) for piecewise-constant inputs and boluses.

A is diagonalised once, A = V diag(lambda) V^-1. In the eigenbasis z = V^-1 x every mode is
independent, so between two input events (a "segment", input rate r constant)

    z_k(t0 + tau) = z_k(t0) exp(lambda_k tau) + b_k expm1(lambda_k tau) / lambda_k,   b = V^-1 r

and a concentration is a fixed linear combination of the modes: a sum of exponentials plus a
constant. On a uniform time grid exp(lambda (a B + b) dt) = exp(lambda a B dt) exp(lambda b dt), so
the sum over modes becomes a small matrix product instead of one exp per time point and mode.
Everything is vectorised over n virtual patients. If A is defective or nearly so (an absorption
rate equal to a disposition eigenvalue), that patient is solved with the matrix exponential of
the augmented system instead (slower, exact).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.linalg

from .structure import NG_ML_PER_MG_L, Input, System

_MAX_EIGVEC_CONDITION = 1e8
_UNIFORM_TOLERANCE_MIN = 1e-9
_CHUNK_ELEMENTS = 1 << 16
MIN_INFUSION_MIN = 1e-6  # shorter "infusions" (under 0.1 ms) are given as boluses, never as infinite rates


def events(system: System, inputs: Sequence[Input]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Segment boundaries (S,), bolus amounts (S, K) at each boundary, input rates (S, K) after it."""
    inputs = [i if i.duration_min >= MIN_INFUSION_MIN else Input(i.compartment, i.amount_mg, i.start_min)
              for i in inputs]
    ends = [i.start_min + i.duration_min for i in inputs if i.duration_min > 0]
    bounds = np.unique(np.array([i.start_min for i in inputs] + ends, dtype=float))
    k = len(system.compartments)
    bolus = np.zeros((bounds.size, k))
    rate = np.zeros((bounds.size, k))
    for i in inputs:
        c = system.index(i.compartment)
        s0 = int(np.searchsorted(bounds, i.start_min))
        if i.duration_min > 0:
            s1 = int(np.searchsorted(bounds, i.start_min + i.duration_min))
            rate[s0:s1, c] += i.amount_mg / i.duration_min
        else:
            bolus[s0, c] += i.amount_mg
    return bounds, bolus, rate


class Decomposition:
    """Eigen-decomposition of the rate matrices of n patients, with output weights (ng/mL per mode)."""

    def __init__(self, system: System) -> None:
        a = system.matrix()
        lam, vec = np.linalg.eig(a)
        scale = np.abs(lam).max(axis=-1)
        ok = np.abs(lam.imag).max(axis=-1) <= 1e-12 * scale
        vec = vec.real
        k = a.shape[-1]
        ok &= np.all(lam.real < 0, axis=-1)
        vec[~ok] = np.eye(k)
        try:
            inv = np.linalg.inv(vec)
        except np.linalg.LinAlgError:  # an exactly singular eigenvector matrix: invert patient by patient
            inv = np.empty_like(vec)
            for p in range(vec.shape[0]):
                try:
                    inv[p] = np.linalg.inv(vec[p])
                except np.linalg.LinAlgError:
                    ok[p], vec[p], inv[p] = False, np.eye(k), np.eye(k)
        # condition number in the infinity norm: large when eigenvalues (nearly) coincide
        cond = np.abs(vec).sum(axis=-1).max(axis=-1) * np.abs(inv).sum(axis=-1).max(axis=-1)
        bad = ~ok | ~np.isfinite(cond) | (cond >= _MAX_EIGVEC_CONDITION)
        vec[bad], inv[bad] = np.eye(k), np.eye(k)
        ok = ~bad
        self.system = system
        self.a = a
        self.lam = np.where(ok[:, None], lam.real, -1.0)  # (n, K)
        self.vec = vec
        self.inv = inv
        self.ok = ok
        rows = system.outputs()
        self.weights = np.stack(  # (n, O, K): concentration in ng/mL of each output per unit mode
            [vec[:, row, :] * (NG_ML_PER_MG_L / volume)[:, None] for row, volume in rows], axis=1)


def solve(system: System, inputs: Sequence[Input], times_min: np.ndarray,
          decomposition: Decomposition | None = None) -> np.ndarray:
    """Concentrations (n, O, m) in ng/mL at sorted ``times_min`` (O = parent [+ metabolite])."""
    d = decomposition or Decomposition(system)
    n, outputs, m = system.n, len(system.outputs()), times_min.size
    y = np.zeros((n, outputs, m))
    if not inputs or m == 0:
        return y
    bounds, bolus, rate = events(system, inputs)
    starts = np.searchsorted(times_min, bounds, side="left")
    stops = np.append(starts[1:], m)
    bolus_e = np.matmul(d.inv, bolus.T).transpose(2, 0, 1)  # (S, n, K): inputs in the eigenbasis
    rate_e = np.matmul(d.inv, rate.T).transpose(2, 0, 1)
    lam = d.lam
    step = uniform_step(times_min)
    z = np.zeros((n, lam.shape[1]))
    for s in range(bounds.size):
        z = z + bolus_e[s]
        r = rate_e[s]
        c = r / lam
        i0, i1 = starts[s], stops[s]
        if i1 > i0:
            alpha = d.weights * (z + c)[:, None, :]
            beta = -np.matmul(d.weights, c[:, :, None])  # (n, O, 1)
            if step is not None and i1 - i0 >= 16:
                block = _uniform(lam, alpha, times_min[i0] - bounds[s], step, i1 - i0)
            else:
                block = sum_of_exponentials(lam, alpha, times_min[i0:i1] - bounds[s])
            np.add(block, beta, out=y[:, :, i0:i1])
        if s + 1 < bounds.size:
            length = bounds[s + 1] - bounds[s]
            z = z * np.exp(lam * length) + r * (np.expm1(lam * length) / lam)
    if not d.ok.all():
        for p in np.flatnonzero(~d.ok):
            y[p] = _solve_expm(d.a[p], system, p, bounds, bolus, rate, times_min)
    # amounts in a compartmental system are never negative; remove round-off below zero (~1e-13)
    return np.maximum(y, 0.0, out=y)


def uniform_step(times_min: np.ndarray) -> float | None:
    """The spacing of a uniform (sorted) time grid, or None if the grid is not uniform."""
    m = times_min.size
    if m < 16:
        return None
    step = (times_min[-1] - times_min[0]) / (m - 1)
    if not step > 0:
        return None
    # deviation from the uniform grid, computed in one buffer (this runs on every prediction)
    deviation = np.arange(m, dtype=float)
    deviation *= step
    deviation += times_min[0]
    np.subtract(times_min, deviation, out=deviation)
    np.abs(deviation, out=deviation)
    if deviation.max() <= _UNIFORM_TOLERANCE_MIN:
        return float(step)
    return None


def sum_of_exponentials(lam: np.ndarray, alpha: np.ndarray, tau: np.ndarray,
                        step: float | None = None) -> np.ndarray:
    """sum_k alpha[n, o, k] exp(lam[n, k] tau[j]) -> (n, O, m), for tau >= 0.

    ``step``: tau is uniform with this spacing (within 1e-9 min), which allows the fast path.
    """
    n, outputs, k = alpha.shape
    m = tau.size
    if step is not None and m >= 16:
        return _uniform(lam, alpha, tau[0], step, m)
    out = np.empty((n, outputs, m))
    chunk = max(1, _CHUNK_ELEMENTS // max(1, m * k))
    for p0 in range(0, n, chunk):
        p1 = min(n, p0 + chunk)
        e = np.exp(lam[p0:p1, :, None] * tau[None, None, :])  # (c, K, m)
        out[p0:p1] = np.matmul(alpha[p0:p1], e)
    return out


def _uniform(lam: np.ndarray, alpha: np.ndarray, tau0: float, step: float, m: int) -> np.ndarray:
    n, outputs, k = alpha.shape
    width = int(np.ceil(np.sqrt(m)))
    blocks = -(-m // width)
    coarse = np.exp(lam[:, None, :] * (tau0 + step * width * np.arange(blocks))[None, :, None])  # (n, A, K)
    fine = np.exp(lam[:, :, None] * (step * np.arange(width))[None, None, :])  # (n, K, B)
    scaled = (coarse[:, None, :, :] * alpha[:, :, None, :]).reshape(n, outputs * blocks, k)
    grid = np.matmul(scaled, fine).reshape(n, outputs, blocks * width)  # (n, O, A * B)
    return grid[:, :, :m]


def _solve_expm(a: np.ndarray, system: System, p: int, bounds, bolus, rate, times_min) -> np.ndarray:
    """One patient by matrix exponentials of the augmented system [[A, r], [0, 0]] (fallback)."""
    k = a.shape[0]
    rows = system.outputs()
    y = np.zeros((len(rows), times_min.size))
    x = np.zeros(k)
    starts = np.searchsorted(times_min, bounds, side="left")
    stops = np.append(starts[1:], times_min.size)
    for s in range(bounds.size):
        x = x + bolus[s]
        aug = np.zeros((k + 1, k + 1))
        aug[:k, :k] = a
        aug[:k, k] = rate[s]
        x_aug = np.append(x, 1.0)
        tau = times_min[starts[s]:stops[s]] - bounds[s]
        if tau.size:
            states = scipy.linalg.expm(aug[None] * tau[:, None, None]) @ x_aug
            for o, (row, volume) in enumerate(rows):
                y[o, starts[s]:stops[s]] = states[:, row] * NG_ML_PER_MG_L / volume[p]
        if s + 1 < bounds.size:
            x = (scipy.linalg.expm(aug * (bounds[s + 1] - bounds[s])) @ x_aug)[:k]
    return y
