"""The chair board: every patient in session at a location, and one session's live snapshot."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from ketamine_clinic.accounts.models import Location
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import session as cs
from ketamine_clinic.clinical.routes import Route

from .. import facts
from ..models import OPEN_STATUSES, TreatmentSession
from .reads import sessions_for, with_details


def board_rows(ctx: Context, location: Location, now: dt.datetime | None = None) -> list[dict]:
    """Every patient in session at ``location``: elapsed time, dose progress, next vitals, open alerts."""
    now = now or timezone.now()
    sessions = list(with_details(sessions_for(ctx).filter(location=location, status__in=OPEN_STATUSES))
                    .order_by("checked_in_at"))
    policy = facts.session_policy(location.organization) if sessions else None
    rows = []
    for s in sessions:
        rows.append(session_snapshot(s, now, policy))
    return rows


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
    return {
        "session": s, "patient": s.patient, "elapsed_min": max(elapsed, 0), "progress": progress,
        "next_vitals": due.next_due if due else None, "overdue": due.overdue if due else [],
        "alerts": facts.open_alerts(s), "rate": facts.current_rate(s), "bag_empty_at": facts.bag_empty_at(s),
        "bag_done": (lambda t: t is not None and t <= now)(facts.bag_empty_at(s)),
    }
