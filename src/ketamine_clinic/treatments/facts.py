"""Read side of the session day: turn the stored session into the clinical core's inputs and ask
the core (``clinical.session``) for the checklist, the dose, vitals due, totals and discharge
readiness. No rule or number of the core is repeated here.
"""

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils import timezone

from ketamine_clinic.assessments.models import AlertStatus, QuestionnaireResponse, ResponseStatus, SuicideRiskAlert
from ketamine_clinic.clinic_settings import policy_for
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.clinical import session as cs
from ketamine_clinic.clinical.protocols import DoseUnit, MeasureWhen
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.session.dose_check import check_plan_guardrails
from ketamine_clinic.clinical.sources import CLINIC_POLICY
from ketamine_clinic.directory.services import location_state_warning, prescriber_block_reason
from ketamine_clinic.patients.models import BodyMeasurement, RecordStatus
from ketamine_clinic.plans.services import plan_protocol
from ketamine_clinic.screening.services import current_rems, may_treat

from .clinic_policy import predose_measures
from .models import EntryKind, EntryStatus, SessionStatus, TreatmentSession, VitalsReading

MEASURE_LABELS = ci.ABBREVIATIONS


def session_policy(organization) -> dict:
    """The clinic's values of every ``session.*`` setting (defaults where the clinic set none)."""
    return policy_for(organization, "session.")


def local_date(session: TreatmentSession, moment: dt.datetime | None = None) -> dt.date:
    return timezone.localtime(moment or timezone.now(), session.location.tz).date()


def local_day_start(session: TreatmentSession, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=session.location.tz)


# --- the order ---------------------------------------------------------------------------------
def order_rule(session) -> cs.DoseOrder:
    """The session's order snapshot as the core's DoseOrder (raises DoseInputError when malformed)."""
    kw = {}
    amount = session.dose_amount
    if session.dose_unit == DoseUnit.MG_PER_KG:
        kw["mg_per_kg"] = amount
    elif session.dose_unit == DoseUnit.MG:
        kw["fixed_mg"] = amount
    elif session.dose_unit == DoseUnit.DEVICES:
        kw["fixed_mg"] = amount * cs.ESKETAMINE_MG_PER_DEVICE if amount is not None else None
    else:
        kw["mg_per_kg_per_h"] = amount
    return cs.DoseOrder(route=session.route, infusion_minutes=session.infusion_minutes,
                       infusion_volume_ml=session.infusion_volume_ml, source=session.dose_source, **kw)


def order_product(session) -> cs.Product | None:
    if session.concentration_mg_per_ml is None:
        return None
    return cs.Product(session.product_name, session.concentration_mg_per_ml)


def order_text(session) -> str:
    amount = session.dose_amount.normalize()
    text = f"{amount:f} {session.dose_unit}"
    if session.dose_unit == DoseUnit.DEVICES:
        text = f"{amount:f} device{'s' if amount != 1 else ''} ({(amount * cs.ESKETAMINE_MG_PER_DEVICE).normalize():f} mg)"
    if session.infusion_minutes:
        text += f" over {session.infusion_minutes} min"
    return text


def chart_weight_today(session):
    """An active weight on the chart measured on the session's day (local date of check-in), or None:
    a weight recorded there is reused, so the nurse does not weigh and type it in twice."""

    day = local_date(session, session.checked_in_at)
    return (BodyMeasurement.objects.filter(patient_id=session.patient_id, status=RecordStatus.ACTIVE, measured_on=day)
            .order_by("-recorded_at", "-id").first())


def dose_weight(session) -> Decimal | None:
    """Today's weight: the one entered on the session, else the chart's weight of the same day."""
    if session.weight_today_kg is not None:
        return session.weight_today_kg
    measurement = chart_weight_today(session)
    return measurement.weight_kg if measurement else None


@dataclass
class DosePreview:
    plan: cs.DosePlan | None = None
    guardrail: cs.GuardrailResult | None = None
    error: str = ""
    error_field: str = ""


