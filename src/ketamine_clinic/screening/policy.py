"""Clinic-policy settings of evaluation and eligibility sign-off, with shipped defaults.

The literature fixes none of these (``CLINIC_POLICY``); they are read through ``clinic_settings``.
"""

from ketamine_clinic.clinical.policy import Setting
from ketamine_clinic.clinical.sources import CLINIC_POLICY
from ketamine_clinic.clinic_settings import policy_for

OVERRIDE_REASON_KEY = "screening.override_reason_min_chars"

SETTINGS: tuple[Setting, ...] = (
    Setting(OVERRIDE_REASON_KEY, 10, "characters", CLINIC_POLICY,
            "Approving a route that needs prescriber review: the written reason has at least this many characters "
            "(clinic policy).", 1, 200),
)


def min_override_reason_chars(organization) -> int:
    return policy_for(organization, OVERRIDE_REASON_KEY)[OVERRIDE_REASON_KEY]
