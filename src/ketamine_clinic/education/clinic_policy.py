"""Clinic-policy settings of patient education, with shipped defaults (read through
``clinic_settings``, registered from ``apps.py``)."""

from ketamine_clinic.clinical.clinic_policy import Setting
from ketamine_clinic.clinical.sources import CLINIC_POLICY
from ketamine_clinic.clinic_settings import policy_for

REMS_ACK_HARD_STOP = "education.esketamine_ack_before_rems_hard_stop"
SEND_ON_PLAN_ACTIVATION = "education.send_pack_on_plan_activation"

SETTINGS: tuple[Setting, ...] = (
    # Spravato REMS: before enrollment the patient reads the Medication Guide (spravatorems.com,
    # PRACTICE.md §6.1). Whether the clinic's own education page must be acknowledged first is policy.
    Setting(REMS_ACK_HARD_STOP, False, "", CLINIC_POLICY,
            "Clinic policy: REMS enrollment is refused until the patient has acknowledged the esketamine "
            "education page in the portal (off: the enrollment page shows it as an open item)."),
    Setting(SEND_ON_PLAN_ACTIVATION, True, "", CLINIC_POLICY,
            "Clinic policy: activating a treatment plan sends the route's education pack (pages for before "
            "treatment) to the patient's portal."),
)


def rems_ack_is_hard_stop(organization) -> bool:
    return bool(policy_for(organization, REMS_ACK_HARD_STOP)[REMS_ACK_HARD_STOP])


def send_pack_on_plan_activation(organization) -> bool:
    return bool(policy_for(organization, SEND_ON_PLAN_ACTIVATION)[SEND_ON_PLAN_ACTIVATION])
