"""Vital signs: one validated reading, the clinic's limits, and the alerts a reading raises.

Physical ranges below are data-entry plausibility bounds (a mistyped 400 or 140 is refused),
not clinical thresholds. Clinical thresholds are clinic settings in ``SETTINGS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from ..clinic_policy import Setting
from ..sources import CLINIC_POLICY
from .common import Policy, SessionInputError, require_aware, setting_value, settings_by_key, to_decimal, to_whole


class VitalsInputError(SessionInputError):
    """A vital sign outside what a human body can show, or inconsistent (systolic <= diastolic)."""


# field -> (lowest plausible, highest plausible, unit, label). Data-entry checks for typing and unit
# errors, not clinical thresholds (alert thresholds are settings below). No publication fixes them:
# CLINIC_POLICY, chosen wide enough for any living patient.
PHYSICAL_RANGES_SOURCE = CLINIC_POLICY
PHYSICAL_RANGES: dict[str, tuple[Decimal, Decimal, str, str]] = {
    "systolic_mmhg": (Decimal(40), Decimal(300), "mmHg", "Systolic blood pressure"),
    "diastolic_mmhg": (Decimal(20), Decimal(200), "mmHg", "Diastolic blood pressure"),
    "heart_rate_per_min": (Decimal(20), Decimal(250), "/min", "Heart rate"),
    "spo2_percent": (Decimal(50), Decimal(100), "%", "SpO2"),
    "respiratory_rate_per_min": (Decimal(4), Decimal(60), "/min", "Respiratory rate"),
    "temperature_c": (Decimal(30), Decimal(45), "°C", "Temperature"),
}


@dataclass(frozen=True)
class VitalSigns:
    """One set of vital signs; any value may be absent (not taken). Validated on creation."""

    systolic_mmhg: int | None = None
    diastolic_mmhg: int | None = None
    heart_rate_per_min: int | None = None
    spo2_percent: int | None = None
    respiratory_rate_per_min: int | None = None
    temperature_c: Decimal | None = None
    observed_at: datetime | None = None

    def __post_init__(self) -> None:
        for field, (low, high, unit, label) in PHYSICAL_RANGES.items():
            raw = getattr(self, field)
            if raw is None:
                continue
            if field == "temperature_c":
                value = to_decimal(raw, field, error=VitalsInputError)
            else:
                value = to_whole(raw, field, error=VitalsInputError)
            if not low <= value <= high:
                raise VitalsInputError(
                    field, f"{label} {raw} {unit} is outside the possible range {low}–{high} {unit}; check the entry"
                )
            object.__setattr__(self, field, value)
        if self.systolic_mmhg is not None and self.diastolic_mmhg is not None:
            if self.systolic_mmhg <= self.diastolic_mmhg:
                raise VitalsInputError(
                    "diastolic_mmhg",
                    f"systolic {self.systolic_mmhg} mmHg must be higher than diastolic {self.diastolic_mmhg} mmHg",
                )
        elif (self.systolic_mmhg is None) != (self.diastolic_mmhg is None):
            missing = "diastolic_mmhg" if self.diastolic_mmhg is None else "systolic_mmhg"
            raise VitalsInputError(missing, "blood pressure needs both systolic and diastolic values")
        if self.observed_at is not None:
            require_aware(self.observed_at, "observed_at", error=VitalsInputError)

    @property
    def blood_pressure(self) -> str | None:
        if self.systolic_mmhg is None:
            return None
        return f"{self.systolic_mmhg}/{self.diastolic_mmhg}"


def bp_over(vitals: VitalSigns, max_systolic_mmhg, max_diastolic_mmhg, limit_name: str) -> str:
    """Which part of the blood pressure is over its limit, each limit said once: "BP 168/104 mmHg:
    diastolic is above the clinic hold limit of 100 mmHg" ("" when neither is over)."""
    parts = []
    if vitals.systolic_mmhg is not None and vitals.systolic_mmhg > max_systolic_mmhg:
        parts.append(("systolic", max_systolic_mmhg))
    if vitals.diastolic_mmhg is not None and vitals.diastolic_mmhg > max_diastolic_mmhg:
        parts.append(("diastolic", max_diastolic_mmhg))
    if not parts:
        return ""
    first, *rest = parts
    text = f"BP {vitals.blood_pressure} mmHg: {first[0]} is above the {limit_name} of {first[1]} mmHg"
    for name, limit in rest:
        text += f" and {name} above {limit} mmHg"
    return text


