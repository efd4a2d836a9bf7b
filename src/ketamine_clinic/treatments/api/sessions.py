"""Sessions: list, check a patient in, read one."""

from decimal import Decimal
from uuid import UUID

from ninja import Field, Query, Schema, Status

from ketamine_clinic.core.schemas import errors
from ketamine_clinic.patients.services import get_patient_for
from ketamine_clinic.web.api import form_data

from .. import services
from ..models import SessionStatus
from ._router import router
from ._common import TIME, ctx_of, detailed_session
from .answers import SessionOut, SessionSummary, session_out, summary_out


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


class SessionPage(Schema):
    items: list[SessionSummary]
    count: int


class ListParams(Schema):
    status: str = Field("open", description="open | all | one of the statuses")
    patient: UUID | None = None
    location: UUID | None = None


@router.get("/sessions", response={200: SessionPage, **errors(401, 403, 422)}, summary="List sessions")
def list_sessions(request, params: Query[ListParams]):
    qs = services.sessions_for(ctx_of(request)).select_related("patient", "location")
    if params.status == "open":
        qs = qs.filter(status__in=[SessionStatus.CHECKED_IN, SessionStatus.DOSING, SessionStatus.OBSERVING])
    elif params.status != "all":
        qs = qs.filter(status=params.status)
    if params.patient:
        qs = qs.filter(patient__public_id=params.patient)
    if params.location:
        qs = qs.filter(location__public_id=params.location)
    items = list(qs[:200])
    return {"items": [summary_out(s) for s in items], "count": len(items)}


@router.post("/sessions", response={201: SessionOut, **errors(400, 401, 403, 404, 409, 422)}, summary="Check a patient in")
def create_session(request, payload: SessionIn):
    ctx = ctx_of(request)
    patient = get_patient_for(ctx, payload.patient, action="session.run", audit_action=None)
    data = form_data(payload)
    data.pop("patient")
    appointment = data.pop("appointment", "")
    if appointment:
        session = services.start_session_from_appointment(ctx, appointment, data, patient=patient)
    else:
        session = services.start_session(ctx, patient, data)
    return Status(201, session_out(detailed_session(request, session.public_id)))


@router.get("/sessions/{session_id}", response={200: SessionOut, **errors(401, 403, 404, 422)}, summary="Read a session")
def read_session(request, session_id: UUID):
    services.get_session_for(ctx_of(request), session_id, audit=True)
    return session_out(detailed_session(request, session_id))
