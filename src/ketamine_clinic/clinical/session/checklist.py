"""The pre-dose checklist: every item must be ok (or not applicable) before the dose is given.

A ``hard_stop`` blocks dosing until the underlying fact changes; ``needs_decision`` blocks until a
prescriber documents a decision (esketamine BP above 140/90, spravato-pi).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from ..clinic_policy import Setting
from ..routes import Route
from ..sources import CLINIC_POLICY
from .common import Policy, SessionInputError, minutes_between, require_aware, setting_value, settings_by_key, to_decimal
from .dosing import WEIGHT_KG_RANGE
from .vitals import VitalSigns, bp_over, vitals_setting


class ChecklistInputError(SessionInputError):
    """Facts given to the checklist are malformed."""


class ItemStatus(StrEnum):
    OK = "ok"
    HARD_STOP = "hard_stop"
    NEEDS_DECISION = "needs_decision"
    NOT_APPLICABLE = "not_applicable"


class PregnancyTest(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"


SETTINGS: tuple[Setting, ...] = (
    Setting("session.fasting.esketamine_nasal.food_min", 120, "min", "spravato-pi",
            "Esketamine: no food for 2 h before dosing.", 120, 720),
    Setting("session.fasting.esketamine_nasal.liquids_min", 30, "min", "spravato-pi",
            "Esketamine: no liquids for 30 min before dosing.", 30, 720),
    Setting("session.fasting.iv.food_min", 240, "min", CLINIC_POLICY,
            "Clinic policy: IV, minutes without food before dosing (0 = not required).", 0, 720),
    Setting("session.fasting.iv.liquids_min", 120, "min", CLINIC_POLICY,
            "Clinic policy: IV, minutes without liquids before dosing (0 = not required).", 0, 720),
    Setting("session.fasting.im.food_min", 240, "min", CLINIC_POLICY,
            "Clinic policy: IM, minutes without food before dosing (0 = not required).", 0, 720),
    Setting("session.fasting.im.liquids_min", 120, "min", CLINIC_POLICY,
            "Clinic policy: IM, minutes without liquids before dosing (0 = not required).", 0, 720),
    Setting("session.fasting.oral_sublingual.food_min", 0, "min", CLINIC_POLICY,
            "Clinic policy: oral/sublingual, minutes without food before dosing (0 = not required).", 0, 720),
    Setting("session.fasting.oral_sublingual.liquids_min", 0, "min", CLINIC_POLICY,
            "Clinic policy: oral/sublingual, minutes without liquids before dosing (0 = not required).", 0, 720),
    Setting("session.predose.pregnancy_test_required", False, "", CLINIC_POLICY,
            "Clinic policy: a negative same-day pregnancy test is required for patients who can become pregnant."),
    # CLINICAL.md s.4 says "same-day" C-SSRS after a positive PHQ-9 item 9; how far back a positive
    # screen still blocks dosing is the clinic's choice: 0 = the same day (local), 1 = since yesterday, ...
    Setting("session.suicide_screen.lookback_days", 0, "d", CLINIC_POLICY,
            "Clinic policy: a positive suicide screen (PHQ-9 item 9, any C-SSRS yes) this many days back "
            "(0 = the same day) makes the C-SSRS a hard stop before dosing that cannot be deferred.", 0, 30),
)
_SETTINGS = settings_by_key(SETTINGS)


@dataclass(frozen=True)
class MeasureDue:
    """A measure due before dosing (e.g. PHQ-9, C-SSRS): done, or deferred with a reason."""

    key: str  # "phq9", "cssrs"
    label: str
    done: bool = False
    deferred_reason: str | None = None


@dataclass(frozen=True)
class SuicideScreen:
    """Recorded suicide-risk facts in the clinic's window (``session.suicide_screen.lookback_days``),
    read from submitted responses and alerts, never from a form.

    CLINICAL.md s.4 (source "seeds"): any PHQ-9 item 9 >= 1 calls for a same-day C-SSRS.
    """

    positive_screen: str = ""  # what screened positive and still needs a C-SSRS after it, e.g. "PHQ-9 item 9"
    cssrs_positive: bool = False  # a C-SSRS in the window with any yes answer
    cssrs_risk_level: str = ""  # the latest C-SSRS in the window: "none", "low", "moderate", "high"
    high_risk_pending: bool = False  # a high-risk C-SSRS in the window without a prescriber's decision
    high_risk_cleared: bool = False  # ... with one, recorded for the latest high-risk C-SSRS
    open_alerts: int = 0  # suicide-risk alerts not yet acknowledged with the action taken

    @property
    def requires_cssrs(self) -> bool:
        return bool(self.positive_screen) or self.cssrs_positive


@dataclass(frozen=True)
class ChecklistFacts:
    """What is known at the chair. ``None`` means "not recorded" and blocks where the item applies."""

    checked_at: datetime
    may_treat_today: bool | None = None
    may_treat_reasons: tuple[str, ...] = ()
    rems_enrolled: bool | None = None  # esketamine only
    dose_is_weight_based: bool = False
    weight_today_kg: Decimal | None = None
    predose_vitals: VitalSigns | None = None
    bp_risk_benefit_documented: bool = False  # esketamine, prescriber's decision on BP above 140/90
    last_food_at: datetime | None = None
    last_liquid_at: datetime | None = None
    ride_home_confirmed: bool = False
    can_become_pregnant: bool | None = None
    pregnancy_test: PregnancyTest | None = None
    measures_due: tuple[MeasureDue, ...] = field(default_factory=tuple)
    suicide_screen: SuicideScreen = field(default_factory=SuicideScreen)
    # Why the prescriber who ordered the dose may not sign orders today (expired licence or DEA
    # registration, read from their recorded provider profile); empty when nothing blocks.
    ordering_prescriber_block: str = ""


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    status: ItemStatus
    message: str
    source: str  # key of sources.SOURCES


@dataclass(frozen=True)
class ChecklistResult:
    items: list[ChecklistItem]
    may_dose: bool

    @property
    def blocking(self) -> list[ChecklistItem]:
        return [i for i in self.items if i.status in (ItemStatus.HARD_STOP, ItemStatus.NEEDS_DECISION)]


def _item(key, label, ok: bool, ok_msg: str, stop_msg: str, source: str, stop=ItemStatus.HARD_STOP):
    return ChecklistItem(key, label, ItemStatus.OK if ok else stop, ok_msg if ok else stop_msg, source)


def _na(key, label, message, source=CLINIC_POLICY):
    return ChecklistItem(key, label, ItemStatus.NOT_APPLICABLE, message, source)


def evaluate_checklist(route: Route | str, facts: ChecklistFacts, policy: Policy = None) -> ChecklistResult:
    """Evaluate every pre-dose item for ``route``; ``may_dose`` only when nothing blocks."""
    try:
        route = Route(route)
    except ValueError:
        raise ChecklistInputError("route", f"unknown route {route!r}") from None
    if not isinstance(facts, ChecklistFacts):
        raise ChecklistInputError("facts", "must be ChecklistFacts")
    now = require_aware(facts.checked_at, "checked_at", error=ChecklistInputError)
    eske = route is Route.ESKETAMINE_NASAL
    items: list[ChecklistItem] = [_may_treat_item(facts), _rems_item(eske, facts), _weight_item(facts)]
    items.extend(_vitals_items(eske, facts, policy))
    items.extend(_fasting_items(route, now, facts, policy))
    items.append(_item("ride_home", "Ride home confirmed", facts.ride_home_confirmed is True,
                       "Ride home confirmed", "No ride home confirmed: the patient may not drive after dosing",
                       "spravato-pi" if eske else "seeds"))
    items.append(_pregnancy_item(facts, policy, eske))
    screen = facts.suicide_screen
    if not isinstance(screen, SuicideScreen):
        raise ChecklistInputError("suicide_screen", "must be SuicideScreen")
    items.extend(_measure_items(facts.measures_due, screen))
    items.extend(_suicide_items(screen))
    items.append(_item("ordering_prescriber", "Ordering prescriber's licence and DEA registration current",
                       not facts.ordering_prescriber_block, "Ordering prescriber's licence and DEA registration current",
                       str(facts.ordering_prescriber_block), CLINIC_POLICY))
    may_dose = all(i.status in (ItemStatus.OK, ItemStatus.NOT_APPLICABLE) for i in items)
    return ChecklistResult(items, may_dose)


def _may_treat_item(facts: ChecklistFacts) -> ChecklistItem:
    """The screening's may-treat-today decision (also checks the shape of the list facts)."""
    if facts.may_treat_today not in (True, False, None):
        raise ChecklistInputError("may_treat_today", "must be true, false or not recorded")
    if isinstance(facts.may_treat_reasons, str) or not isinstance(facts.may_treat_reasons, (tuple, list)):
        raise ChecklistInputError("may_treat_reasons", "must be a list of reasons")
    if isinstance(facts.measures_due, str) or not isinstance(facts.measures_due, (tuple, list)):
        raise ChecklistInputError("measures_due", "must be a list of MeasureDue")
    reasons = "; ".join(str(r) for r in facts.may_treat_reasons if r) or "no reason recorded"
    return _item("may_treat_today", "May treat today", facts.may_treat_today is True,
                 "Cleared to treat today", f"Not cleared to treat today: {reasons}", CLINIC_POLICY)