def guardrail_for(session, plan: cs.DosePlan, policy) -> cs.GuardrailResult:
    """The ordered dose and, when the syringe's steps changed it, the drawn dose: the stricter wins."""
    return check_plan_guardrails(plan, session.indication, policy)


def dose_preview(session, policy=None) -> DosePreview:
    """Today's dose from the order, weight and product, and its guardrail; or why it cannot be computed."""
    policy = session_policy(session.organization) if policy is None else policy
    try:
        rule = order_rule(session)
        plan = cs.compute_dose(rule, dose_weight(session), order_product(session), policy)
        if plan.dose_mg_per_kg is None and session.route in (Route.IV, Route.IM):
            return DosePreview(plan=plan, error="Record today's weight: IV and IM doses are checked per kg.",
                               error_field="weight_today_kg")
        return DosePreview(plan=plan, guardrail=guardrail_for(session, plan, policy))
    except cs.SessionInputError as exc:
        return DosePreview(error=exc.message, error_field=exc.field)


def plan_to_json(plan: cs.DosePlan) -> dict:
    out = {}
    for key, value in dataclasses.asdict(plan).items():
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, tuple):
            value = list(value)
        elif hasattr(value, "value"):
            value = value.value
        out[key] = value
    return out


# --- readings ----------------------------------------------------------------------------------
def active_vitals(session) -> list[VitalsReading]:
    rows = [v for v in session.vitals.all() if v.status == EntryStatus.ACTIVE]  # uses a prefetch when there is one
    rows.sort(key=lambda v: (v.observed_at, v.id))
    return rows


def as_vital_signs(reading: VitalsReading) -> cs.VitalSigns:
    return cs.VitalSigns(
        systolic_mmhg=reading.systolic_mmhg, diastolic_mmhg=reading.diastolic_mmhg,
        heart_rate_per_min=reading.heart_rate_per_min, spo2_percent=reading.spo2_percent,
        respiratory_rate_per_min=reading.respiratory_rate_per_min, temperature_c=reading.temperature_c,
        observed_at=reading.observed_at,
    )


def predose_reading(session) -> VitalsReading | None:
    pre = [v for v in active_vitals(session) if v.phase == cs.SessionPhase.PRE_DOSE.value]
    return pre[-1] if pre else None


def phase_at(session, moment: dt.datetime) -> cs.SessionPhase:
    if session.dosing_started_at is None or moment < session.dosing_started_at:
        return cs.SessionPhase.PRE_DOSE
    if session.dosing_ended_at is None or moment < session.dosing_ended_at:
        return cs.SessionPhase.DURING
    return cs.SessionPhase.AFTER


def active_entries(session, kind: str | None = None) -> list:
    rows = [e for e in session.entries.all() if e.status == EntryStatus.ACTIVE and (kind is None or e.kind == kind)]
    rows.sort(key=lambda e: (e.occurred_at, e.id))
    return rows


# --- the checklist -----------------------------------------------------------------------------
def measure_keys(session) -> list[str]:
    """Measures due before dosing: the clinic's per-indication policy (``policy.SETTINGS``), plus a
    linked plan's protocol's own "before each session" measures."""
    keys = list(predose_measures(session.organization_id).get(session.indication, ()))
    plan = getattr(session, "plan", None) if hasattr(session, "plan_id") else None
    if plan is not None:
        try:
            for m in plan_protocol(plan).measures:
                if m.when == MeasureWhen.BEFORE_EACH_SESSION and m.instrument not in keys:
                    keys.append(m.instrument)
        except Exception:  # a malformed protocol snapshot must not hide the default measures
            pass
    return keys


def measures_due(session, now: dt.datetime) -> list[cs.MeasureDue]:
    keys = measure_keys(session)
    if not keys:
        return []
    since = local_day_start(session, local_date(session, now))
    done = set(QuestionnaireResponse.objects.filter(
        patient_id=session.patient_id, status=ResponseStatus.SUBMITTED, instrument_key__in=keys,
        completed_at__gte=since, completed_at__lte=now,
    ).values_list("instrument_key", flat=True))
    deferrals = session.measure_deferrals or {}
    return [cs.MeasureDue(key, MEASURE_LABELS.get(key, key.upper()), key in done, deferrals.get(key) or None)
            for key in keys]


