"""Clinic settings of the controlled-substance record, with shipped defaults.

Where PRACTICE.md §1 gives no verified number, or state rules differ, the value is the clinic's
own policy (``CLINIC_POLICY``): the beyond-use period after opening a vial, which events need a
witness, the daily count gate and how long records are kept (never under the federal 2 years).
Read through ``clinic_settings`` (registered from ``InventoryConfig.ready``).
"""

from ketamine_clinic.clinical.clinic_policy import Setting
from ketamine_clinic.clinical.sources import CLINIC_POLICY
from ketamine_clinic.clinic_settings import policy_for

PREFIX = "inventory."
WITNESS_PREFIX = PREFIX + "witness."
RETENTION_FLOOR_MONTHS = 24  # 21 CFR 1304.04(a): at least 2 years

SETTINGS: tuple[Setting, ...] = (
    Setting(PREFIX + "beyond_use_days", 28, "d", CLINIC_POLICY,
            "Clinic policy: days a multi-dose vial may be used after it is first opened (USP <797> is "
            "commonly read as 28 days; verify the product label).", 1, 365),
    Setting(WITNESS_PREFIX + "waste", True, "", CLINIC_POLICY,
            "Clinic policy (state rules differ): wasting the remainder of a draw needs a second clinician "
            "who re-enters a password or authenticator code."),
    Setting(WITNESS_PREFIX + "destroy", True, "", CLINIC_POLICY,
            "Clinic policy: destroying stock needs a witness (Form 41 asks for two employee witnesses)."),
    Setting(WITNESS_PREFIX + "return", False, "", CLINIC_POLICY,
            "Clinic policy: returning an undrawn remainder to its vial needs a witness."),
    Setting(WITNESS_PREFIX + "reverse_distributor", False, "", CLINIC_POLICY,
            "Clinic policy: handing stock to a reverse distributor needs a witness."),
    Setting(PREFIX + "daily_count_required", False, "", CLINIC_POLICY,
            "Clinic policy: a count of the location's stock must be completed each day before the first draw."),
    Setting(PREFIX + "retention_months", 24, "mo", CLINIC_POLICY,
            "Clinic policy: months controlled-substance records are kept before they may be purged "
            "(21 CFR 1304.04(a) requires at least 24; some states require more).", RETENTION_FLOOR_MONTHS, 1200),
)

WITNESSED_EVENTS = tuple(s.key.removeprefix(WITNESS_PREFIX) for s in SETTINGS if s.key.startswith(WITNESS_PREFIX))


def inventory_policy(organization) -> dict:
    """The organization's inventory settings without the prefix: {"beyond_use_days": 28, ...}."""
    return {k.removeprefix(PREFIX): v for k, v in policy_for(organization, PREFIX).items()}


def witness_required(organization, event_type: str) -> bool:
    return bool(inventory_policy(organization).get(f"witness.{event_type}", False))
