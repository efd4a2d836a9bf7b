"""The chair board: every patient in session at a location."""

import datetime as dt
from uuid import UUID

from ninja import Schema

from ketamine_clinic.core.schemas import errors

from .. import services
from ._router import router
from ._common import ctx_of


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


@router.get("/locations/{location_id}/board", response={200: list[BoardRow], **errors(401, 403, 404, 422)},
            summary="The chair board: every patient in session at a location")
def board(request, location_id: UUID):
    ctx = ctx_of(request)
    rows = services.board_rows(ctx, services.get_location_for(ctx, location_id))
    return [{"session": r["session"].public_id, "patient_name": r["patient"].display_name, "route": r["session"].route,
             "status": r["session"].status, "elapsed_min": r["elapsed_min"], "progress": r["progress"],
             "next_vitals_due": r["next_vitals"].due_at if r["next_vitals"] else None,
             "overdue_vitals": len(r["overdue"]), "open_alerts": [a.message for a in r["alerts"]],
             "chair": r["chair"], "dose_elapsed_min": r["dose_elapsed_min"], "step": r["step"],
             "earliest_discharge": r["earliest_discharge"], "waiting_on_bp_decision": r["waiting_on_bp_decision"],
             "open_items": r["open_items"]} for r in rows]
