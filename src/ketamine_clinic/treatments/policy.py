"""Clinic-policy settings of the session day, with shipped defaults.

The measures due before each dose are the clinic's own policy (``CLINIC_POLICY``), not a guideline:
the shipped defaults ask for the PHQ-9 and C-SSRS before each dose for depression and the pain
score for chronic pain. They are declared as ``Setting``s like the clinical core's and read through
``clinic_settings`` (registered from ``TreatmentsConfig.ready``): a clinic's value is used once
a clinic admin sets one; until then the defaults hold.
"""

from ketamine_clinic.clinic_settings import policy_for
from ketamine_clinic.clinical.instruments import INSTRUMENTS
from ketamine_clinic.clinical.policy import Setting
from ketamine_clinic.clinical.sources import CLINIC_POLICY

PREDOSE_MEASURES_PREFIX = "treatments.predose_measures."

SETTINGS: tuple[Setting, ...] = (
    Setting(PREDOSE_MEASURES_PREFIX + "depression", "phq9,cssrs", "", CLINIC_POLICY,
            "Clinic policy: questionnaires (comma-separated instrument keys) due before each dose for "
            "depression; each must be done that day or deferred with a reason."),
    Setting(PREDOSE_MEASURES_PREFIX + "chronic_pain", "pain_nrs", "", CLINIC_POLICY,
            "Clinic policy: questionnaires (comma-separated instrument keys) due before each dose for "
            "chronic pain; each must be done that day or deferred with a reason."),
    Setting("treatments.rems.bp_recheck_window_min", 15, "min", CLINIC_POLICY,
            "REMS form: a BP reading this close to 40 min after the first device counts as the ~40-minute "
            "reading (clinic policy; the label says 'approximately 40 minutes').", 5, 30),
)


def predose_measures(organization) -> dict[str, tuple[str, ...]]:
    """{indication: instrument keys due before each dose}: the clinic's value where one is stored,
    else the default (``organization``: an Organization, its pk, or None for the defaults). A linked
    plan's protocol adds its own measures (``facts.measure_keys``)."""
    values = {s.key: s.default for s in SETTINGS if s.key.startswith(PREDOSE_MEASURES_PREFIX)}
    values.update({k: v for k, v in policy_for(organization, PREDOSE_MEASURES_PREFIX).items() if k in values})
    return {key.removeprefix(PREDOSE_MEASURES_PREFIX): _instrument_keys(value) for key, value in values.items()}


def rems_bp_recheck_window(organization) -> int:
    """Minutes either side of the 40-minute mark within which a BP reading counts for the REMS form."""
    key = "treatments.rems.bp_recheck_window_min"
    return policy_for(organization, key)[key]


def _known_instruments(value) -> None:
    """Refuse an unknown key when the clinic saves the setting (it would block every dose)."""

    unknown = [k for k in _instrument_keys(value) if k not in INSTRUMENTS]
    if unknown:
        raise ValueError(f"Unknown questionnaire {', '.join(unknown)}; use keys such as {', '.join(sorted(INSTRUMENTS))}.")


# Checked by clinic_settings.change_setting before a clinic's value is stored.
VALIDATORS = {setting.key: _known_instruments for setting in SETTINGS if setting.key.startswith(PREDOSE_MEASURES_PREFIX)}


def _instrument_keys(value: str) -> tuple[str, ...]:
    keys: list[str] = []
    for part in str(value).split(","):
        key = part.strip().lower()
        if key and key not in keys:
            keys.append(key)
    return tuple(keys)
