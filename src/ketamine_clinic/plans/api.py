"""REST API for protocols, treatment plans, appointments and booster proposals (full paths; the
router is mounted at /api/v1). Thin: schema in, one service call, schema out."""

import datetime as dt
from decimal import Decimal
from typing import Any
from uuid import UUID

from ninja import Field, Query, Router, Schema, Status

from ketamine_clinic.audit.services import Context
from ketamine_clinic.clinical.sources import SOURCES
from ketamine_clinic.core.schemas import LocalTime, errors
from ketamine_clinic.web.api import form_data

from . import scheduling, services
from .services import protocol_store
from .models import Appointment, BoosterProposal, TreatmentPlan

router = Router(tags=["plans"])


# --- schemas ------------------------------------------------------------------------------------
class SourceOut(Schema):
    key: str
    citation: str
    verify: bool


class ProtocolSummaryOut(Schema):
    key: str
    version: int
    source: str = Field(description="library (shipped, read-only) or clinic (the clinic's own, versioned)")
    title: str
    route: str
    at_home: bool
    clinic_settings: list[str] = Field(description="Clinic settings that changed a shipped number")


class ProtocolOut(ProtocolSummaryOut):
    protocol: dict[str, Any] = Field(description="The protocol as data (protocol_to_dict)")
    sources: list[SourceOut]
    based_on: str | None = None
    reason: str | None = None
    created_at: dt.datetime | None = None


class ProtocolIn(Schema):
    based_on: str = Field(description="Key of the protocol copied or edited")
    based_on_version: int | None = None
    key: str = Field(description="Your protocol's key: a new one to copy, the same to save a new version")
    protocol: dict[str, Any] | None = Field(None, description="The edited protocol; empty = an exact copy")
    reason: str


class DoseOut(Schema):
    version: int
    dose: Decimal
    unit: str
    reason: str
    signed_by: str | None
    signed_at: dt.datetime | None


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    reason: str
    signed: bool
    changed_by: str
    changed_at: dt.datetime


class AppointmentOut(Schema):
    id: UUID
    patient_id: UUID
    plan_id: UUID | None
    location_id: UUID
    location: str
    time_zone: str
    kind: str
    phase: str
    session_number: int | None
    resource: str | None
    staff: str | None
    start: dt.datetime = Field(description="UTC")
    end: dt.datetime
    local_start: str = Field(description="Wall-clock time at the location, ISO 8601 with offset")
    status: str = Field(description="booked | checked_in | in_session | done | cancelled | no_show")
    status_reason: str
    version: int


class ProposalOut(Schema):
    id: UUID
    plan_id: UUID
    kind: str
    status: str
    protocol: str
    visits: list[dict[str, Any]]
    explanation: str
    source: str
    signal_note: str
    decision_reason: str
    result_plan_id: UUID | None


class PlanOut(Schema):
    id: UUID
    patient_id: UUID
    kind: str
    status: str
    protocol_key: str
    protocol_version: int
    protocol_source: str
    protocol_title: str
    route: str
    phase: str
    session_count: int
    location_id: UUID
    start_date: dt.date
    preferred_time: LocalTime
    therapist: str | None
    dose: DoseOut
    doses: list[DoseOut]
    status_changes: list[StatusChangeOut]
    appointments: list[AppointmentOut]
    proposals: list[ProposalOut]
    version: int


class PlanIn(Schema):
    protocol: str
    protocol_version: int | None = None
    phase: str | None = None
    location: UUID
    start_date: dt.date
    preferred_time: LocalTime
    session_count: int | None = None
    dose: Decimal | None = Field(None, description="In the protocol's dose unit; empty = the protocol's default")
    therapist: UUID | None = None
    notes: str | None = None


class ReasonIn(Schema):
    reason: str = ""


OVERRIDE_REASON = ("Only when sessions go past the patient's prior authorization (units or dates): why book them anyway "
                   "(audited). Without it such a booking is refused with 422 listing the problem dates.")


class ActivateIn(ReasonIn):
    override_reason: str = Field("", description=OVERRIDE_REASON)


