"""The response shapes the resources share: a session, its summary, vitals, events, alerts, the checklist."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Schema

from .. import facts, services
from ..screen import session_screen


class ChecklistItemOut(Schema):
    key: str
    label: str
    status: str
    message: str
    source: str


class ChecklistOut(Schema):
    session: UUID
    version: int
    may_dose: bool
    items: list[ChecklistItemOut]


class VitalsOut(Schema):
    id: UUID
    observed_at: dt.datetime
    phase: str
    systolic_mmhg: int | None
    diastolic_mmhg: int | None
    heart_rate_per_min: int | None
    spo2_percent: int | None
    respiratory_rate_per_min: int | None
    temperature_c: Decimal | None
    recorded_by: str
    alerts: list[str]


class EventOut(Schema):
    id: UUID
    kind: str
    occurred_at: dt.datetime
    score: int | None
    summary: str
    data: dict
    recorded_by: str


class SessionAlertOut(Schema):
    id: UUID
    kind: str
    severity: str
    message: str
    raised_at: dt.datetime
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    action_taken: str


class DeviceOut(Schema):
    id: UUID
    given_at: dt.datetime
    lot_number: str


class RateOut(Schema):
    at: dt.datetime
    rate_ml_per_h: Decimal
    reason: str


class SessionSummary(Schema):
    id: UUID
    patient: UUID
    patient_name: str
    location: UUID
    route: str
    indication: str
    status: str
    checked_in_at: dt.datetime
    version: int


class SessionOut(SessionSummary):
    order: dict
    ordered_by: str
    dose: dict
    guardrail: dict | None
    given_mg: Decimal | None
    dosing_started_at: dt.datetime | None
    dosing_ended_at: dt.datetime | None
    administration: dict | None
    devices: list[DeviceOut]
    rate_changes: list[RateOut]
    vitals: list[VitalsOut]
    events: list[EventOut]
    alerts: list[SessionAlertOut]
    next_vitals_due: dt.datetime | None
    overdue_vitals: list[dt.datetime]
    discharge: dict | None
    discharged_at: dt.datetime | None


def summary_out(s) -> dict:
    return {"id": s.public_id, "patient": s.patient.public_id, "patient_name": s.patient.display_name,
            "location": s.location.public_id, "route": s.route, "indication": s.indication, "status": s.status,
            "checked_in_at": s.checked_in_at, "version": s.version}


def vitals_out(v) -> dict:
    return {"id": v.public_id, "observed_at": v.observed_at, "phase": v.phase, "recorded_by": v.recorded_by.username,
            **{k: getattr(v, k) for k in services.VITAL_FIELDS}, "alerts": [a.kind for a in v.alerts.all()]}


def event_out(e) -> dict:
    return {"id": e.public_id, "kind": e.kind, "occurred_at": e.occurred_at, "score": e.score, "summary": e.summary,
            "data": e.data, "recorded_by": e.recorded_by.username}


def alert_out(a) -> dict:
    return {"id": a.public_id, "kind": a.kind, "severity": a.severity, "message": a.message, "raised_at": a.raised_at,
            "acknowledged_by": a.acknowledged_by.username if a.acknowledged_by else None,
            "acknowledged_at": a.acknowledged_at, "action_taken": a.action_taken}


def session_out(s) -> dict:
    screen = session_screen(s)
    return {
        **summary_out(s),
        "order": _order(s),
        "ordered_by": s.ordered_by.username,
        "dose": _dose(s, screen.preview), "guardrail": _guardrail(s, screen.preview), "given_mg": screen.given_mg,
        "dosing_started_at": s.dosing_started_at, "dosing_ended_at": s.dosing_ended_at,
        "administration": screen.administration and _administration(screen.administration),
        "devices": [{"id": d.public_id, "given_at": d.given_at, "lot_number": d.lot_number} for d in screen.devices],
        "rate_changes": [{"at": r.at, "rate_ml_per_h": r.rate_ml_per_h, "reason": r.reason} for r in screen.rate_changes],
        "vitals": [vitals_out(v) for v in screen.vitals],
        "events": [event_out(e) for e in screen.entries],
        "alerts": [alert_out(a) for a in screen.alerts],
        "next_vitals_due": screen.snapshot["next_vitals"].due_at if screen.snapshot["next_vitals"] else None,
        "overdue_vitals": [c.due_at for c in screen.snapshot["overdue"]],
        "discharge": screen.readiness and _discharge(screen.readiness),
        "discharged_at": s.discharged_at,
    }


def _text_or_none(value) -> str | None:
    return str(value) if value is not None else None


def _order(s) -> dict:
    return {"dose_unit": s.dose_unit, "dose_amount": str(s.dose_amount), "infusion_minutes": s.infusion_minutes,
            "infusion_volume_ml": _text_or_none(s.infusion_volume_ml),
            "product_name": s.product_name,
            "concentration_mg_per_ml": _text_or_none(s.concentration_mg_per_ml),
            "source": s.dose_source, "text": facts.order_text(s)}


def _dose(s, preview) -> dict:
    """The dose fixed at dosing start; before it, the preview's plan or why there is none."""
    if s.dosing_started_at is not None:
        return dict(s.dose_plan)
    if preview.plan is not None:
        return facts.plan_to_json(preview.plan)
    return {"error": preview.error, "field": preview.error_field}


def _guardrail(s, preview) -> dict | None:
    """The guardrail recorded on the session (with its cosign), else the preview's, else none."""
    if s.guardrail_level:
        return {"level": s.guardrail_level, "message": s.guardrail_message,
                "cosigned_by": s.cosigned_by.username if s.cosigned_by_id else None, "cosign_reason": s.cosign_reason}
    if preview and preview.guardrail:
        return {"level": preview.guardrail.level.value, "message": preview.guardrail.message}
    return None


def _administration(admin) -> dict:
    return {"product_name": admin.product_name, "lot_number": admin.lot_number,
            "expiry_date": admin.expiry_date.isoformat(), "given_by": admin.given_by.username,
            "started_at": admin.started_at.isoformat(),
            "stopped_at": admin.stopped_at.isoformat() if admin.stopped_at else None}


def _discharge(readiness) -> dict:
    return {"ready": readiness.ready, "earliest_at": readiness.earliest_discharge_at.isoformat(),
            "observed_minutes": readiness.observed_minutes,
            "blocking": [b.message for b in readiness.blocking_reasons]}


def checklist_out(s) -> dict:
    result = facts.checklist_for(s)
    return {"session": s.public_id, "version": s.version, "may_dose": result.may_dose,
            "items": [{"key": i.key, "label": i.label, "status": i.status.value, "message": i.message, "source": i.source}
                      for i in result.items]}
