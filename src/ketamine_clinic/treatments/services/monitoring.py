"""Charting during the session: vital signs, monitoring entries (scales, side effects, rescue
medication, adverse events, notes) and acknowledging the alerts they raise. All append-only."""

import datetime as dt

from django.db import transaction
from django.http import QueryDict

from ketamine_clinic.audit.actions import Action
from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import session as cs
from ketamine_clinic.core.errors import Conflict, NotFound, ValidationFailed, form_errors
from ketamine_clinic.core.text_limits import display_summary

from .. import facts
from .. import forms as tforms
from ..models import EntryKind, MonitoringEntry, SessionAlert, TreatmentSession, VitalsReading
from ._common import _audit, _core_error, _enter, _enter_timed, _lock, _policy, _require_open, _uuid, _validate, _when

VITAL_FIELDS = ("systolic_mmhg", "diastolic_mmhg", "heart_rate_per_min", "spo2_percent", "respiratory_rate_per_min",
                "temperature_c")


def record_vitals(ctx: Context, session: TreatmentSession, data: dict, *, now: dt.datetime | None = None) -> VitalsReading:
    """Append one set of vital signs; raise an alert for each value past the clinic's limits."""
    now, cleaned, observed_at = _enter_timed(ctx, session, tforms.VitalsForm, data, "observed_at", now)
    values = {k: cleaned.get(k) for k in VITAL_FIELDS}
    if all(v is None for v in values.values()):
        raise ValidationFailed({"systolic_mmhg": ["Enter at least one vital sign."]})
    try:
        signs = cs.VitalSigns(**values, observed_at=observed_at)
    except cs.SessionInputError as exc:
        raise _core_error(exc) from None
    with transaction.atomic():
        locked = _lock(session)
        _require_open(locked)
        phase = facts.phase_at(locked, observed_at)
        reading = VitalsReading.objects.create(
            session=locked, observed_at=observed_at, phase=phase.value, note=cleaned.get("note", "").strip(),
            recorded_by=ctx.user, recorded_at=now,
            **{k: getattr(signs, k) for k in VITAL_FIELDS},
        )
        alerts = [a for a in cs.vitals_alerts(signs, phase, _policy(locked)) if a.severity == cs.AlertSeverity.CRITICAL]
        for alert in alerts:
            SessionAlert.objects.create(session=locked, reading=reading, kind=alert.kind, severity=alert.severity.value,
                                        message=display_summary(alert.message, SessionAlert, "message"), source=alert.source, raised_at=now)
        _audit(ctx, Action.SESSION_VITALS, locked, {"phase": phase.value, "alerts": [a.kind for a in alerts]}, obj=reading)
    return reading


def record_event(ctx: Context, session: TreatmentSession, data: dict, *, now: dt.datetime | None = None) -> MonitoringEntry:
    """Append a CADSS total, MOAA/S score, side effect, rescue medication, adverse event or note."""
    now = _enter(ctx, session, "session.run", now)
    raw = dict(data)
    if "criteria" in raw and isinstance(raw["criteria"], str):
        raw["criteria"] = [raw["criteria"]]
    form = tforms.EventForm(data=_multi(raw))
    if not form.is_valid():
        raise ValidationFailed(form_errors(form))
    cleaned = form.cleaned_data
    kind = cleaned["kind"]
    at = _when(cleaned.get("occurred_at"), "occurred_at", session, now)
    try:
        score, payload, summary, alert = _EVENT_BUILDERS.get(kind, _note_event)(cleaned, at)
    except cs.SessionInputError as exc:
        raise _core_error(exc, {"cadss_total": "score", "moaas": "score"}) from None
    with transaction.atomic():
        locked = _lock(session)
        _require_open(locked)
        entry = MonitoringEntry.objects.create(session=locked, kind=kind, occurred_at=at, score=score, data=payload,
                                               summary=display_summary(summary, MonitoringEntry, "summary"), recorded_by=ctx.user, recorded_at=now)
        if alert:
            SessionAlert.objects.create(session=locked, entry=entry, kind=alert[0], severity="critical",
                                        message=display_summary(alert[1], SessionAlert, "message"), source=alert[2], raised_at=now)
        _audit(ctx, Action.SESSION_EVENT, locked, {"kind": kind}, obj=entry)
    return entry


# Each builder: (cleaned form, occurred at) -> (score, data payload, summary, alert or None), where
# an alert is (kind, message, source) and is raised as critical.