SUICIDE_SCREEN_LOOKBACK = "session.suicide_screen.lookback_days"


def suicide_screen(session, now: dt.datetime, policy) -> cs.SuicideScreen:
    """The patient's recorded suicide-risk facts for the gate (``cs.SuicideScreen``): current submitted
    responses completed in the clinic's window up to ``now``, and every open suicide-risk alert."""

    lookback_days = int(policy.get(SUICIDE_SCREEN_LOOKBACK, 0))
    since = local_day_start(session, local_date(session, now) - dt.timedelta(days=lookback_days))
    rows = list(QuestionnaireResponse.objects.filter(
        patient_id=session.patient_id, status=ResponseStatus.SUBMITTED, superseded_by__isnull=True,
        completed_at__gte=since, completed_at__lte=now,
    ).filter(models.Q(suicide_risk=True) | models.Q(instrument_key="cssrs"))
        .order_by("completed_at", "id").values("id", "instrument_key", "completed_at", "suicide_risk", "risk_level"))
    cssrs = [r for r in rows if r["instrument_key"] == "cssrs"]
    screens = [r for r in rows if r["instrument_key"] != "cssrs"]  # all suicide_risk=True here
    pending = ""
    if screens:
        last = screens[-1]
        if not any(c["completed_at"] >= last["completed_at"] for c in cssrs):
            pending = _screen_label(last["instrument_key"])
    high = [c for c in cssrs if c["risk_level"] == "high"]
    cleared = bool(high) and session.cssrs_decision_response_id == high[-1]["id"]
    open_alerts = SuicideRiskAlert.objects.filter(patient_id=session.patient_id, status=AlertStatus.OPEN).count()
    return cs.SuicideScreen(
        positive_screen=pending,
        cssrs_positive=any(c["suicide_risk"] for c in cssrs),
        cssrs_risk_level=cssrs[-1]["risk_level"] if cssrs else "",
        high_risk_pending=bool(high) and not cleared,
        high_risk_cleared=cleared,
        open_alerts=open_alerts,
    )


def latest_high_risk_cssrs(session, now: dt.datetime, policy):
    """The latest current high-risk C-SSRS in the window (what a prescriber's decision clears), or None."""

    lookback_days = int(policy.get(SUICIDE_SCREEN_LOOKBACK, 0))
    since = local_day_start(session, local_date(session, now) - dt.timedelta(days=lookback_days))
    return QuestionnaireResponse.objects.filter(
        patient_id=session.patient_id, status=ResponseStatus.SUBMITTED, superseded_by__isnull=True,
        instrument_key="cssrs", risk_level="high", completed_at__gte=since, completed_at__lte=now,
    ).order_by("-completed_at", "-id").first()


def _screen_label(instrument_key: str) -> str:
    if instrument_key == "phq9":
        return "PHQ-9 item 9"
    return f"The {MEASURE_LABELS.get(instrument_key, instrument_key.upper())} suicide item"


@dataclass
class ScreeningFacts:
    may_treat: bool | None
    reasons: tuple[str, ...]
    rems_enrolled: bool | None


def screening_facts(session, on_date: dt.date) -> ScreeningFacts:
    permission = may_treat(session.patient, session.route, on_date)
    rems = None
    if session.route == Route.ESKETAMINE_NASAL:
        enrollment = current_rems(session.patient)
        rems = enrollment is not None and enrollment.enrolled_on <= on_date
    return ScreeningFacts(bool(permission.allowed), tuple(permission.reasons), rems)