class AcceptIn(ReasonIn):
    override_reason: str = Field("", description=OVERRIDE_REASON)
    interval_choices: dict[str, int] = Field(default_factory=dict, description="{phase name: days} for a phase that offers a "
                                             "choice of interval (esketamine week 9 on: 7 or 14)")


class StatusIn(Schema):
    status: str = Field(description="paused | active (resume) | completed | stopped")
    reason: str
    override_reason: str = Field("", description=OVERRIDE_REASON)


class PlanDoseIn(Schema):
    dose: Decimal
    reason: str


class RelapseIn(Schema):
    note: str
    signal_date: dt.date | None = None


class ActivationOut(Schema):
    plan: PlanOut
    warnings: list[str]


class AppointmentIn(Schema):
    patient: UUID
    location: UUID
    start: dt.datetime = Field(description="Without an offset: the location's wall-clock time")
    kind: str = "dosing"
    resource: UUID | None = None
    staff: UUID | None = None
    plan: UUID | None = None
    duration_min: int | None = None
    reason: str | None = None


class RescheduleIn(Schema):
    start: dt.datetime = Field(description="Without an offset: the location's wall-clock time")
    resource: UUID | None = None
    reason: str
    override_reason: str = Field("", description=OVERRIDE_REASON)
    version: int = Field(description="Required: the version you read; a stale version is refused with 409")


class AppointmentQuery(Schema):
    location: UUID | None = Field(None, description="Empty = every location")
    date: dt.date | None = Field(None, description="Local date at the location; empty = today")
    days: int = Field(1, ge=1, le=31)


# --- mapping ------------------------------------------------------------------------------------
def _protocol_summary(e: protocol_store.ProtocolEntry) -> dict:
    return {"key": e.key, "version": e.version, "source": e.source, "title": e.title, "route": e.route.value,
            "at_home": e.protocol.at_home, "clinic_settings": e.clinic_settings}


def _protocol_full(e: protocol_store.ProtocolEntry) -> dict:
    out = _protocol_summary(e)
    out["protocol"] = e.data
    out["sources"] = [{"key": k, "citation": SOURCES[k].citation, "verify": SOURCES[k].verify}
                      for k in sorted(e.protocol.cited_sources())]
    if e.row is not None:
        out.update(based_on=f"{e.row.based_on_source}:{e.row.based_on_key}@{e.row.based_on_version}",
                   reason=e.row.reason, created_at=e.row.created_at)
    return out


def _dose(d) -> dict:
    return {"version": d.version, "dose": d.dose.normalize(), "unit": d.unit, "reason": d.reason,
            "signed_by": d.signed_by.name if d.signed_by_id else None, "signed_at": d.signed_at}


def appointment_out(a: Appointment) -> dict:
    return {
        "id": a.public_id, "patient_id": a.patient.public_id, "plan_id": a.plan.public_id if a.plan_id else None,
        "location_id": a.location.public_id, "location": a.location.name, "time_zone": a.location.time_zone,
        "kind": a.kind, "phase": a.phase_name, "session_number": a.session_number,
        "resource": a.resource.name if a.resource_id else None, "staff": a.staff.name if a.staff_id else None,
        "start": a.start_at, "end": a.end_at, "local_start": a.local_start().isoformat(), "status": a.status,
        "status_reason": a.status_reason, "version": a.version,
    }


def _proposal(p: BoosterProposal) -> dict:
    return {"id": p.public_id, "plan_id": p.plan.public_id, "kind": p.kind, "status": p.status,
            "protocol": f"{p.protocol_source}:{p.protocol_key}@{p.protocol_version}", "visits": p.visits,
            "explanation": p.explanation, "source": p.source, "signal_note": p.signal_note,
            "decision_reason": p.decision_reason, "result_plan_id": p.result_plan.public_id if p.result_plan_id else None}


