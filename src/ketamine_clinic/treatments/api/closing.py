"""The end of a session: discharge, or end without a dose."""

from uuid import UUID

from ninja import Schema

from ketamine_clinic.core.schemas import errors

from .. import services
from ._router import router
from ._common import session_after
from .answers import SessionOut


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
    return session_after(request, session_id, services.discharge, payload)


@router.post("/sessions/{session_id}/end", response={200: SessionOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="End a session without a dose")
def end(request, session_id: UUID, payload: EndIn):
    return session_after(request, session_id, services.end_without_dose, payload)