def checklist_facts(session, now: dt.datetime, policy=None) -> cs.ChecklistFacts:
    policy = session_policy(session.organization) if policy is None else policy
    on_date = local_date(session, now)
    screening = screening_facts(session, on_date)
    reading = predose_reading(session)
    try:
        weight_based = order_rule(session).is_weight_based
    except cs.SessionInputError:
        weight_based = session.dose_unit in (DoseUnit.MG_PER_KG, DoseUnit.MG_PER_KG_PER_H)
    return cs.ChecklistFacts(
        checked_at=now,
        may_treat_today=screening.may_treat,
        may_treat_reasons=screening.reasons,
        rems_enrolled=screening.rems_enrolled,
        dose_is_weight_based=weight_based,
        weight_today_kg=dose_weight(session),
        predose_vitals=as_vital_signs(reading) if reading else None,
        bp_risk_benefit_documented=bool(reading and session.bp_decision_reading_id == reading.id),
        last_food_at=session.last_food_at,
        last_liquid_at=session.last_liquid_at,
        ride_home_confirmed=session.ride_home_confirmed,
        can_become_pregnant=session.can_become_pregnant,
        pregnancy_test=session.pregnancy_test or None,
        measures_due=tuple(measures_due(session, now)),
        suicide_screen=suicide_screen(session, now, policy),
        ordering_prescriber_block=ordering_prescriber_block(session, on_date),
    )


def _licence_state_warning(session, now, policy) -> cs.ChecklistItem | None:
    """A non-blocking item when the session's location names no US state (directory clinic policy)."""
    warning = location_state_warning(session.ordered_by, session.location)
    return cs.ChecklistItem("ordering_prescriber_state", "Ordering prescriber licensed in the location's state",
                            cs.ItemStatus.OK, f"Warning: {warning}", CLINIC_POLICY) if warning else None


# Checklist items other apps add (each ``f(session, now, policy) -> ChecklistItem | None``), registered
# from their AppConfig.ready() so this module imports none of them (e.g. the notes app's signed KAP
# preparation note). Their hard stops block dosing like the core's.
CHECKLIST_EXTENSIONS: list = [_licence_state_warning]


def ordering_prescriber_block(session, on_date: dt.date) -> str:
    """Why the prescriber who ordered this session's dose may not sign orders today (for a session at
    its location: a current licence in the location's state), else ""."""
    return prescriber_block_reason(session.ordered_by, on_date, session.location) or ""


def checklist_for(session, now: dt.datetime | None = None, policy=None) -> cs.ChecklistResult:
    now = now or timezone.now()
    policy = session_policy(session.organization) if policy is None else policy
    result = cs.evaluate_checklist(session.route, checklist_facts(session, now, policy), policy)
    extra = [item for item in (extension(session, now, policy) for extension in CHECKLIST_EXTENSIONS) if item is not None]
    if not extra:
        return result
    blocking = any(i.status in (cs.ItemStatus.HARD_STOP, cs.ItemStatus.NEEDS_DECISION) for i in extra)
    return cs.ChecklistResult(items=[*result.items, *extra], may_dose=result.may_dose and not blocking)


# --- administration ----------------------------------------------------------------------------
def rate_segments(administration, until: dt.datetime, bag_ml: Decimal | None = None) -> list[cs.RateSegment]:
    """The pump's record as the core's rate segments, up to the stop (or ``until``). With ``bag_ml``
    the pump runs dry once it has delivered the bag: the segments end there."""
    changes = list(administration.rate_changes.all())
    changes.sort(key=lambda c: (c.at, c.id))
    end = administration.stopped_at or until
    segments = []
    left = bag_ml
    for i, change in enumerate(changes):
        stop = changes[i + 1].at if i + 1 < len(changes) else end
        stop = min(stop, end)
        if stop <= change.at:
            continue
        if left is not None and change.rate_ml_per_h > 0:
            minutes_left = left / change.rate_ml_per_h * 60
            if cs.common.minutes_between(change.at, stop) >= minutes_left:
                stop = change.at + dt.timedelta(seconds=float(minutes_left * 60))
                if stop > change.at:
                    segments.append(cs.RateSegment(change.at, stop, change.rate_ml_per_h,
                                                   administration.pump_concentration_mg_per_ml))
                break
            left -= change.rate_ml_per_h * cs.common.minutes_between(change.at, stop) / 60
        segments.append(cs.RateSegment(change.at, stop, change.rate_ml_per_h, administration.pump_concentration_mg_per_ml))
    return segments


