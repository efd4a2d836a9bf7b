"""The dose: start it, each esketamine device, the pump rate, stop."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema, Status

from ketamine_clinic.core.schemas import errors
from ketamine_clinic.web.api import form_data

from .. import services
from ._router import router
from ._common import TIME, run_on_session, session_after
from .answers import DeviceOut, RateOut, SessionOut


class SessionDoseIn(Schema):
    lot_number: str
    expiry_date: dt.date
    started_at: str | None = Field(None, description=TIME)
    cosigner: str | None = Field(None, description="Username of the co-signing clinician (above a soft limit)")
    cosigner_password: str | None = None
    cosign_reason: str | None = None
    version: int | None = None


class DeviceIn(Schema):
    given_at: str | None = Field(None, description=TIME)
    lot_number: str
    expiry_date: dt.date


class RateIn(Schema):
    at: str | None = Field(None, description=TIME)
    rate_ml_per_h: Decimal = Field(description="0 = pause")
    reason: str | None = None


class StopIn(Schema):
    stopped_at: str | None = Field(None, description=TIME)
    reason: str | None = None
    version: int | None = None


@router.post("/sessions/{session_id}/dose", response={200: SessionOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Start the dose (refused while a checklist hard stop is open)")
def start_dose(request, session_id: UUID, payload: SessionDoseIn):
    return session_after(request, session_id, services.start_dosing, payload)


@router.post("/sessions/{session_id}/devices", response={201: DeviceOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Record the next esketamine device")
def post_device(request, session_id: UUID, payload: DeviceIn):
    d = run_on_session(request, session_id, services.record_device, form_data(payload))
    return Status(201, {"id": d.public_id, "given_at": d.given_at, "lot_number": d.lot_number})


@router.post("/sessions/{session_id}/rate-changes", response={201: RateOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Change the pump rate (0 = pause)")
def post_rate(request, session_id: UUID, payload: RateIn):
    r = run_on_session(request, session_id, services.change_rate, form_data(payload))
    return Status(201, {"at": r.at, "rate_ml_per_h": r.rate_ml_per_h, "reason": r.reason})


@router.post("/sessions/{session_id}/stop", response={200: SessionOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Stop the infusion / end the device sequence")
def stop(request, session_id: UUID, payload: StopIn):
    return session_after(request, session_id, services.stop_dosing, payload)
