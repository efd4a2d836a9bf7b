"""Discharge readiness: minimum observation, PADSS, blood pressure trend, escort."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ..clinic_policy import Setting
from ..routes import Route
from ..sources import CLINIC_POLICY
from .common import Policy, SessionInputError, require_aware, setting_value, settings_by_key, to_whole
from .vitals import VitalSigns, bp_over


class DischargeInputError(SessionInputError):
    """Discharge facts that are malformed: a PADSS item out of range, times out of order."""


SETTINGS: tuple[Setting, ...] = (
    # The label's 2 h cannot be shortened (minimum 120); a clinic may observe longer.
    Setting("session.observation.esketamine_nasal_min", 120, "min", "spravato-pi",
            "Esketamine: observe at least 2 h from the first device.", 120, 480),
    Setting("session.observation.iv_min", 60, "min", CLINIC_POLICY,
            "Clinic policy: IV, minimum observation after the infusion ends (30-60 min is common).", 30, 480),
    Setting("session.observation.im_min", 60, "min", CLINIC_POLICY,
            "Clinic policy: IM, minimum observation after the injection.", 30, 480),
    Setting("session.observation.oral_sublingual_min", 60, "min", CLINIC_POLICY,
            "Clinic policy: oral/sublingual, minimum observation after the dose.", 30, 480),
    Setting("session.discharge.max_systolic_mmhg", 140, "mm[Hg]", CLINIC_POLICY,
            "Clinic policy: at discharge, BP at or below this counts as back within limits even if not yet falling.",
            100, 180),
    Setting("session.discharge.max_diastolic_mmhg", 90, "mm[Hg]", CLINIC_POLICY,
            "Clinic policy: at discharge, diastolic BP at or below this counts as back within limits.", 60, 110),
)
_SETTINGS = settings_by_key(SETTINGS)

PADSS_FIT_TOTAL = 9  # total >= 9 of 10 = fit for discharge (padss)
PADSS_ITEMS = (  # each scored 0-2 (padss)
    ("vital_signs", "Vital signs"),
    ("activity_mental_status", "Activity and mental status"),
    ("pain_nausea_vomiting", "Pain, nausea, vomiting"),
    ("bleeding", "Bleeding"),
    ("intake_output", "Intake and output"),
)


@dataclass(frozen=True)
class PadssScore:
    """Post-Anesthetic Discharge Scoring System: five items, 0-2 each, total 10 (padss)."""

    vital_signs: int
    activity_mental_status: int
    pain_nausea_vomiting: int
    bleeding: int
    intake_output: int

    def __post_init__(self) -> None:
        for key, label in PADSS_ITEMS:
            value = to_whole(getattr(self, key), key, error=DischargeInputError)
            if not 0 <= value <= 2:
                raise DischargeInputError(key, f"PADSS {label} must be 0, 1 or 2, not {value}")
            object.__setattr__(self, key, value)

    @property
    def total(self) -> int:
        return sum(getattr(self, key) for key, _ in PADSS_ITEMS)

    @property
    def fit_for_discharge(self) -> bool:
        return self.total >= PADSS_FIT_TOTAL


def bp_trending_down(readings: list[VitalSigns], policy: Policy = None) -> bool:
    """True when the last BP is below the session's peak systolic, or back within the clinic's discharge
    limit (clinic policy). ``readings`` in time order, pre-dose reading included (spravato-pi: leave only
    when BP is falling)."""
    bps = list(readings)
    for i, r in enumerate(bps):
        if not isinstance(r, VitalSigns) or r.systolic_mmhg is None:
            raise DischargeInputError(f"bp_readings[{i}]", "each reading must be a VitalSigns with a blood pressure")
    if not bps:
        return False
    last = bps[-1]
    peak = max(r.systolic_mmhg for r in bps)
    max_s = setting_value(_SETTINGS, policy, "session.discharge.max_systolic_mmhg")
    max_d = setting_value(_SETTINGS, policy, "session.discharge.max_diastolic_mmhg")
    return last.systolic_mmhg < peak or (last.systolic_mmhg <= max_s and last.diastolic_mmhg <= max_d)


@dataclass(frozen=True)
class DischargeFacts:
    """``observation_from``: the first device (esketamine) or the end of dosing (infusion end, injection,
    oral dose). ``bp_readings`` in time order, including the pre-dose reading."""

    observation_from: datetime
    padss: PadssScore | None = None
    bp_readings: tuple[VitalSigns, ...] = ()
    escort_present: bool = False
    clinician_judges_ready: bool = False  # the clinician's own judgement of readiness (spravato-pi)


class BlockKey(StrEnum):
    OBSERVATION = "observation"
    PADSS = "padss"
    BLOOD_PRESSURE = "blood_pressure"
    ESCORT = "escort"
    CLINICIAN = "clinician"


@dataclass(frozen=True)
class DischargeBlock:
    key: BlockKey
    message: str
    source: str


@dataclass(frozen=True)
class DischargeReadiness:
    ready: bool
    blocking_reasons: list[DischargeBlock]
    earliest_discharge_at: datetime  # end of the minimum observation
    observed_minutes: int


def minimum_observation_min(route: Route | str, policy: Policy = None) -> int:
    try:
        route = Route(route)
    except ValueError:
        raise DischargeInputError("route", f"unknown route {route!r}") from None
    return setting_value(_SETTINGS, policy, f"session.observation.{route.value}_min")


def whole_minute_up(moment: datetime) -> datetime:
    """``moment`` rounded up to the next whole minute. Charted times are shown as HH:MM, so the
    observation clock starts at the whole minute after the first device / end of dosing: the
    earliest discharge shown ("11:11") is then the moment discharge is allowed, never a few
    seconds later, and the observation is never shorter than the minimum."""
    if moment.second == 0 and moment.microsecond == 0:
        return moment
    return moment.replace(second=0, microsecond=0) + timedelta(minutes=1)


def earliest_discharge_at(route: Route | str, observation_from: datetime, policy: Policy = None) -> datetime:
    """End of the minimum observation, on a whole minute (see ``whole_minute_up``)."""
    start = require_aware(observation_from, "observation_from", error=DischargeInputError)
    return whole_minute_up(start) + timedelta(minutes=minimum_observation_min(route, policy))


def discharge_readiness(route: Route | str, facts: DischargeFacts, now: datetime, policy: Policy = None) -> DischargeReadiness:
    """Whether the patient may leave now, every reason they may not, and the earliest time they could."""
    minimum = minimum_observation_min(route, policy)
    route = Route(route)
    if not isinstance(facts, DischargeFacts):
        raise DischargeInputError("facts", "must be DischargeFacts")
    start = require_aware(facts.observation_from, "observation_from", error=DischargeInputError)
    now = require_aware(now, "now", error=DischargeInputError)
    if now < start:
        raise DischargeInputError("now", "is before observation started")
    obs_key = f"session.observation.{route.value}_min"
    earliest = earliest_discharge_at(route, start, policy)
    observed = max(0, int((now - whole_minute_up(start)).total_seconds() // 60))
    blocks: list[DischargeBlock] = []
    if now < earliest:
        what = "the first device" if route is Route.ESKETAMINE_NASAL else "the end of dosing"
        blocks.append(DischargeBlock(BlockKey.OBSERVATION,
                                     f"Observed {observed} min since {what}; the minimum is {minimum} min",
                                     _SETTINGS[obs_key].source))
    if facts.padss is None:
        blocks.append(DischargeBlock(BlockKey.PADSS, "PADSS not scored", "padss"))
    elif not isinstance(facts.padss, PadssScore):
        raise DischargeInputError("padss", "must be a PadssScore")
    elif not facts.padss.fit_for_discharge:
        blocks.append(DischargeBlock(BlockKey.PADSS,
                                     f"PADSS {facts.padss.total}/10; {PADSS_FIT_TOTAL} or more is needed", "padss"))
    readings = tuple(facts.bp_readings)
    if not readings:
        blocks.append(DischargeBlock(BlockKey.BLOOD_PRESSURE, "No blood pressure recorded", "spravato-pi"))
    elif not bp_trending_down(list(readings), policy):
        max_s = setting_value(_SETTINGS, policy, "session.discharge.max_systolic_mmhg")
        max_d = setting_value(_SETTINGS, policy, "session.discharge.max_diastolic_mmhg")
        over = bp_over(readings[-1], max_s, max_d, "clinic discharge limit")
        blocks.append(DischargeBlock(BlockKey.BLOOD_PRESSURE, f"{over}, and it is not falling", "spravato-pi"))
    if facts.escort_present is not True:
        blocks.append(DischargeBlock(BlockKey.ESCORT, "No escort present: the patient may not drive today",
                                     "spravato-pi" if route is Route.ESKETAMINE_NASAL else "seeds"))
    if facts.clinician_judges_ready is not True:
        blocks.append(DischargeBlock(BlockKey.CLINICIAN, "A clinician has not yet judged the patient ready",
                                     "spravato-pi"))
    return DischargeReadiness(not blocks, blocks, earliest, observed)