def drawn_mg(session) -> Decimal | None:
    """The dose drawn into the syringe when dosing started (the stored plan's), None before."""
    raw = (session.dose_plan or {}).get("drawn_dose_mg")
    return Decimal(raw).normalize() if raw else None


def bag_ml(session) -> Decimal | None:
    raw = (session.dose_plan or {}).get("infusion_volume_ml")
    return Decimal(raw) if raw else None


def bag_empty_at(session) -> dt.datetime | None:
    """When the running pump will have delivered the whole bag (None when not infusing)."""
    admin = getattr(session, "administration", None) if session.dosing_started_at else None
    if admin is None or Route(session.route) is not Route.IV or admin.stopped_at is not None:
        return None
    far = session.dosing_started_at + dt.timedelta(days=1)
    segments = rate_segments(admin, far, bag_ml(session))
    if not segments or segments[-1].stop >= far:
        return None
    return segments[-1].stop


def given_so_far(session, now: dt.datetime | None = None) -> Decimal | None:
    """mg actually given, from the administration record (None before dosing)."""
    now = now or timezone.now()
    admin = getattr(session, "administration", None) if session.dosing_started_at else None
    if admin is None:
        return None
    route = Route(session.route)
    if route is Route.ESKETAMINE_NASAL:
        devices = list(session.devices.all())
        return cs.check_device_log([cs.DeviceGiven(d.given_at, d.lot_number) for d in devices]).total_mg if devices else Decimal(0)
    if route is Route.IV:
        return cs.total_given_mg(rate_segments(admin, now, bag_ml(session))).quantize(Decimal("0.1"))
    return admin.bolus_mg


def device_log(session) -> cs.DeviceLogResult | None:
    devices = list(session.devices.all())
    if not devices:
        return None
    return cs.check_device_log([cs.DeviceGiven(d.given_at, d.lot_number) for d in devices])


def planned_device_count(session) -> int | None:
    count = (session.dose_plan or {}).get("device_count")
    return int(count) if count else None


def current_rate(session) -> Decimal | None:
    admin = getattr(session, "administration", None) if session.dosing_started_at else None
    if admin is None or Route(session.route) is not Route.IV or admin.stopped_at is not None:
        return None
    changes = sorted(admin.rate_changes.all(), key=lambda c: (c.at, c.id))
    return changes[-1].rate_ml_per_h if changes else None


# --- monitoring schedule -----------------------------------------------------------------------
def observation_from(session) -> dt.datetime | None:
    """Esketamine: the first device (spravato-pi); other routes: the end of dosing."""
    if Route(session.route) is Route.ESKETAMINE_NASAL:
        return session.dosing_started_at
    return session.dosing_ended_at


def observation_end(session, policy) -> dt.datetime | None:
    start = observation_from(session)
    if start is None:
        return None
    return cs.earliest_discharge_at(session.route, start, policy)  # on a whole minute, as discharge compares


def expected_dose_end(session) -> dt.datetime | None:
    if session.dosing_ended_at:
        return session.dosing_ended_at
    if session.dosing_started_at is None:
        return None
    if session.infusion_minutes and Route(session.route) is Route.IV:
        return session.dosing_started_at + dt.timedelta(minutes=session.infusion_minutes)
    count = planned_device_count(session)
    if count:
        return session.dosing_started_at + dt.timedelta(minutes=cs.ESKETAMINE_DEVICE_SPACING_MIN * (count - 1))
    return session.dosing_started_at


