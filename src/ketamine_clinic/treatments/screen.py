"""The session screen's data, read once for the page (``views.session_context``) and the API
(``GET /sessions/{id}``), so both show the same facts and treat an entry that cannot be evaluated
the same way: the checklist says why, readiness and the vitals schedule are left out — never a 500.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from ketamine_clinic.clinical import session as cs

from . import facts, services
from .models import SessionStatus, TreatmentSession


@dataclass(frozen=True)
class SessionScreen:
    session: TreatmentSession
    now: dt.datetime
    policy: dict
    preview: facts.DosePreview | None  # the dose the order gives, until dosing starts
    checklist: cs.ChecklistResult | None  # while checked in, when it can be evaluated
    checklist_problem: str  # why it cannot be, else ""
    administration: object | None  # the dose given, once dosing started
    devices: list
    rate_changes: list
    given_mg: Decimal | None
    vitals: list
    entries: list
    alerts: list
    snapshot: dict  # what the board shows too: progress, next and overdue vitals, open alerts
    readiness: cs.DischargeReadiness | None  # while observing, when it can be evaluated
    earliest_discharge: dt.datetime | None


def session_screen(session: TreatmentSession, now: dt.datetime | None = None) -> SessionScreen:
    """``session`` read with ``services.with_details`` (a fixed number of queries)."""
    now = now or timezone.now()
    policy = facts.session_policy(session.organization)
    checklist, problem = _checklist(session, now, policy)
    admin = getattr(session, "administration", None) if session.dosing_started_at else None
    return SessionScreen(
        session=session, now=now, policy=policy,
        preview=facts.dose_preview(session, policy) if session.dosing_started_at is None else None,
        checklist=checklist, checklist_problem=problem,
        administration=admin, devices=list(session.devices.all()),
        rate_changes=list(admin.rate_changes.all()) if admin else [],
        given_mg=facts.given_so_far(session, now),
        vitals=facts.active_vitals(session), entries=facts.active_entries(session), alerts=list(session.alerts.all()),
        snapshot=services.session_snapshot(session, now, policy),
        readiness=_readiness(session, now, policy),
        earliest_discharge=facts.observation_end(session, policy),
    )


def _checklist(session, now, policy) -> tuple[cs.ChecklistResult | None, str]:
    if session.status != SessionStatus.CHECKED_IN:
        return None, ""
    try:
        return facts.checklist_for(session, now, policy), ""
    except cs.SessionInputError as exc:
        return None, f"The checklist cannot be evaluated: {exc.message}"


def _readiness(session, now, policy) -> cs.DischargeReadiness | None:
    if session.status != SessionStatus.OBSERVING:
        return None
    try:
        return facts.discharge_readiness(session, now, policy)
    except cs.SessionInputError:
        return None
