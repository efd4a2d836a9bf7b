"""Clinic settings of screening: the eligibility engine's (declared in ``clinical.eligibility``) as
this clinic has set them, with where each number comes from, and the app's own sign-off setting.

The literature fixes none of the app's own (``CLINIC_POLICY``); all are read through ``clinic_settings``.
"""

from ketamine_clinic.clinic_settings import policy_for, setting_value
from ketamine_clinic.clinical.clinic_policy import Setting
from ketamine_clinic.clinical.eligibility import SETTINGS as ELIGIBILITY_SETTINGS
from ketamine_clinic.clinical.sources import CLINIC_POLICY, SOURCES

OVERRIDE_REASON_KEY = "screening.override_reason_min_chars"

SETTINGS: tuple[Setting, ...] = (
    Setting(OVERRIDE_REASON_KEY, 10, "characters", CLINIC_POLICY,
            "Approving a route that needs prescriber review: the written reason has at least this many characters "
            "(clinic policy).", 1, 200),
)


def min_override_reason_chars(organization) -> int:
    return setting_value(organization, OVERRIDE_REASON_KEY)


def eligibility_policy(organization_id=None) -> dict:
    """The clinic's eligibility settings as ``{key: value}``: its own values, else the defaults."""
    return policy_for(organization_id, "eligibility.")


def policy_rows(organization_id=None) -> list[dict]:
    values = eligibility_policy(organization_id)
    return [
        {"key": s.key, "value": values[s.key], "unit": s.unit.replace("mm[Hg]", "mmHg"), "description": s.description,
         "is_clinic_policy": s.is_clinic_policy, "source": s.source}
        for s in ELIGIBILITY_SETTINGS
    ]


def source_label(key: str) -> str:
    source = SOURCES.get(key)
    if key == "clinic-policy":
        return "Clinic policy"
    return source.citation if source else key