def vitals_status(session, now: dt.datetime, policy) -> cs.VitalsDue | None:
    """Next check due and overdue checks; None before dosing (the checklist covers pre-dose vitals)."""
    start = session.dosing_started_at
    end = expected_dose_end(session)
    if start is None or end is None:
        return None
    obs_end = max(observation_end(session, policy) or end, end)
    if Route(session.route) is not Route.ESKETAMINE_NASAL:
        obs_end = max(obs_end, end + dt.timedelta(minutes=cs.minimum_observation_min(session.route, policy)))
    schedule = cs.vitals_schedule(session.route, start, end, obs_end, policy)
    taken = []
    pre = predose_reading(session)
    for v in active_vitals(session):
        if pre is not None and v.id == pre.id:
            taken.append(max(v.observed_at, start))  # the pre-dose reading meets the "before dosing" check
        elif v.observed_at >= start:
            taken.append(v.observed_at)
    return cs.vitals_due(schedule, sorted(taken), now, policy)


def scale_status(session, now: dt.datetime, policy) -> list[dict]:
    """CADSS / MOAA/S times after dosing starts (clinic policy) and whether each was recorded."""
    if session.dosing_started_at is None:
        return []
    checks = cs.scale_schedule(session.dosing_started_at, policy)
    out = []
    for label, kind in (("CADSS", EntryKind.CADSS), ("MOAA/S", EntryKind.MOAAS)):
        mine = tuple(c for c in checks if c.label == label)
        if not mine:
            continue
        due = cs.vitals_due(cs.VitalsSchedule(Route(session.route), mine),
                            [e.occurred_at for e in active_entries(session, kind)], now, policy)
        done = {c.due_at for c in due.satisfied}
        overdue = {c.due_at for c in due.overdue}
        for c in mine:
            state = "done" if c.due_at in done else "overdue" if c.due_at in overdue else "due" if c.due_at <= now else "later"
            out.append({"label": label, "kind": kind.value, "due_at": c.due_at, "state": state})
    return sorted(out, key=lambda r: (r["due_at"], r["label"]))


# --- discharge ---------------------------------------------------------------------------------
def bp_readings(session) -> list[cs.VitalSigns]:
    return [as_vital_signs(v) for v in active_vitals(session) if v.systolic_mmhg is not None]


def padss_of(data: dict | None) -> cs.PadssScore | None:
    if not data:
        return None
    return cs.PadssScore(**{k: data[k] for k, _ in cs.discharge.PADSS_ITEMS})


def open_alerts(session) -> list:
    return [a for a in session.alerts.all() if a.acknowledged_at is None]


def discharge_readiness(session, now: dt.datetime, policy, *, padss=None, escort_present=None,
                        clinician_judges_ready=None) -> cs.DischargeReadiness | None:
    start = observation_from(session)
    if start is None or session.status not in (SessionStatus.OBSERVING, SessionStatus.DISCHARGED):
        return None
    facts = cs.DischargeFacts(
        observation_from=start,
        padss=padss if padss is not None else padss_of(session.padss),
        bp_readings=tuple(bp_readings(session)),
        escort_present=session.escort_present if escort_present is None else escort_present,
        clinician_judges_ready=session.clinician_judges_ready if clinician_judges_ready is None else clinician_judges_ready,
    )
    return cs.discharge_readiness(session.route, facts, max(now, start), policy)


# --- scales ------------------------------------------------------------------------------------
def cadss_band_label(total: int) -> str:
    band = ci.get_instrument("cadss").band_for(total)
    return band.label if band else ""


def dissociation_observed(session) -> bool | None:
    entries = active_entries(session, EntryKind.CADSS)
    if not entries:
        return None
    instrument = ci.get_instrument("cadss")
    return any((b := instrument.band_for(e.score)) is not None and b.key == "dissociation" for e in entries)


def sedation_observed(session) -> bool | None:
    """Any MOAA/S below the top of the scale (5 = responds readily to name: not sedated)."""
    entries = active_entries(session, EntryKind.MOAAS)
    if not entries:
        return None
    top = cs.monitoring.MOAAS_RANGE[1]
    return any(e.score < top for e in entries)
