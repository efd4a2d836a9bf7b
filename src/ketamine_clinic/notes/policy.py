"""Clinic-policy settings of notes and the KAP workflow, with shipped defaults.

No source fixes these numbers: they are the clinic's own policy (``CLINIC_POLICY``), read through
``core.clinic_settings`` (registered in its ``APP_SETTING_MODULES``).
"""

from ketamine_clinic.accounts.permissions import Role
from ketamine_clinic.clinical.policy import Setting
from ketamine_clinic.clinical.sources import CLINIC_POLICY
from ketamine_clinic.core.clinic_settings import policy_for

COSIGN_PREFIX = "notes.cosign_required."
# Roles that write notes; a clinic whose nurses or associate therapists work under supervision
# turns their co-signature on.
NOTE_WRITING_ROLES = (Role.PRESCRIBER, Role.NURSE, Role.THERAPIST)

SETTINGS: tuple[Setting, ...] = tuple(
    Setting(COSIGN_PREFIX + role.value, False, "", CLINIC_POLICY,
            f"Clinic policy: a note signed by a {role.label.lower()} needs a co-signature by a clinician who needs none.")
    for role in NOTE_WRITING_ROLES
)


def cosign_required(organization, user) -> bool:
    """True when any of the user's note-writing roles needs a co-signature at this clinic."""
    values = policy_for(organization, COSIGN_PREFIX)
    return any(values.get(COSIGN_PREFIX + role.value, False) for role in user.role_set if role in NOTE_WRITING_ROLES)