def _cadss_event(cleaned: dict, at):
    if cleaned.get("score") is None:
        raise ValidationFailed({"score": ["Enter the CADSS total."]})
    score = cs.validate_cadss_total(cleaned["score"])
    band = facts.cadss_band_label(score)
    return score, {}, f"CADSS total {score}" + (f" ({band})" if band else ""), None


def _moaas_event(cleaned: dict, at):
    if cleaned.get("score") is None:
        raise ValidationFailed({"score": ["Enter the MOAA/S score."]})
    score = cs.validate_moaas(cleaned["score"])
    return score, {}, f"MOAA/S {score}", None


def _side_effect_event(cleaned: dict, at):
    if not cleaned.get("effect"):
        raise ValidationFailed({"effect": ["Choose the side effect."]})
    if not cleaned.get("severity"):
        raise ValidationFailed({"severity": ["Choose mild, moderate or severe."]})
    report = cs.SideEffectReport(cleaned["effect"], cleaned["severity"], at, cleaned.get("note", ""))
    payload = {"effect": report.effect.value, "severity": report.severity.value, "note": report.note}
    summary = f"Side effect: {report.effect.value.replace('_', ' ')} ({report.severity.value})"
    alert = ("side_effect", f"{summary}: tell the prescriber now", "clinic-policy") if report.needs_prescriber_now else None
    return None, payload, summary, alert


def _rescue_event(cleaned: dict, at):
    errors = {}
    if not cleaned.get("medication", "").strip():
        errors["medication"] = ["Name the rescue medication."]
    if not cleaned.get("dose", "").strip():
        errors["dose"] = ["Give the dose and route."]
    if errors:
        raise ValidationFailed(errors)
    payload = {"medication": cleaned["medication"].strip(), "dose": cleaned["dose"].strip(),
               "reason": cleaned.get("note", "").strip()}
    return None, payload, f"Rescue medication: {payload['medication']} {payload['dose']}", None


def _adverse_event(cleaned: dict, at):
    event = cs.AdverseEvent(cleaned.get("description", ""), at, frozenset(cleaned.get("criteria") or ()))
    payload = {"description": event.description.strip(), "criteria": sorted(c.value for c in event.criteria),
               "serious": event.is_serious}
    summary = f"{'Serious adverse' if event.is_serious else 'Adverse'} event: {payload['description']}"
    alert = ("serious_adverse_event", summary, "spravato-rems") if event.is_serious else None
    return None, payload, summary, alert


def _note_event(cleaned: dict, at):
    if not cleaned.get("note", "").strip():
        raise ValidationFailed({"note": ["Write the note."]})
    payload = {"note": cleaned["note"].strip()}
    return None, payload, f"Note: {payload['note']}", None


_EVENT_BUILDERS = {
    EntryKind.CADSS: _cadss_event, EntryKind.MOAAS: _moaas_event, EntryKind.SIDE_EFFECT: _side_effect_event,
    EntryKind.RESCUE: _rescue_event, EntryKind.ADVERSE_EVENT: _adverse_event,
}  # any other kind (a note) is _note_event


def _multi(data: dict):
    if isinstance(data, QueryDict):
        return data
    q = QueryDict(mutable=True)
    for k, v in data.items():
        if isinstance(v, (list, tuple)):
            q.setlist(k, [str(x) for x in v])
        elif v is not None:
            q[k] = v if isinstance(v, str) else str(v)
    return q


def acknowledge_alert(ctx: Context, session: TreatmentSession, alert_id, data: dict,
                      *, now: dt.datetime | None = None) -> SessionAlert:
    now = _enter(ctx, session, "session.run", now)
    cleaned = _validate(tforms.AcknowledgeForm, data)
    with transaction.atomic():
        alert = SessionAlert.objects.select_for_update().filter(session=session, public_id=_uuid(alert_id)).first()
        if alert is None:
            raise NotFound("No such alert on this session.")
        if alert.acknowledged_at is not None:
            raise Conflict(f"Already acknowledged by {alert.acknowledged_by.name}.")
        alert.acknowledged_by, alert.acknowledged_at, alert.action_taken = ctx.user, now, cleaned["action_taken"].strip()
        alert.save(update_fields=["acknowledged_by", "acknowledged_at", "action_taken"])
        _audit(ctx, Action.SESSION_ALERT_ACK, session, {"kind": alert.kind}, obj=alert)
    return alert
