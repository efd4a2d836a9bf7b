"""REST API of the session day: sessions, checklist, dose, administration, vitals, monitoring
events, alerts, discharge, the chair board and the Spravato REMS monitoring forms.

Thin: each handler parses, calls the same service the pages use, and answers with the standard
error shape (declared per endpoint). Times are ISO 8601; a time without an offset is read in the
session location's time zone.
"""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.http import HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from ketamine_clinic.audit.services import Context
from ketamine_clinic.core.errors import NotFound
from ketamine_clinic.core.schemas import errors
from ketamine_clinic.patients.models import Patient

from . import facts, rems, services
from .models import SessionStatus

router = Router(tags=["sessions"])
TIME = "ISO 8601 date-time; without an offset it is read in the location's time zone; empty = now"


# --- schemas ----------------------------------------------------------------------------------
class SessionIn(Schema):
    patient: UUID
    location: UUID
    # route, dose_unit, dose_amount, ordered_by: required without an appointment (with one, the plan's order is copied)
    route: str | None = Field(None, description="iv | im | esketamine_nasal | oral_sublingual")
    indication: str = Field("depression", description="depression | chronic_pain")
    dose_unit: str | None = Field(None, description="mg/kg | mg | devices | mg/kg/h")
    dose_amount: Decimal | None = None
    infusion_minutes: int | None = None
    infusion_volume_ml: Decimal | None = None
    product_name: str
    concentration_mg_per_ml: Decimal | None = None
    ordered_by: UUID | None = Field(None, description="The ordering prescriber")
    checked_in_at: str | None = Field(None, description=TIME)
    appointment: UUID | None = Field(None, description="Today's appointment: the order is copied from its plan")


class ChecklistPatch(Schema):
    version: int = Field(description="Required: the version you read; a stale version is refused with 409")
    weight_today_kg: Decimal | None = None
    last_food_at: str | None = Field(None, description=TIME)
    last_liquid_at: str | None = Field(None, description=TIME)
    ride_home_confirmed: bool | None = None
    can_become_pregnant: bool | None = None
    pregnancy_test: str | None = Field(None, description="negative | positive | empty")
    measure_deferrals: dict[str, str] | None = Field(None, description="measure key -> reason (empty reason clears)")


class BpDecisionIn(Schema):
    note: str
    version: int = Field(description="Required: the version you read; a stale version is refused with 409")


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


STOCK = "Container label or id from stock (lot and expiry come from it); else give lot_number and expiry_date"


class SessionDoseIn(Schema):
    container: str | None = Field(None, description=STOCK)
    lot_number: str | None = None
    expiry_date: dt.date | None = None
    started_at: str | None = Field(None, description=TIME)
    cosigner: str | None = Field(None, description="Username of the co-signing clinician (above a soft limit)")
    cosigner_password: str | None = None
    cosign_reason: str | None = None
    version: int | None = None


class DeviceIn(Schema):
    given_at: str | None = Field(None, description=TIME)
    container: str | None = Field(None, description=STOCK)
    lot_number: str | None = None
    expiry_date: dt.date | None = None


class RateIn(Schema):
    at: str | None = Field(None, description=TIME)
    rate_ml_per_h: Decimal = Field(description="0 = pause")
    reason: str | None = None


class StopIn(Schema):
    stopped_at: str | None = Field(None, description=TIME)
    reason: str | None = None
    version: int | None = None


class DischargeIn(Schema):
    padss_vital_signs: int
    padss_activity_mental_status: int
    padss_pain_nausea_vomiting: int
    padss_bleeding: int
    padss_intake_output: int
    escort_present: bool
    clinician_judges_ready: bool
    ready_without_minimum_min: int | None = None
    version: int | None = None


class SessionAlertAcknowledgeIn(Schema):
    action_taken: str


class EndIn(Schema):
    reason: str
    version: int | None = None


class RemsSubmitIn(Schema):
    submission_reference: str | None = None


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


class SessionPage(Schema):
    items: list[SessionSummary]
    count: int


class BoardRow(Schema):
    session: UUID
    patient_name: str
    route: str
    status: str
    elapsed_min: int
    progress: str | None
    next_vitals_due: dt.datetime | None
    overdue_vitals: int
    open_alerts: list[str]
    chair: str = ""
    dose_elapsed_min: int | None = None
    step: str = ""
    earliest_discharge: dt.datetime | None = None
    waiting_on_bp_decision: bool = False
    open_items: int = 0


class RemsFormOut(Schema):
    id: UUID
    session: UUID
    patient_name: str
    schema_version: str
    treatment_date: dt.date
    due_date: dt.date
    values: dict
    missing_required: list[str]
    problems: list[str]
    submitted_at: dt.datetime | None
    submitted_by: str | None
    submission_reference: str