def plan_out(plan: TreatmentPlan) -> dict:
    doses = list(plan.doses.select_related("signed_by").order_by("-version"))
    appts = plan.appointments.select_related("patient", "location", "resource", "staff", "plan").order_by("start_at")
    return {
        "id": plan.public_id, "patient_id": plan.patient.public_id, "kind": plan.kind, "status": plan.status,
        "protocol_key": plan.protocol_key, "protocol_version": plan.protocol_version,
        "protocol_source": plan.protocol_source, "protocol_title": plan.protocol_title, "route": plan.route,
        "phase": plan.phase_name, "session_count": plan.session_count, "location_id": plan.location.public_id,
        "start_date": plan.start_date, "preferred_time": plan.preferred_time,
        "therapist": plan.therapist.name if plan.therapist_id else None,
        "dose": _dose(doses[0]), "doses": [_dose(d) for d in doses],
        "status_changes": [{"from_status": c.from_status, "to_status": c.to_status, "reason": c.reason, "signed": c.signed,
                            "changed_by": c.changed_by.name, "changed_at": c.changed_at}
                           for c in plan.status_changes.select_related("changed_by")],
        "appointments": [appointment_out(a) for a in appts],
        "proposals": [_proposal(p) for p in plan.booster_proposals.select_related("plan", "result_plan")],
        "version": plan.version,
    }


# --- protocols ----------------------------------------------------------------------------------
@router.get("/protocols", response={200: list[ProtocolSummaryOut], **errors(401, 403)}, summary="List protocols")
def list_protocols(request):
    return [_protocol_summary(e) for e in protocol_store.protocols_for(Context.from_request(request))]


@router.get("/protocols/{key}", response={200: ProtocolOut, **errors(401, 403, 404, 422)}, summary="Read a protocol")
def read_protocol(request, key: str, version: int | None = None):
    return _protocol_full(protocol_store.get_protocol_for(Context.from_request(request), key, version))


