"""Entries in progress kept on the server, per user, session and form."""

import datetime as dt

from django.utils import timezone

from ketamine_clinic.accounts.permissions import require
from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import Conflict, NotFound, require_own_clinic

from ..models import OPEN_STATUSES, SessionDraft, TreatmentSession

DRAFT_FORMS = ("checklist", "vitals", "event", "dose", "device", "rate", "stop", "discharge", "bp_decision")


RENDERED_AT_FIELD = "draft_rendered_at"  # epoch milliseconds when the page with the form was rendered


def _rendered_at(data: dict) -> dt.datetime | None:
    raw = data.get(RENDERED_AT_FIELD)
    raw = raw[0] if isinstance(raw, (list, tuple)) and raw else raw
    try:
        return dt.datetime.fromtimestamp(int(str(raw)) / 1000, tz=dt.timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def save_draft(ctx: Context, session: TreatmentSession, form_key: str, data: dict, *, now=None) -> SessionDraft | None:
    """Keep an entry in progress on the server (per user, session and form).

    A save from a page rendered before the form was last submitted is ignored (returns None): it
    was in flight during the submit, and restoring it would put old values, such as the time a
    reading was taken, into the next entry.
    """
    require(ctx.user, "session.run")
    require_own_clinic(ctx.user, session.organization_id, "session")
    if form_key not in DRAFT_FORMS:
        raise NotFound("No such form.")
    if session.status not in OPEN_STATUSES:
        raise Conflict("This session is closed.")
    rendered_at = _rendered_at(data)
    previous = SessionDraft.objects.filter(user=ctx.user, session=session, form_key=form_key).first()
    if previous is not None and previous.cleared_at is not None and (rendered_at is None or rendered_at <= previous.cleared_at):
        return None
    clean = {}
    for key, value in list(data.items())[:60]:
        if key in ("csrfmiddlewaretoken", "version", RENDERED_AT_FIELD) or "password" in key:
            continue  # never keep secrets or a version (a restored draft must not skip the stale-edit check)
        value = value if isinstance(value, (list, tuple)) else [value]
        values = [str(v)[:2000] for v in value][:20]
        clean[str(key)[:60]] = values if len(values) > 1 else (values[0] if values else "")
    draft, _ = SessionDraft.objects.update_or_create(user=ctx.user, session=session, form_key=form_key,
                                                     defaults={"data": clean, "updated_at": now or timezone.now()})
    return draft


def drafts_for(user, session: TreatmentSession) -> dict[str, dict]:
    return {d.form_key: d.data for d in SessionDraft.objects.filter(user=user, session=session) if d.data}


def clear_draft(ctx: Context, session: TreatmentSession, form_key: str, *, now=None) -> None:
    """The form was submitted: forget its entry in progress, and fence off late autosaves."""
    require_own_clinic(ctx.user, session.organization_id, "session")
    now = now or timezone.now()
    SessionDraft.objects.update_or_create(user=ctx.user, session=session, form_key=form_key,
                                          defaults={"data": {}, "updated_at": now, "cleared_at": now})
