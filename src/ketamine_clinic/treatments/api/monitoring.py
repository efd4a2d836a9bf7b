"""Monitoring: vital signs, CADSS/MOAA/S and other events, alerts."""

from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema, Status

from ketamine_clinic.core.schemas import errors
from ketamine_clinic.web.api import form_data

from .. import facts, services
from ._router import router
from ._common import TIME, detailed_session, run_on_session
from .answers import EventOut, SessionAlertOut, VitalsOut, alert_out, event_out, vitals_out


class VitalsIn(Schema):
    observed_at: str | None = Field(None, description=TIME)
    systolic_mmhg: int | None = None
    diastolic_mmhg: int | None = None
    heart_rate_per_min: int | None = None
    spo2_percent: int | None = None
    respiratory_rate_per_min: int | None = None
    temperature_c: Decimal | None = None
    note: str | None = None


class EventIn(Schema):
    kind: str = Field(description="cadss | moaas | side_effect | rescue_medication | adverse_event | note")
    occurred_at: str | None = Field(None, description=TIME)
    score: int | None = Field(None, description="CADSS total (0-92) or MOAA/S (0-5)")
    effect: str | None = None
    severity: str | None = Field(None, description="mild | moderate | severe")
    medication: str | None = None
    dose: str | None = None
    description: str | None = None
    criteria: list[str] | None = Field(None, description="Seriousness criteria of an adverse event")
    note: str | None = None


class SessionAlertAcknowledgeIn(Schema):
    action_taken: str


@router.get("/sessions/{session_id}/vitals", response={200: list[VitalsOut], **errors(401, 403, 404, 422)}, summary="Vital signs")
def list_vitals(request, session_id: UUID):
    return [vitals_out(v) for v in facts.active_vitals(detailed_session(request, session_id))]


@router.post("/sessions/{session_id}/vitals", response={201: VitalsOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record vital signs (alerts are raised past clinic limits)")
def post_vitals(request, session_id: UUID, payload: VitalsIn):
    return Status(201, vitals_out(run_on_session(request, session_id, services.record_vitals, form_data(payload))))


@router.post("/sessions/{session_id}/events", response={201: EventOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record CADSS, MOAA/S, a side effect, rescue medication, adverse event or note")
def post_event(request, session_id: UUID, payload: EventIn):
    data = form_data(payload)
    if data.get("criteria") == "":
        data.pop("criteria")
    return Status(201, event_out(run_on_session(request, session_id, services.record_event, data)))


@router.post("/sessions/{session_id}/alerts/{alert_id}/acknowledge",
             response={200: SessionAlertOut, **errors(400, 401, 403, 404, 409, 422)}, summary="Acknowledge an alert")
def acknowledge(request, session_id: UUID, alert_id: UUID, payload: SessionAlertAcknowledgeIn):
    return alert_out(run_on_session(request, session_id, services.acknowledge_alert, form_data(payload), alert_id))
