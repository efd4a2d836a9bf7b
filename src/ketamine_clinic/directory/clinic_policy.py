"""Clinic-policy numbers of the directory, with shipped defaults (no source fixes them)."""

from ketamine_clinic.clinical.clinic_policy import Setting
from ketamine_clinic.clinical.sources import CLINIC_POLICY
from ketamine_clinic.clinic_settings import policy_for

SETTINGS: tuple[Setting, ...] = (
    Setting("directory.expiry_warning_days", 60, "d", CLINIC_POLICY,
            "List a licence or DEA registration on the admin's Today this many days before it expires (clinic policy).",
            7, 365),
    Setting("directory.block_when_location_state_unknown", False, "", CLINIC_POLICY,
            "When a session's or plan's location has no US state recorded, stop the prescriber's orders instead "
            "of warning on the checklist that the licence state could not be matched (clinic policy).")
)


def expiry_warning_days(organization) -> int:
    return int(policy_for(organization, "directory.").get("directory.expiry_warning_days", 60))


def block_when_location_state_unknown(organization) -> bool:
    return bool(policy_for(organization, "directory.").get("directory.block_when_location_state_unknown", False))
