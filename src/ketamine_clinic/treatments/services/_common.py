"""Helpers shared by the session-day services: input checks, the session lock and version, audit
and timeline rows, and moving the linked appointment along."""

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import record
from ketamine_clinic.clinical import session as cs
from ketamine_clinic.core.errors import Conflict, ValidationFailed, require_own_clinic
from ketamine_clinic.core.errors import validated as _validate  # noqa: F401  (one form check, used by the service modules)
from ketamine_clinic.core.ids import uuid_or_none as _uuid  # noqa: F401  (used by the service modules)
from ketamine_clinic.patients.models import TimelineEvent
from ketamine_clinic.patients.timeline import timeline_summary
from ketamine_clinic.plans.scheduling import NEXT_STATUS, set_appointment_status

from .. import facts
from ..models import OPEN_STATUSES, TreatmentSession

MAX_BACKDATE = dt.timedelta(hours=24)  # entry check: charted times within the last day
CLOCK_SKEW = dt.timedelta(minutes=2)  # a device clock a little ahead is not "the future"


def _core_error(exc: cs.SessionInputError, fields: dict | None = None, prefix: str = "") -> ValidationFailed:
    field = (fields or {}).get(exc.field, exc.field)
    return ValidationFailed({prefix + field: [exc.message[0].upper() + exc.message[1:]]})


def _when(raw, field: str, session_or_tz, now: dt.datetime, *, default_now: bool = True) -> dt.datetime | None:
    """A charted time: ISO 8601 (a time without offset is in the location's zone), not in the
    future and not more than a day ago."""
    tz = session_or_tz.location.tz if hasattr(session_or_tz, "location") else session_or_tz
    if raw in (None, ""):
        return now if default_now else None
    if isinstance(raw, dt.datetime):
        value = raw
    else:
        value = parse_datetime(str(raw).strip())
        if value is None:
            raise ValidationFailed({field: ["Enter a date and time (YYYY-MM-DD HH:MM)."]})
    if timezone.is_naive(value):
        value = value.replace(tzinfo=tz)
    if value > now + CLOCK_SKEW:
        raise ValidationFailed({field: ["This time is in the future."]})
    if value < now - MAX_BACKDATE:
        raise ValidationFailed({field: ["This time is more than 24 hours ago; check the entry."]})
    return value


def _check_version(session: TreatmentSession, expected) -> None:
    if expected not in (None, "") and int(expected) != session.version:
        raise Conflict(f"This session was changed by someone else (now version {session.version}); "
                       "reload and try again. Your entry was not saved.", {"version": [f"Current version is {session.version}."]})


def _enter(ctx, session: TreatmentSession, action: str, now: dt.datetime | None) -> dt.datetime:
    """The door of a session write: the role allows ``action`` and the session is the actor's
    clinic's (404 otherwise, even when the caller skipped the scoped lookup). Returns the time of the write."""
    require(ctx.user, action)
    require_own_clinic(ctx.user, session.organization_id, "session")
    return now or timezone.now()


def _enter_timed(ctx, session: TreatmentSession, form, data: dict, time_field: str, now: dt.datetime | None):
    """A running-session write that carries a time: the door (``_enter``), the form's cleaned data,
    and the time entered in ``time_field`` (default now). Returns (now, cleaned, time)."""
    now = _enter(ctx, session, "session.run", now)
    cleaned = _validate(form, data)
    return now, cleaned, _when(cleaned.get(time_field), time_field, session, now)


def _lock(session: TreatmentSession) -> TreatmentSession:
    return TreatmentSession.objects.select_for_update().select_related("patient", "location", "organization", "ordered_by").get(pk=session.pk)


def _bump(session: TreatmentSession, now: dt.datetime, fields: list[str]) -> None:
    session.version += 1
    session.updated_at = now
    session.save(update_fields=[*fields, "version", "updated_at"])


def _require_open(session: TreatmentSession) -> None:
    if session.status not in OPEN_STATUSES:
        raise Conflict(f"This session is {session.get_status_display().lower()}; nothing more can be charted.")


def _audit(ctx, action: Action, session, detail=None, obj=None):
    record(ctx, action, obj=obj or session, patient=session.patient, organization=session.organization, detail=detail or {})


def _timeline(ctx, session, summary: str, kind: str = "session") -> None:
    TimelineEvent.objects.create(patient=session.patient, kind=kind, summary=timeline_summary(summary), actor=ctx.user)


def _policy(session):
    return facts.session_policy(session.organization)


def _set_appointment_status(ctx, session, status: str, reason: str = "") -> None:
    appt = getattr(session, "appointment", None) if hasattr(session, "appointment_id") else None
    if appt is None or appt.status == status:
        return

    path = {"checked_in": ["checked_in"], "in_session": ["checked_in", "in_session"],
            "done": ["checked_in", "in_session", "done"]}[status]
    for step in path:
        if step in NEXT_STATUS.get(appt.status, set()):
            appt = set_appointment_status(ctx, appt, step, reason)
    session.appointment = appt
