"""The pre-dose checklist: its facts, and the prescriber's blood-pressure and C-SSRS decisions."""

from decimal import Decimal
from uuid import UUID

from ninja import Field, Schema

from ketamine_clinic.core.schemas import errors
from ketamine_clinic.web.api import form_data, form_value

from .. import services
from ._router import router
from ._common import TIME, ctx_of, detailed_session
from .answers import ChecklistOut, checklist_out


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


@router.get("/sessions/{session_id}/checklist", response={200: ChecklistOut, **errors(401, 403, 404, 422)},
            summary="The pre-dose checklist")
def read_checklist(request, session_id: UUID):
    return checklist_out(detailed_session(request, session_id))


@router.patch("/sessions/{session_id}/checklist", response={200: ChecklistOut, **errors(400, 401, 403, 404, 409, 422)},
              summary="Record checklist facts (send the version you read)")
def patch_checklist(request, session_id: UUID, payload: ChecklistPatch):
    s = detailed_session(request, session_id, "session.run")
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    for key in ("ride_home_confirmed", "can_become_pregnant"):
        if key in data:
            data[key] = "" if data[key] is None else ("yes" if data[key] else "no")
    for key, reason in (data.pop("measure_deferrals", None) or {}).items():
        data[f"defer_{key}"] = reason or ""
    data = {k: form_value(v) for k, v in data.items()}
    s = services.update_checklist(ctx_of(request), s, data, expected_version=version)
    return checklist_out(detailed_session(request, s.public_id))


@router.post("/sessions/{session_id}/bp-decision", response={200: ChecklistOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Prescriber's esketamine blood-pressure risk-benefit decision")
def bp_decision(request, session_id: UUID, payload: BpDecisionIn):
    return _decision(request, session_id, "session.bp_decision", services.record_bp_decision, payload)


@router.post("/sessions/{session_id}/cssrs-decision", response={200: ChecklistOut, **errors(400, 401, 403, 404, 409, 422)},
             summary="Prescriber's decision to dose despite a high-risk C-SSRS")
def cssrs_decision(request, session_id: UUID, payload: BpDecisionIn):
    return _decision(request, session_id, "session.cssrs_decision", services.record_cssrs_decision, payload)


def _decision(request, session_id, action: str, service, payload: BpDecisionIn) -> dict:
    """A prescriber's documented decision on a checklist stop, at the version they read."""
    data = form_data(payload)
    s = service(ctx_of(request), detailed_session(request, session_id, action), data, expected_version=data.pop("version"))
    return checklist_out(detailed_session(request, s.public_id))
