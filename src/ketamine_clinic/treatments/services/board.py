"""The chair board: every patient in session at a location, and one session's live snapshot."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from ketamine_clinic.accounts.models import Location
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import session as cs
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.clinical.session.vitals import bp_over, vitals_setting

from .. import facts, steps
from ..models import OPEN_STATUSES, SessionStatus, TreatmentSession
from .reads import sessions_for, with_details


def board_rows(ctx: Context, location: Location, now: dt.datetime | None = None) -> list[dict]:
    """Every patient in session at ``location``: chair, time since dose start, current step, dose
    progress, next and overdue vitals, earliest discharge, and open items (alerts and decisions)."""
    now = now or timezone.now()
    sessions = list(with_details(sessions_for(ctx).filter(location=location, status__in=OPEN_STATUSES))
                    .select_related("appointment__resource").order_by("checked_in_at"))
    policy = facts.session_policy(location.organization) if sessions else None
    return [session_snapshot(s, now, policy) for s in sessions]


def waiting_on_bp_decision(s: TreatmentSession, policy) -> bool:
    """An esketamine patient whose recorded pre-dose BP is over the decision limit (below the hold limit)
    with no prescriber's decision on that reading: the same settings and test as the checklist item
    (spravato-pi), read from the prefetched vitals (no query per row)."""
    if s.route != Route.ESKETAMINE_NASAL or s.status != SessionStatus.CHECKED_IN:
        return False
    reading = facts.predose_reading(s)
    if reading is None or reading.systolic_mmhg is None or s.bp_decision_reading_id == reading.id:
        return False
    v = facts.as_vital_signs(reading)
    setting = lambda key: vitals_setting(policy, key)  # noqa: E731
    if bp_over(v, setting("session.predose.hold_systolic_mmhg"), setting("session.predose.hold_diastolic_mmhg"), "hold"):
        return False  # a hard stop, not a decision
    return bool(bp_over(v, setting("session.esketamine.bp_decision_systolic_mmhg"),
                        setting("session.esketamine.bp_decision_diastolic_mmhg"), "decision"))


def _board_step(s: TreatmentSession, now, earliest_discharge, bp_wait: bool) -> tuple[str, str]:
    """The current step for the board (without the whole checklist, which needs queries per row)."""
    if s.status == SessionStatus.CHECKED_IN:
        return "checkin", "Check-in: waiting on the prescriber's BP decision" if bp_wait else steps.LABELS["checkin"]
    key = steps.current_step(s.status, may_dose=None, now=now, earliest_discharge=earliest_discharge)
    return key, steps.LABELS.get(key, "Done")


def session_snapshot(s: TreatmentSession, now: dt.datetime, policy) -> dict:
    given = facts.given_so_far(s, now)
    progress = None
    route = Route(s.route)
    if route is Route.ESKETAMINE_NASAL and s.dosing_started_at:
        planned = facts.planned_device_count(s)
        progress = f"{len(s.devices.all())} of {planned} device{'' if planned == 1 else 's'}"
    elif given is not None and s.dose_mg:
        pct = int(min(given / s.dose_mg * 100, Decimal(999)))
        progress = f"{given.normalize():f} of {s.dose_mg} mg ({pct}%)"
    due = None
    try:
        due = facts.vitals_status(s, now, policy)
    except cs.SessionInputError:
        due = None
    elapsed = int((now - s.checked_in_at).total_seconds() // 60)
    dose_elapsed = int((now - s.dosing_started_at).total_seconds() // 60) if s.dosing_started_at else None
    earliest_discharge = facts.observation_end(s, policy)
    expected_discharge = None  # while dosing: the earliest discharge if dosing ends as ordered
    if earliest_discharge is None and s.dosing_started_at and (expected_end := facts.expected_dose_end(s)):
        expected_discharge = cs.earliest_discharge_at(s.route, expected_end, policy)
    bp_wait = waiting_on_bp_decision(s, policy)
    alerts = facts.open_alerts(s)
    step_key, step_label = _board_step(s, now, earliest_discharge, bp_wait)
    appointment = getattr(s, "appointment", None) if s.appointment_id else None
    chair = appointment.resource.name if appointment is not None and appointment.resource_id else ""
    predose = facts.predose_reading(s)
    return {
        "session": s, "patient": s.patient, "elapsed_min": max(elapsed, 0), "progress": progress,
        "predose_at": predose.observed_at if predose else None,
        "dose_elapsed_min": max(dose_elapsed, 0) if dose_elapsed is not None else None,
        "chair": chair, "step": step_key, "step_label": step_label,
        "earliest_discharge": earliest_discharge, "expected_discharge": expected_discharge,
        "waiting_on_bp_decision": bp_wait,
        "open_items": len(alerts) + (1 if bp_wait else 0),
        "next_vitals": due.next_due if due else None, "overdue": due.overdue if due else [],
        "alerts": alerts, "rate": facts.current_rate(s), "bag_empty_at": facts.bag_empty_at(s),
        "bag_done": (lambda t: t is not None and t <= now)(facts.bag_empty_at(s)),
    }
