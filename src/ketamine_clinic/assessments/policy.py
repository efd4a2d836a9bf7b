"""Clinic-configurable numbers used by the assessments web layer.

The clinical core declares its own settings (``clinical.instruments.SETTINGS``); the few below
belong to the workflow around it (alert escalation, link expiry, default cadence) and are all
clinic policy. ``clinic_settings`` reads both, with each organization's stored values.
"""

from datetime import timedelta

from ketamine_clinic.clinic_settings import policy_for
from ketamine_clinic.clinical.instruments import SETTINGS as INSTRUMENT_SETTINGS
from ketamine_clinic.clinical.policy import Setting
from ketamine_clinic.clinical.sources import CLINIC_POLICY

ALERT_ESCALATE_AFTER = Setting(
    "alerts.suicide_risk.escalate_after_min", 60, "min", CLINIC_POLICY,
    "Clinic policy: an unacknowledged suicide-risk alert is escalated to the clinic admins after this many minutes.",
    5, 24 * 60,
)
TABLET_LINK_EXPIRY = Setting(
    "links.tablet.expiry_min", 60, "min", CLINIC_POLICY,
    "Clinic policy: a one-time questionnaire link for the clinic tablet expires after this many minutes.",
    5, 24 * 60,
)
EMAIL_LINK_EXPIRY = Setting(
    "links.email.expiry_h", 72, "h", CLINIC_POLICY,
    "Clinic policy: a one-time questionnaire link emailed to a patient expires after this many hours.",
    1, 14 * 24,
)
PHQ9_INTERVAL = Setting(
    "schedule.phq9.interval_days", 7, "d", CLINIC_POLICY,
    "Clinic policy: PHQ-9 every this many days during treatment (from the baseline PHQ-9).",
    1, 90,
)
DUE_LOOKBACK = Setting(
    "schedule.due_lookback_days", 28, "d", CLINIC_POLICY,
    "Clinic policy: due/overdue lists look back this many days (older misses are not listed).",
    7, 365,
)

ACTIVE_PATIENT_WINDOW = Setting(
    "schedule.active_patient_days", 90, "d", CLINIC_POLICY,
    "Clinic policy: until treatment plans exist, a patient counts as 'in treatment' for the weekly PHQ-9 "
    "while their last PHQ-9 is at most this many days old.",
    14, 365,
)

BASELINE_WINDOW = Setting(
    "measures.baseline.window_days", 30, "d", CLINIC_POLICY,
    "Clinic policy: a questionnaire completed up to this many days before an intake evaluation (or any time after) "
    "counts as that evaluation's baseline.",
    1, 365,
)

SETTINGS: tuple[Setting, ...] = (
    ALERT_ESCALATE_AFTER, TABLET_LINK_EXPIRY, EMAIL_LINK_EXPIRY, PHQ9_INTERVAL, DUE_LOOKBACK, ACTIVE_PATIENT_WINDOW,
    BASELINE_WINDOW,
)


def clinic_settings(organization=None) -> dict[str, object]:
    """Every setting this app reads, with the organization's stored value where it has one.

    Values come from the clinic-settings store (``clinic_settings.policy_for``: one query)
    over the shipped defaults; the store lists the workflow settings above beside the clinical ones.
    """
    values: dict[str, object] = {s.key: s.default for s in (*INSTRUMENT_SETTINGS, *SETTINGS)}
    if organization is not None:
        values.update({k: v for k, v in policy_for(organization).items() if k in values})
    return values


def _settings(settings_or_org) -> dict:
    return settings_or_org if isinstance(settings_or_org, dict) else clinic_settings(settings_or_org)


def value(settings_or_org, setting: Setting):
    """A setting's value from a dict already read with ``clinic_settings`` or for an organization."""
    return _settings(settings_or_org)[setting.key]


def escalate_after(settings_or_org) -> timedelta:
    return timedelta(minutes=value(settings_or_org, ALERT_ESCALATE_AFTER))


def link_lifetime(settings_or_org, purpose: str) -> timedelta:
    if purpose == "tablet":
        return timedelta(minutes=value(settings_or_org, TABLET_LINK_EXPIRY))
    return timedelta(hours=value(settings_or_org, EMAIL_LINK_EXPIRY))