SETTINGS: tuple[Setting, ...] = (
    # Pre-dose hold limits: the literature gives no numeric do-not-dose cut-off (spravato-pi; CLINICAL.md
    # s.3: "180/100 or HR > 110 hold" are often quoted but are clinic policy).
    Setting("session.predose.hold_systolic_mmhg", 180, "mm[Hg]", CLINIC_POLICY,
            "Clinic policy: do not dose when pre-dose systolic BP is above this.", 100, 250),
    Setting("session.predose.hold_diastolic_mmhg", 100, "mm[Hg]", CLINIC_POLICY,
            "Clinic policy: do not dose when pre-dose diastolic BP is above this.", 60, 150),
    Setting("session.predose.hold_heart_rate_per_min", 110, "/min", CLINIC_POLICY,
            "Clinic policy: do not dose when pre-dose heart rate is above this.", 60, 200),
    Setting("session.predose.hold_min_spo2_percent", 92, "%", CLINIC_POLICY,
            "Clinic policy: do not dose when pre-dose SpO2 is below this.", 80, 100),
    Setting("session.predose.hold_min_respiratory_rate_per_min", 10, "/min", CLINIC_POLICY,
            "Clinic policy: do not dose when pre-dose respiratory rate is below this.", 4, 20),
    Setting("session.predose.hold_max_respiratory_rate_per_min", 24, "/min", CLINIC_POLICY,
            "Clinic policy: do not dose when pre-dose respiratory rate is above this.", 12, 60),
    # Esketamine: above 140/90 the prescriber weighs the BP rise against benefit (spravato-pi).
    Setting("session.esketamine.bp_decision_systolic_mmhg", 140, "mm[Hg]", "spravato-pi",
            "Esketamine: pre-dose systolic above this needs a documented prescriber risk-benefit decision.", 100, 180),
    Setting("session.esketamine.bp_decision_diastolic_mmhg", 90, "mm[Hg]", "spravato-pi",
            "Esketamine: pre-dose diastolic above this needs a documented prescriber risk-benefit decision.", 60, 110),
    # Alerts during and after dosing (clinic policy; CLINICAL.md s.3).
    Setting("session.alert.min_spo2_percent", 92, "%", CLINIC_POLICY,
            "Clinic policy: alert when SpO2 is below this during or after dosing.", 80, 100),
    Setting("session.alert.max_systolic_mmhg", 180, "mm[Hg]", CLINIC_POLICY,
            "Clinic policy: alert when systolic BP is above this during or after dosing.", 100, 250),
    Setting("session.alert.max_diastolic_mmhg", 100, "mm[Hg]", CLINIC_POLICY,
            "Clinic policy: alert when diastolic BP is above this during or after dosing.", 60, 150),
    Setting("session.alert.max_heart_rate_per_min", 110, "/min", CLINIC_POLICY,
            "Clinic policy: alert when heart rate is above this during or after dosing.", 60, 200),
    Setting("session.alert.min_respiratory_rate_per_min", 10, "/min", CLINIC_POLICY,
            "Clinic policy: alert when respiratory rate is below this during or after dosing.", 4, 20),
)
_SETTINGS = settings_by_key(SETTINGS)


def vitals_setting(policy: Policy, key: str):
    return setting_value(_SETTINGS, policy, key)


class SessionPhase(StrEnum):
    PRE_DOSE = "pre_dose"
    DURING = "during"  # infusion running / devices being given
    AFTER = "after"  # observation after dosing


