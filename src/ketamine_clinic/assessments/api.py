"""REST endpoints for instruments, questionnaire responses, suicide-risk alerts and outcomes.

Answers go in as ``{linkId: value}`` (integers for ordinal items, true/false for yes/no items);
scores, flags and the recall period come out, as stored with the response.
"""

import datetime as dt
from typing import Any
from uuid import UUID

from ninja import Field, Query, Router, Schema, Status

from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical import instruments as ci
from ketamine_clinic.core.errors import NotFound, ValidationFailed
from ketamine_clinic.core.schemas import errors
from ketamine_clinic.patients.models import Patient

from . import services
from .models import QuestionnaireResponse, ResponseMode

router = Router(tags=["assessments"])


class InstrumentOut(Schema):
    key: str
    name: str
    version: str
    respondent: str
    recall_period: str
    item_count: int
    total_min: int | None
    total_max: int | None
    licence_note: str
    attribution: str | None
    loinc_panel: str | None
    loinc_total: str | None
    has_item_text: bool
    patient_can_answer: bool


class ItemFlagOut(Schema):
    flag: str
    link_id: str
    value: Any
    message: str


class ResponseOut(Schema):
    id: UUID
    patient_id: UUID
    instrument_key: str
    instrument_version: str
    status: str
    mode: str
    entered_by: str | None
    completed_at: dt.datetime | None
    submitted_at: dt.datetime | None
    answers: dict[str, Any]
    total: int | None
    band: str | None
    band_label: str | None
    item_flags: list[ItemFlagOut]
    suicide_risk: bool
    risk_level: str | None
    risk_reasons: list[str]
    subscores: dict[str, int]
    recall_period: str
    loinc_total: str | None
    amends: UUID | None
    amendment_reason: str
    superseded_by: UUID | None
    alert_id: UUID | None


class ResponseIn(Schema):
    instrument_key: str = Field(..., max_length=20)
    answers: dict[str, Any] = Field(..., description="linkId -> integer score or true/false")
    completed_at: dt.datetime | None = Field(None, description="Staff entry of a paper form: when it was filled in")
    mode: str | None = Field(None, description="Staff: staff_paper (default) or clinician. Portal patients: portal (default)")


class RiskAlertOut(Schema):
    id: UUID
    patient_id: UUID
    patient_mrn: str
    response_id: UUID
    raised_at: dt.datetime
    reasons: list[str]
    risk_level: str
    status: str
    notified: list[str]
    escalated_at: dt.datetime | None
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    action_taken: str


class RiskAlertAcknowledgeIn(Schema):
    action_taken: str = Field(..., max_length=2000)


class AlertParams(Schema):
    status: str = Field("open", description="open | acknowledged | all")


def _instrument(i: ci.Instrument) -> dict:
    return {
        "key": i.key, "name": i.name, "version": i.version, "respondent": i.respondent.value,
        "recall_period": i.recall_period, "item_count": len(i.items),
        "total_min": i.total_min if i.has_total else None, "total_max": i.total_max if i.has_total else None,
        "licence_note": i.licence_note, "attribution": i.attribution, "loinc_panel": i.loinc_panel,
        "loinc_total": i.loinc_total, "has_item_text": i.has_item_text, "patient_can_answer": services.patient_can_answer(i),
    }


def _response(r: QuestionnaireResponse, patient: Patient, alert_ids: dict) -> dict:
    """``alert_ids``: response pk -> public id of the alert it raised (read by the caller in one query)."""
    return {
        "id": r.public_id, "patient_id": patient.public_id, "instrument_key": r.instrument_key,
        "instrument_version": r.instrument_version, "status": r.status, "mode": r.mode,
        "entered_by": r.entered_by.username if r.entered_by_id else None,
        "completed_at": r.completed_at, "submitted_at": r.submitted_at, "answers": r.answers, "total": r.total,
        "band": r.band or None, "band_label": r.band_label or None, "item_flags": r.item_flags,
        "suicide_risk": r.suicide_risk, "risk_level": r.risk_level or None, "risk_reasons": r.risk_reasons,
        "subscores": r.subscores, "recall_period": r.recall_period, "loinc_total": r.loinc_total or None,
        "amends": r.amends.public_id if r.amends_id else None, "amendment_reason": r.amendment_reason,
        "superseded_by": r.superseded_by.public_id if r.superseded_by_id else None, "alert_id": alert_ids.get(r.pk),
    }