@router.post("/protocols", response={201: ProtocolOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Copy a protocol, or save a new version of a clinic protocol")
def save_protocol(request, payload: ProtocolIn):
    ctx = Context.from_request(request)
    row = protocol_store.save_clinic_protocol(ctx, payload.dict())
    return Status(201, _protocol_full(protocol_store.get_protocol_for(ctx, row.key, row.version)))


# --- plans --------------------------------------------------------------------------------------
@router.get("/patients/{patient_id}/plans", response={200: list[PlanOut], **errors(401, 403, 404, 422)},
            summary="A patient's treatment plans")
def list_plans(request, patient_id: UUID):
    ctx = Context.from_request(request)
    patient = services.patient_for(ctx, patient_id)
    return [plan_out(p) for p in services.plans_for(ctx, patient)]


@router.post("/patients/{patient_id}/plans", response={201: PlanOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Draft a plan from a protocol")
def create_plan(request, patient_id: UUID, payload: PlanIn):
    ctx = Context.from_request(request)
    patient = services.patient_for(ctx, patient_id, action="plan.edit")
    return Status(201, plan_out(services.create_plan(ctx, patient, form_data(payload))))


@router.get("/plans/{plan_id}", response={200: PlanOut, **errors(401, 403, 404, 422)}, summary="Read a plan")
def read_plan(request, plan_id: UUID):
    return plan_out(services.get_plan_for(Context.from_request(request), plan_id, audit=True))


def _signable_proposal(request, proposal_id: UUID):
    """The request's context and the actor's clinic's booster proposal (404 otherwise), to accept or decline."""
    ctx = Context.from_request(request)
    return ctx, services.get_proposal_for(ctx, proposal_id, "plan.sign")


def _plan(request, plan_id: UUID, action: str):
    """The request's context and the actor's clinic's plan (404 otherwise), for a write with ``action``."""
    ctx = Context.from_request(request)
    return ctx, services.get_plan_for(ctx, plan_id, action=action)


@router.post("/plans/{plan_id}/activate", response={200: ActivationOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Sign and activate a draft (screening must allow the route); books the sessions")
def activate_plan(request, plan_id: UUID, payload: ActivateIn):
    ctx, plan = _plan(request, plan_id, "plan.sign")
    plan, warnings = services.activate_plan(ctx, plan, payload.reason, override_reason=payload.override_reason)
    return {"plan": plan_out(plan), "warnings": warnings}


@router.post("/plans/{plan_id}/status", response={200: PlanOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Pause, resume, complete or stop a plan (signed, with a reason)")
def change_plan_status(request, plan_id: UUID, payload: StatusIn):
    ctx, plan = _plan(request, plan_id, "plan.sign")
    plan = services.change_status(ctx, plan, payload.status, payload.reason, override_reason=payload.override_reason)
    return plan_out(plan)


@router.post("/plans/{plan_id}/dose", response={201: DoseOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Change the dose (a new signed version; refused outside the protocol's range)")
def change_plan_dose(request, plan_id: UUID, payload: PlanDoseIn):
    ctx, plan = _plan(request, plan_id, "plan.sign")
    dose = services.change_dose(ctx, plan, form_data(payload))
    return Status(201, _dose(dose))


@router.post("/plans/{plan_id}/relapse", response={201: ProposalOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record a relapse signal; proposes an earlier booster")
def relapse(request, plan_id: UUID, payload: RelapseIn):
    ctx, plan = _plan(request, plan_id, "plan.edit")
    proposal = services.signal_relapse(ctx, plan, form_data(payload))
    return Status(201, _proposal(proposal))


@router.post("/booster-proposals/{proposal_id}/accept", response={200: ProposalOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Accept a booster proposal (books it)")
def accept(request, proposal_id: UUID, payload: AcceptIn):
    ctx, proposal = _signable_proposal(request, proposal_id)
    return _proposal(services.accept_proposal(ctx, proposal, payload.reason, interval_choices=payload.interval_choices,
                                              override_reason=payload.override_reason))


@router.post("/booster-proposals/{proposal_id}/decline", response={200: ProposalOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Decline a booster proposal (with a reason)")
def decline(request, proposal_id: UUID, payload: ReasonIn):
    ctx, proposal = _signable_proposal(request, proposal_id)
    return _proposal(services.decline_proposal(ctx, proposal, payload.reason))


# --- appointments -------------------------------------------------------------------------------
@router.get("/appointments", response={200: list[AppointmentOut], **errors(401, 403, 404, 422)},
            summary="Appointments of a day (or several) at a location, or at every location")
def list_appointments(request, params: Query[AppointmentQuery]):
    ctx = Context.from_request(request)
    location = scheduling.get_location_for(ctx, params.location) if params.location else None
    return [appointment_out(a) for a in scheduling.appointments_for(ctx, location, params.date, params.days)]


@router.post("/appointments", response={201: AppointmentOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Book one appointment (conflicts are refused and explained)")
def book(request, payload: AppointmentIn):
    ctx = Context.from_request(request)
    patient = services.patient_for(ctx, payload.patient, action="schedule.manage")
    data = form_data(payload)
    data["start"] = payload.start
    return Status(201, appointment_out(scheduling.book_appointment(ctx, patient, data)))


@router.get("/appointments/{appointment_id}", response={200: AppointmentOut, **errors(401, 403, 404, 422)},
            summary="Read an appointment")
def read_appointment(request, appointment_id: UUID):
    return appointment_out(scheduling.get_appointment_for(Context.from_request(request), appointment_id))


@router.post("/appointments/{appointment_id}/reschedule", response={200: AppointmentOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Move an appointment (with a reason)")
def reschedule(request, appointment_id: UUID, payload: RescheduleIn):
    ctx = Context.from_request(request)
    appt = scheduling.get_appointment_for(ctx, appointment_id, "schedule.manage")
    data = form_data(payload)
    data["start"] = payload.start
    return appointment_out(scheduling.reschedule_appointment(ctx, appt, data))


@router.post("/appointments/{appointment_id}/cancel", response={200: AppointmentOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Cancel an appointment (with a reason; never deleted)")
def cancel(request, appointment_id: UUID, payload: ReasonIn):
    ctx = Context.from_request(request)
    appt = scheduling.get_appointment_for(ctx, appointment_id, "schedule.manage")
    return appointment_out(scheduling.cancel_appointment(ctx, appt, payload.reason))


@router.post("/appointments/{appointment_id}/no-show", response={200: AppointmentOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record a no-show (with a reason)")
def no_show(request, appointment_id: UUID, payload: ReasonIn):
    ctx = Context.from_request(request)
    appt = scheduling.get_appointment_for(ctx, appointment_id, "schedule.manage")
    return appointment_out(scheduling.mark_no_show(ctx, appt, payload.reason))