def _rems_item(eske: bool, facts: ChecklistFacts) -> ChecklistItem:
    if eske:
        return _item("rems_enrollment", "Enrolled in the Spravato REMS", facts.rems_enrolled is True,
                     "Enrolled in the REMS", "Not enrolled in the Spravato REMS: enroll before dosing",
                     "spravato-rems")
    return _na("rems_enrollment", "Enrolled in the Spravato REMS", "REMS applies to esketamine only",
               "spravato-rems")


def _measure_items(measures_due, screen: SuicideScreen) -> list[ChecklistItem]:
    """Each measure due before dosing: done, or deferred with a reason, else a hard stop. After a
    positive suicide screen the C-SSRS is left to the suicide-risk items (it cannot be deferred)."""
    items = []
    for measure in measures_due:
        if not isinstance(measure, MeasureDue):
            raise ChecklistInputError("measures_due", "each entry must be a MeasureDue")
        if measure.key == "cssrs" and screen.requires_cssrs:
            continue
        key = f"measure:{measure.key}"
        label = f"{measure.label} before dosing"
        reason = (measure.deferred_reason or "").strip()
        if measure.done:
            items.append(ChecklistItem(key, label, ItemStatus.OK, f"{measure.label} done", CLINIC_POLICY))
        elif reason:
            items.append(ChecklistItem(key, label, ItemStatus.OK, f"{measure.label} deferred: {reason}",
                                       CLINIC_POLICY))
        else:
            items.append(ChecklistItem(key, label, ItemStatus.HARD_STOP,
                                       f"{measure.label} is due before dosing: complete it or defer it with a reason",
                                       CLINIC_POLICY))
    return items


