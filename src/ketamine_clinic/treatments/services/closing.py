"""Leaving the chair: discharge when the patient is ready (with the REMS form for esketamine), or
ending a session in which no dose was given; and the session's one-line summary."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import session as cs
from ketamine_clinic.clinical.routes import Route
from ketamine_clinic.core.errors import Conflict, ValidationFailed

from .. import facts
from .. import forms as tforms
from ..models import SessionDraft, SessionStatus, TreatmentSession
from ._common import (
    _audit,
    _bump,
    _check_version,
    _core_error,
    _lock,
    _policy,
    _set_appointment_status,
    _timeline,
    _validate,
)
from .rems import generate_rems_form


def discharge(ctx: Context, session: TreatmentSession, data: dict, *, now: dt.datetime | None = None) -> TreatmentSession:
    """Discharge when the core says the patient is ready (minimum observation, PADSS >= 9, BP trend,
    escort, the clinician's judgement) and every alert is acknowledged."""
    require(ctx.user, "session.run")
    now = now or timezone.now()
    cleaned = _validate(tforms.DischargeForm, data)
    try:
        padss = cs.PadssScore(**{k: cleaned[f"padss_{k}"] for k, _ in cs.discharge.PADSS_ITEMS})
    except cs.SessionInputError as exc:
        raise _core_error(exc, prefix="padss_") from None
    if session.route == Route.ESKETAMINE_NASAL and cleaned.get("ready_without_minimum_min") is None:
        raise ValidationFailed({"ready_without_minimum_min": [
            "The REMS monitoring form asks when the patient would have been ready to leave without the 2-hour "
            "minimum (minutes from the first device)."]})
    with transaction.atomic():
        locked = _lock(session)
        _check_version(locked, cleaned.get("version"))
        if locked.status != SessionStatus.OBSERVING:
            raise Conflict("Only a patient under observation after dosing can be discharged.")
        policy = _policy(locked)
        readiness = facts.discharge_readiness(locked, now, policy, padss=padss,
                                              escort_present=cleaned["escort_present"],
                                              clinician_judges_ready=cleaned["clinician_judges_ready"])
        reasons = [b.message for b in readiness.blocking_reasons]
        alerts = facts.open_alerts(locked)
        if alerts:
            reasons.append(f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''} not yet acknowledged")
        if reasons:
            raise Conflict("Not ready for discharge.", {"discharge": reasons})
        locked.padss = {k: getattr(padss, k) for k, _ in cs.discharge.PADSS_ITEMS}
        locked.escort_present, locked.clinician_judges_ready = True, True
        locked.ready_without_minimum_min = cleaned.get("ready_without_minimum_min")
        locked.discharged_at, locked.discharged_by, locked.status = now, ctx.user, SessionStatus.DISCHARGED
        _bump(locked, now, ["padss", "escort_present", "clinician_judges_ready", "ready_without_minimum_min",
                            "discharged_at", "discharged_by", "status"])
        _set_appointment_status(ctx, locked, "done", "Discharged")
        SessionDraft.objects.filter(session=locked).delete()
        summary = session_summary(locked, now)
        _timeline(ctx, locked, summary)
        _audit(ctx, Action.SESSION_DISCHARGE, locked, {"padss": padss.total, "observed_min": readiness.observed_minutes})
        if locked.route == Route.ESKETAMINE_NASAL:
            generate_rems_form(ctx, locked, now=now)
    return locked


def session_summary(session: TreatmentSession, now: dt.datetime) -> str:
    given = facts.given_so_far(session, now)
    vitals = facts.active_vitals(session)
    alerts = list(session.alerts.all())
    parts = [f"Session: {session.route_label}"]
    if given is not None:
        parts.append(f"{given.normalize():f} mg given" + (f" of {session.dose_mg} mg ordered" if session.dose_mg and given != session.dose_mg else ""))
    if session.dosing_started_at and session.dosing_ended_at and session.route == Route.IV:
        parts.append(f"infusion {int((session.dosing_ended_at - session.dosing_started_at).total_seconds() // 60)} min")
    parts.append(f"{len(vitals)} vitals reading{'s' if len(vitals) != 1 else ''}")
    if alerts:
        parts.append(f"{len(alerts)} alert{'s' if len(alerts) != 1 else ''} (acknowledged)")
    start = facts.observation_from(session)
    if start and session.discharged_at:
        parts.append(f"discharged after {int((session.discharged_at - start).total_seconds() // 60)} min of observation, "
                     f"PADSS {facts.padss_of(session.padss).total}/10")
    return "; ".join(parts)


def end_without_dose(ctx: Context, session: TreatmentSession, data: dict, *, now: dt.datetime | None = None) -> TreatmentSession:
    """Close a checked-in session where no dose is given (a hard stop that cannot be resolved today)."""
    require(ctx.user, "session.run")
    now = now or timezone.now()
    cleaned = _validate(tforms.EndSessionForm, data)
    with transaction.atomic():
        locked = _lock(session)
        _check_version(locked, cleaned.get("version"))
        if locked.status != SessionStatus.CHECKED_IN:
            raise Conflict("Only a session in which no dose has started can end without a dose.")
        locked.status, locked.end_reason = SessionStatus.ENDED, cleaned["reason"].strip()
        _bump(locked, now, ["status", "end_reason"])
        SessionDraft.objects.filter(session=locked).delete()
        _audit(ctx, Action.SESSION_END_WITHOUT_DOSE, locked, {"reason": locked.end_reason})
        _timeline(ctx, locked, f"Session ended without a dose: {locked.end_reason}")
    return locked