# --- mapping ----------------------------------------------------------------------------------
def _ctx(request) -> Context:
    return Context.from_request(request)


def _session(request, session_id, action="session.view"):
    session = services.get_session_for(_ctx(request), session_id, action)
    return services.with_details(type(session).objects.filter(pk=session.pk)).get()


def _run(request, session_id, service, data: dict, *args):
    """``service(ctx, session, *args, data)`` on a session the caller may run: the pages call the same."""
    return service(_ctx(request), _session(request, session_id, "session.run"), *args, data)


def _summary(s) -> dict:
    return {"id": s.public_id, "patient": s.patient.public_id, "patient_name": s.patient.display_name,
            "location": s.location.public_id, "route": s.route, "indication": s.indication, "status": s.status,
            "checked_in_at": s.checked_in_at, "version": s.version}


def _vitals(v) -> dict:
    return {"id": v.public_id, "observed_at": v.observed_at, "phase": v.phase, "recorded_by": v.recorded_by.username,
            **{k: getattr(v, k) for k in services.VITAL_FIELDS}, "alerts": [a.kind for a in v.alerts.all()]}


def _event(e) -> dict:
    return {"id": e.public_id, "kind": e.kind, "occurred_at": e.occurred_at, "score": e.score, "summary": e.summary,
            "data": e.data, "recorded_by": e.recorded_by.username}


def _alert(a) -> dict:
    return {"id": a.public_id, "kind": a.kind, "severity": a.severity, "message": a.message, "raised_at": a.raised_at,
            "acknowledged_by": a.acknowledged_by.username if a.acknowledged_by else None,
            "acknowledged_at": a.acknowledged_at, "action_taken": a.action_taken}