def _suicide_items(screen: SuicideScreen) -> list[ChecklistItem]:
    """A positive suicide screen: the C-SSRS is a hard stop that cannot be deferred; every suicide-risk
    alert needs the action taken; a high-risk C-SSRS needs a prescriber's documented decision."""
    items: list[ChecklistItem] = []
    if screen.requires_cssrs:
        label = "C-SSRS after a positive suicide screen"
        if screen.positive_screen:
            items.append(ChecklistItem(
                "suicide_risk_assessment", label, ItemStatus.HARD_STOP,
                f"{screen.positive_screen} was positive: complete the C-SSRS before dosing (it cannot be deferred)",
                "seeds"))
        else:
            level = f": {screen.cssrs_risk_level} risk" if screen.cssrs_risk_level else ""
            items.append(ChecklistItem("suicide_risk_assessment", label, ItemStatus.OK, f"C-SSRS done{level}", "cssrs"))
    if screen.open_alerts or screen.requires_cssrs:
        label = "Suicide-risk alert acknowledged"
        if screen.open_alerts:
            n = screen.open_alerts
            items.append(ChecklistItem(
                "suicide_risk_alert", label, ItemStatus.HARD_STOP,
                f"{n} suicide-risk alert{'s' if n != 1 else ''} open: a clinician records the action taken before dosing",
                CLINIC_POLICY))
        else:
            items.append(ChecklistItem("suicide_risk_alert", label, ItemStatus.OK,
                                       "Acknowledged with the action taken", CLINIC_POLICY))
    if screen.high_risk_pending or screen.high_risk_cleared:
        label = "High-risk C-SSRS"
        if screen.high_risk_pending:
            items.append(ChecklistItem(
                "cssrs_high_risk", label, ItemStatus.NEEDS_DECISION,
                "The C-SSRS is in the high-risk band: do not dose unless a prescriber documents a decision", "cssrs"))
        else:
            items.append(ChecklistItem("cssrs_high_risk", label, ItemStatus.OK,
                                       "High-risk C-SSRS: prescriber's decision documented", "cssrs"))
    return items


