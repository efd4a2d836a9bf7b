"""The end of a session: discharge, or end without a dose."""

from uuid import UUID

from ninja import Schema

from ketamine_clinic.core.schemas import errors
from ketamine_clinic.web.api import form_data

from .. import services
from . import router
from ._common import detailed_session, run_on_session
from .answers import SessionOut, session_out


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


class EndIn(Schema):
    reason: str
    version: int | None = None


@router.post("/sessions/{session_id}/discharge", response={200: SessionOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Discharge (refused until the patient is ready)")
def discharge(request, session_id: UUID, payload: DischargeIn):
    s = run_on_session(request, session_id, services.discharge, form_data(payload))
    return session_out(detailed_session(request, s.public_id))


@router.post("/sessions/{session_id}/end", response={200: SessionOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="End a session without a dose")
def end(request, session_id: UUID, payload: EndIn):
    s = run_on_session(request, session_id, services.end_without_dose, form_data(payload))
    return session_out(detailed_session(request, s.public_id))