def _full(s) -> dict:
    now = timezone.now()
    policy = facts.session_policy(s.organization)
    preview = facts.dose_preview(s, policy) if s.dosing_started_at is None else None
    admin = getattr(s, "administration", None) if s.dosing_started_at else None
    due = facts.vitals_status(s, now, policy)
    readiness = facts.discharge_readiness(s, now, policy) if s.status == SessionStatus.OBSERVING else None
    return {
        **_summary(s),
        "order": _order(s),
        "ordered_by": s.ordered_by.username,
        "dose": _dose(s, preview), "guardrail": _guardrail(s, preview), "given_mg": facts.given_so_far(s, now),
        "dosing_started_at": s.dosing_started_at, "dosing_ended_at": s.dosing_ended_at,
        "administration": admin and _administration(admin),
        "devices": [{"id": d.public_id, "given_at": d.given_at, "lot_number": d.lot_number} for d in s.devices.all()],
        "rate_changes": [{"at": r.at, "rate_ml_per_h": r.rate_ml_per_h, "reason": r.reason}
                         for r in (admin.rate_changes.all() if admin else [])],
        "vitals": [_vitals(v) for v in facts.active_vitals(s)],
        "events": [_event(e) for e in facts.active_entries(s)],
        "alerts": [_alert(a) for a in s.alerts.all()],
        "next_vitals_due": due.next_due.due_at if due and due.next_due else None,
        "overdue_vitals": [c.due_at for c in due.overdue] if due else [],
        "discharge": readiness and _discharge(readiness),
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


def _checklist(s) -> dict:
    result = facts.checklist_for(s)
    return {"session": s.public_id, "version": s.version, "may_dose": result.may_dose,
            "items": [{"key": i.key, "label": i.label, "status": i.status.value, "message": i.message, "source": i.source}
                      for i in result.items]}


def _form_value(value):
    """A value as a posted form sends it to the services: empty for None; ids, amounts and dates as text."""
    if value is None:
        return ""
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _clean(payload: Schema) -> dict:
    return {k: _form_value(v) for k, v in payload.dict(exclude_unset=True).items()}


# --- sessions ---------------------------------------------------------------------------------
class ListParams(Schema):
    status: str = Field("open", description="open | all | one of the statuses")
    patient: UUID | None = None
    location: UUID | None = None


@router.get("/sessions", response={200: SessionPage, **errors(401, 403, 422)}, summary="List sessions")
def list_sessions(request, params: Query[ListParams]):
    qs = services.sessions_for(_ctx(request)).select_related("patient", "location")
    if params.status == "open":
        qs = qs.filter(status__in=[SessionStatus.CHECKED_IN, SessionStatus.DOSING, SessionStatus.OBSERVING])
    elif params.status != "all":
        qs = qs.filter(status=params.status)
    if params.patient:
        qs = qs.filter(patient__public_id=params.patient)
    if params.location:
        qs = qs.filter(location__public_id=params.location)
    items = list(qs[:200])
    return {"items": [_summary(s) for s in items], "count": len(items)}


@router.post("/sessions", response={201: SessionOut, **errors(400, 401, 403, 404, 409, 422)}, summary="Check a patient in")
def create_session(request, payload: SessionIn):
    ctx = _ctx(request)
    services.sessions_for(ctx, "session.run")
    patient = Patient.objects.filter(organization_id=ctx.user.organization_id, public_id=payload.patient).first()
    if patient is None:
        raise NotFound("No such patient.")
    data = _clean(payload)
    data.pop("patient")
    appointment = data.pop("appointment", "")
    if appointment:
        session = services.start_session_from_appointment(ctx, appointment, data, patient=patient)
    else:
        session = services.start_session(ctx, patient, data)
    return Status(201, _full(_session(request, session.public_id)))


@router.get("/sessions/{session_id}", response={200: SessionOut, **errors(401, 403, 404, 422)}, summary="Read a session")
def read_session(request, session_id: UUID):
    services.get_session_for(_ctx(request), session_id, audit=True)
    return _full(_session(request, session_id))


@router.get("/sessions/{session_id}/checklist", response={200: ChecklistOut, **errors(401, 403, 404, 422)},
            summary="The pre-dose checklist")
def read_checklist(request, session_id: UUID):
    return _checklist(_session(request, session_id))


@router.patch("/sessions/{session_id}/checklist", response={200: ChecklistOut, **errors(400, 401, 403, 404, 409, 422)},
              summary="Record checklist facts (send the version you read)")
def patch_checklist(request, session_id: UUID, payload: ChecklistPatch):
    s = _session(request, session_id, "session.run")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    for key in ("ride_home_confirmed", "can_become_pregnant"):
        if key in data:
            data[key] = "" if data[key] is None else ("yes" if data[key] else "no")
    for key, reason in (data.pop("measure_deferrals", None) or {}).items():
        data[f"defer_{key}"] = reason or ""
    data = {k: _form_value(v) for k, v in data.items()}
    s = services.update_checklist(_ctx(request), s, data, expected_version=version)
    return _checklist(_session(request, s.public_id))


@router.post("/sessions/{session_id}/bp-decision", response={200: ChecklistOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Prescriber's esketamine blood-pressure risk-benefit decision")
def bp_decision(request, session_id: UUID, payload: BpDecisionIn):
    s = _session(request, session_id, "session.bp_decision")
    data = _clean(payload)
    s = services.record_bp_decision(_ctx(request), s, data, expected_version=data.pop("version"))
    return _checklist(_session(request, s.public_id))


@router.post("/sessions/{session_id}/cssrs-decision", response={200: ChecklistOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Prescriber's decision to dose despite a high-risk C-SSRS")
def cssrs_decision(request, session_id: UUID, payload: BpDecisionIn):
    s = _session(request, session_id, "session.cssrs_decision")
    data = _clean(payload)
    s = services.record_cssrs_decision(_ctx(request), s, data, expected_version=data.pop("version"))
    return _checklist(_session(request, s.public_id))


@router.get("/sessions/{session_id}/vitals", response={200: list[VitalsOut], **errors(401, 403, 404, 422)}, summary="Vital signs")
def list_vitals(request, session_id: UUID):
    return [_vitals(v) for v in facts.active_vitals(_session(request, session_id))]


@router.post("/sessions/{session_id}/vitals", response={201: VitalsOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record vital signs (alerts are raised past clinic limits)")
def post_vitals(request, session_id: UUID, payload: VitalsIn):
    return Status(201, _vitals(_run(request, session_id, services.record_vitals, _clean(payload))))


@router.post("/sessions/{session_id}/events", response={201: EventOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record CADSS, MOAA/S, a side effect, rescue medication, adverse event or note")
def post_event(request, session_id: UUID, payload: EventIn):
    data = _clean(payload)
    if data.get("criteria") == "":
        data.pop("criteria")
    return Status(201, _event(_run(request, session_id, services.record_event, data)))


@router.post("/sessions/{session_id}/alerts/{alert_id}/acknowledge",
             response={200: SessionAlertOut, **errors(400, 401, 403, 404, 409, 422)}, summary="Acknowledge an alert")
def acknowledge(request, session_id: UUID, alert_id: UUID, payload: SessionAlertAcknowledgeIn):
    return _alert(_run(request, session_id, services.acknowledge_alert, _clean(payload), alert_id))


@router.post("/sessions/{session_id}/dose", response={200: SessionOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Start the dose (refused while a checklist hard stop is open)")
def start_dose(request, session_id: UUID, payload: SessionDoseIn):
    s = _run(request, session_id, services.start_dosing, _clean(payload))
    return _full(_session(request, s.public_id))


@router.post("/sessions/{session_id}/devices", response={201: DeviceOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record the next esketamine device")
def post_device(request, session_id: UUID, payload: DeviceIn):
    d = _run(request, session_id, services.record_device, _clean(payload))
    return Status(201, {"id": d.public_id, "given_at": d.given_at, "lot_number": d.lot_number})


@router.post("/sessions/{session_id}/rate-changes", response={201: RateOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Change the pump rate (0 = pause)")
def post_rate(request, session_id: UUID, payload: RateIn):
    r = _run(request, session_id, services.change_rate, _clean(payload))
    return Status(201, {"at": r.at, "rate_ml_per_h": r.rate_ml_per_h, "reason": r.reason})


@router.post("/sessions/{session_id}/stop", response={200: SessionOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Stop the infusion / end the device sequence")
def stop(request, session_id: UUID, payload: StopIn):
    s = _run(request, session_id, services.stop_dosing, _clean(payload))
    return _full(_session(request, s.public_id))


@router.post("/sessions/{session_id}/discharge", response={200: SessionOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Discharge (refused until the patient is ready)")
def discharge(request, session_id: UUID, payload: DischargeIn):
    s = _run(request, session_id, services.discharge, _clean(payload))
    return _full(_session(request, s.public_id))


@router.post("/sessions/{session_id}/end", response={200: SessionOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="End a session without a dose")
def end(request, session_id: UUID, payload: EndIn):
    s = _run(request, session_id, services.end_without_dose, _clean(payload))
    return _full(_session(request, s.public_id))


@router.get("/locations/{location_id}/board", response={200: list[BoardRow], **errors(401, 403, 404, 422)},
            summary="The chair board: every patient in session at a location")
def board(request, location_id: UUID):
    ctx = _ctx(request)
    rows = services.board_rows(ctx, services.get_location_for(ctx, location_id))
    return [{"session": r["session"].public_id, "patient_name": r["patient"].display_name, "route": r["session"].route,
             "status": r["session"].status, "elapsed_min": r["elapsed_min"], "progress": r["progress"],
             "next_vitals_due": r["next_vitals"].due_at if r["next_vitals"] else None,
             "overdue_vitals": len(r["overdue"]), "open_alerts": [a.message for a in r["alerts"]],
             "chair": r["chair"], "dose_elapsed_min": r["dose_elapsed_min"], "step": r["step"],
             "earliest_discharge": r["earliest_discharge"], "waiting_on_bp_decision": r["waiting_on_bp_decision"],
             "open_items": r["open_items"]} for r in rows]


# --- REMS forms -------------------------------------------------------------------------------
def _rems(form) -> dict:
    return {"id": form.public_id, "session": form.session.public_id, "patient_name": form.session.patient.display_name,
            "schema_version": form.schema_version, "treatment_date": form.treatment_date, "due_date": form.due_date,
            "values": form.values, "missing_required": form.missing_required, "problems": form.problems,
            "submitted_at": form.submitted_at, "submitted_by": form.submitted_by.username if form.submitted_by_id else None,
            "submission_reference": form.submission_reference}


@router.get("/rems-forms", response={200: list[RemsFormOut], **errors(401, 403)},
            summary="Spravato REMS monitoring forms not yet submitted, by due date")
def rems_forms_due(request):
    return [_rems(f) for f in services.rems_forms_for(_ctx(request))]


@router.get("/rems-forms/{form_id}", response={200: RemsFormOut, **errors(401, 403, 404, 422)}, summary="A REMS form")
def rems_form(request, form_id: UUID):
    return _rems(services.get_rems_form_for(_ctx(request), form_id))


@router.get("/rems-forms/{form_id}/pdf", response={200: None, **errors(401, 403, 404, 422)}, summary="A REMS form as PDF")
def rems_form_pdf(request, form_id: UUID):
    form = services.get_rems_form_for(_ctx(request), form_id)
    response = HttpResponse(rems.rems_pdf(form), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="rems-monitoring-{form.treatment_date:%Y%m%d}-{form.public_id}.pdf"'
    return response


@router.post("/rems-forms/{form_id}/submitted", response={200: RemsFormOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Mark a REMS form submitted (who, when)")
def rems_submitted(request, form_id: UUID, payload: RemsSubmitIn):
    ctx = _ctx(request)
    form = services.mark_rems_submitted(ctx, services.get_rems_form_for(ctx, form_id), _clean(payload))
    return _rems(form)
