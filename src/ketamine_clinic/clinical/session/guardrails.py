"""Dose guardrails per route and indication.

A *soft* limit may be passed only with a second clinician's co-signature and a reason; a *hard*
limit cannot be given. Every limit is a clinic setting whose default cites its source or says
clinic policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ..clinic_policy import Setting
from ..routes import Route
from ..sources import CLINIC_POLICY
from .common import Policy, SessionInputError, setting_value, settings_by_key, to_decimal
from .dosing import ESKETAMINE_MG_PER_DEVICE, ESKETAMINE_MAX_DEVICES


class GuardrailInputError(SessionInputError):
    """The dose to check is missing, negative or in the wrong unit for the route."""


class DoseNotAuthorized(SessionInputError):
    """A dose above a hard limit, or above a soft limit without a valid co-signature."""


class DosingIndication(StrEnum):
    """Which dose limits a session is checked against: the psychiatric limits or the chronic-pain
    (infusion-rate) limits. Distinct from the presenting diagnosis (``eligibility.Indication``)."""

    DEPRESSION = "depression"  # mood disorders and other psychiatric indications
    CHRONIC_PAIN = "chronic_pain"

    @property
    def label(self) -> str:
        return {DosingIndication.DEPRESSION: "Depression (mood disorders)",
                DosingIndication.CHRONIC_PAIN: "Chronic pain"}[self]


class GuardrailLevel(StrEnum):
    OK = "ok"
    SOFT = "soft"  # needs a second clinician's co-signature and a reason
    HARD = "hard"  # cannot be given


# Esketamine doses on the label: 1, 2 or 3 devices of 28 mg (spravato-pi).
ESKETAMINE_LABEL_DOSES_MG = tuple(ESKETAMINE_MG_PER_DEVICE * n for n in range(1, ESKETAMINE_MAX_DEVICES + 1))

SETTINGS: tuple[Setting, ...] = (
    Setting("session.guardrail.iv_depression.soft_mg_per_kg", Decimal("0.75"), "mg/kg", "cusin-2017",
            "IV, depression: above this needs a co-signature (0.75 mg/kg titration step, Cusin 2017, verify).",
            0.1, 2),
    Setting("session.guardrail.iv_depression.hard_mg_per_kg", Decimal("1.0"), "mg/kg", CLINIC_POLICY,
            "Clinic policy: IV, depression: above this cannot be given.", 0.1, 2),
    Setting("session.guardrail.iv_pain.soft_mg_per_kg_per_h", Decimal("2"), "mg/kg/h", "asra-2018",
            "IV, chronic pain: infusion rate above the published 0.5-2 mg/kg/h needs a co-signature.", 0.1, 5),
    Setting("session.guardrail.iv_pain.hard_mg_per_kg_per_h", Decimal("2"), "mg/kg/h", CLINIC_POLICY,
            "Clinic policy: IV, chronic pain: infusion rate above this cannot be given "
            "(default: top of the ASRA 2018 range, so no co-sign band until the clinic widens it).", 0.1, 5),
    Setting("session.guardrail.iv_pain.soft_bolus_mg_per_kg", Decimal("0.35"), "mg/kg", "asra-2018",
            "IV, chronic pain: a bolus above 0.35 mg/kg needs a co-signature.", 0.05, 2),
    Setting("session.guardrail.iv_pain.hard_bolus_mg_per_kg", Decimal("0.35"), "mg/kg", CLINIC_POLICY,
            "Clinic policy: IV, chronic pain: a bolus above this cannot be given "
            "(default: the ASRA 2018 bolus ceiling).", 0.05, 2),
    Setting("session.guardrail.im.soft_mg_per_kg", Decimal("0.75"), "mg/kg", "kap-feasibility",
            "IM: above this needs a co-signature (0.75 mg/kg, published KAP study).", 0.1, 2),
    Setting("session.guardrail.im.hard_mg_per_kg", Decimal("1.0"), "mg/kg", CLINIC_POLICY,
            "Clinic policy: IM: above this cannot be given (common clinic range 0.5-1.0 mg/kg).", 0.1, 2),
    Setting("session.guardrail.oral.soft_mg_per_kg", Decimal("2.5"), "mg/kg", CLINIC_POLICY,
            "Clinic policy: oral/sublingual above this needs a co-signature "
            "(about 2-2.5 mg/kg oral matches IV exposure, Andrade 2019).", 0.25, 7),
    Setting("session.guardrail.oral.hard_mg_per_kg", Decimal("7"), "mg/kg", "andrade-2019",
            "Oral/sublingual above this cannot be given (top of the published 0.25-7 mg/kg range).", 0.25, 7),
    Setting("session.guardrail.oral.hard_fixed_mg", Decimal("300"), "mg", "andrade-2019",
            "Oral/sublingual fixed dose above this cannot be given (top of the published 25-300 mg range).", 25, 300),
    # Who may be the second clinician is the clinic's policy; the one giving the dose never may.
    Setting("session.cosign.orderer_may_cosign", False, "", CLINIC_POLICY,
            "Clinic policy: the prescriber who ordered the dose may co-sign it above a soft limit (for a small "
            "clinic with one prescriber); the co-signer is never the clinician giving the dose."),
)
_SETTINGS = settings_by_key(SETTINGS)


@dataclass(frozen=True)
class GuardrailResult:
    level: GuardrailLevel
    message: str
    limit: Decimal | None  # the limit that fired (or the soft limit when ok), in ``unit``
    unit: str
    source: str  # key of sources.SOURCES for the limit

    @property
    def needs_cosign(self) -> bool:
        return self.level is GuardrailLevel.SOFT

    @property
    def may_be_given(self) -> bool:
        return self.level is not GuardrailLevel.HARD


def _tiered(value: Decimal, unit: str, what: str, soft_key: str, hard_key: str, policy: Policy) -> GuardrailResult:
    soft = setting_value(_SETTINGS, policy, soft_key)
    hard = setting_value(_SETTINGS, policy, hard_key)
    if value > hard:
        return GuardrailResult(GuardrailLevel.HARD,
                               f"{what} {value} {unit} is above the hard limit of {hard} {unit}: cannot be given",
                               hard, unit, _SETTINGS[hard_key].source)
    if value > soft:
        return GuardrailResult(GuardrailLevel.SOFT,
                               f"{what} {value} {unit} is above the soft limit of {soft} {unit}: "
                               "needs a second clinician's co-signature and a reason",
                               soft, unit, _SETTINGS[soft_key].source)
    return GuardrailResult(GuardrailLevel.OK, f"{what} {value} {unit} is within limits", soft, unit,
                           _SETTINGS[soft_key].source)


def check_guardrails(
    route: Route | str,
    indication: DosingIndication | str,
    *,
    dose_mg_per_kg: object = None,
    dose_mg: object = None,
    rate_mg_per_kg_per_h: object = None,
    policy: Policy = None,
) -> GuardrailResult:
    """Check one dose against the clinic's limits for ``route`` and ``indication``.

    IV/IM/oral doses are checked per kg (oral also accepts a fixed mg dose); esketamine in mg;
    IV chronic-pain infusions by rate in mg/kg/h (a per-kg value there is a bolus).
    """
    try:
        route = Route(route)
    except ValueError:
        raise GuardrailInputError("route", f"unknown route {route!r}") from None
    try:
        indication = DosingIndication(indication)
    except ValueError:
        raise GuardrailInputError("indication", f"unknown indication {indication!r}") from None

    def number(value, field):
        return None if value is None else to_decimal(value, field, error=GuardrailInputError)

    per_kg = number(dose_mg_per_kg, "dose_mg_per_kg")
    mg = number(dose_mg, "dose_mg")
    rate = number(rate_mg_per_kg_per_h, "rate_mg_per_kg_per_h")

    if route is Route.ESKETAMINE_NASAL:
        if mg is None:
            raise GuardrailInputError("dose_mg", "esketamine is checked in mg")
        if mg in ESKETAMINE_LABEL_DOSES_MG:
            return GuardrailResult(GuardrailLevel.OK, f"{mg} mg is a labelled esketamine dose", mg, "mg",
                                   "spravato-pi")
        return GuardrailResult(GuardrailLevel.HARD,
                               f"{mg} mg is not a labelled esketamine dose (28, 56 or 84 mg): cannot be given",
                               None, "mg", "spravato-pi")
    if route is Route.IV and indication is DosingIndication.CHRONIC_PAIN:
        if rate is not None:
            return _tiered(rate, "mg/kg/h", "Infusion rate", "session.guardrail.iv_pain.soft_mg_per_kg_per_h",
                           "session.guardrail.iv_pain.hard_mg_per_kg_per_h", policy)
        if per_kg is None:
            raise GuardrailInputError("rate_mg_per_kg_per_h", "give the infusion rate (mg/kg/h) or bolus (mg/kg)")
        return _tiered(per_kg, "mg/kg", "Bolus", "session.guardrail.iv_pain.soft_bolus_mg_per_kg",
                       "session.guardrail.iv_pain.hard_bolus_mg_per_kg", policy)
    if route is Route.IV:
        if per_kg is None:
            raise GuardrailInputError("dose_mg_per_kg", "IV doses are checked in mg/kg")
        return _tiered(per_kg, "mg/kg", "Dose", "session.guardrail.iv_depression.soft_mg_per_kg",
                       "session.guardrail.iv_depression.hard_mg_per_kg", policy)
    if route is Route.IM:
        if per_kg is None:
            raise GuardrailInputError("dose_mg_per_kg", "IM doses are checked in mg/kg")
        return _tiered(per_kg, "mg/kg", "Dose", "session.guardrail.im.soft_mg_per_kg",
                       "session.guardrail.im.hard_mg_per_kg", policy)
    # Oral / sublingual: per kg and/or fixed mg; the stricter result wins.
    if per_kg is None and mg is None:
        raise GuardrailInputError("dose_mg_per_kg", "give the oral dose in mg/kg or mg")
    results = []
    if per_kg is not None:
        results.append(_tiered(per_kg, "mg/kg", "Dose", "session.guardrail.oral.soft_mg_per_kg",
                               "session.guardrail.oral.hard_mg_per_kg", policy))
    if mg is not None:
        hard_fixed = setting_value(_SETTINGS, policy, "session.guardrail.oral.hard_fixed_mg")
        if mg > hard_fixed:
            results.append(GuardrailResult(GuardrailLevel.HARD,
                                           f"Dose {mg} mg is above the hard limit of {hard_fixed} mg: cannot be given",
                                           hard_fixed, "mg", _SETTINGS["session.guardrail.oral.hard_fixed_mg"].source))
        else:
            results.append(GuardrailResult(GuardrailLevel.OK, f"Dose {mg} mg is within limits", hard_fixed, "mg",
                                           _SETTINGS["session.guardrail.oral.hard_fixed_mg"].source))
    return max(results, key=lambda r: _SEVERITY[r.level])


_SEVERITY = {GuardrailLevel.OK: 0, GuardrailLevel.SOFT: 1, GuardrailLevel.HARD: 2}


@dataclass(frozen=True)
class DoseAuthorization:
    """Permission to give a dose: who ordered it and, past a soft limit, who co-signed and why."""

    guardrail: GuardrailResult
    ordered_by: str
    cosigned_by: str | None = None
    cosign_reason: str | None = None


def authorize_dose(
    guardrail: GuardrailResult, *, ordered_by: str, given_by: str | None = None, cosigned_by: str | None = None,
    cosign_reason: str | None = None, policy: Policy = None,
) -> DoseAuthorization:
    """Allow the dose, or raise ``DoseNotAuthorized``: hard limits never pass; soft limits need a
    co-signature and a reason from a second clinician: never the one giving the dose (``given_by``),
    and not the orderer unless the clinic allows it (``session.cosign.orderer_may_cosign``)."""
    if not isinstance(guardrail, GuardrailResult):
        raise GuardrailInputError("guardrail", "must be a GuardrailResult")
    if not isinstance(ordered_by, str) or not ordered_by.strip():
        raise GuardrailInputError("ordered_by", "name the clinician ordering the dose")
    if guardrail.level is GuardrailLevel.HARD:
        raise DoseNotAuthorized("dose", guardrail.message)
    if guardrail.level is GuardrailLevel.SOFT:
        if not isinstance(cosigned_by, str) or not cosigned_by.strip():
            raise DoseNotAuthorized("cosigned_by", "a second clinician must co-sign a dose above the soft limit")
        cosigner = cosigned_by.strip()
        if isinstance(given_by, str) and cosigner == given_by.strip():
            raise DoseNotAuthorized("cosigned_by", "the co-signer must be a different clinician from the one giving the dose")
        orderer_may = setting_value(_SETTINGS, policy, "session.cosign.orderer_may_cosign")
        if cosigner == ordered_by.strip() and not orderer_may:
            raise DoseNotAuthorized("cosigned_by", "the co-signer must be a different clinician from the orderer "
                                                   "(clinic policy)")
        if not isinstance(cosign_reason, str) or not cosign_reason.strip():
            raise DoseNotAuthorized("cosign_reason", "give the reason for going above the soft limit")
        return DoseAuthorization(guardrail, ordered_by.strip(), cosigner, cosign_reason.strip())
    return DoseAuthorization(guardrail, ordered_by.strip())
