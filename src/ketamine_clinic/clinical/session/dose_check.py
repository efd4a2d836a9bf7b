"""A dose plan checked against the guardrails as ordered and as drawn.

The syringe's steps can make the dose drawn differ from the dose ordered (0.83 mL of 50 mg/mL is
41.5 mg, not 42 mg). The patient receives what is drawn, so both are checked and the stricter
result wins; when it is the drawn dose's, the message says so.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from ..routes import Route
from .common import Policy
from .dosing import DoseBasis, DosePlan
from .guardrails import DosingIndication, GuardrailLevel, GuardrailResult, check_guardrails

_SEVERITY = {GuardrailLevel.OK: 0, GuardrailLevel.SOFT: 1, GuardrailLevel.HARD: 2}


def _amounts(plan: DosePlan, indication: str, *, drawn: bool) -> dict[str, Decimal | None]:
    """The values the guardrails read for this route, from the ordered or the drawn dose."""
    mg = plan.drawn_dose_mg if drawn else plan.dose_mg
    per_kg = plan.drawn_dose_mg_per_kg if drawn else plan.dose_mg_per_kg
    if plan.route is Route.ESKETAMINE_NASAL:
        return {"dose_mg": mg}
    if plan.route is Route.IV and indication == DosingIndication.CHRONIC_PAIN and plan.basis is DoseBasis.MG_PER_KG_PER_H:
        return {"rate_mg_per_kg_per_h": plan.drawn_rate_mg_per_kg_per_h if drawn else plan.rate_mg_per_kg_per_h}
    if plan.route is Route.ORAL_SUBLINGUAL:
        return {"dose_mg": mg, "dose_mg_per_kg": per_kg if plan.basis is DoseBasis.MG_PER_KG else None}
    return {"dose_mg_per_kg": per_kg}


def check_plan_guardrails(plan: DosePlan, indication: str, policy: Policy = None) -> GuardrailResult:
    """The guardrail result for ``plan``: the ordered dose's, or the drawn dose's when that is stricter."""
    ordered = check_guardrails(plan.route, indication, policy=policy, **_amounts(plan, indication, drawn=False))
    if not plan.drawn_differs:
        return ordered
    drawn = check_guardrails(plan.route, indication, policy=policy, **_amounts(plan, indication, drawn=True))
    if _SEVERITY[drawn.level] <= _SEVERITY[ordered.level]:
        return ordered
    return dataclasses.replace(drawn, message=f"As drawn ({plan.drawn_dose_mg.normalize():f} mg): {drawn.message}")
