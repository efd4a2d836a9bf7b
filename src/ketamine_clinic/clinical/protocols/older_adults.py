"""Esketamine for older adults: a lower first dose and a lower floor.

shared/CLINICAL.md marks the older-adult starting dose *(verify)*. The published label summary
(Spravato monograph, MIMS) gives, for adults aged 65 and over, day 1 = 28 mg (1 device) and later
doses of 28, 56 or 84 mg. Until the clinic has verified that against the current prescribing
information, the age and the first dose are clinic settings whose defaults are labelled clinic
policy. Pure: the caller passes the patient's age and the clinic's settings.
"""

from __future__ import annotations

import dataclasses

from ..clinic_policy import Setting
from ..routes import Route
from ..sources import CLINIC_POLICY
from .model import DoseUnit, Protocol

AGE_KEY = "dosing.esketamine.older_adult_age_years"
FIRST_DOSE_KEY = "dosing.esketamine.older_adult_first_dose_devices"

SETTINGS: tuple[Setting, ...] = (
    Setting(AGE_KEY, 65, "years", CLINIC_POLICY,
            "Esketamine: from this age the older-adult dose rule applies (clinic policy; verify against the "
            "Spravato label).", 50, 90),
    Setting(FIRST_DOSE_KEY, 1, "devices", CLINIC_POLICY,
            "Esketamine, older adults: first-session dose and lowest dose in 28 mg devices (clinic policy; verify "
            "against the Spravato label).", 1, 2),
)
_DEFAULTS = {s.key: s.default for s in SETTINGS}


def applies(protocol: Protocol, age_years: int | None, settings: dict | None = None) -> bool:
    """True when ``protocol`` is an esketamine protocol and the patient is at or past the clinic's age."""
    values = {**_DEFAULTS, **(settings or {})}
    return (protocol.route is Route.ESKETAMINE_NASAL and protocol.dose_rule.unit is DoseUnit.DEVICES
            and age_years is not None and age_years >= values[AGE_KEY])


def for_patient_age(protocol: Protocol, age_years: int | None, settings: dict | None = None) -> Protocol:
    """``protocol`` as it applies to a patient of ``age_years``.

    For an older adult on esketamine the lowest dose becomes the older-adult dose, and a protocol
    that fixes the first session's dose (the TRD label's day 1) starts there instead. The usual
    maximum is kept; every other protocol and age comes back unchanged.
    """
    if not applies(protocol, age_years, settings):
        return protocol
    first = type(protocol.dose_rule.minimum)({**_DEFAULTS, **(settings or {})}[FIRST_DOSE_KEY])
    rule = protocol.dose_rule
    older = dataclasses.replace(
        rule,
        minimum=min(rule.minimum, first),
        first_session_dose=first if rule.first_session_dose is not None else None,
    )
    return dataclasses.replace(protocol, dose_rule=older)