def _weight_item(facts: ChecklistFacts) -> ChecklistItem:
    label = "Today's weight"
    if not facts.dose_is_weight_based:
        return _na("weight_today", label, "Fixed dose: weight not needed")
    if facts.weight_today_kg is None:
        return ChecklistItem("weight_today", label, ItemStatus.HARD_STOP,
                             "Weigh the patient today: the dose is in mg/kg", CLINIC_POLICY)
    weight = to_decimal(facts.weight_today_kg, "weight_today_kg", error=ChecklistInputError)
    low, high = WEIGHT_KG_RANGE
    if not low <= weight <= high:
        raise ChecklistInputError("weight_today_kg", f"{weight} kg is outside {low}–{high} kg; check the entry")
    return ChecklistItem("weight_today", label, ItemStatus.OK, f"Weighed today: {weight} kg", CLINIC_POLICY)


def _vitals_items(eske: bool, facts: ChecklistFacts, policy: Policy) -> list[ChecklistItem]:
    v = facts.predose_vitals
    if v is not None and not isinstance(v, VitalSigns):
        raise ChecklistInputError("predose_vitals", "must be a VitalSigns reading")
    v = v or VitalSigns()
    s = lambda key: vitals_setting(policy, key)  # noqa: E731
    out: list[ChecklistItem] = []

    def missing(key, label):
        return ChecklistItem(key, label, ItemStatus.HARD_STOP, f"{label} not recorded before dosing", CLINIC_POLICY)

    # Blood pressure
    label = "Blood pressure before dosing"
    if v.systolic_mmhg is None:
        out.append(missing("blood_pressure", label))
    else:
        hold_s, hold_d = s("session.predose.hold_systolic_mmhg"), s("session.predose.hold_diastolic_mmhg")
        dec_s, dec_d = s("session.esketamine.bp_decision_systolic_mmhg"), s("session.esketamine.bp_decision_diastolic_mmhg")
        bp = v.blood_pressure
        hold = bp_over(v, hold_s, hold_d, "clinic hold limit")
        decision = bp_over(v, dec_s, dec_d, "esketamine decision limit") if eske else ""
        if hold:
            out.append(ChecklistItem("blood_pressure", label, ItemStatus.HARD_STOP, f"{hold}: do not dose",
                                     CLINIC_POLICY))
        elif decision:
            if facts.bp_risk_benefit_documented:
                out.append(ChecklistItem("blood_pressure", label, ItemStatus.OK,
                                         f"{decision}: prescriber's risk–benefit decision documented", "spravato-pi"))
            else:
                out.append(ChecklistItem("blood_pressure", label, ItemStatus.NEEDS_DECISION,
                                         f"{decision}: the prescriber must document a risk–benefit decision before "
                                         "dosing", "spravato-pi"))
        else:
            out.append(ChecklistItem("blood_pressure", label, ItemStatus.OK, f"BP {bp} mmHg within limits",
                                     CLINIC_POLICY))

    label = "Heart rate before dosing"
    if v.heart_rate_per_min is None:
        out.append(missing("heart_rate", label))
    else:
        hold = s("session.predose.hold_heart_rate_per_min")
        out.append(_item("heart_rate", label, v.heart_rate_per_min <= hold,
                         f"Heart rate {v.heart_rate_per_min}/min within limits",
                         f"Heart rate {v.heart_rate_per_min}/min is above the clinic hold limit of {hold}/min: do not dose", CLINIC_POLICY))

    label = "SpO2 before dosing"
    if v.spo2_percent is None:
        out.append(missing("spo2", label))
    else:
        low = s("session.predose.hold_min_spo2_percent")
        out.append(_item("spo2", label, v.spo2_percent >= low, f"SpO2 {v.spo2_percent}% within limits",
                         f"SpO2 {v.spo2_percent}% is below the clinic hold limit of {low}%: do not dose",
                         CLINIC_POLICY))

    label = "Respiratory rate before dosing"
    if v.respiratory_rate_per_min is None:
        out.append(missing("respiratory_rate", label))
    else:
        low = s("session.predose.hold_min_respiratory_rate_per_min")
        high = s("session.predose.hold_max_respiratory_rate_per_min")
        rr = v.respiratory_rate_per_min
        out.append(_item("respiratory_rate", label, low <= rr <= high, f"Respiratory rate {rr}/min within limits",
                         f"Respiratory rate {rr}/min is outside the clinic hold limits of {low}–{high}/min: do not dose", CLINIC_POLICY))
    return out


