"""Clinic-policy settings of notes and the KAP workflow, with shipped defaults.

No source fixes these numbers: they are the clinic's own policy (``CLINIC_POLICY``), read through
``clinic_settings`` (registered from ``apps.py``).
"""

from ketamine_clinic.accounts.permissions import Role
from ketamine_clinic.clinical.clinic_policy import Setting
from ketamine_clinic.clinical.protocols.library import KAP_INTEGRATION_WINDOW_KEY
from ketamine_clinic.clinical.sources import CLINIC_POLICY
from ketamine_clinic.clinic_settings import policy_for

COSIGN_PREFIX = "notes.cosign_required."
# Roles that write notes; a clinic whose nurses or associate therapists work under supervision
# turns their co-signature on.
NOTE_WRITING_ROLES = (Role.PRESCRIBER, Role.NURSE, Role.THERAPIST)

KAP_PREFIX = "notes.kap."

SETTINGS: tuple[Setting, ...] = (
    *(Setting(COSIGN_PREFIX + role.value, False, "", CLINIC_POLICY,
              f"Clinic policy: a note signed by a {role.label.lower()} needs a co-signature by a clinician who needs none.")
      for role in NOTE_WRITING_ROLES),
    Setting(KAP_PREFIX + "require_signed_preparation", True, "", CLINIC_POLICY,
            "Clinic policy: a KAP plan's dosing session is blocked until a signed preparation-session note exists."),
)


def cosign_required(organization, user) -> bool:
    """True when any of the user's note-writing roles needs a co-signature at this clinic."""
    values = policy_for(organization, COSIGN_PREFIX)
    return any(values.get(COSIGN_PREFIX + role.value, False) for role in user.role_set if role in NOTE_WRITING_ROLES)


def kap_settings(organization) -> dict:
    """{"require_signed_preparation": bool, "integration_window_h": int} for the clinic.

    The integration window is the protocol setting the booking of integration sessions reads
    (``protocols.kap.integration_window_h``, registered with the protocol library), so booking and
    the overdue note cannot drift apart."""
    values = {k.removeprefix(KAP_PREFIX): v for k, v in policy_for(organization, KAP_PREFIX).items()}
    values["integration_window_h"] = policy_for(organization, KAP_INTEGRATION_WINDOW_KEY)[KAP_INTEGRATION_WINDOW_KEY]
    return values