class AlertSeverity(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class Alert:
    kind: str  # "spo2_low", "bp_high", "bp_caution", "heart_rate_high", "respiratory_rate_low", ...
    severity: AlertSeverity
    message: str
    source: str  # key of sources.SOURCES


def vitals_alerts(vitals: VitalSigns, phase: SessionPhase | str, policy: Policy = None) -> list[Alert]:
    """Alerts raised by one reading, against the clinic's limits for ``phase``."""
    if not isinstance(vitals, VitalSigns):
        raise VitalsInputError("vitals", "must be a VitalSigns reading")
    try:
        phase = SessionPhase(phase)
    except ValueError:
        raise VitalsInputError("phase", f"unknown phase {phase!r}; use one of {[p.value for p in SessionPhase]}") from None
    pre = phase is SessionPhase.PRE_DOSE
    prefix = "session.predose.hold_" if pre else "session.alert."
    low_spo2 = vitals_setting(policy, prefix + ("min_spo2_percent"))
    max_sys = vitals_setting(policy, prefix + ("systolic_mmhg" if pre else "max_systolic_mmhg"))
    max_dia = vitals_setting(policy, prefix + ("diastolic_mmhg" if pre else "max_diastolic_mmhg"))
    max_hr = vitals_setting(policy, prefix + ("heart_rate_per_min" if pre else "max_heart_rate_per_min"))
    min_rr = vitals_setting(policy, prefix + "min_respiratory_rate_per_min")
    what = "pre-dose hold limit" if pre else "clinic alert limit"
    alerts: list[Alert] = []
    if vitals.spo2_percent is not None and vitals.spo2_percent < low_spo2:
        alerts.append(Alert("spo2_low", AlertSeverity.CRITICAL,
                            f"SpO2 {vitals.spo2_percent}% is below the {what} of {low_spo2}%", CLINIC_POLICY))
    alerts += _respiratory_rate_alerts(vitals, min_rr, pre, policy, what)
    if vitals.systolic_mmhg is not None:
        alerts += _bp_alerts(vitals, max_sys, max_dia, pre, policy, what)
    if vitals.heart_rate_per_min is not None and vitals.heart_rate_per_min > max_hr:
        alerts.append(Alert("heart_rate_high", AlertSeverity.CRITICAL,
                            f"Heart rate {vitals.heart_rate_per_min}/min is above the {what} of {max_hr}/min",
                            CLINIC_POLICY))
    return alerts


def _respiratory_rate_alerts(vitals: VitalSigns, min_rr, pre: bool, policy: Policy, what: str) -> list[Alert]:
    """Too low always; too high only before dosing (a pre-dose hold limit)."""
    rr = vitals.respiratory_rate_per_min
    alerts = []
    if rr is not None and rr < min_rr:
        alerts.append(Alert("respiratory_rate_low", AlertSeverity.CRITICAL,
                            f"Respiratory rate {rr}/min is below the {what} of {min_rr}/min", CLINIC_POLICY))
    if pre:
        max_rr = vitals_setting(policy, "session.predose.hold_max_respiratory_rate_per_min")
        if rr is not None and rr > max_rr:
            alerts.append(Alert("respiratory_rate_high", AlertSeverity.CRITICAL,
                                f"Respiratory rate {rr}/min is above the {what} of {max_rr}/min", CLINIC_POLICY))
    return alerts


def _bp_alerts(vitals: VitalSigns, max_sys, max_dia, pre: bool, policy: Policy, what: str) -> list[Alert]:
    """Over the limit: critical. Before dosing, under it but over the esketamine decision limit: a
    warning that asks for the prescriber's risk-benefit decision."""
    if over := bp_over(vitals, max_sys, max_dia, what):
        return [Alert("bp_high", AlertSeverity.CRITICAL, over, CLINIC_POLICY)]
    if not pre:
        return []
    c_sys = vitals_setting(policy, "session.esketamine.bp_decision_systolic_mmhg")
    c_dia = vitals_setting(policy, "session.esketamine.bp_decision_diastolic_mmhg")
    if over := bp_over(vitals, c_sys, c_dia, "esketamine decision limit"):
        return [Alert("bp_caution", AlertSeverity.WARNING,
                      f"{over}: weigh the blood pressure rise against benefit", "spravato-pi")]
    return []
