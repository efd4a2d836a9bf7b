"""Monitoring during the session: vitals cadence, CADSS / MOAA/S, side effects, adverse events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ..clinic_policy import Setting
from ..routes import Route
from ..sources import CLINIC_POLICY
from .common import Policy, SessionInputError, require_aware, setting_value, settings_by_key, to_whole


class MonitoringInputError(SessionInputError):
    """Bad monitoring input: times out of order, a score out of range, an unknown side effect."""


# Esketamine fixed check: BP about 40 min after dosing (spravato-pi).
ESKETAMINE_BP_RECHECK_MIN = 40

SETTINGS: tuple[Setting, ...] = (
    Setting("session.vitals.iv.during_interval_min", 10, "min", "emory-practice",
            "IV: vitals every 10 min during the infusion.", 1, 60),
    Setting("session.vitals.iv.after_interval_min", 15, "min", "emory-practice",
            "IV: vitals every 15 min after the infusion.", 1, 120),
    Setting("session.vitals.im.after_interval_min", 15, "min", CLINIC_POLICY,
            "Clinic policy: IM, vitals every N min after the injection.", 1, 120),
    Setting("session.vitals.oral_sublingual.after_interval_min", 15, "min", CLINIC_POLICY,
            "Clinic policy: oral/sublingual, vitals every N min after the dose.", 1, 120),
    Setting("session.vitals.due_window_min", 5, "min", CLINIC_POLICY,
            "Clinic policy: a reading up to N min before a check counts for it; a check is overdue N min after "
            "its time.", 0, 30),
    Setting("session.cadss.times_min", "40", "min", CLINIC_POLICY,
            "Clinic policy: CADSS at these minutes after dosing starts (dissociation peaks ~40 min).", None, None),
    Setting("session.moaas.times_min", "15,30,45,60", "min", CLINIC_POLICY,
            "Clinic policy: MOAA/S at these minutes after dosing starts (sedation peaks 30-45 min).", None, None),
)
_SETTINGS = settings_by_key(SETTINGS)


@dataclass(frozen=True)
class ScheduledCheck:
    due_at: datetime
    label: str
    source: str  # key of sources.SOURCES


@dataclass(frozen=True)
class VitalsSchedule:
    route: Route
    checks: tuple[ScheduledCheck, ...]  # in time order


def _times(route, dose_start, dose_end, observation_end):
    try:
        route = Route(route)
    except ValueError:
        raise MonitoringInputError("route", f"unknown route {route!r}") from None
    start = require_aware(dose_start, "dose_start", error=MonitoringInputError)
    end = require_aware(dose_end, "dose_end", error=MonitoringInputError)
    obs_end = require_aware(observation_end, "observation_end", error=MonitoringInputError)
    if end < start:
        raise MonitoringInputError("dose_end", "dosing cannot end before it starts")
    if obs_end < end:
        raise MonitoringInputError("observation_end", "observation cannot end before dosing ends")
    return route, start, end, obs_end


def vitals_schedule(
    route: Route | str, dose_start: datetime, dose_end: datetime, observation_end: datetime, policy: Policy = None
) -> VitalsSchedule:
    """When vitals are due. IV: before, every 10 min during, every 15 min after (emory-practice).
    Esketamine: before, ~40 min after the first device, before discharge (spravato-pi).
    IM / oral: before, then at the clinic's interval (clinic policy). Always a check at observation end.
    Times are instants (aware datetimes), so arithmetic is unaffected by daylight-saving changes."""
    route, start, end, obs_end = _times(route, dose_start, dose_end, observation_end)
    checks = [ScheduledCheck(start, "Before dosing", "spravato-pi" if route is Route.ESKETAMINE_NASAL
                             else "apa-2017")]
    if route is Route.ESKETAMINE_NASAL:
        at_40 = start + timedelta(minutes=ESKETAMINE_BP_RECHECK_MIN)
        if at_40 < obs_end:
            checks.append(ScheduledCheck(at_40, "About 40 min after the first device", "spravato-pi"))
        checks.append(ScheduledCheck(obs_end, "Before discharge", "spravato-pi"))
        return VitalsSchedule(route, tuple(checks))

    if route is Route.IV:
        during_key = "session.vitals.iv.during_interval_min"
        step = timedelta(minutes=setting_value(_SETTINGS, policy, during_key))
        t = start + step
        while t < end:
            checks.append(ScheduledCheck(t, "During infusion", _SETTINGS[during_key].source))
            t += step
        checks.append(ScheduledCheck(end, "End of infusion", _SETTINGS[during_key].source))
    after_key = f"session.vitals.{route.value}.after_interval_min"
    step = timedelta(minutes=setting_value(_SETTINGS, policy, after_key))
    t = end + step
    while t < obs_end:
        checks.append(ScheduledCheck(t, "After dosing", _SETTINGS[after_key].source))
        t += step
    if checks[-1].due_at != obs_end:
        checks.append(ScheduledCheck(obs_end, "Before discharge", _SETTINGS[after_key].source))
    else:
        checks[-1] = ScheduledCheck(obs_end, "Before discharge", checks[-1].source)
    return VitalsSchedule(route, tuple(checks))


@dataclass(frozen=True)
class VitalsDue:
    next_due: ScheduledCheck | None  # the earliest open check not yet overdue
    overdue: list[ScheduledCheck]
    satisfied: list[ScheduledCheck]


def vitals_due(schedule: VitalsSchedule, taken_times: list[datetime], now: datetime, policy: Policy = None) -> VitalsDue:
    """Match readings to checks: each check is met by the first unused reading taken no earlier than
    ``due_window_min`` before it; a check not met ``due_window_min`` after its time is overdue."""
    if not isinstance(schedule, VitalsSchedule):
        raise MonitoringInputError("schedule", "must be a VitalsSchedule")
    now = require_aware(now, "now", error=MonitoringInputError)
    if taken_times is None or isinstance(taken_times, (str, bytes)):
        raise MonitoringInputError("taken_times", "give a list of times")
    taken = sorted(require_aware(t, f"taken_times[{i}]", error=MonitoringInputError)
                   for i, t in enumerate(taken_times))
    window = timedelta(minutes=setting_value(_SETTINGS, policy, "session.vitals.due_window_min"))
    satisfied, open_checks = [], []
    next_reading = 0
    checks = schedule.checks
    for n, check in enumerate(checks):
        opens = check.due_at - window
        closes = checks[n + 1].due_at - window if n + 1 < len(checks) else None
        while next_reading < len(taken) and taken[next_reading] < opens:
            next_reading += 1  # an early extra reading: counts for no check
        if next_reading < len(taken) and (closes is None or taken[next_reading] < closes):
            satisfied.append(check)
            next_reading += 1
        else:
            open_checks.append(check)
    overdue = [c for c in open_checks if now > c.due_at + window]
    upcoming = [c for c in open_checks if now <= c.due_at + window]
    return VitalsDue(upcoming[0] if upcoming else None, overdue, satisfied)


# --- Scales -------------------------------------------------------------------------------------

CADSS_TOTAL_RANGE = (0, 92)  # 23 items x 0-4 (CLINICAL.md s.4)
MOAAS_RANGE = (0, 5)  # 0 = unresponsive, 5 = responds readily to name (CLINICAL.md s.3)


def validate_cadss_total(total: object) -> int:
    value = to_whole(total, "cadss_total", error=MonitoringInputError)
    low, high = CADSS_TOTAL_RANGE
    if not low <= value <= high:
        raise MonitoringInputError("cadss_total", f"CADSS total must be between {low} and {high}, not {value}")
    return value


def validate_moaas(score: object) -> int:
    value = to_whole(score, "moaas", error=MonitoringInputError)
    low, high = MOAAS_RANGE
    if not low <= value <= high:
        raise MonitoringInputError("moaas", f"MOAA/S must be between {low} and {high}, not {value}")
    return value


def _minutes_list(policy: Policy, key: str) -> list[int]:
    raw = setting_value(_SETTINGS, policy, key)
    try:
        minutes = sorted({int(part) for part in raw.split(",") if part.strip()})
    except ValueError:
        raise MonitoringInputError(key, "must be minutes separated by commas, e.g. '15,30,45'") from None
    if any(m < 0 or m > 24 * 60 for m in minutes):
        raise MonitoringInputError(key, "minutes must be between 0 and 1440")
    return minutes


def scale_schedule(dose_start: datetime, policy: Policy = None) -> list[ScheduledCheck]:
    """CADSS and MOAA/S assessment times after dosing starts (clinic policy), in time order."""
    start = require_aware(dose_start, "dose_start", error=MonitoringInputError)
    checks = [ScheduledCheck(start + timedelta(minutes=m), "CADSS", CLINIC_POLICY)
              for m in _minutes_list(policy, "session.cadss.times_min")]
    checks += [ScheduledCheck(start + timedelta(minutes=m), "MOAA/S", CLINIC_POLICY)
               for m in _minutes_list(policy, "session.moaas.times_min")]
    return sorted(checks, key=lambda c: (c.due_at, c.label))


# --- Side effects and adverse events ----------------------------------------------------------------

class SideEffect(StrEnum):  # spravato-pi trial list and seeds (CLINICAL.md s.3)
    NAUSEA = "nausea"
    VOMITING = "vomiting"
    DIZZINESS = "dizziness"
    CONFUSION = "confusion"
    HALLUCINATIONS = "hallucinations"
    ANXIETY = "anxiety"
    HEADACHE = "headache"
    RAISED_BLOOD_PRESSURE = "raised_blood_pressure"
    RAISED_HEART_RATE = "raised_heart_rate"
    RESPIRATORY_DEPRESSION = "respiratory_depression"


class Severity(StrEnum):
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


@dataclass(frozen=True)
class SideEffectReport:
    effect: SideEffect
    severity: Severity
    noted_at: datetime
    note: str = ""

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "effect", SideEffect(self.effect))
        except ValueError:
            raise MonitoringInputError("effect", f"unknown side effect {self.effect!r}") from None
        try:
            object.__setattr__(self, "severity", Severity(self.severity))
        except ValueError:
            raise MonitoringInputError("severity", "must be mild, moderate or severe") from None
        require_aware(self.noted_at, "noted_at", error=MonitoringInputError)
        if not isinstance(self.note, str):
            raise MonitoringInputError("note", "must be text")

    @property
    def needs_prescriber_now(self) -> bool:
        """Severe effects and any respiratory depression go to the prescriber at once (clinic policy)."""
        return self.severity is Severity.SEVERE or self.effect is SideEffect.RESPIRATORY_DEPRESSION


class SeriousnessCriterion(StrEnum):
    """Criteria that make an adverse event serious (the standard regulatory definition used by the
    Spravato REMS form's "serious adverse events" question)."""

    DEATH = "death"
    LIFE_THREATENING = "life_threatening"
    HOSPITALIZATION = "hospitalization"  # inpatient admission or prolonged stay
    DISABILITY = "disability"  # persistent or significant incapacity
    CONGENITAL_ANOMALY = "congenital_anomaly"
    IMPORTANT_MEDICAL_EVENT = "important_medical_event"  # needs intervention to prevent one of the above


@dataclass(frozen=True)
class AdverseEvent:
    description: str
    occurred_at: datetime
    criteria: frozenset[SeriousnessCriterion] = frozenset()

    def __post_init__(self) -> None:
        if not isinstance(self.description, str) or not self.description.strip():
            raise MonitoringInputError("description", "describe the adverse event")
        require_aware(self.occurred_at, "occurred_at", error=MonitoringInputError)
        try:
            object.__setattr__(self, "criteria", frozenset(SeriousnessCriterion(c) for c in self.criteria))
        except (TypeError, ValueError):
            raise MonitoringInputError(
                "criteria", f"unknown seriousness criterion; use {[c.value for c in SeriousnessCriterion]}"
            ) from None

    @property
    def is_serious(self) -> bool:  # source: spravato-rems (reported on the Patient Monitoring Form)
        return bool(self.criteria)