def _alert(a) -> dict:
    return {
        "id": a.public_id, "patient_id": a.patient.public_id, "patient_mrn": a.patient.mrn,
        "response_id": a.response.public_id, "raised_at": a.raised_at, "reasons": a.reasons, "risk_level": a.risk_level,
        "status": a.status, "notified": a.notified, "escalated_at": a.escalated_at,
        "acknowledged_by": a.acknowledged_by.username if a.acknowledged_by_id else None,
        "acknowledged_at": a.acknowledged_at, "action_taken": a.action_taken,
    }


def _patient(ctx: Context, patient_id: UUID) -> Patient:
    """Staff: a patient of their clinic (audited). Portal patient: only their own record."""
    if getattr(ctx.user, "is_portal_patient", False):
        own = services.own_patient(ctx)
        if own.public_id != patient_id:
            raise NotFound("No such patient.")
        return own
    return services.patient_for(ctx, patient_id)


@router.get("/instruments", response={200: list[InstrumentOut], **errors(401)}, summary="List instruments")
def list_instruments(request):
    return [_instrument(i) for i in ci.INSTRUMENTS.values()]


@router.get("/instruments/{key}/fhir", response={200: dict, **errors(401, 404)}, summary="An instrument as a FHIR R4 Questionnaire")
def instrument_fhir(request, key: str):
    try:
        return ci.to_fhir_questionnaire(key)
    except ci.UnknownInstrumentError:
        raise NotFound(f"Unknown instrument {key!r}.") from None


@router.get("/patients/{patient_id}/responses", response={200: list[ResponseOut], **errors(401, 403, 404, 422)},
            summary="A patient's submitted questionnaire responses, newest first")
def list_responses(request, patient_id: UUID):
    ctx = Context.from_request(request)
    patient = _patient(ctx, patient_id)
    items = list(services.responses_for(ctx, patient).select_related("amends", "superseded_by")[:500])
    alert_ids = dict(patient.suicide_risk_alerts.filter(response__in=items).values_list("response_id", "public_id"))
    return [_response(r, patient, alert_ids) for r in items]


@router.post("/patients/{patient_id}/responses", response={201: ResponseOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Submit a complete questionnaire response (scored and stored)")
def create_response(request, patient_id: UUID, payload: ResponseIn):
    ctx = Context.from_request(request)
    patient = _patient(ctx, patient_id)
    if getattr(ctx.user, "is_portal_patient", False):
        mode = payload.mode or ResponseMode.PORTAL
        if mode != ResponseMode.PORTAL:
            raise ValidationFailed({"mode": ["A patient submits through the portal (mode 'portal')."]})
    else:
        mode = payload.mode or ResponseMode.STAFF_PAPER
        if mode not in services.STAFF_MODES:
            raise ValidationFailed({"mode": ["Staff enter responses as 'staff_paper' or 'clinician'."]})
    response = services.submit_response(ctx, patient, payload.instrument_key, payload.answers, mode=mode,
                                        completed_at=payload.completed_at)
    alert_ids = dict(patient.suicide_risk_alerts.filter(response=response).values_list("response_id", "public_id"))
    return Status(201, _response(response, patient, alert_ids))


@router.get("/alerts", response={200: list[RiskAlertOut], **errors(401, 403, 422)}, summary="Suicide-risk alerts of your clinic")
def list_alerts(request, params: Query[AlertParams]):
    qs = services.open_alerts_for(Context.from_request(request), params.status)
    return [_alert(a) for a in qs[:500]]


@router.post("/alerts/{alert_id}/acknowledge", response={200: RiskAlertOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Acknowledge an alert with the action taken")
def acknowledge(request, alert_id: UUID, payload: RiskAlertAcknowledgeIn):
    alert = services.acknowledge_alert(Context.from_request(request), alert_id, payload.action_taken)
    return _alert(alert)
