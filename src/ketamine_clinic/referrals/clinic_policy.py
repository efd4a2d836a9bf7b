"""Clinic-policy numbers of the referrals app, with shipped defaults (no source fixes them)."""

from ketamine_clinic.clinical.clinic_policy import Setting
from ketamine_clinic.clinical.sources import CLINIC_POLICY
from ketamine_clinic.clinic_settings import policy_for

SETTINGS: tuple[Setting, ...] = (
    Setting("referrals.public_posts_per_hour", 10, "posts", CLINIC_POLICY,
            "How many public referral or appointment-request posts one client address may send to this clinic's "
            "forms in an hour; more are refused (429) and nothing is stored (clinic policy).",
            1, 1000),
)


def public_posts_per_hour(organization) -> int:
    return int(policy_for(organization, "referrals.").get("referrals.public_posts_per_hour", 10))
