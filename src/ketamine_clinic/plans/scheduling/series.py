"""Schedule generation for a plan: the dosing series and its linked therapy sessions."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context, record
from ketamine_clinic.clinical import protocols as cp

from .. import booking_checks
from ..clinic_policy import appointment_minutes, plans_policy
from ..models import Appointment, AppointmentKind
from ._common import (
    _book,
    _busy_by_resource,
    _lock,
    _patient_busy,
    _queue_reminders,
    _staff_busy,
    dosing_resource_kinds,
    explain_scheduling_error,
)
from .reads import bookable_resources, closed_dates_of, local_day_bounds, local_today, opening_hours_of


def propose_series(plan, protocol: cp.Protocol, phase: cp.Phase, count: int, *, start,
                   previous_utc=(), now: dt.datetime | None = None) -> list[cp.ProposedAppointment]:
    """The sessions ``generate_schedule`` proposes for ``plan`` at its location; nothing is written."""
    now = now or timezone.now()
    location = plan.location
    resources = [r for r in bookable_resources(location) if r.kind in dosing_resource_kinds(plan.route)]
    policy = plans_policy(plan.organization)
    if isinstance(start, dt.date) and not isinstance(start, dt.datetime) and start <= local_today(location, now):
        start = now
    if isinstance(start, dt.datetime) and start < now:
        start = now
    anchor = start if isinstance(start, dt.datetime) else local_day_bounds(location, start)[0]
    return cp.generate_schedule(
        phase, start, count, plan.preferred_time, location.time_zone, opening_hours_of(location),
        closed_dates=closed_dates_of(location),
        busy=_busy_by_resource(location, resources, anchor, 400),
        duration_min=appointment_minutes(plan.organization, protocol),
        resources=[r.name for r in resources],
        patient_busy=_patient_busy(plan.patient),
        previous_sessions_utc=list(previous_utc),
        slot_step_min=policy["slot_step_min"],
    )


def book_series(ctx: Context, plan, protocol: cp.Protocol, phase: cp.Phase, count: int, *, start,
                previous_utc=(), first_number: int = 1, now: dt.datetime | None = None,
                override_reason: str = "", overrides: booking_checks.Overrides | None = None) -> list[Appointment]:
    """Book ``count`` dosing sessions of ``phase`` for an active plan. Call inside a transaction.

    Each session runs the booking checks (prior authorizations) after the series' earlier sessions
    are inserted, so they count. Past the checks the series needs ``override_reason`` (a 422 listing
    every problem date, nothing booked). A caller booking several series passes its own
    ``overrides`` and refuses once at the end."""
    _lock(plan.location, plan.patient)
    try:
        proposals = propose_series(plan, protocol, phase, count, start=start, previous_utc=previous_utc, now=now)
    except cp.SchedulingError as exc:
        raise explain_scheduling_error(exc) from None
    checks = overrides if overrides is not None else booking_checks.Overrides(override_reason)
    today = local_today(plan.location, now or timezone.now())
    by_name = {r.name: r for r in bookable_resources(plan.location)}
    generated = f"Generated from {protocol.key} v{protocol.version}, phase {phase.name}"
    booked = []
    with transaction.atomic():  # a savepoint: a refusal takes back the sessions already inserted
        for p in proposals:
            problems = checks.check(plan.patient, AppointmentKind.DOSING, p.start_utc.astimezone(plan.location.tz).date(), today)
            booked.append(_book(
                ctx, checks.reason if problems else generated,
                overridden=problems,
                organization_id=plan.organization_id, location=plan.location, patient=plan.patient, plan=plan,
                kind=AppointmentKind.DOSING, phase_name=phase.name, session_number=first_number + p.session_number - 1,
                resource=by_name[p.resource_id], start_at=p.start_utc, end_at=p.end_utc))
        if overrides is None:
            checks.refuse_unless_reason()
    record(ctx, Action.APPOINTMENT_BOOK_SERIES, obj=plan, patient=plan.patient,
           detail={"appointments": [str(a.public_id) for a in booked], "phase": phase.name})
    _queue_reminders(booked)
    return booked


def book_linked_sessions(ctx: Context, plan, protocol: cp.Protocol, dosing: list[Appointment],
                         now: dt.datetime | None = None) -> tuple[list[Appointment], list[str]]:
    """Book the protocol's preparation/integration sessions with the plan's therapist, each in its window."""
    if not protocol.linked_sessions or not dosing:
        return [], []
    now = now or timezone.now()
    location = plan.location
    zone = location.tz
    dates = [a.start_at.astimezone(zone).date() for a in dosing]
    windows = cp.propose_linked_sessions(protocol, dates)
    if plan.therapist is None:
        return [], [f"{len(windows)} therapy session(s) are due but the plan names no therapist: book them by hand."]
    minutes = plans_policy(plan.organization)["therapy_minutes"]
    vehicle = cp.Phase("therapy", 1, cp.Spacing(min_days_between=1, source=protocol.dose_rule.source))
    slot_name = f"therapist {plan.therapist.name}"
    booked, warnings = [], []
    for w in windows:
        earliest = max(w.earliest, local_today(location, now))
        start = earliest if earliest > local_today(location, now) else now
        span = max((w.latest - earliest).days, 0) + 1
        try:
            proposal = cp.generate_schedule(
                vehicle, start, 1, plan.preferred_time, location.time_zone, opening_hours_of(location),
                closed_dates=closed_dates_of(location), busy={slot_name: _staff_busy(plan.therapist)},
                duration_min=minutes, resources=[slot_name], patient_busy=_patient_busy(plan.patient),
                horizon_days=span)[0]
        except cp.SchedulingError:
            proposal = None
        if proposal is None or proposal.start_utc.astimezone(zone).date() > w.latest:
            warnings.append(f"No free time with {plan.therapist.name} for the {w.kind} session of dosing session "
                            f"{w.dosing_session_number} between {w.earliest} and {w.latest}: book it by hand.")
            continue
        booked.append(_book(
            ctx, f"{w.kind.title()} session for dosing session {w.dosing_session_number} ({w.source})",
            organization_id=plan.organization_id, location=location, patient=plan.patient, plan=plan,
            kind=w.kind, phase_name=plan.phase_name, session_number=w.dosing_session_number, staff=plan.therapist,
            start_at=proposal.start_utc, end_at=proposal.end_utc))
    _queue_reminders(booked)
    return booked, warnings
