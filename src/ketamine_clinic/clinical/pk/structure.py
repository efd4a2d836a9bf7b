"""Compartments, flows and inputs of each model: the linear system dx/dt = A x + u(t).

Amounts are in mg, time in minutes, volumes in litres (mg/L x 1000 = ng/mL). A model is a list of
first-order flows ``(from, to, k_per_min)``; ``to=None`` is elimination. Doses become elementary
inputs into one compartment: a bolus (duration 0) or a zero-order input over ``duration_min``.
Parameters are NumPy arrays of shape (n,) so that n virtual patients are built at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from .models import (
    ESKETAMINE_NASAL, IM, INTRANASAL, IV, ORAL, SUBLINGUAL, PKModel,
)

MIN_PER_H = 60.0
NG_ML_PER_MG_L = 1000.0


@dataclass(frozen=True)
class Input:
    """``amount_mg`` into ``compartment`` from ``start_min``, over ``duration_min`` (0 = bolus)."""

    compartment: str
    amount_mg: float
    start_min: float
    duration_min: float = 0.0


@dataclass(frozen=True, eq=False)
class System:
    compartments: tuple[str, ...]
    flows: tuple[tuple[int, int | None, np.ndarray], ...]  # (from, to or None, k_per_min of shape (n,))
    central: int
    central_volume_l: np.ndarray  # (n,)
    metabolite: int | None = None
    metabolite_volume_l: np.ndarray | None = None

    @property
    def n(self) -> int:
        return int(self.central_volume_l.shape[0])

    def index(self, name: str) -> int:
        return self.compartments.index(name)

    def matrix(self) -> np.ndarray:
        """Rate matrix A of shape (n, K, K), per minute."""
        k = len(self.compartments)
        a = np.zeros((self.n, k, k))
        for source, target, rate in self.flows:
            a[:, source, source] -= rate
            if target is not None:
                a[:, target, source] += rate
        return a

    def outputs(self) -> list[tuple[int, np.ndarray]]:
        """(compartment, volume_l) of the parent drug and, if modelled, the metabolite."""
        rows = [(self.central, self.central_volume_l)]
        if self.metabolite is not None:
            rows.append((self.metabolite, self.metabolite_volume_l))
        return rows


def parameter_values(model: PKModel, n: int, etas: Mapping[str, np.ndarray] | None = None,
                     overrides: Mapping[str, float] | None = None) -> dict[str, np.ndarray]:
    """Each parameter as an array (n,): typical value (or override) x exp(eta) where an eta is given."""
    values = {}
    for p in model.parameters:
        typical = float(overrides[p.name]) if overrides and p.name in overrides else p.value
        values[p.name] = np.full(n, typical)
    for name, eta in (etas or {}).items():
        values[name] = values[name] * np.exp(eta)
    return values


def depots_for(model: PKModel, inputs: Sequence[Input]) -> tuple[str, ...]:
    return tuple(sorted({i.compartment for i in inputs if i.compartment.startswith("depot_")}))


def build_system(model: PKModel, weight_kg: float, age_years: float, depots: Sequence[str],
                 values: Mapping[str, np.ndarray]) -> System:
    if model.structure == "mammillary":
        return _mammillary(weight_kg, depots, values)
    if model.structure == "herd":
        return _herd(weight_kg, values)
    if model.structure == "perez-ruixo":
        return _perez_ruixo(age_years, depots, values)
    raise ValueError(f"unknown structure {model.structure!r}")


def _mammillary(weight_kg: float, depots: Sequence[str], v: Mapping[str, np.ndarray]) -> System:
    names = ["central", "peripheral_1"]
    flows = [(0, None, v["k10_per_min"]), (0, 1, v["k12_per_min"]), (1, 0, v["k21_per_min"])]
    if "k13_per_min" in v:
        names.append("peripheral_2")
        flows += [(0, 2, v["k13_per_min"]), (2, 0, v["k31_per_min"])]
    # racemic extravascular routes: first-order absorption into the central compartment
    ka = {f"depot_{r}": v[f"ka_{r}_per_min"] for r in (IM, INTRANASAL, ORAL, SUBLINGUAL)}
    for depot in depots:
        names.append(depot)
        flows.append((len(names) - 1, 0, ka[depot]))
    return System(tuple(names), tuple(flows), 0, v["v1_l_per_kg"] * weight_kg)


def _herd(weight_kg: float, v: Mapping[str, np.ndarray]) -> System:
    size = weight_kg / 70.0  # herd-2007: volumes x (W/70), clearances x (W/70)^0.75
    v1 = v["v1_l_per_70kg"] * size
    v2 = v["v2_l_per_70kg"] * size
    cl = v["cl_l_per_h_per_70kg"] * size**0.75 / MIN_PER_H
    q = v["q_l_per_h_per_70kg"] * size**0.75 / MIN_PER_H
    flows = ((0, None, cl / v1), (0, 1, q / v1), (1, 0, q / v2))
    return System(("central", "peripheral_1"), flows, 0, v1)


def _perez_ruixo(age_years: float, depots: Sequence[str], v: Mapping[str, np.ndarray]) -> System:
    per_min = 1.0 / MIN_PER_H
    # hepatic blood flow falls 2.19 L/h per year over 60 (perez-ruixo-2021)
    qh = v["qh_l_per_h"] - v["qh_age_slope_l_per_h_per_year"] * max(0.0, age_years - v["qh_age_reference_years"][0])
    qh = np.maximum(qh, 1e-3)
    names = ["central", "peripheral_1", "peripheral_2", "liver", "noresketamine", "noresketamine_peripheral"]
    vc, vh, vcn = v["vc_l"], v["vh_l"], v["vcn_l"]
    flows = [
        (0, 1, v["q1_l_per_h"] / vc * per_min), (1, 0, v["q1_l_per_h"] / v["vp1_l"] * per_min),
        (0, 2, v["q2_l_per_h"] / vc * per_min), (2, 0, v["q2_l_per_h"] / v["vp2_l"] * per_min),
        (0, 3, qh / vc * per_min), (3, 0, qh / vh * per_min),
        (3, None, v["kel_per_h"] * per_min),  # other metabolites
        (3, 4, v["kmet_per_h"] * per_min),  # noresketamine formation
        (4, None, v["cln_l_per_h"] / vcn * per_min),
        (4, 5, v["qn_l_per_h"] / vcn * per_min), (5, 4, v["qn_l_per_h"] / v["vpn_l"] * per_min),
    ]
    # nasal absorption goes to the systemic circulation; swallowed and oral drug to the liver
    targets = {"depot_nasal": (0, v["ka_nasal_per_h"]), "depot_swallowed": (3, v["ka_swallowed_per_h"]),
               "depot_oral": (3, v["ka_oral_per_h"])}
    for depot in depots:
        names.append(depot)
        target, ka_per_h = targets[depot]
        flows.append((len(names) - 1, target, ka_per_h * per_min))
    return System(tuple(names), tuple(flows), 0, vc, 4, vcn)


def expand_dose(model: PKModel, route: str, mg: float, start_min: float, duration_min: float,
                values: Mapping[str, np.ndarray]) -> list[Input]:
    """The elementary inputs of one dose (bioavailability applied; typical values only)."""
    def value(name: str) -> float:
        return float(values[name][0])

    if route == IV:
        return [Input("central", mg, start_min, duration_min)]
    if model.structure == "perez-ruixo":
        fgut = value("fgut")
        if route == ORAL:  # oral solution: Fgut x dose into the gut over 0.32 h
            return [Input("depot_oral", fgut * mg, start_min, value("oral_zero_order_h") * MIN_PER_H)]
        if route == ESKETAMINE_NASAL:
            inputs = []
            devices = int(round(mg / value("device_mg")))
            for device in range(devices):
                fraction = value("fr_nasal") * (1.0 if device == 0 else value("nasal_later_device_factor"))
                at_min = start_min + device * value("device_interval_min")
                inputs.append(Input("depot_nasal", fraction * value("device_mg"), at_min))
                swallowed_mg = (1.0 - fraction) * value("device_mg") * fgut
                inputs.append(Input("depot_swallowed", swallowed_mg, at_min,
                                    value("swallowed_zero_order_h") * MIN_PER_H))
            return inputs
    else:
        return [Input(f"depot_{route}", value(f"f_{route}") * mg, start_min)]
    raise ValueError(f"route {route!r} not available for {model.key}")