def _fasting_items(route: Route, now: datetime, facts: ChecklistFacts, policy: Policy) -> list[ChecklistItem]:
    items = []
    for what, last, key in (("food", facts.last_food_at, "fasting_food"),
                            ("liquids", facts.last_liquid_at, "fasting_liquids")):
        setting_key = f"session.fasting.{route.value}.{what}_min"
        source = _SETTINGS[setting_key].source
        required_min = setting_value(_SETTINGS, policy, setting_key)
        label = f"No {what} for {required_min} min before dosing"
        if required_min == 0:
            items.append(_na(key, f"Fasting from {what}", f"No fasting from {what} required for this route", source))
            continue
        if last is None:
            items.append(ChecklistItem(key, label, ItemStatus.HARD_STOP, f"Time of last {what} not recorded", source))
            continue
        last = require_aware(last, f"last_{'food' if what == 'food' else 'liquid'}_at", error=ChecklistInputError)
        elapsed = minutes_between(last, now)
        if elapsed < 0:
            raise ChecklistInputError(f"last_{'food' if what == 'food' else 'liquid'}_at",
                                      "is later than the checklist time")
        whole = int(elapsed)
        if elapsed >= required_min:
            items.append(ChecklistItem(key, label, ItemStatus.OK, f"Last {what} {whole} min ago", source))
        else:
            wait = required_min - elapsed
            wait_min = int(wait) + (1 if wait != int(wait) else 0)
            items.append(ChecklistItem(key, label, ItemStatus.HARD_STOP,
                                       f"Last {what} only {whole} min ago: wait {wait_min} more min", source))
    return items


def _pregnancy_item(facts: ChecklistFacts, policy: Policy, eske: bool) -> ChecklistItem:
    key, label = "pregnancy_test", "Pregnancy test"
    if not setting_value(_SETTINGS, policy, "session.predose.pregnancy_test_required"):
        return _na(key, label, "The clinic does not require a pregnancy test")
    if facts.can_become_pregnant is None:
        return ChecklistItem(key, label, ItemStatus.HARD_STOP,
                             "Record whether the patient can become pregnant", CLINIC_POLICY)
    if facts.can_become_pregnant is False:
        return _na(key, label, "Patient cannot become pregnant")
    if facts.pregnancy_test is None:
        return ChecklistItem(key, label, ItemStatus.HARD_STOP, "Pregnancy test required today and not recorded",
                             CLINIC_POLICY)
    try:
        result = PregnancyTest(facts.pregnancy_test)
    except ValueError:
        raise ChecklistInputError("pregnancy_test", "must be 'negative' or 'positive'") from None
    if result is PregnancyTest.POSITIVE:
        return ChecklistItem(key, label, ItemStatus.HARD_STOP,
                             "Pregnancy test positive: do not dose; prescriber review",
                             "spravato-pi" if eske else "asra-2018")
    return ChecklistItem(key, label, ItemStatus.OK, "Pregnancy test negative", CLINIC_POLICY)
